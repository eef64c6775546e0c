"""Deemed acceptance of bundle applications (行政许可法 Art. 32, Art. 13 ¶2): a bundle received
and left 5 working days (the receipt day not counted) without acceptance or a one-time notice is
accepted as of its receipt, by the warning job and by any action on it first, as a single case
(tests/cases/test_deemed_acceptance.py); its sub-cases are created as an acceptance does.
Also: the supervisors' count of overdue owed materials includes a bundle's waiting sub-cases.

Received Wed 23 Sep 2026: 9/24 1, 9/25 off, 9/28 2, 9/29 3, 9/30 4, 10/1–7 off, 10/8 5 (the last
day for a notice); from Fri 10/9 the application counts as accepted from 9/23.
"""

from __future__ import annotations

import pytest
import time_machine
from django.urls import reverse

from cases import bundles, warnings
from cases.bundles import LineNotice, material_key
from cases.models import BundleCase, Case, CaseClock, CaseEvent, CaseMaterial, CaseWarningSummary, OwedMaterial
from cases.services import CaseError
from servicehall.models import AuditEvent
from tests.cases.factories import D, at
from tests.cases.test_bundle_deferred_notices import receive, setup  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db

RECEIVED = D(2026, 9, 23)
LAST_NOTICE_DAY = D(2026, 10, 8)
LATE = D(2026, 10, 9)
DEEMED = "逾期未告知，自收到材料之日起视为受理"
MISSING = CaseMaterial.State.MISSING


def fresh(bc: BundleCase) -> BundleCase:
    return BundleCase.objects.get(pk=bc.pk)


def subs_of(bc: BundleCase, world, setup) -> tuple[Case, Case, Case]:  # noqa: F811
    subs = {c.item_id: c for c in bc.sub_cases.all()}
    return subs[world.licence.pk], subs[world.hukou.pk], subs[setup["seal"].pk]


def test_the_job_deems_the_overdue_received_bundle_and_creates_its_sub_cases(world, setup) -> None:  # noqa: F811
    overdue = receive(world, setup["bundle"], outcome="", states={"经营场所使用证明": MISSING})
    in_time = receive(world, setup["bundle"], outcome="", day=D(2026, 9, 24))  # last day 10/9
    noticed = receive(world, setup["bundle"], outcome="correction", states={"户口簿": MISSING})

    assert warnings.warnings_run(now=at(LAST_NOTICE_DAY)).bundles_deemed_accepted == 0
    assert fresh(overdue).status == BundleCase.Status.RECEIVED and not overdue.sub_cases.exists()

    result = warnings.warnings_run(now=at(LATE))
    assert result.bundles_deemed_accepted == 1
    bc = fresh(overdue)
    # Accepted from receipt, by no one; the stage rule's 13 days from 9/23: due 10/19 (as in test_bundle_cases).
    assert (bc.status, bc.deemed_accepted, bc.accepted_on, bc.accepted_by, bc.limit_days, bc.due_on) == (
        BundleCase.Status.ACCEPTED,
        True,
        RECEIVED,
        None,
        13,
        D(2026, 10, 19),
    )
    assert bc.current_stage == 1 and not bc.deferred
    licence, hukou, seal = subs_of(bc, world, setup)
    for sub in (licence, hukou):
        assert (sub.status, sub.accepted_on, sub.deemed_accepted, sub.accepted_by) == (
            Case.Status.ACCEPTED,
            RECEIVED,
            True,
            None,
        )
        assert sub.events.filter(kind=CaseEvent.Kind.DEEMED_ACCEPTED).count() == 1
    assert licence.due_on == D(2026, 10, 14) and hukou.due_on == D(2026, 10, 8)
    # The hukou's limit ran out on 10/8: red in the same run.
    assert CaseClock.objects.get(pk=hukou.pk).warning == "red"
    assert seal.status == Case.Status.WAITING and seal.accepted_on is None
    # The missing line stays recorded; nothing is owed (no 容缺).
    assert licence.materials.get(material__name="经营场所使用证明").state == MISSING
    assert not OwedMaterial.objects.exists()
    audit = AuditEvent.objects.get(action="bundle_case.deemed", target_id=str(bc.pk))
    assert audit.actor is None and bc.number in audit.summary and "2026-09-23" in audit.summary
    # Untouched: the one still in its period, the one that was given a notice.
    assert fresh(in_time).status == BundleCase.Status.RECEIVED and not fresh(in_time).deemed_accepted
    assert fresh(noticed).status == BundleCase.Status.CORRECTION and not fresh(noticed).deemed_accepted
    # Again the same day: nothing more; on Monday the 9/24 one.
    assert warnings.warnings_run(now=at(LATE, 15)).bundles_deemed_accepted == 0
    assert warnings.warnings_run(now=at(D(2026, 10, 12))).bundles_deemed_accepted == 1
    assert fresh(in_time).deemed_accepted and fresh(in_time).accepted_on == D(2026, 9, 24)
    assert bc.sub_cases.count() == 3


def test_accepting_late_records_the_deemed_acceptance_and_refuses(world, setup) -> None:  # noqa: F811
    bc = receive(world, setup["bundle"], outcome="")
    with pytest.raises(CaseError) as refused:
        bundles.bundle_case_accept(bundle_case=bc, actor=world.clerk, now=at(LATE))
    assert refused.value.status == 409 and refused.value.code == "deemed_accepted"
    assert "已自收到材料之日（2026-09-23）起视为受理" in str(refused.value.message)
    bc = fresh(bc)
    assert bc.deemed_accepted and bc.accepted_on == RECEIVED and bc.accepted_by is None
    assert bc.sub_cases.count() == 3
    # The job finds nothing left to do.
    assert warnings.warnings_run(now=at(LATE)).bundles_deemed_accepted == 0


def test_accepting_in_time_is_an_ordinary_acceptance(world, setup) -> None:  # noqa: F811
    bc = receive(world, setup["bundle"], outcome="")
    bc = bundles.bundle_case_accept(bundle_case=bc, actor=world.clerk, now=at(LAST_NOTICE_DAY))
    bc = fresh(bc)
    assert (bc.accepted_on, bc.deemed_accepted, bc.accepted_by) == (LAST_NOTICE_DAY, False, world.clerk)
    assert not Case.objects.filter(deemed_accepted=True).exists()


@pytest.mark.parametrize("who", ["clerk", "supervisor"])
def test_a_late_notice_is_refused_and_the_bundle_deemed_accepted(world, setup, who) -> None:  # noqa: F811
    bc = receive(world, setup["bundle"], outcome="", states={"户口簿": MISSING})
    with pytest.raises(CaseError) as refused:
        bundles.bundle_case_notice(
            bundle_case=bc,
            actor=getattr(world, who),
            lines=[LineNotice(material_key("户口簿"), MISSING)],
            override_reason="邮件分拣延误",
            now=at(LATE),
        )
    assert refused.value.status == 409 and refused.value.code == "deemed_accepted"
    assert "已自收到材料之日（2026-09-23）起视为受理" in str(refused.value.message)
    bc = fresh(bc)
    assert bc.deemed_accepted and bc.status == BundleCase.Status.ACCEPTED and not bc.notices.exists()


def test_the_pages_and_the_progress_say_so(world, setup, client) -> None:  # noqa: F811
    bc = receive(world, setup["bundle"], outcome="")
    ordinary = receive(world, setup["bundle"])
    warnings.warnings_run(now=at(LATE))
    with time_machine.travel(at(LATE), tick=False):
        client.force_login(world.clerk)
        page = client.get(reverse("bundle-case-detail", args=[bc.number])).content.decode()
        assert DEEMED in page
        assert DEEMED not in client.get(reverse("bundle-case-detail", args=[ordinary.number])).content.decode()
        printed = client.get(reverse("bundle-case-print", args=[bc.number, "acceptance"])).content.decode()
        assert "第三十二条" in printed and "材料齐全" not in printed
        data = client.get(f"/api/v1/bundle-cases/{bc.number}/").json()
        assert data["deemed_accepted"] is True and data["accepted_on"] == "2026-09-23"
        client.logout()
        public = client.get(reverse("bundle-case-progress-token", args=[bc.progress_token])).content.decode()
        assert DEEMED in public and "2026-09-23" in public
        progress = client.get(f"/api/v1/bundle-case-progress/{bc.progress_token}/").json()
        assert progress["deemed_accepted"] is True and progress["accepted_on"] == "2026-09-23"


def test_supervisors_count_owed_materials_of_waiting_sub_cases(world, setup) -> None:  # noqa: F811
    bc = receive(world, setup["bundle"], outcome="accept_deferred", states={"经营场所使用证明": MISSING})
    _licence, _hukou, seal = subs_of(bc, world, setup)
    # The waiting seal filing owes the line by 9/29 (tests/cases/test_bundle_deferred_notices.py).
    warnings.warnings_run(now=at(D(2026, 9, 30), 8))
    assert Case.objects.get(pk=seal.pk).owed_overdue
    summary = CaseWarningSummary.objects.get(hall=world.city, department=setup["tax"])
    assert summary.owed_overdue == 1
