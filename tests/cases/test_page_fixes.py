"""The case pages after the Chromium walkthrough (issue 10): actions read as actions in English,
English names of materials and steps, a message per action, the extension's reason, the
override reason on the printed notice, the list's labels while the clock stands, forgiving code
filters, the inbox's columns and "last four characters"."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import time_machine
from django.urls import reverse
from django.utils.translation import trans_real

from cases import services
from cases.models import Case
from catalog.models import Material, SpecialStep
from tests.cases.factories import MOBILE, D, at
from tests.cases.test_pages import accepted, issue_notice, notice_data, signed_in

pytestmark = pytest.mark.django_db

TODAY = D(2026, 11, 23)  # a Monday


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(at(TODAY), tick=False):
        yield


def english(client) -> None:
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})


@contextmanager
def translated(entries: dict[str, str]) -> Iterator[None]:
    """English for msgids that locale/ does not have yet (the coordinator adds them): a context
    is written ``"context\\x04msgid"`` as gettext keys it."""
    catalog = trans_real.translation("en")._catalog
    added = [key for key in entries if key not in catalog]
    for key in added:
        catalog[key] = entries[key]
    try:
        yield
    finally:
        for key in added:
            del catalog._catalogs[0][key]


def corrections_wanted(world) -> Case:
    """A case received with the business licence missing: a one-time notice, not accepted."""
    licence = world.materials(world.licence)["营业执照"]
    notice = services.NoticeInput(lines=[services.NoticeLine(licence.pk, "missing", "")])
    return world.receive(
        world.licence, now=at(TODAY, 9), outcome="correction", states={"营业执照": "missing"}, notice=notice
    )


def act(client, user, case: Case, action: str, **data):
    return signed_in(client, user).post(
        reverse("case-action", args=[case.number, action]),
        {f"{action}-{k}": v for k, v in data.items()},
        follow=True,
    )


def flash(response) -> str:
    return " ".join(str(m) for m in response.context["messages"])


# --- 1. Actions read as actions -----------------------------------------------------------------


def test_english_action_buttons_are_verbs_not_state_names(client, world):
    case = accepted(world)
    english(client)
    with translated({"case action\x04作出决定": "Decide", "case action\x04受理": "Accept"}):
        page = signed_in(client, world.market_clerk).get(reverse("case-detail", args=[case.number])).content.decode()
        assert "<summary>Decided</summary>" not in page and "<summary>Decide</summary>" in page
        url = reverse("case-window-application", args=[world.window.pk]) + f"?item={world.licence.code}"
        form = signed_in(client, world.clerk).get(url).content.decode()
    buttons = re.findall(r'name="outcome" value="(\w+)"[^>]*>([^<]*)</button>', form)
    assert ("accept", "Accept") in buttons
    assert not {"Accepted", "Accepted with materials to follow", "Not accepted"} & {label for _, label in buttons}


# --- 2. English names, the role, the print page's buttons ---------------------------------------


def english_names(world) -> None:
    materials = Material.objects.filter(version__item=world.licence)
    materials.filter(name="营业执照").update(name_en="Business licence")
    materials.filter(name="经营场所使用证明").update(name_en="Proof of use of the premises")
    SpecialStep.objects.filter(version__item=world.licence).update(name_en="Site inspection")


def test_english_case_page_shows_english_material_and_step_names(client, world):
    english_names(world)
    case = accepted(world)
    step = case.guide_version.special_steps.get()
    services.case_special_step_start(case=case, actor=world.market_clerk, step_id=step.pk)
    english(client)
    with translated({"%(kind)s（%(step)s）": "%(kind)s (%(step)s)"}):
        page = signed_in(client, world.market_clerk).get(reverse("case-detail", args=[case.number])).content.decode()
    assert '<th scope="row">Business licence</th>' in page
    assert "现场核查" not in page and " (Site inspection): 2026-11-23" in page
    assert "（" not in page.split('id="stops-heading"')[1].split("</section>")[0]


def test_english_progress_shows_english_material_names(client, world):
    english_names(world)
    case = world.receive(
        world.licence, now=at(TODAY, 9), outcome="accept_deferred", states={"经营场所使用证明": "missing"}
    )
    english(client)
    found = client.post(reverse("case-progress"), {"number": case.number, "digits": MOBILE[-4:]}).content.decode()
    assert "Proof of use of the premises: " in found and "经营场所使用证明" not in found
    private = client.get(reverse("case-progress-token", args=[case.progress_token])).content.decode()
    assert "Proof of use of the premises" in private and "经营场所使用证明" not in private


def test_english_console_translates_the_role(client, world):
    english(client)
    with translated({"首席事务代表": "Chief representative"}):
        page = signed_in(client, world.market_chief).get(reverse("staff-home")).content.decode()
    assert "Chief representative" in page and "首席事务代表" not in page


def test_print_page_buttons_follow_the_interface_language(client, world):
    case = accepted(world)
    english(client)
    page = signed_in(client, world.clerk).get(reverse("case-print", args=[case.number, "acceptance"]))
    text = page.content.decode()
    toolbar = text.split('class="screen-only print-toolbar"')[1].split("</div>")[0]
    assert "Back to the case" in toolbar and "Print" in toolbar and "返回办件" not in toolbar
    assert "受理通知书" in text and 'lang="zh-Hans"' in text  # the notice itself stays Chinese


# --- 3. A message per action --------------------------------------------------------------------


def test_each_action_says_what_was_done(client, world):
    case = accepted(world)
    step = case.guide_version.special_steps.get()
    response = act(client, world.market_clerk, case, "review")
    assert f"已开始审查：{case.number}" in flash(response)
    act(client, world.market_clerk, case, "step-start", step=step.pk)
    response = act(client, world.market_clerk, case, "step-end")
    due = Case.objects.get().due_on.isoformat()
    assert f"特殊环节已结束，恢复计时，办结期限 {due}" in flash(response)
    response = act(client, world.market_chief, case, "extend", days=2, reason="需补充核查")
    assert f"已批准延期至 {Case.objects.get().due_on.isoformat()}" in flash(response)
    # Corrections after acceptance restart the clock.
    issue_notice(client, world.market_clerk, case, notice_data(world, 营业执照=("defective", "")))
    licence = world.materials(world.licence)
    response = act(client, world.clerk, case, "corrections", materials=licence["营业执照"].pk)
    assert f"已登记补正材料，材料已补齐，恢复计时，办结期限 {Case.objects.get().due_on.isoformat()}" in flash(response)
    assert "已办理。" not in response.content.decode()


def test_acceptance_after_corrections_says_so_with_the_notice_to_print(client, world):
    case = corrections_wanted(world)
    licence = world.materials(world.licence)
    response = act(client, world.clerk, case, "corrections", materials=licence["营业执照"].pk)
    assert "已登记补正材料，材料已补齐：请核对后受理" in flash(response)
    response = act(client, world.clerk, case, "accept")
    assert f"已受理：{case.number}" in flash(response)
    assert f'href="{reverse("case-print", args=[case.number, "acceptance"])}"' in response.content.decode()


# --- 4. The extension's reason ------------------------------------------------------------------


def test_extension_without_a_reason_says_the_reason_is_needed(client, world):
    case = accepted(world)
    url = reverse("case-action", args=[case.number, "extend"])
    response = signed_in(client, world.market_chief).post(url, {"extend-days": "2", "extend-reason": ""})
    assert response.status_code == 400
    assert response.context["forms"]["extend"].errors["reason"] == ["延期须填写理由。"]


# --- 5. The override reason on the printed notice -----------------------------------------------


def test_the_second_notice_prints_the_supervisors_reason(client, world):
    case = accepted(world)
    issue_notice(client, world.market_clerk, case, notice_data(world, 营业执照=("defective", "")))
    data = notice_data(world, 食品经营许可申请书=("defective", "缺少法定代表人签字"))
    data["notice-override_reason"] = "首次审查遗漏签字页"
    assert issue_notice(client, world.supervisor, case, data).status_code == 302
    printed = client.get(reverse("case-print", args=[case.number, "notice"]) + "?n=2").content.decode()
    assert "再次告知说明：首次审查遗漏签字页" in printed
    first = client.get(reverse("case-print", args=[case.number, "notice"]) + "?n=1").content.decode()
    assert "再次告知说明" not in first


# --- 6. The list while the clock stands ---------------------------------------------------------


def test_list_and_inbox_tell_corrections_after_acceptance_from_before(client, world):
    case = accepted(world)
    issue_notice(client, world.market_clerk, case, notice_data(world, 营业执照=("defective", "")))
    before = corrections_wanted(world)
    listed = signed_in(client, world.market_chief).get(reverse("case-list")).content.decode()
    rows = {number: row for row in listed.split("<tr>") for number in (case.number, before.number) if number in row}
    assert "受理后待补正（计时暂停）" in rows[case.number] and "计时暂停（自 2026-11-23 起）" in rows[case.number]
    assert "受理后待补正" not in rows[before.number] and "待补正" in rows[before.number]
    inbox = client.get(reverse("case-inbox")).content.decode()
    assert "受理后待补正（计时暂停）" in inbox and "计时暂停（自 2026-11-23 起）" in inbox


# --- 7. Code filters ----------------------------------------------------------------------------


def test_list_filters_accept_any_case_and_say_when_a_code_is_unknown(client, world):
    accepted(world)
    world.receive(world.hukou, now=at(TODAY, 9), outcome="accept")
    signed_in(client, world.city_supervisor)
    response = client.get(reverse("case-list"), {"department": "gzscjg"})
    assert response.status_code == 200 and response.context["page"].paginator.count == 1
    response = client.get(reverse("case-list"), {"department": "gzxx"})
    assert response.status_code == 400 and "没有编码为 GZXX 的部门。" in response.content.decode()
    assert "GZGA" in response.content.decode()  # the help text's example
    response = client.get(reverse("case-list"), {"item": "9999999999"})
    assert response.status_code == 400 and "没有编码为 9999999999 的事项。" in response.content.decode()
    for url in (reverse("supervisor-cases"), reverse("supervisor-hall-cases", args=[world.city.code])):
        assert client.get(url, {"department": "gzga"}).status_code == 200
        response = client.get(url, {"department": "nope"})
        assert response.status_code == 400 and "没有编码为 NOPE 的部门。" in response.content.decode()


# --- 8. The inbox's columns ---------------------------------------------------------------------


def test_inbox_names_its_department_and_hall_once(client, world):
    world.receive(world.licence, now=at(TODAY - dt.timedelta(days=40), 9), outcome="accept")
    page = signed_in(client, world.market_chief).get(reverse("case-inbox")).content.decode()
    assert '<th scope="col">部门</th>' not in page and '<th scope="col">大厅</th>' not in page
    heading = page.split("<h1>")[1].split("</h1>")[0]
    assert world.market.name in heading and world.city.name in heading
    assert 'class="case-number"' in page and "css/cases.css" in page


# --- 9. Last four characters --------------------------------------------------------------------


def test_english_progress_says_characters_not_digits(client, world):
    english(client)
    page = client.get(reverse("case-progress")).content.decode()
    assert "four digits" not in page.lower()
