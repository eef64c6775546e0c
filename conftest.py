"""Project-wide pytest setup.

In CI (`SERVICEHALL_REQUIRE_SERVICES=1`, set by .ci/run) a test that would skip because
PostgreSQL, Redis or Chromium is missing fails instead: a skipped service test proves nothing.
"""

from __future__ import annotations

import os

import pytest

REQUIRE_SERVICES = os.environ.get("SERVICEHALL_REQUIRE_SERVICES") == "1"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    outcome = yield
    report = outcome.get_result()
    if REQUIRE_SERVICES and report.skipped:
        report.outcome = "failed"
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.longrepr = f"skipped in CI, where every service must be present: {reason}"
