"""The receiving side of a forwarding, as a person walked it (issue 11): the console tells the
clerk that forwardings wait; the case taken over says "请核对材料后受理", and the accept form now
lets the clerk tick the materials that came with the file (and accept with the rest to follow
where the guide allows), instead of refusing with "请出具一次性告知书，或选择容缺受理" while no
such choice was on the page."""

from __future__ import annotations

import time_machine
from django.urls import reverse

from cases import forwarding
from cases.models import Case, CaseMaterial, Forwarding
from catalog.models import GuideVersion
from queueing import services as queue_services
from tests.cases.factories import D, at

TODAY = D(2026, 11, 23)  # a Monday


def _taken_over_at_tianhe(world, **states) -> Case:
    GuideVersion.objects.filter(item=world.licence).update(citywide=True)
    case = world.receive(world.licence, now=at(TODAY, 9), states=states)  # at the city centre
    sent = forwarding.case_forward(
        case=case,
        actor=world.clerk,
        to_hall=world.tianhe,
        collect_at=Forwarding.CollectAt.JURISDICTION,
        now=at(TODAY, 10),
    )
    forwarding.forwarding_accept(forwarding=sent, actor=world.tianhe_clerk, now=at(TODAY, 11))
    case.refresh_from_db()
    assert case.hall == world.tianhe and case.status == Case.Status.RECEIVED
    return case


@time_machine.travel(at(TODAY, 14), tick=False)
def test_the_receiving_clerk_ticks_the_materials_that_came_and_accepts(world, client) -> None:
    missing = CaseMaterial.State.MISSING
    case = _taken_over_at_tianhe(world, 营业执照=missing, 经营场所使用证明=missing)
    client.force_login(world.tianhe_clerk)
    page = client.get(reverse("case-detail", args=[case.number])).content.decode()
    assert 'name="accept-materials"' in page and "核对后已收到的材料" in page
    url = reverse("case-action", args=[case.number, "accept"])

    refused = client.post(url, {"accept-note": ""})
    assert refused.status_code == 422
    case.refresh_from_db()
    assert case.status == Case.Status.RECEIVED

    lacking = [line.material_id for line in case.materials.all() if line.state in CaseMaterial.LACKING]
    assert len(lacking) == 2
    accepted = client.post(url, {"accept-materials": [str(pk) for pk in lacking]}, follow=True)
    assert accepted.redirect_chain[0][1] == 302
    # The applicant applied at the city centre: the notice is sent, not handed over.
    assert "申请人不在本窗口：请打印受理通知书，邮寄或电子送达申请人" in accepted.content.decode()
    case.refresh_from_db()
    assert case.status == Case.Status.ACCEPTED and not case.deferred and case.accepted_on == TODAY
    assert not any(line.state in CaseMaterial.LACKING for line in case.materials.all())


@time_machine.travel(at(TODAY, 14), tick=False)
def test_the_receiving_clerk_may_accept_with_materials_to_follow(world, client) -> None:
    version = GuideVersion.objects.get(item=world.licence)
    assert version.allows_deferred_acceptance
    follows = [m for m in version.materials.all() if m.may_follow_later]
    case = _taken_over_at_tianhe(world, **{follows[0].name: CaseMaterial.State.MISSING})
    client.force_login(world.tianhe_clerk)
    url = reverse("case-action", args=[case.number, "accept"])
    response = client.post(url, {"accept-deferred": "on"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Case.Status.ACCEPTED and case.deferred
    assert [o.material for o in case.owed.all()] == [follows[0]]


@time_machine.travel(at(TODAY, 14), tick=False)
def test_the_console_says_forwardings_wait_at_the_hall(world, client) -> None:
    GuideVersion.objects.filter(item=world.licence).update(citywide=True)
    case = world.receive(world.licence, now=at(TODAY, 9))
    forwarding.case_forward(
        case=case, actor=world.clerk, to_hall=world.tianhe, collect_at=Forwarding.CollectAt.JURISDICTION
    )
    window = world.tianhe.windows.first()
    if window is None:
        window = world.tianhe.windows.create(number=1)
    queue_services.window_sign_in(window=window, staff=world.tianhe_clerk)
    client.force_login(world.tianhe_clerk)
    page = client.get(reverse("staff-home")).content.decode()
    assert 'data-section="forwardings-waiting"' in page
    assert "其他大厅转来本大厅的办件有 1 件待接收" in page and reverse("case-forwarding-inbox") in page
