"""Where the result of a forwarded case (转办, Art. 12) is collected: the applicant's choice made
when the case is forwarded (the hall that received it, the hall that handles it, post to an
address, electronic delivery) is recorded and enforced at collection (出件), with a clear message
when another hall or another method is tried; the progress page shows 收件 → 转办 → 受理 → 办结 →
出件 and where to collect, the postal address masked."""

from __future__ import annotations

import pytest
import time_machine
from django.urls import reverse

from cases import forwarding, services
from cases.models import Case, Forwarding
from catalog.models import GuideVersion
from tests.cases.factories import D, at

pytestmark = pytest.mark.django_db

TODAY = D(2026, 11, 23)  # a Monday
ADDRESS = "广州市天河区体育西路100号 张三收"


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(at(TODAY, 17), tick=False):
        yield


@pytest.fixture
def citywide(world):
    GuideVersion.objects.filter(item=world.licence).update(citywide=True)
    return world


def forwarded(world, collect_at: str, post_address: str = "") -> tuple[Case, Forwarding]:
    case = world.receive(world.licence, now=at(TODAY, 9), actor=world.tianhe_clerk, hall=world.tianhe)
    sent = forwarding.case_forward(
        case=case,
        actor=world.tianhe_clerk,
        to_hall=world.city,
        collect_at=collect_at,
        post_address=post_address,
        now=at(TODAY, 10),
    )
    return case, sent


def to_result(world, case: Case, sent: Forwarding) -> Case:
    forwarding.forwarding_accept(forwarding=sent, actor=world.market_clerk, now=at(TODAY, 11))
    case.refresh_from_db()
    services.case_accept(case=case, actor=world.market_clerk, now=at(TODAY, 12))
    services.case_review_start(case=case, actor=world.market_chief, now=at(TODAY, 13))
    services.case_decide(case=case, actor=world.market_chief, approved=True, now=at(TODAY, 14))
    services.case_result_ready(case=case, actor=world.market_chief, now=at(TODAY, 15))
    case.refresh_from_db()
    return case


def refusal(**kwargs) -> services.CaseError:
    with pytest.raises(services.CaseError) as refused:
        services.case_collect(now=at(TODAY, 16), **kwargs)
    return refused.value


def test_post_needs_an_address_which_is_recorded(citywide) -> None:
    world = citywide
    case = world.receive(world.licence, now=at(TODAY, 9), actor=world.tianhe_clerk, hall=world.tianhe)
    for blank in ("", "   "):
        with pytest.raises(services.CaseError) as refused:
            forwarding.case_forward(
                case=case, actor=world.tianhe_clerk, to_hall=world.city, collect_at="post", post_address=blank
            )
        assert (refused.value.status, refused.value.field) == (400, "post_address")
        assert "邮寄地址" in str(refused.value.message)
    assert not Forwarding.objects.exists()
    case.refresh_from_db()
    assert case.status == Case.Status.RECEIVED
    sent = forwarding.case_forward(
        case=case, actor=world.tianhe_clerk, to_hall=world.city, collect_at="post", post_address=f"  {ADDRESS} "
    )
    assert (sent.collect_at, sent.post_address) == ("post", ADDRESS)
    # An address given with another choice is not kept.
    other = world.receive(world.licence, now=at(TODAY, 9), actor=world.tianhe_clerk, hall=world.tianhe)
    kept = forwarding.case_forward(
        case=other, actor=world.tianhe_clerk, to_hall=world.city, collect_at="electronic", post_address=ADDRESS
    )
    assert kept.post_address == ""


def test_collected_only_at_the_receiving_hall_chosen_and_at_its_window(citywide) -> None:
    world = citywide
    case = to_result(world, *forwarded(world, "received_hall"))
    at_other_hall = refusal(case=case, actor=world.market_clerk, method="window")
    assert (at_other_hall.status, at_other_hall.code) == (403, "collect_elsewhere")
    assert "申请人选择在天河区政务服务中心领取结果" in str(at_other_hall.message)
    by_post = refusal(case=case, actor=world.tianhe_clerk, method="post", note="SF123")
    assert (by_post.status, by_post.field, by_post.code) == (422, "method", "collect_method")
    assert "窗口领取" in str(by_post.message)
    case.refresh_from_db()
    assert case.status == Case.Status.RESULT_READY
    services.case_collect(case=case, actor=world.tianhe_clerk, method="window", now=at(TODAY, 16))
    case.refresh_from_db()
    assert (case.status, case.collection) == (Case.Status.COLLECTED, "window")


def test_collected_at_the_hall_of_jurisdiction_when_chosen(citywide) -> None:
    world = citywide
    case = to_result(world, *forwarded(world, "jurisdiction"))
    assert case.collect_hall is None
    refused = refusal(case=case, actor=world.tianhe_clerk, method="window")
    assert refused.code == "collect_elsewhere" and "广州市政务服务中心" in str(refused.message)
    services.case_collect(case=case, actor=world.market_clerk, method="window", now=at(TODAY, 16))


def test_posted_by_the_hall_of_jurisdiction_to_the_address_chosen(citywide) -> None:
    world = citywide
    case = to_result(world, *forwarded(world, "post", ADDRESS))
    refused = refusal(case=case, actor=world.tianhe_clerk, method="window")
    assert (refused.status, refused.code) == (403, "collect_elsewhere")
    assert "邮寄送达" in str(refused.message) and "广州市政务服务中心" in str(refused.message)
    at_window = refusal(case=case, actor=world.market_clerk, method="window")
    assert (at_window.field, at_window.code) == ("method", "collect_method")
    no_number = refusal(case=case, actor=world.market_clerk, method="post")
    assert no_number.field == "note"
    services.case_collect(case=case, actor=world.market_clerk, method="post", note="SF1234567890", now=at(TODAY, 16))
    case.refresh_from_db()
    assert (case.collection, case.collection_note) == ("post", "SF1234567890")


def test_delivered_electronically_when_chosen(citywide) -> None:
    world = citywide
    case = to_result(world, *forwarded(world, "electronic"))
    assert refusal(case=case, actor=world.market_clerk, method="post", note="SF1").code == "collect_method"
    services.case_collect(case=case, actor=world.market_clerk, method="electronic", now=at(TODAY, 16))


def test_a_case_not_forwarded_is_collected_as_before(citywide) -> None:
    world = citywide
    case = world.receive(world.licence, now=at(TODAY, 9), actor=world.market_clerk)
    services.case_accept(case=case, actor=world.market_clerk, now=at(TODAY, 12))
    services.case_review_start(case=case, actor=world.market_chief, now=at(TODAY, 13))
    services.case_decide(case=case, actor=world.market_chief, approved=True, now=at(TODAY, 14))
    services.case_result_ready(case=case, actor=world.market_chief, now=at(TODAY, 15))
    services.case_collect(case=case, actor=world.clerk, method="post", note="SF9", now=at(TODAY, 16))


def test_the_case_page_offers_only_the_method_chosen(citywide, client) -> None:
    world = citywide
    case = to_result(world, *forwarded(world, "post", ADDRESS))
    client.force_login(world.market_clerk)
    page = client.get(reverse("case-detail", args=[case.number])).content.decode()
    form = page.split('data-action="collect"')[1].split("</form>")[0]
    assert 'value="post"' in form and 'value="window"' not in form and 'value="electronic"' not in form
    assert f"申请人转办时选择：邮寄送达（{ADDRESS}）" in form
    bad = client.post(reverse("case-action", args=[case.number, "collect"]), {"collect-method": "window"})
    assert bad.status_code == 400
    case.refresh_from_db()
    assert case.status == Case.Status.RESULT_READY


def steps(page: str) -> list[tuple[str, str]]:
    import re

    block = page.split('class="progress-steps"')[1].split("</ol>")[0]
    return re.findall(r'class="step step-(\w+)".*?<span class="step-label">(\w+)</span>', block, re.S)


def test_the_progress_page_shows_the_steps_and_where_to_collect(citywide, client) -> None:
    world = citywide
    case, sent = forwarded(world, "received_hall")
    url = reverse("case-progress-token", args=[case.progress_token])
    page = client.get(url).content.decode()
    assert steps(page) == [("done", "收件"), ("current", "转办"), ("todo", "受理"), ("todo", "办结"), ("todo", "出件")]
    assert 'aria-current="step"' in page
    assert "在天河区政务服务中心窗口领取（申请人转办时选择）" in page

    forwarding.forwarding_accept(forwarding=sent, actor=world.market_clerk, now=at(TODAY, 11))
    page = client.get(url).content.decode()
    assert [s for s, _label in steps(page)] == ["done", "done", "current", "todo", "todo"]
    assert "广州市政务服务中心已接收（2026-11-23）" in page

    case.refresh_from_db()
    services.case_accept(case=case, actor=world.market_clerk, now=at(TODAY, 12))
    assert [s for s, _label in steps(client.get(url).content.decode())] == ["done", "done", "done", "current", "todo"]

    services.case_review_start(case=case, actor=world.market_chief, now=at(TODAY, 13))
    services.case_decide(case=case, actor=world.market_chief, approved=True, now=at(TODAY, 14))
    services.case_result_ready(case=case, actor=world.market_chief, now=at(TODAY, 15))
    page = client.get(url).content.decode()
    assert [s for s, _label in steps(page)] == ["done", "done", "done", "done", "current"]
    assert "结果已生成：在天河区政务服务中心窗口领取。" in page
    api = client.get(reverse("api:case-progress", args=[case.progress_token])).json()
    assert api["collect_where"] == "在天河区政务服务中心窗口领取"
    assert [(s["key"], s["state"]) for s in api["steps"]] == [
        ("received", "done"),
        ("forwarded", "done"),
        ("accepted", "done"),
        ("decided", "done"),
        ("collected", "current"),
    ]

    services.case_collect(case=case, actor=world.tianhe_clerk, method="window", now=at(TODAY, 16))
    assert [s for s, _label in steps(client.get(url).content.decode())] == ["done"] * 5


def test_the_postal_address_is_masked_on_the_progress_page(citywide, client) -> None:
    world = citywide
    case, _sent = forwarded(world, "post", ADDRESS)
    page = client.get(reverse("case-progress-token", args=[case.progress_token])).content.decode()
    assert "邮寄送达（广州市天河区****）" in page
    assert "体育西路" not in page and "张三" not in page
    api = client.get(reverse("api:case-progress", args=[case.progress_token])).json()
    assert api["collect_where"] == "邮寄送达（广州市天河区****）"


def test_a_case_not_forwarded_has_no_steps(citywide, client) -> None:
    world = citywide
    case = world.receive(world.licence, now=at(TODAY, 9), actor=world.market_clerk)
    page = client.get(reverse("case-progress-token", args=[case.progress_token])).content.decode()
    assert "progress-steps" not in page
    api = client.get(reverse("api:case-progress", args=[case.progress_token])).json()
    assert (api["steps"], api["collect_where"]) == ([], "")


def test_the_forward_page_and_api_need_the_address_for_post(citywide, client) -> None:
    world = citywide
    case = world.receive(world.licence, now=at(TODAY, 9), actor=world.tianhe_clerk, hall=world.tianhe)
    client.force_login(world.tianhe_clerk)
    url = reverse("case-forward", args=[case.number])
    bad = client.post(url, {"to_hall": str(world.city.pk), "collect_at": "post"})
    assert bad.status_code == 400
    assert "申请人选择邮寄送达，请填写邮寄地址。" in bad.content.decode()
    assert not Forwarding.objects.exists()
    api = reverse("api:case-forward", args=[case.number])
    bad = client.post(api, {"to_hall": "GZ-CITY", "collect_at": "post"}, content_type="application/json")
    assert bad.status_code == 400 and "post_address" in bad.json()["errors"]
    ok = client.post(
        api, {"to_hall": "GZ-CITY", "collect_at": "post", "post_address": ADDRESS}, content_type="application/json"
    )
    assert ok.status_code == 201
    assert ok.json()["post_address"] == "广州市天河区****"
    assert Forwarding.objects.get().post_address == ADDRESS


def test_the_handling_hall_sees_the_postal_address_the_others_masked(citywide, client) -> None:
    """Issue 11: the hall a case is forwarded to posts the result, so its counter staff see the
    address in full on the case page, from the moment it is on its way; the hall that received it,
    supervisors and the forwarding lists see it masked (personal data)."""
    world = citywide
    case, sent = forwarded(world, "post", ADDRESS)
    url = reverse("case-detail", args=[case.number])

    def panel(user) -> str:
        client.force_login(user)
        page = client.get(url)
        assert page.status_code == 200
        return page.content.decode().split('id="forwarding-heading"')[1].split("</section>")[0]

    assert f"结果领取：邮寄送达（{ADDRESS}）" in panel(world.market_clerk)  # in transit to the city centre
    received_at = panel(world.tianhe_clerk)
    assert "结果领取：邮寄送达（广州市天河区****）" in received_at and "体育西路" not in received_at

    client.force_login(world.market_clerk)
    accepted = client.post(reverse("api:case-forwarding-accept", args=[sent.pk]))
    assert accepted.status_code == 200 and accepted.json()["post_address"] == ADDRESS
    listed = client.get(reverse("api:case-forwardings"), {"box": "incoming", "status": "accepted"}).json()
    assert [row["post_address"] for row in listed] == ["广州市天河区****"]
    assert f"结果领取：邮寄送达（{ADDRESS}）" in panel(world.market_clerk)  # taken over, before the result
    assert "体育西路" not in panel(world.tianhe_clerk)


def test_the_receiving_halls_inbox_lists_the_results_it_hands_out(
    citywide, client, django_assert_max_num_queries
) -> None:
    # Walkthrough: the result of a forwarded case was ready to collect at the hall that received it,
    # and that hall's forwarding inbox showed only "已接收", with no list of results to hand out.
    world = citywide
    case = to_result(world, *forwarded(world, "received_hall"))
    elsewhere = to_result(world, *forwarded(world, "jurisdiction"))
    client.force_login(world.tianhe_clerk)
    inbox = reverse("case-forwarding-inbox")
    page = client.get(inbox).content.decode()
    section = page.split('id="hand-out-heading"')[1].split("</section>")[0]
    assert "待出件（1）" in section and case.number in section and elsewhere.number not in section
    services.case_collect(case=case, actor=world.tianhe_clerk, method="window", now=at(TODAY, 16))
    with django_assert_max_num_queries(12):
        page = client.get(inbox).content.decode()
    assert "没有待出件的转办办件。" in page.split('id="hand-out-heading"')[1].split("</section>")[0]
    client.force_login(world.market_clerk)  # the handling hall hands out none of them
    assert (
        case.number not in client.get(inbox).content.decode().split('id="hand-out-heading"')[1].split("</section>")[0]
    )
