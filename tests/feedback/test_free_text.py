"""Citizens' free text (a report's problem, a rating's comment, an urgent request's description):
ID and mobile numbers written into it are stored masked; a text over the limit is refused with a
Chinese message beside its field, never cut; every field's message shows at once on /report/; and
Django's and DRF's length and required messages read well in zh-hans."""

from __future__ import annotations

import pytest
from django import forms
from django.urls import reverse
from django.utils import translation

from cases.models import UrgentRequest
from cases.urgent import urgent_reason_clean
from feedback import form_tokens, reports
from feedback.models_ratings import Rating, RectificationOrder
from feedback.models_reports import Report
from servicehall.clock import local_date
from servicehall.personal_data import mask_free_text
from tests.cases.factories import make_world
from tests.feedback.ratings_world import posted, ticket
from tests.feedback.reports_world import MOBILE, report_world

pytestmark = pytest.mark.django_db

ID_NUMBER = "44010619900307123X"
PHONE = "13800138000"


@pytest.fixture
def world():
    return report_world()


def _form(world, **overrides) -> dict[str, str]:
    data = {
        "hall": str(world.city.pk),
        "window_number": "",
        "item": str(world.hukou.pk),
        "tried_on": local_date().isoformat(),
        "category": str(reports.ReportCategory.objects.get(code="staff_conduct").pk),
        "problem": "窗口说材料不全，但指南里没有写这份材料，让我回去补。",
        "contact_name": "林先生",
        "mobile": MOBILE,
        "form_token": form_tokens.issue(),
    }
    data.update(overrides)
    return data


def test_mask_free_text_masks_id_and_mobile_numbers_and_keeps_the_length() -> None:
    text = f"我的身份证{ID_NUMBER}，电话{PHONE}，编号12345678901234567890不是。"
    masked = mask_free_text(text)
    assert ID_NUMBER not in masked and PHONE not in masked
    assert "4401**********123X" in masked and "138****8000" in masked
    assert "12345678901234567890" in masked
    assert len(masked) == len(text)
    assert mask_free_text(f"身份证{ID_NUMBER.lower()}") == "身份证4401**********123x"


def test_a_report_problem_is_stored_masked_and_the_staff_page_shows_no_full_number(client, world) -> None:
    problem = f"窗口要我再跑一趟，我的身份证号{ID_NUMBER}，手机{PHONE}，请联系我。"
    assert client.post("/report/", _form(world, problem=problem)).status_code == 302
    report = Report.objects.get()
    assert ID_NUMBER not in report.problem and PHONE not in report.problem
    assert "138****8000" in report.problem
    # The deliberately kept contact phone stays as it was (for the follow-up call).
    assert report.contact_mobile == MOBILE
    client.force_login(world.supervisor)
    page = client.get(reverse("report-detail", args=[report.number])).content.decode()
    assert ID_NUMBER not in page and PHONE not in page


def test_the_api_stores_the_problem_masked(client, world) -> None:
    body = {
        "hall": world.city.code,
        "tried_on": local_date().isoformat(),
        "category": "system_fault",
        "problem": f"自助机打印证明失败，电话{PHONE}。",
        "contact_name": "林先生",
        "mobile": MOBILE,
    }
    assert client.post("/api/v1/reports/online/", body, content_type="application/json").status_code == 201
    assert PHONE not in Report.objects.get().problem


def test_a_rating_comment_is_stored_masked_and_the_order_page_shows_no_full_number(client) -> None:
    world = make_world()
    t = ticket(world)
    url = reverse("rating-ticket", args=[t.token])
    bad = posted(level="dissatisfied", attitude="dissatisfied", comment=f"态度差，请打{PHONE}回访")
    assert client.post(url, bad).status_code in (200, 302)
    rating = Rating.objects.get()
    assert PHONE not in rating.comment and "138****8000" in rating.comment
    order = RectificationOrder.objects.get(rating=rating)
    client.force_login(world.police_chief)
    page = client.get(reverse("rectification-detail", args=[order.pk])).content.decode()
    assert PHONE not in page


def test_an_urgent_description_is_masked() -> None:
    _, text = urgent_reason_clean(UrgentRequest.Reason.values[0], f"明天出国，机票已订，电话{PHONE}，身份证{ID_NUMBER}")
    assert PHONE not in text and ID_NUMBER not in text


# --- Length: refused beside the field, never cut ---------------------------------------------


def test_an_overlong_problem_is_refused_not_truncated(client, world) -> None:
    response = client.post("/report/", _form(world, problem="办" * 5000))
    assert response.status_code == 400
    assert "问题描述最多2000个字" in response.content.decode()
    assert Report.objects.count() == 0


def test_the_api_refuses_an_overlong_problem_with_a_chinese_message(client, world) -> None:
    body = {
        "hall": world.city.code,
        "tried_on": local_date().isoformat(),
        "category": "system_fault",
        "problem": "办" * 5000,
        "contact_name": "林" * 41,
        "mobile": MOBILE,
    }
    response = client.post("/api/v1/reports/online/", body, content_type="application/json")
    assert response.status_code == 400
    text = response.content.decode()
    assert "最多 2000 个字" in text or "最多2000个字" in text
    assert "请确保" not in text and "字符" not in text
    assert Report.objects.count() == 0


def test_an_overlong_rating_comment_is_refused_not_truncated(client) -> None:
    world = make_world()
    t = ticket(world)
    response = client.post(reverse("rating-ticket", args=[t.token]), posted(comment="好" * 400))
    assert response.status_code == 400
    assert "评价内容最多300个字" in response.content.decode()
    assert Rating.objects.count() == 0


def test_staff_notes_over_the_limit_get_the_project_wording(client, world) -> None:
    report = reports.report_register(data=_input(world), channel=Report.Channel.ONLINE, client_ip="10.0.0.9")
    client.force_login(world.supervisor)
    url = reverse("report-action", args=[report.number, "note"])
    response = client.post(url, {"note-note": "督" * 2001, "note-next_check_on": ""})
    assert response.status_code == 400
    assert "最多 2000 个字（现有 2001 个）。" in response.content.decode()


def _input(world):
    return reports.ReportInput(
        hall=world.city,
        window=None,
        item=world.hukou,
        tried_on=local_date(),
        problem="窗口说材料不全，但指南里没有写这份材料。",
        category=reports.ReportCategory.objects.get(code="staff_conduct"),
        contact_name="林先生",
        mobile=MOBILE,
    )


# --- Every field's message at once -----------------------------------------------------------


def test_every_field_error_shows_at_once_with_a_summary(client, world) -> None:
    response = client.post("/report/", _form(world, contact_name="林" * 41, mobile="12345", tried_on="2030-01-01"))
    assert response.status_code == 400
    body = response.content.decode()
    assert "联系人姓名最多40个字" in body
    assert "请输入11位中国大陆手机号码" in body
    assert "办事日期不能晚于今天" in body
    assert "请按提示修改后重新提交，本次未保存任何内容。" in body
    assert 'href="#id_mobile"' in body and 'href="#id_tried_on"' in body
    assert Report.objects.count() == 0


# --- Django's and DRF's zh-hans wording ------------------------------------------------------


class _Short(forms.Form):
    name = forms.CharField(max_length=300, min_length=4)


def test_the_project_wording_for_length_and_required_in_zh_hans() -> None:
    with translation.override("zh-hans"):
        assert _Short({"name": "x" * 400}).errors["name"] == ["最多 300 个字（现有 400 个）。"]
        assert _Short({"name": "xy"}).errors["name"] == ["至少 4 个字（现有 2 个）。"]
        assert _Short({}).errors["name"] == ["请填写此项。"]
    with translation.override("en"):
        assert _Short({}).errors["name"] == ["This field is required."]
        assert "at most 300 characters" in _Short({"name": "x" * 400}).errors["name"][0]


def test_drf_length_and_blank_messages_in_zh_hans() -> None:
    from rest_framework import serializers

    class S(serializers.Serializer):
        text = serializers.CharField(max_length=10, min_length=3)

    with translation.override("zh-hans"):
        long = S(data={"text": "x" * 11})
        assert not long.is_valid() and long.errors["text"] == ["最多 10 个字。"]
        short = S(data={"text": "x"})
        assert not short.is_valid() and short.errors["text"] == ["至少 3 个字。"]
        blank = S(data={"text": ""})
        assert not blank.is_valid() and blank.errors["text"] == ["请填写此项。"]
        missing = S(data={})
        assert not missing.is_valid() and missing.errors["text"] == ["请填写此项。"]
