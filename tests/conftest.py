from __future__ import annotations

import pytest

from catalog import services
from catalog.models import Bundle, Hall
from catalog.services import BundleMemberSpec
from tests.catalog import factories


@pytest.fixture
def catalog(db):
    """A small catalog: two departments, a city and a district hall, four items, one bundle."""
    police = factories.department(code="GZGA", name="广州市公安局", name_en="Guangzhou Public Security Bureau")
    market = factories.department(code="GZSCJG", name="广州市市场监督管理局", name_en="Market Regulation")
    city = factories.hall(
        code="GZ-CITY", name="广州市政务服务中心", name_en="Guangzhou Government Service Centre", level=Hall.Level.CITY
    )
    tianhe = factories.hall(code="TH", name="天河区政务服务中心", name_en="Tianhe District Centre")
    id_card = factories.item(
        code="0600101000",
        dept=police,
        name="居民身份证换领",
        halls=[city, tianhe],
        citywide=True,
        handling_kind="promised",
        statutory_limit_days=60,
        promised_limit_days=20,
        is_free=False,
        fee_description="工本费20元",
        fee_basis="《关于居民身份证收费标准的通知》",
    )
    hukou = factories.item(code="0600102000", dept=police, name="户口迁入登记", halls=[city], cross_region=True)
    licence = factories.item(
        code="0100201000",
        dept=market,
        name="食品经营许可",
        halls=[city],
        applicant_type="legal_person",
        statutory_limit_days=20,
        promised_limit_days=10,
    )
    stamp = factories.item(
        code="1000301000",
        dept=market,
        name="企业印章刻制备案",
        halls=[tianhe],
        handling_kind="instant",
        promised_limit_days=0,
    )
    bundle = services.bundle_save(
        bundle=Bundle(
            name="开办餐饮店一件事", name_en="Opening a restaurant", lead_department=market, promised_limit_days=8
        ),
        members=[BundleMemberSpec(1, stamp), BundleMemberSpec(2, licence), BundleMemberSpec(2, hukou)],
        actor=None,
    )
    return {
        "police": police,
        "market": market,
        "city": city,
        "tianhe": tianhe,
        "id_card": id_card,
        "hukou": hukou,
        "licence": licence,
        "stamp": stamp,
        "bundle": bundle,
    }


@pytest.fixture
def commits(django_capture_on_commit_callbacks):
    """Run what the services do on commit (the cache writes), as a real commit would:
    ``commits(lambda: services.ticket_issue(...))``."""

    def run(action):
        with django_capture_on_commit_callbacks(execute=True):
            return action()

    return run


@pytest.fixture(autouse=True)
def _empty_cache():
    """Every test starts with an empty cache (snapshots, rate limits)."""
    from django.core.cache import cache

    from catalog import page_cache
    from feedback import statistics_cache
    from queueing import console, services, snapshot
    from servicehall import cache as shared_cache
    from servicehall import memo, outbox

    cache.clear()
    snapshot._hall_ids.clear()
    services.forget_number_offsets()  # the database they were read from is gone
    console.forget()
    memo.forget()
    page_cache.forget()
    statistics_cache.forget()
    shared_cache.reset_state()  # no outage carried over from another test
    outbox.reset_state()
    yield


@pytest.fixture(autouse=True, scope="session")
def _force_login_finishes_the_login():
    """``client.force_login`` / ``client.login`` in tests give a session whose login is finished
    (second factor verified, password not expired), as most tests are about what staff do once
    signed in. The tests of the login itself (tests/servicehall/test_two_factor.py) post to the
    login form, or call ``tests.servicehall.security.login_unfinished``.

    Only here, in the tests: nothing in the settings or the code lets a session skip a step."""
    from django.test.client import ClientMixin

    from servicehall import passwords, twofactor

    original = ClientMixin._login

    def _login(self, user, backend=None):
        original(self, user, backend)
        session = self.session
        session[twofactor.SESSION_KEY] = twofactor.VERIFIED
        session.pop(passwords.EXPIRED_SESSION_KEY, None)
        session.save()

    patcher = pytest.MonkeyPatch()
    patcher.setattr(ClientMixin, "_login", _login)
    patcher.setattr(ClientMixin, "_login_unfinished", original, raising=False)
    yield
    patcher.undo()
