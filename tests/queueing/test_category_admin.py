"""The queue category admin: a letter typed in lower case is taken as the capital, and a letter
the hall already uses is refused in the portal's words (walkthrough: "h" was refused, and a
duplicate met Django's stock "包含 大厅 和 字母 的 排队类别 已经存在。")."""

from __future__ import annotations

import pytest
from django.urls import reverse

from queueing.models import QueueCategory
from tests.queueing.factories import make_queue_hall

pytestmark = pytest.mark.django_db


def _add(admin_client, hall, letter: str):
    return admin_client.post(
        reverse("admin:queueing_queuecategory_add"),
        {"hall": hall.pk, "letter": letter, "name": "不动产登记", "name_en": "", "order": 5, "is_active": "on"},
    )


def test_a_lower_case_letter_is_the_capital_and_a_used_letter_is_refused_in_plain_words(admin_client) -> None:
    qh = make_queue_hall()
    added = _add(admin_client, qh.hall, " h")
    assert added.status_code == 302, added.content.decode()[:3000]
    assert QueueCategory.objects.filter(hall=qh.hall, letter="H").exists()

    duplicate = _add(admin_client, qh.hall, "a")
    body = duplicate.content.decode()
    assert duplicate.status_code == 200
    assert "本大厅已有使用该字母的排队类别，请换一个字母。" in body and "已经存在" not in body
    assert QueueCategory.objects.filter(hall=qh.hall, letter="A").count() == 1

    refused = _add(admin_client, qh.hall, "v")  # V is the green channel's
    assert refused.status_code == 200 and "队列字母须为一个大写字母" in refused.content.decode()


def test_a_new_category_left_without_an_order_comes_after_the_halls_others(admin_client) -> None:
    """Its order is not the model's 0 (before every other queue on the kiosk and the board) but
    after the hall's last; one given is kept, and an existing one left blank keeps its own."""
    qh = make_queue_hall()  # A (order 1) and B (order 2)
    form = admin_client.get(reverse("admin:queueing_queuecategory_add")).content.decode()
    assert 'name="order" value="0"' not in form
    fields = {"hall": qh.hall.pk, "name": "不动产登记", "name_en": "", "order": "", "is_active": "on"}
    assert admin_client.post(reverse("admin:queueing_queuecategory_add"), {**fields, "letter": "H"}).status_code == 302
    added = QueueCategory.objects.get(hall=qh.hall, letter="H")
    assert added.order == 3
    assert _add(admin_client, qh.hall, "K").status_code == 302  # order 5 given
    assert QueueCategory.objects.get(hall=qh.hall, letter="K").order == 5
    change = reverse("admin:queueing_queuecategory_change", args=[added.pk])
    assert admin_client.post(change, {**fields, "letter": "H"}).status_code == 302
    assert QueueCategory.objects.get(pk=added.pk).order == 3
    negative = admin_client.post(reverse("admin:queueing_queuecategory_add"), {**fields, "letter": "M", "order": -1})
    assert negative.status_code == 200 and not QueueCategory.objects.filter(letter="M").exists()


def test_a_category_with_history_cannot_be_deleted_and_the_page_says_why(client) -> None:
    # Walkthrough: an administrator deleting a queue with tickets read Django's "你的帐号无权删除
    # 下列类型的对象", which reads as a permission problem; it is history that must stay.
    from queueing import services
    from servicehall import roles
    from tests.servicehall.factories import staff_user

    qh = make_queue_hall()
    services.ticket_issue(hall=qh.hall, category=qh.a, source="kiosk", require_open=False)
    client.force_login(staff_user("adm-delete", role=roles.ADMINISTRATOR, is_staff=True))
    page = client.get(reverse("admin:queueing_queuecategory_delete", args=[qh.a.pk]))
    body = page.content.decode()
    assert page.status_code == 200
    assert "不能删除，以免记录随之删除；如不再使用，请取消勾选“启用”。" in body and "无权删除" not in body
    client.post(reverse("admin:queueing_queuecategory_delete", args=[qh.a.pk]), {"post": "yes"})  # shown again
    assert QueueCategory.objects.filter(pk=qh.a.pk).exists()
