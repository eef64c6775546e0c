"""Erlang C against textbook values, a worked call-centre example and the closed formula."""

from __future__ import annotations

import math

import pytest

from queueing import erlang


def closed_form_erlang_c(servers: int, load: float) -> float:
    """The textbook formula, with factorials: only usable for small c, hence the recursion."""
    top = load**servers / math.factorial(servers) * servers / (servers - load)
    return top / (sum(load**k / math.factorial(k) for k in range(servers)) + top)


def test_two_erlangs_on_three_servers_wait_with_probability_four_ninths() -> None:
    # The classic textbook case: P(wait) = (8/6 · 3) / (1 + 2 + 2 + 8/6 · 3) = 4/9.
    assert erlang.erlang_c(3, 2.0) == pytest.approx(4 / 9, abs=1e-12)
    assert erlang.erlang_c(3, 2.0) == pytest.approx(0.4444, abs=1e-4)
    # W_q = C · s / (c − a): with s = 1, 4/9 of a service time.
    assert erlang.expected_wait(3, 2.0, 1.0) == pytest.approx(4 / 9)


def test_one_erlang_on_two_servers() -> None:
    # B(1) = 1/2, B(2) = 0.5 / 2.5 = 0.2, C = 2 · 0.2 / (2 − 0.8) = 1/3.
    assert erlang.erlang_b(2, 1.0) == pytest.approx(0.2)
    assert erlang.erlang_c(2, 1.0) == pytest.approx(1 / 3)
    assert erlang.expected_wait(2, 1.0, 8.0) == pytest.approx(8 / 3)


def test_call_centre_example_worked_by_hand() -> None:
    """120 calls an hour (2 a minute), 3 minutes each: a = 6 Erlangs.

    Erlang B by hand: B1 = 6/7 = .857143, B2 = .72, B3 = .590164, B4 = .469565, B5 = .360400,
    B6 = .264922, B7 = .185054, B8 = .121875, B9 = .075145.
    C(7) = 7 · .185054 / (7 − 6 · .814946) = .613829 → W_q = .613829 · 3 / 1 = 1.841 min
    C(8) = 8 · .121875 / (8 − 6 · .878125) = .356979 → W_q = .356979 · 3 / 2 = 0.535 min (32 s)
    C(9) = 9 · .075145 / (9 − 6 · .924855) = .195981 → W_q = .195981 · 3 / 3 = 0.196 min (12 s)
    """
    assert [round(erlang.erlang_b(c, 6.0), 6) for c in (7, 8, 9)] == [0.185055, 0.121876, 0.075145]
    assert [round(erlang.erlang_c(c, 6.0), 4) for c in (7, 8, 9)] == [0.6138, 0.3570, 0.1960]
    assert erlang.expected_wait(7, 6.0, 3.0) == pytest.approx(1.8415, abs=1e-4)
    assert erlang.expected_wait(8, 6.0, 3.0) == pytest.approx(0.5355, abs=1e-4)
    assert erlang.expected_wait(9, 6.0, 3.0) == pytest.approx(0.1960, abs=1e-4)
    # Answer within 20 seconds on average → 9 agents; within a minute → 8; within two → 7.
    assert erlang.windows_needed(2.0, 3.0, 20 / 60) == 9
    assert erlang.windows_needed(2.0, 3.0, 1.0) == 8
    assert erlang.windows_needed(2.0, 3.0, 2.0) == 7


@pytest.mark.parametrize("servers", [1, 2, 3, 5, 8, 13, 21])
@pytest.mark.parametrize("load", [0.3, 0.9, 2.5, 4.0, 7.7, 12.2])
def test_recursion_agrees_with_the_closed_formula(servers: int, load: float) -> None:
    if servers <= load:
        assert erlang.erlang_c(servers, load) == 1.0
    else:
        assert erlang.erlang_c(servers, load) == pytest.approx(closed_form_erlang_c(servers, load), rel=1e-10)


def test_large_loads_stay_finite_and_accurate() -> None:
    # a^c / c! overflows a float long before c = 520; the recursion does not. The reference is
    # the closed formula in log space.
    servers, load = 520, 500.0
    log_terms = [k * math.log(load) - math.lgamma(k + 1) for k in range(servers)]
    log_top = servers * math.log(load) - math.lgamma(servers + 1) + math.log(servers / (servers - load))
    peak = max(*log_terms, log_top)
    expected = math.exp(log_top - peak) / (sum(math.exp(t - peak) for t in log_terms) + math.exp(log_top - peak))
    assert erlang.erlang_c(servers, load) == pytest.approx(expected, rel=1e-9)
    assert 0 < erlang.erlang_c(servers, load) < 1


def test_an_unstable_queue_always_waits_forever() -> None:
    assert erlang.erlang_c(2, 2.0) == 1.0
    assert erlang.erlang_c(2, 3.5) == 1.0
    assert erlang.expected_wait(2, 2.0, 5.0) == math.inf


def test_no_arrivals_need_no_window_and_never_wait() -> None:
    assert erlang.erlang_c(0, 0.0) == 0.0
    assert erlang.expected_wait(1, 0.0, 5.0) == 0.0
    assert erlang.windows_needed(0.0, 8.0, 15.0) == 0


def test_windows_needed_is_always_more_than_the_load() -> None:
    # A very lax target is met by any stable queue: the answer is the smallest c > a.
    assert erlang.windows_needed(0.5, 8.0, 10_000) == 5  # a = 4 → 5
    assert erlang.windows_needed(0.5, 9.0, 10_000) == 5  # a = 4.5 → 5


def test_windows_needed_is_capped() -> None:
    assert erlang.windows_needed(100.0, 5.0, 0.5) == erlang.MAX_WINDOWS  # a = 500
    assert erlang.windows_needed(100.0, 5.0, 0.5, max_windows=12) == 12


def test_backlog_windows_clear_the_waiting_people_within_the_target() -> None:
    assert erlang.backlog_windows(30, 5.0, 15.0) == 10  # exactly 10, not 11 through rounding
    assert erlang.backlog_windows(20, 8.0, 15.0) == 11  # 10.67 → 11
    assert erlang.backlog_windows(0, 8.0, 15.0) == 0
    assert erlang.backlog_windows(10_000, 8.0, 15.0) == erlang.MAX_WINDOWS


def test_recommendation_is_the_larger_rule_minus_the_open_windows() -> None:
    # Steady state: 2/min × 3 min within 1 minute needs 8; nobody waiting yet.
    assert (
        erlang.recommended_extra_windows(
            waiting=0, open_windows=5, arrivals_per_minute=2.0, mean_service_minutes=3.0, target_wait_minutes=1.0
        )
        == 3
    )
    # A crowd of 40 at 3 minutes each within 10 minutes needs 12 windows: the backlog rules.
    assert (
        erlang.recommended_extra_windows(
            waiting=40, open_windows=5, arrivals_per_minute=2.0, mean_service_minutes=3.0, target_wait_minutes=10.0
        )
        == 7
    )
    # Already enough open: never a negative recommendation.
    assert (
        erlang.recommended_extra_windows(
            waiting=2, open_windows=20, arrivals_per_minute=2.0, mean_service_minutes=3.0, target_wait_minutes=1.0
        )
        == 0
    )


@pytest.mark.parametrize(
    ("call", "args"),
    [
        (erlang.erlang_c, (-1, 1.0)),
        (erlang.erlang_c, (2, -0.5)),
        (erlang.erlang_b, (2, math.nan)),
        (erlang.expected_wait, (2, 1.0, 0.0)),
        (erlang.windows_needed, (1.0, 3.0, 0.0)),
        (erlang.windows_needed, (-1.0, 3.0, 5.0)),
        (erlang.backlog_windows, (-1, 3.0, 5.0)),
        (erlang.backlog_windows, (3, 0.0, 5.0)),
    ],
)
def test_nonsense_inputs_are_refused(call, args) -> None:
    with pytest.raises(ValueError):
        call(*args)
