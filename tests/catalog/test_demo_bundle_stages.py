"""The demo's bundles leave every stage time within the bundle's promise: the stages before one
that takes days never use up the whole promised limit (else its plan would say "计划于 <the
bundle's due date> 前完成" with no day left), and the promise keeps the legal rule (no more than
the sum of the stages' longest promised limits)."""

from __future__ import annotations

from catalog import demo_data


def test_every_demo_bundle_stage_has_time_within_the_promise() -> None:
    promised = {item.code: item.promised for item in demo_data.ITEMS}
    for bundle in demo_data.BUNDLES:
        maxima = [max(promised[code] for code in stage) for stage in bundle.stages]
        assert bundle.promised_limit_days <= sum(maxima), bundle.name  # the legal rule
        used = 0
        for n, days in enumerate(maxima, start=1):
            if days:
                assert used < bundle.promised_limit_days, (bundle.name, n, maxima, bundle.promised_limit_days)
            used += days
