"""The admin's additions, changes and deletions are in the audit trail by object, not only as
"其他请求（按路由记录）" (walkthrough: a queue category added and deleted in the admin)."""

from __future__ import annotations

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.urls import reverse

from queueing.models import QueueCategory
from servicehall.models import AuditEvent
from tests.queueing.factories import make_queue_hall

pytestmark = pytest.mark.django_db


def test_adding_changing_and_deleting_in_the_admin_is_recorded_by_object(admin_client, admin_user) -> None:
    qh = make_queue_hall()
    fields = {"hall": qh.hall.pk, "letter": "H", "name": "不动产登记", "name_en": "", "order": 3, "is_active": "on"}

    assert admin_client.post(reverse("admin:queueing_queuecategory_add"), fields).status_code == 302
    category = QueueCategory.objects.get(hall=qh.hall, letter="H")
    change = reverse("admin:queueing_queuecategory_change", args=[category.pk])
    assert admin_client.post(change, {**fields, "name": "不动产登记（一窗）"}).status_code == 302
    delete = reverse("admin:queueing_queuecategory_delete", args=[category.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 302

    events = list(AuditEvent.objects.filter(action__startswith="admin.").order_by("pk"))
    assert [e.action for e in events] == ["admin.added", "admin.changed", "admin.deleted"]
    assert all(e.actor == admin_user and e.ip_address == "127.0.0.1" for e in events)
    assert all((e.target_type, e.target_id) == ("queueing.queuecategory", str(category.pk)) for e in events)
    added, changed, deleted = events
    assert added.summary.startswith("管理后台新增排队类别“") and "不动产登记" in added.summary
    assert "名称" in changed.details["change"] and changed.summary.endswith("：" + changed.details["change"])
    assert deleted.summary.startswith("管理后台删除排队类别“") and deleted.details == {}
    assert not AuditEvent.objects.filter(action="request").exists()  # no second, generic record


def test_the_name_of_the_object_is_recorded_with_personal_numbers_masked(admin_user) -> None:
    LogEntry.objects.log_actions(
        admin_user.pk, [_Named("张三 110105199003070011 13812345678")], CHANGE, change_message="[]"
    )
    summary = AuditEvent.objects.get(action="admin.changed").summary
    assert "110105199003070011" not in summary and "13812345678" not in summary


class _Named:
    """An object as the admin logs it: a primary key and a name."""

    pk = 7

    def __init__(self, name: str) -> None:
        self.name = name
        self._meta = QueueCategory._meta

    def __str__(self) -> str:
        return self.name


def test_the_delete_confirmation_names_the_link_rows_by_their_ends(admin_client) -> None:
    # Walkthrough: a category's delete page listed "Queuecategory-serviceitem关系: QueueCategory_items
    # object (1)"; the link tables are named from their models, each row from its two ends.
    from tests.catalog import factories

    qh = make_queue_hall()
    category = qh.hall.queue_categories.get(letter="A")
    item = factories.item(code="0600109999", name="居民身份证换领", halls=[qh.hall])
    category.items.add(item)
    page = admin_client.get(reverse("admin:queueing_queuecategory_delete", args=[category.pk]))
    body = page.content.decode()
    assert page.status_code == 200
    assert "排队类别—政务服务事项关联" in body and f"{category} — {item}" in body
    assert "关系" not in body and "object (" not in body
