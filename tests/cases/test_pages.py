"""The case pages (issue 10): the application from the window console (and by post), a case's
page and its actions, the staff's list, the printed notices, the public progress look-up, the
chief representative's inbox and the supervisors' deadline view."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.models import Case, CaseEvent
from queueing.models import QueueCategory, Ticket
from servicehall.personal_data import scrub
from tests.cases.factories import COMPANY, MOBILE, PERSON, D, at, id_number
from tests.cases.test_queries import add_cases

pytestmark = pytest.mark.django_db

TODAY = D(2026, 11, 23)  # a Monday


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(at(TODAY), tick=False):
        yield


def signed_in(client, user):
    client.force_login(user)
    return client


def called_ticket(world) -> Ticket:
    category = QueueCategory.objects.create(hall=world.city, letter="A", name="综合业务")
    category.items.add(world.licence)
    return Ticket.objects.create(
        hall=world.city,
        category=category,
        number="A001",
        sequence=1,
        token="ticket-token-a001",
        source=Ticket.Source.KIOSK,
        issued_at=at(TODAY, 9),
        service_date=TODAY,
        status=Ticket.Status.CALLED,
        window=world.window,
        arrived_at=at(TODAY, 9),
        called_at=at(TODAY, 10),
    )


def application_data(world, item, *, outcome: str, **states: str) -> dict[str, str]:
    data = {
        "item": item.code,
        "applicant_kind": "person",
        "applicant_name": "陈志强",
        "id_number": PERSON.id_number,
        "credit_code": "",
        "mobile": MOBILE,
        "outcome": outcome,
    }
    for name, material in world.materials(item).items():
        data[f"state_{material.pk}"] = states.get(name, "original")
    return data


# --- The console and the application -------------------------------------------------------


def test_console_offers_the_application_for_the_called_ticket(client, world):
    ticket = called_ticket(world)
    response = signed_in(client, world.clerk).get(reverse("staff-home"))
    assert response.status_code == 200
    url = reverse("case-window-application", args=[world.window.pk]) + f"?ticket={ticket.pk}"
    assert url in response.content.decode()


def test_application_form_shows_the_current_guide_and_its_checklist(client, world):
    ticket = called_ticket(world)
    url = reverse("case-window-application", args=[world.window.pk])
    response = signed_in(client, world.clerk).get(url, {"ticket": ticket.pk, "item": world.licence.code})
    page = response.content.decode()
    assert response.status_code == 200
    for name in world.materials(world.licence):
        assert name in page
    assert "容缺受理" in page and 'value="accept_deferred"' in page
    # The hukou guide does not allow 容缺: no such button.
    response = client.get(url, {"ticket": ticket.pk, "item": world.hukou.code})
    assert 'value="accept_deferred"' not in response.content.decode()


def test_deferred_acceptance_from_the_ticket_records_the_ticket_and_owed_material(client, world):
    ticket = called_ticket(world)
    url = reverse("case-window-application", args=[world.window.pk])
    data = application_data(world, world.licence, outcome="accept_deferred", 经营场所使用证明="missing")
    data["ticket"] = str(ticket.pk)
    response = signed_in(client, world.clerk).post(url, data)
    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("case-detail", args=[case.number])
    assert case.status == Case.Status.ACCEPTED and case.deferred
    assert case.ticket == ticket and case.window == world.window
    assert [o.material.name for o in case.owed.all()] == ["经营场所使用证明"]


def test_accepting_without_the_main_materials_is_a_form_error_and_saves_nothing(client, world):
    url = reverse("case-window-application", args=[world.window.pk])
    data = application_data(world, world.licence, outcome="accept_deferred", 营业执照="missing")
    response = signed_in(client, world.clerk).post(url, data)
    assert response.status_code == 422
    assert "主要材料不齐全" in response.content.decode()
    assert not Case.objects.exists() and not CaseEvent.objects.exists()


def test_conditional_material_can_be_marked_not_applicable_on_the_form(client, world):
    version = world.materials(world.hukou)["户口簿"].version
    version.materials.create(name="监护人身份证件", form="original", order=9, conditional=True)
    url = reverse("case-window-application", args=[world.window.pk])
    form = signed_in(client, world.clerk).get(url, {"item": world.hukou.code}).content.decode()
    assert form.count('value="inapplicable"') == 1  # offered for the conditional material only
    assert "1号窗口收件" in form and "窗口窗口" not in form
    # A required material marked 不适用 is a form error, in Chinese, and nothing is saved.
    response = client.post(url, application_data(world, world.hukou, outcome="accept", 户口簿="inapplicable"))
    assert response.status_code in (400, 422)
    assert "“户口簿”是必须提交的材料，不能标记为不适用" in response.content.decode()
    assert not Case.objects.exists()
    # The adult's application: the guardian's papers do not apply; accepted, shown as such.
    data = application_data(world, world.hukou, outcome="accept", 监护人身份证件="inapplicable")
    response = client.post(url, data)
    case = Case.objects.get()
    assert response.status_code == 302 and case.status == Case.Status.ACCEPTED
    page = client.get(reverse("case-detail", args=[case.number])).content.decode()
    assert "监护人身份证件</th><td>不适用</td>" in page


def test_deferral_for_an_item_that_does_not_allow_it_is_refused(client, world):
    url = reverse("case-window-application", args=[world.window.pk])
    data = application_data(world, world.hukou, outcome="accept_deferred", 户口簿="missing")
    response = signed_in(client, world.clerk).post(url, data)
    assert response.status_code == 400
    assert "不允许容缺受理" in response.content.decode()
    assert not Case.objects.exists()


def test_bad_applicant_fields_come_back_beside_their_fields(client, world):
    url = reverse("case-window-application", args=[world.window.pk])
    data = application_data(world, world.hukou, outcome="accept")
    data["id_number"] = id_number()[:-1] + ("0" if id_number()[-1] != "0" else "1")
    data["mobile"] = "12345"
    response = signed_in(client, world.clerk).post(url, data)
    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors["id_number"] and form.errors["mobile"]
    assert not Case.objects.exists()


def test_invalid_credit_code_is_a_form_error(client, world):
    data = application_data(world, world.licence, outcome="accept")
    data.update(
        channel="online", applicant_kind="organisation", id_number="", credit_code=COMPANY.credit_code[:-1] + "0"
    )
    if COMPANY.credit_code.endswith("0"):
        data["credit_code"] = COMPANY.credit_code[:-1] + "1"
    response = signed_in(client, world.clerk).post(reverse("case-remote-application"), data)
    assert response.status_code == 400
    assert "校验位" in " ".join(response.context["form"].errors["credit_code"])
    assert not Case.objects.exists()


def test_correction_by_post_issues_the_one_time_notice_listing_every_lacking_material(client, world):
    data = application_data(world, world.hukou, outcome="correction", 户口簿="defective")
    data["channel"] = "mail"
    data["requirements"] = "请提供户主签字的同意书"
    response = signed_in(client, world.clerk).post(reverse("case-remote-application"), data)
    case = Case.objects.get()
    assert response.status_code == 302
    assert case.status == Case.Status.CORRECTION and case.channel == "mail" and case.ticket is None
    notice = case.notices.get()
    assert [i.material.name for i in notice.items.all()] == ["户口簿"]
    printed = client.get(reverse("case-print", args=[case.number, "notice"]))
    page = printed.content.decode()
    assert printed.status_code == 200 and "一次性告知书" in page and "户口簿" in page and "同意书" in page


def test_not_accepted_needs_a_reason_and_prints_its_notice(client, world):
    url = reverse("case-remote-application")
    data = application_data(world, world.hukou, outcome="not_accepted")
    data["channel"] = "online"
    response = signed_in(client, world.clerk).post(url, data)
    assert response.status_code == 400 and response.context["form"].errors["reason"]
    data.update(reason="申请人户籍不在本市", refer_to="户籍所在地公安派出所")
    response = client.post(url, data)
    case = Case.objects.get()
    assert response.status_code == 302 and case.status == Case.Status.NOT_ACCEPTED
    page = client.get(reverse("case-print", args=[case.number, "not-accepted"])).content.decode()
    assert "不予受理通知书" in page and "户籍所在地公安派出所" in page


def test_a_window_of_another_hall_is_refused(client, world):
    url = reverse("case-window-application", args=[world.window.pk])
    assert signed_in(client, world.tianhe_clerk).get(url).status_code == 403
    assert signed_in(client, world.supervisor).get(url).status_code == 403


def test_a_ticket_of_the_window_must_be_called_there(client, world):
    ticket = called_ticket(world)
    Ticket.objects.filter(pk=ticket.pk).update(status=Ticket.Status.WAITING, window=None)
    data = application_data(world, world.licence, outcome="accept")
    data["ticket"] = str(ticket.pk)
    response = signed_in(client, world.clerk).post(reverse("case-window-application", args=[world.window.pk]), data)
    assert response.status_code == 422
    assert "该排队号不在本窗口叫号或办理中" in response.content.decode()
    assert not Case.objects.exists()


# --- The case page, its actions and documents ------------------------------------------------


def accepted(world, **extra) -> Case:
    return world.receive(world.licence, now=at(TODAY, 9), outcome="accept", **extra)


def test_case_page_shows_masked_personal_data_and_the_deadline(client, world):
    case = accepted(world)
    page = signed_in(client, world.clerk).get(reverse("case-detail", args=[case.number])).content.decode()
    assert case.number in page and case.due_on.isoformat() in page
    assert PERSON.id_number not in page and MOBILE not in page
    assert "138****8001" in page
    assert reverse("case-print", args=[case.number, "acceptance"]) in page


def test_case_page_of_another_hall_is_not_found(client, world):
    case = accepted(world)
    assert signed_in(client, world.tianhe_clerk).get(reverse("case-detail", args=[case.number])).status_code == 404


def test_actions_offered_follow_the_viewer(client, world):
    case = accepted(world)
    url = reverse("case-detail", args=[case.number])
    clerk_page = signed_in(client, world.clerk).get(url).content.decode()  # police: not the department
    assert 'data-action="review"' not in clerk_page
    market_page = signed_in(client, world.market_clerk).get(url).content.decode()
    assert 'data-action="review"' in market_page and 'data-action="extend"' not in market_page
    chief_page = signed_in(client, world.market_chief).get(url).content.decode()
    assert 'data-action="extend"' in chief_page


def test_the_whole_lifecycle_through_the_page(client, world):
    case = accepted(world)
    step = case.guide_version.special_steps.get()

    def act(user, action, **data):
        return signed_in(client, user).post(
            reverse("case-action", args=[case.number, action]), {f"{action}-{k}": v for k, v in data.items()}
        )

    assert act(world.market_clerk, "review").status_code == 302
    assert act(world.market_clerk, "step-start", step=step.pk, note="现场核查").status_code == 302
    assert Case.objects.get().status == Case.Status.SPECIAL_STEP
    assert act(world.market_clerk, "step-end").status_code == 302
    assert act(world.market_chief, "extend", days=3, reason="需补充核查").status_code == 302
    assert Case.objects.get().extension_days == 3
    assert act(world.market_clerk, "decide", decision="approved").status_code == 302
    assert act(world.market_clerk, "result").status_code == 302
    assert act(world.clerk, "collect", method="window").status_code == 302
    assert Case.objects.get().status == Case.Status.COLLECTED


def test_bad_action_input_is_a_form_error(client, world):
    case = accepted(world)
    url = reverse("case-action", args=[case.number, "extend"])
    response = signed_in(client, world.market_chief).post(url, {"extend-days": "2", "extend-reason": " "})
    assert response.status_code == 400 and response.context["forms"]["extend"].errors["reason"]
    response = client.post(url, {"extend-days": "30", "extend-reason": "理由"})
    assert response.status_code == 400  # the form holds the guide's limit (issue 11)
    assert "延期合计不得超过10个工作日" in response.content.decode()
    # A refusal without reasons.
    signed_in(client, world.market_clerk)
    url = reverse("case-action", args=[case.number, "decide"])
    response = client.post(url, {"decide-decision": "refused", "decide-reason": ""})
    assert response.status_code == 422 and "不予批准须写明理由" in response.content.decode()
    assert Case.objects.get().status == Case.Status.ACCEPTED


def test_an_extension_by_someone_else_is_refused(client, world):
    case = accepted(world)
    url = reverse("case-action", args=[case.number, "extend"])
    response = signed_in(client, world.market_clerk).post(url, {"extend-days": "2", "extend-reason": "理由"})
    assert response.status_code == 403
    assert Case.objects.get().extension_days == 0
    response = signed_in(client, world.tianhe_market_chief).post(url, {"extend-days": "2", "extend-reason": "理由"})
    assert response.status_code == 404


def test_acceptance_notice_is_an_a4_page_with_hall_window_staff_and_qr(client, world):
    case = world.receive(
        world.licence,
        now=at(TODAY, 9),
        outcome="accept_deferred",
        states={"经营场所使用证明": "missing"},
        channel="window",
        window=world.window,
    )
    response = signed_in(client, world.clerk).get(reverse("case-print", args=[case.number, "acceptance"]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "受理通知书" in page and case.number in page and world.city.name in page and str(world.window) in page
    assert "clerk" in page  # the staff number (or the user name without one)
    assert 'src="data:image/svg+xml;base64,' in page
    assert reverse("case-progress-token", args=[case.progress_token]) in page
    assert "经营场所使用证明" in page and "css/print.css" in page


def test_documents_that_do_not_exist_are_not_found(client, world):
    case = accepted(world)
    signed_in(client, world.clerk)
    assert client.get(reverse("case-print", args=[case.number, "notice"])).status_code == 404
    assert client.get(reverse("case-print", args=[case.number, "not-accepted"])).status_code == 404
    assert client.get(reverse("case-print", args=[case.number, "other"])).status_code == 404


# --- One-time notices from the case page -------------------------------------------------------


def notice_data(world, **lines: tuple[str, str]) -> dict[str, str]:
    """The notice form's fields: ``lines`` by material name, (problem, note)."""
    data = {"notice-requirements": ""}
    for name, material in world.materials(world.licence).items():
        problem, note = lines.get(name, ("", ""))
        data[f"notice-problem_{material.pk}"] = problem
        data[f"notice-note_{material.pk}"] = note
    return data


def issue_notice(client, user, case: Case, data: dict[str, str]):
    return signed_in(client, user).post(reverse("case-notice", args=[case.number]), data)


def test_a_department_clerk_issues_a_notice_during_review_and_the_clock_stops(client, world):
    case = accepted(world)
    url = reverse("case-detail", args=[case.number])
    assert (
        signed_in(client, world.market_clerk).post(reverse("case-action", args=[case.number, "review"])).status_code
        == 302
    )
    assert Case.objects.get().status == Case.Status.IN_REVIEW
    assert 'data-action="notice"' not in signed_in(client, world.clerk).get(url).content.decode()  # police
    assert 'data-action="notice"' in signed_in(client, world.market_clerk).get(url).content.decode()
    data = notice_data(world, 营业执照=("defective", "经营范围与申请不符"))
    response = issue_notice(client, world.market_clerk, case, data)
    assert response.status_code == 302 and response.url == url
    case.refresh_from_db()
    assert case.status == Case.Status.CORRECTION and case.clock_stopped_on == TODAY
    notice = case.notices.get()
    assert [(i.material.name, i.problem, i.note) for i in notice.items.all()] == [
        ("营业执照", "defective", "经营范围与申请不符")
    ]
    page = client.get(url).content.decode()
    print_url = reverse("case-print", args=[case.number, "notice"]) + "?n=1"
    assert "已出具第1次一次性告知书" in page and f'href="{print_url}"' in page
    assert "经营范围与申请不符" in page and "计时暂停" in page
    printed = client.get(print_url)
    assert printed.status_code == 200 and "经营范围与申请不符" in printed.content.decode()


def test_a_clerk_is_refused_a_second_notice_citing_old_materials(client, world):
    case = accepted(world)
    assert (
        issue_notice(client, world.market_clerk, case, notice_data(world, 营业执照=("defective", ""))).status_code
        == 302
    )
    data = notice_data(world, 食品经营许可申请书=("defective", "缺少法定代表人签字"))
    data["notice-requirements"] = "补充提交场所平面图"
    response = issue_notice(client, world.market_clerk, case, data)
    assert response.status_code == 422
    form = response.context["notice_form"]
    assert "在第一次告知后没有重新提交" in " ".join(form.non_field_errors())
    assert "override_reason" not in form.fields  # a clerk cannot override
    page = response.content.decode()
    assert "在第一次告知后没有重新提交" in page and "缺少法定代表人签字" in page and "补充提交场所平面图" in page
    assert case.notices.count() == 1 and not CaseEvent.objects.filter(case=case, kind="notice", data__sequence=2)
    # A note without a problem is a form error, not a silent drop.
    licence = world.materials(world.licence)
    response = issue_notice(client, world.market_clerk, case, notice_data(world, 营业执照=("", "复印件不清晰")))
    assert response.status_code == 400
    assert response.context["notice_form"].errors[f"problem_{licence['营业执照'].pk}"]


def test_a_supervisor_issues_the_second_notice_with_a_reason(client, world):
    case = accepted(world)
    issue_notice(client, world.market_clerk, case, notice_data(world, 营业执照=("defective", "")))
    url = reverse("case-detail", args=[case.number])
    page = signed_in(client, world.supervisor).get(url)
    assert page.status_code == 200
    assert 'data-action="notice"' in page.content.decode() and "notice-override_reason" in page.content.decode()
    data = notice_data(world, 食品经营许可申请书=("defective", "缺少法定代表人签字"))
    response = issue_notice(client, world.supervisor, case, data)
    assert response.status_code == 422  # no reason, no override
    assert "须由政务服务管理部门填写理由" in response.content.decode()
    data["notice-override_reason"] = "首次审查遗漏签字页"
    response = issue_notice(client, world.supervisor, case, data)
    assert response.status_code == 302
    second = case.notices.get(sequence=2)
    assert second.override_reason == "首次审查遗漏签字页" and second.issued_by == world.supervisor
    assert "再次告知理由：首次审查遗漏签字页" in client.get(url).content.decode()
    # In a special step (or once decided), no form.
    Case.objects.filter(pk=case.pk).update(status=Case.Status.SPECIAL_STEP)
    assert 'data-action="notice"' not in client.get(url).content.decode()


# --- The list and the inbox --------------------------------------------------------------------


def test_list_is_scoped_filtered_and_paginated(client, world):
    accepted(world)
    world.receive(world.licence, now=at(TODAY, 9), outcome="accept", actor=world.tianhe_clerk, hall=world.tianhe)
    response = signed_in(client, world.clerk).get(reverse("case-list"))
    assert response.status_code == 200 and response.context["page"].paginator.count == 1
    response = signed_in(client, world.city_supervisor).get(reverse("case-list"))
    assert response.context["page"].paginator.count == 2
    response = client.get(reverse("case-list"), {"status": "collected"})
    assert response.context["page"].paginator.count == 0
    assert client.get(reverse("case-list"), {"status": "nonsense"}).status_code == 400
    assert client.get(reverse("case-list"), {"page": "x"}).status_code == 400


def test_list_and_inbox_cost_the_same_with_50_and_500_cases(client, world):
    signed_in(client, world.supervisor)
    add_cases(world, 50)
    list_small = count_queries(client, reverse("case-list"))
    signed_in(client, world.market_chief)
    inbox_small = count_queries(client, reverse("case-inbox"))
    add_cases(world, 450)
    inbox_large = count_queries(client, reverse("case-inbox"))
    signed_in(client, world.supervisor)
    list_large = count_queries(client, reverse("case-list"))
    assert list_small == list_large
    assert inbox_small == inbox_large


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_inbox_is_for_chief_representatives_only(client, world):
    assert signed_in(client, world.clerk).get(reverse("case-inbox")).status_code == 403
    assert signed_in(client, world.supervisor).get(reverse("case-inbox")).status_code == 403
    response = signed_in(client, world.market_chief).get(reverse("case-inbox"))
    assert response.status_code == 200
    assert reverse("case-inbox") in client.get(reverse("case-list")).content.decode()


def test_inbox_lists_the_departments_overdue_cases(client, world):
    case = world.receive(world.licence, now=at(TODAY - dt.timedelta(days=40), 9), outcome="accept")
    world.receive(world.hukou, now=at(TODAY - dt.timedelta(days=40), 9), outcome="accept")
    page = signed_in(client, world.market_chief).get(reverse("case-inbox")).content.decode()
    assert case.number in page
    assert world.hukou.code not in page  # the police's case is not the market's


# --- Supervisors -------------------------------------------------------------------------------


def test_supervision_shows_overdue_cases_and_item_figures(client, world):
    from cases.warnings import warnings_run

    ticket = called_ticket(world)
    Ticket.objects.filter(pk=ticket.pk).update(status=Ticket.Status.SERVING, started_at=at(TODAY, 10))
    old = world.receive(world.licence, now=at(TODAY - dt.timedelta(days=40), 9), outcome="accept")
    world.receive(
        world.licence,
        now=at(TODAY, 10),
        outcome="accept",
        channel="window",
        window=world.window,
        ticket=Ticket.objects.get(pk=ticket.pk),
    )
    warnings_run(now=at(TODAY, 11))
    response = signed_in(client, world.supervisor).get(reverse("supervisor-hall-cases", args=[world.city.code]))
    page = response.content.decode()
    assert response.status_code == 200
    assert old.number in page and world.market.name in page
    assert response.context["figures"][0].item_code == world.licence.code
    overview = client.get(reverse("supervisor-overview")).content.decode()
    assert reverse("supervisor-cases") in overview
    assert (
        signed_in(client, world.supervisor).get(reverse("supervisor-hall-cases", args=[world.tianhe.code])).status_code
        == 403
    )
    assert signed_in(client, world.market_chief).get(reverse("supervisor-cases")).status_code == 403


def test_supervision_pages_through_every_overdue_and_due_soon_case_keeping_the_filters(client, world):
    from cases.selectors import deadline_cases

    add_cases(world, 120)
    signed_in(client, world.supervisor)
    url = reverse("supervisor-cases")
    everything = list(deadline_cases(hall_ids=[world.city.pk], today=TODAY).values_list("number", flat=True))
    assert len(everything) > 40
    first = client.get(url)
    assert first.status_code == 200 and first.context["page"].paginator.count == len(everything)
    assert everything[0] in first.content.decode() and everything[20] not in first.content.decode()
    assert 'href="?page=2"' in first.content.decode()
    second = client.get(url, {"page": "2"}).content.decode()
    assert everything[20] in second and everything[0] not in second
    # The filters are kept in the page links.
    overdue = list(
        deadline_cases(hall_ids=[world.city.pk], today=TODAY, colour="red", department_id=world.market.pk).values_list(
            "number", flat=True
        )
    )
    assert len(overdue) > 20
    response = client.get(url, {"warning": "red", "department": world.market.code})
    page = response.content.decode()
    assert response.context["page"].paginator.count == len(overdue)
    assert f'href="?warning=red&amp;department={world.market.code}&amp;page=2"' in page
    second = client.get(url, {"warning": "red", "department": world.market.code, "page": "2"}).content.decode()
    assert overdue[20] in second and world.hukou.code not in second
    assert client.get(url, {"warning": "green"}).status_code == 400
    assert client.get(url, {"page": "x"}).status_code == 400


def test_supervision_costs_the_same_with_30_and_300_cases(client, world):
    signed_in(client, world.supervisor)
    add_cases(world, 30)
    url = reverse("supervisor-cases") + "?page=2"
    small = count_queries(client, url)
    assert 0 < len(client.get(url).context["page"].object_list) < 20  # a short last page
    add_cases(world, 270)
    large = count_queries(client, url)
    assert client.get(url).context["page"].paginator.num_pages > 5
    assert small == large


def test_inbox_pages_through_a_whole_section(client, world):
    add_cases(world, 120)  # half the market's, a third of those overdue: more than the 20 shown
    signed_in(client, world.market_chief)
    page = client.get(reverse("case-inbox")).content.decode()
    assert 'href="?section=overdue"' in page
    response = client.get(reverse("case-inbox"), {"section": "overdue"})
    overdue = list(
        Case.objects.filter(department=world.market, due_on__lt=TODAY)
        .order_by("due_on", "pk")
        .values_list("number", flat=True)
    )
    assert response.status_code == 200 and response.context["page"].paginator.count == len(overdue) > 20
    assert all(number in response.content.decode() for number in overdue[:20])
    assert client.get(reverse("case-inbox"), {"section": "nonsense"}).status_code == 404


# --- Public progress ---------------------------------------------------------------------------


def test_progress_by_number_and_last_digits(client, world):
    case = world.receive(
        world.licence, now=at(TODAY, 9), outcome="accept_deferred", states={"经营场所使用证明": "missing"}
    )
    response = client.post(reverse("case-progress"), {"number": case.number, "digits": MOBILE[-4:]})
    page = response.content.decode()
    assert response.status_code == 200
    assert "已受理" in page and case.due_on.isoformat() in page and "经营场所使用证明" in page
    assert MOBILE not in page and PERSON.id_number not in page and "陈志强" not in page
    by_id = client.post(reverse("case-progress"), {"number": case.number, "digits": PERSON.id_number[-4:]})
    assert by_id.status_code == 200 and "经营场所使用证明" in by_id.content.decode()


def test_progress_gives_no_hint_whether_the_case_exists(client, world):
    case = accepted(world)
    wrong_digits = client.post(reverse("case-progress"), {"number": case.number, "digits": "0000"})
    unknown = client.post(reverse("case-progress"), {"number": "9" * 22, "digits": MOBILE[-4:]})
    assert wrong_digits.status_code == unknown.status_code == 404
    assert wrong_digits.context["form"].errors == unknown.context["form"].errors
    bad = client.post(reverse("case-progress"), {"number": "abc", "digits": "12"})
    assert bad.status_code == 400 and bad.context["form"].errors["digits"]


def test_progress_is_rate_limited(client, world, settings):
    settings.THROTTLE_CASE_PROGRESS_IP = "3/h"
    case = accepted(world)
    for _ in range(3):
        client.post(reverse("case-progress"), {"number": case.number, "digits": "0000"})
    response = client.post(reverse("case-progress"), {"number": case.number, "digits": MOBILE[-4:]})
    assert response.status_code == 429 and "查询过于频繁" in response.content.decode()


def test_progress_by_the_private_link(client, world):
    case = accepted(world)
    response = client.get(reverse("case-progress-token", args=[case.progress_token]))
    assert response.status_code == 200 and case.number in response.content.decode()
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert client.get(reverse("case-progress-token", args=["nope"])).status_code == 404
    # The private link's token is kept out of the logs like a ticket's or a booking's.
    assert case.progress_token not in scrub(reverse("case-progress-token", args=[case.progress_token]))


@pytest.mark.parametrize("kind", ["acceptance", "notice", "not-accepted"])
def test_printed_notices_carry_no_template_comment(client, world, kind):
    """Issue 11: a two-line ``{# #}`` in cases/print_base.html was printed on every notice."""
    if kind == "acceptance":
        case = world.receive(
            world.licence, now=at(TODAY, 9), outcome="accept_deferred", states={"经营场所使用证明": "missing"}
        )
    elif kind == "notice":
        from cases import services

        line = services.NoticeLine(world.materials(world.licence)["营业执照"].pk, "defective", "复印件不清晰")
        notice = services.NoticeInput(lines=[line])
        case = world.receive(world.licence, now=at(TODAY, 9), outcome="correction", notice=notice)
    else:
        case = world.receive(world.licence, now=at(TODAY, 9), outcome="not_accepted", reason="不属于本机关职权范围")
    response = signed_in(client, world.clerk).get(reverse("case-print", args=[case.number, kind]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "{#" not in page and "#}" not in page and "The printed notices" not in page


def test_the_extension_form_shows_and_holds_the_guides_limit(client, world):
    """Issue 11: the 延期 form said nothing of the limit and took up to 60 days; it now shows the
    case's guide version limit, what is used and what is left, and refuses more on the field."""
    from catalog.models import GuideVersion

    case = accepted(world)
    GuideVersion.objects.filter(pk=case.guide_version_id).update(extension_limit_days=6)
    url = reverse("case-action", args=[case.number, "extend"])
    detail = reverse("case-detail", args=[case.number])
    page = signed_in(client, world.market_chief).get(detail).content.decode()
    form = page.split('data-action="extend"')[1].split("</form>")[0]
    assert 'max="6"' in form and "办事指南规定延期合计不超过6个工作日" in form and "最多还可延长6个工作日" in form
    assert client.post(url, {"extend-days": "4", "extend-reason": "需现场核查"}).status_code == 302
    form = client.get(detail).content.decode().split('data-action="extend"')[1].split("</form>")[0]
    assert 'max="2"' in form and "本件已延长4个工作日，最多还可延长2个工作日" in form
    refused = client.post(url, {"extend-days": "3", "extend-reason": "理由"})
    assert refused.status_code == 400
    assert refused.context["forms"]["extend"].errors["days"] == ["延期合计不得超过6个工作日（本件已延长4个工作日）。"]
    assert Case.objects.get().extension_days == 4
    assert client.post(url, {"extend-days": "2", "extend-reason": "需专家论证"}).status_code == 302
    # Used up: no form any more.
    assert 'data-action="extend"' not in client.get(detail).content.decode()


def test_the_deferred_acceptance_notice_says_what_is_owed_by_when_and_what_follows(client, world):
    """Issue 11: a 容缺受理 notice said the materials were complete, then "下列材料…" above the facts,
    and only that a late material "将影响审批决定". It now says it is a 容缺受理 with the rest to
    follow, lists each owed material with its date right after saying so, and what happens."""
    case = world.receive(
        world.licence,
        now=at(TODAY, 9),
        outcome="accept_deferred",
        states={"经营场所使用证明": "missing"},
        channel="window",
        window=world.window,
    )
    owed = case.owed.get()
    page = signed_in(client, world.clerk).get(reverse("case-print", args=[case.number, "acceptance"])).content.decode()
    notice = page.split('class="case-notice"')[1].split('class="case-notice-meta"')[0]
    assert "主要材料齐全、符合法定形式，其余材料经你（单位）承诺后补，本机关决定予以容缺受理。" in notice
    assert "材料齐全、符合法定形式，本机关决定予以受理" not in notice
    table = notice.split("请于下表所列补齐期限（含当日）前补交以下材料：")[1].split("</table>")[0]
    assert "经营场所使用证明" in table and f"{owed.due_on.year}年{owed.due_on.month}月{owed.due_on.day}日" in table
    after = notice.split("</table>")[1]
    assert "上述材料全部补齐前，本机关不能作出准予许可的决定；逾期未补齐的，本机关将依法作出不予许可的决定。" in after
    assert "将影响审批决定" not in page
    # A case accepted with everything says nothing of materials to follow.
    plain = world.receive(world.licence, now=at(TODAY, 9), outcome="accept")
    page = client.get(reverse("case-print", args=[plain.number, "acceptance"])).content.decode()
    assert "本机关决定予以受理。" in page and "容缺" not in page and "补交" not in page
