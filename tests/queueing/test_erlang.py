"""Erlang C against textbook values, a worked call-centre example and the closed formula."""

from __future__ import annotations

import math
from fractions import Fraction

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


# --- Service level: P(wait ≤ t) = 1 − C · e^(−(c − a)·t / s) ------------------------------


def exact_erlang_c(servers: int, load: int | Fraction) -> Fraction:
    """The closed formula in exact rational arithmetic: an independent reference."""
    load = Fraction(load)
    top = load**servers / math.factorial(servers) * Fraction(servers) / (servers - load)
    return top / (sum(load**k / math.factorial(k) for k in range(servers)) + top)


def test_service_level_against_the_published_call_centre_example() -> None:
    """Call Centre Helper, "Erlang C Formula – Made Simple With an Easy Worked Example"
    (callcentrehelper.com, 2018; the example most workforce-planning courses reproduce):
    100 calls in 30 minutes, average handling time 180 s, target 80 % answered within 20 s.
    Traffic intensity A = 100 · 180 / 1800 = 10 Erlangs. The article's table:

        agents   P(wait)   service level (20 s)
          11     0.6821       0.3896
          12     0.4494       0.6402
          13     0.2853       0.7956
          14     0.1741       0.8884   ← the first to reach 80 %: 14 agents

    each figure reproduced here to 4 decimals from the exact formula as well."""
    table = {11: (0.6821, 0.3896), 12: (0.4494, 0.6402), 13: (0.2853, 0.7956), 14: (0.1741, 0.8884)}
    for agents, (waits, level) in table.items():
        assert float(exact_erlang_c(agents, 10)) == pytest.approx(waits, abs=5e-5)
        assert erlang.erlang_c(agents, 10.0) == pytest.approx(waits, abs=5e-5)
        # In seconds and in minutes alike: only t / s matters.
        assert erlang.service_level(agents, 10.0, 180.0, 20.0) == pytest.approx(level, abs=5e-5)
        assert erlang.service_level(agents, 10.0, 3.0, 20 / 60) == pytest.approx(level, abs=5e-5)
    # λ = 100 / 30 per minute, s = 3 minutes, 80 % within 20 s → 14 windows.
    assert erlang.windows_for_service_level(100 / 30, 3.0, 0.8, 20 / 60) == 14
    # Average speed of answer with 14 agents: 0.1741 · 180 / 4 = 7.8 s.
    assert erlang.expected_wait(14, 10.0, 180.0) == pytest.approx(7.84, abs=5e-3)


def test_service_level_against_the_published_erlang_c_walkthrough() -> None:
    """The step-by-step Erlang-C walkthrough published with the Westbay/Mitan "Erlang-C formula"
    pages (reproduced in many call-centre texts): 360 calls per half hour, 4 minutes each,
    55 agents, target answer time 15 s. A = 12/min · 4 min = 48 Erlangs, occupancy 48/55 = 0.873,
    P(wait) = 0.2387, average speed of answer = 0.2387 · 240 / 7 = 8.18 s,
    service level = 1 − 0.2387 · e^(−7 · 15 / 240) = 0.8459."""
    assert float(exact_erlang_c(55, 48)) == pytest.approx(0.2387, abs=5e-5)
    assert erlang.erlang_c(55, 48.0) == pytest.approx(0.2387, abs=5e-5)
    assert erlang.expected_wait(55, 48.0, 240.0) == pytest.approx(8.18, abs=5e-3)
    assert erlang.service_level(55, 48.0, 240.0, 15.0) == pytest.approx(0.8459, abs=5e-5)
    # 80 % within 15 s: 54 agents give 0.7929, 55 give 0.8459 → 55.
    assert erlang.service_level(54, 48.0, 240.0, 15.0) == pytest.approx(0.7929, abs=5e-5)
    assert erlang.windows_for_service_level(12.0, 4.0, 0.8, 0.25) == 55


def test_service_level_of_the_textbook_case_in_closed_form() -> None:
    # a = 2, c = 3, s = 1: P(wait ≤ t) = 1 − 4/9 · e^(−t).
    for t in (0.0, 0.5, 1.0, 3.0):
        assert erlang.service_level(3, 2.0, 1.0, t) == pytest.approx(1 - 4 / 9 * math.exp(-t), rel=1e-12)


def test_service_level_limits() -> None:
    assert erlang.service_level(3, 0.0, 8.0, 15.0) == 1.0  # nobody comes: all served in time
    assert erlang.service_level(2, 2.0, 8.0, 15.0) == 0.0  # unstable
    assert erlang.service_level(2, 3.5, 8.0, 15.0) == 0.0
    # t = 0: the share that does not wait at all, 1 − C.
    assert erlang.service_level(3, 2.0, 1.0, 0.0) == pytest.approx(5 / 9)


def test_a_hall_at_eighty_percent_within_fifteen_minutes() -> None:
    # 30 people an hour, 12 minutes each: a = 6, C(7, 6) = 0.6138 (the worked example above).
    # Within 15 minutes: 1 − 0.6138 · e^(−15/12) = 0.8241 with 7 windows, the first c > a → 7.
    # Within 2 minutes: 7 → 0.4804, 8 → 0.7442, 9 → 0.8811 → 9.
    assert erlang.service_level(7, 6.0, 12.0, 15.0) == pytest.approx(0.8241, abs=5e-5)
    assert erlang.windows_for_service_level(0.5, 12.0, 0.8, 15.0) == 7
    assert [round(erlang.service_level(c, 6.0, 12.0, 2.0), 4) for c in (7, 8, 9)] == [0.4804, 0.7442, 0.8811]
    assert erlang.windows_for_service_level(0.5, 12.0, 0.8, 2.0) == 9
    assert erlang.windows_for_service_level(0.0, 12.0, 0.8, 15.0) == 0
    assert erlang.windows_for_service_level(100.0, 5.0, 0.8, 0.5, max_windows=12) == 12


@pytest.mark.parametrize(
    "args",
    [
        (1.0, 3.0, 0.0, 15.0),
        (1.0, 3.0, 1.0, 15.0),
        (1.0, 3.0, 1.5, 15.0),
        (1.0, 3.0, 0.8, -1.0),
        (-1.0, 3.0, 0.8, 15.0),
        (1.0, 0.0, 0.8, 15.0),
        (math.nan, 3.0, 0.8, 15.0),
    ],
)
def test_service_level_planning_refuses_nonsense(args) -> None:
    with pytest.raises(ValueError):
        erlang.windows_for_service_level(*args)
