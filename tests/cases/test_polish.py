"""The second Chromium walkthrough of the case pages: every action of the case page reads as an
action in English, and the application form's hidden labels name materials in English."""

from __future__ import annotations

import re

import pytest
import time_machine
from django.urls import reverse

from cases import services
from catalog.models import Material
from tests.cases.factories import D, at
from tests.cases.test_page_fixes import corrections_wanted, english, translated
from tests.cases.test_pages import accepted, application_data, signed_in

pytestmark = pytest.mark.django_db

TODAY = D(2026, 11, 23)  # a Monday


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(at(TODAY), tick=False):
        yield


# The English of the "case action" msgids (the coordinator adds them to locale/).
CASE_ACTIONS = {
    "受理": "Accept",
    "受理（材料已补正齐全）": "Accept (corrections complete)",
    "开始审查": "Start review",
    "进入特殊环节（暂停计时）": "Start a special step (clock stops)",
    "特殊环节结束（恢复计时）": "End the special step (clock restarts)",
    "批准延期": "Approve an extension",
    "作出决定": "Decide",
    "办理结果已生成": "Mark the result ready",
    "出件": "Hand out the result",
    "收取补正材料": "Receive corrections",
    "收取容缺后补材料": "Receive owed materials",
    "再次出具一次性告知书": "Issue a further one-time notice",
    "审查中发现材料需要补正（暂停计时）": "Ask for corrections found in review (stops the clock)",
    "材料需要补正": "Ask for corrections",
}


def summaries(client, user, case) -> list[str]:
    """The labels of the case page's actions (each a <summary> opening its form), in English."""
    with translated({f"case action\x04{k}": v for k, v in CASE_ACTIONS.items()}):
        page = signed_in(client, user).get(reverse("case-detail", args=[case.number])).content.decode()
    return re.findall(r"<summary>([^<]*)</summary>", page)


def test_every_english_action_on_the_case_page_is_a_verb(client, world):
    english(client)
    seen: list[str] = []
    case = accepted(world)
    seen += summaries(client, world.market_chief, case)
    assert "Start review" in seen and "Review started" not in seen
    case = services.case_review_start(case=case, actor=world.market_clerk)
    step = case.guide_version.special_steps.get()
    case = services.case_special_step_start(case=case, actor=world.market_clerk, step_id=step.pk)
    seen += summaries(client, world.market_clerk, case)
    case = services.case_special_step_end(case=case, actor=world.market_clerk)
    case = services.case_decide(case=case, actor=world.market_clerk, approved=True)
    seen += summaries(client, world.market_clerk, case)
    case = services.case_result_ready(case=case, actor=world.market_clerk)
    seen += summaries(client, world.clerk, case)
    assert "Hand out the result" in seen and "Handed out" not in seen and "Result ready" not in seen
    wanting = corrections_wanted(world)
    seen += summaries(client, world.clerk, wanting)
    licence = world.materials(world.licence)["营业执照"]
    corrected = services.case_corrections_receive(
        case=wanting, actor=world.clerk, checklist=[services.MaterialCheck(licence.pk, "copy")]
    )
    seen += summaries(client, world.clerk, corrected)
    received = world.receive(world.licence, now=at(TODAY, 9), states={"营业执照": "missing"})
    seen += summaries(client, world.clerk, received)
    owing = world.receive(
        world.licence, now=at(TODAY, 9), outcome="accept_deferred", states={"经营场所使用证明": "missing"}
    )
    seen += summaries(client, world.market_clerk, owing)
    expected = set(CASE_ACTIONS.values())
    assert set(seen) == expected, set(seen) ^ expected


# --- 2. The application form's hidden labels -----------------------------------------------------


def test_english_application_form_labels_and_errors_name_materials_in_english(client, world):
    Material.objects.filter(version__item=world.hukou, name="户口簿").update(name_en="Household register")
    english(client)
    url = reverse("case-remote-application")
    signed_in(client, world.clerk)
    with translated({"“%(name)s”备注": "Note on “%(name)s”"}):
        form = client.get(url, {"item": world.hukou.code}).content.decode()
    labels = re.findall(r'<label class="visually-hidden" for="id_(?:state|note)_\d+">([^<]*)</label>', form)
    assert "Household register" in labels and "Note on “Household register”" in labels
    assert not [label for label in labels if "户口簿" in label]
    # A required material marked not applicable: the error names it in English too.
    data = application_data(world, world.hukou, outcome="accept", 户口簿="inapplicable")
    data["channel"] = "mail"
    response = client.post(url, data)
    assert response.status_code in (400, 422)
    page = response.content.decode()
    assert "“Household register”" in page and "“户口簿”" not in page
