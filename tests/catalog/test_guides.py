"""Guide versions: publishing, immutability, the current version, and constraints."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from catalog import selectors, services
from catalog.models import GuideVersion, Hall, HallOpeningHours, Material, ServiceItem
from catalog.services import CatalogError
from servicehall.models import AuditEvent
from tests.catalog import factories

pytestmark = pytest.mark.django_db
D = dt.date


def test_promised_limit_beyond_statutory_is_refused_by_the_database() -> None:
    item = factories.item()
    with pytest.raises(IntegrityError), transaction.atomic():
        GuideVersion.objects.filter(item=item).update(promised_limit_days=30)


def test_promised_limit_beyond_statutory_is_refused_with_a_message() -> None:
    item = factories.item()
    version = item.versions.get()
    version.promised_limit_days = 25
    with pytest.raises(ValidationError) as excinfo:
        version.full_clean()
    assert "承诺办结时限不得超过法定办结时限" in str(excinfo.value)


def test_instant_items_promise_the_same_day() -> None:
    with pytest.raises(CatalogError, match="即办件的承诺时限应为0"):
        factories.item(handling_kind="instant", promised_limit_days=1)


def test_item_code_must_follow_the_national_format_and_match_its_type() -> None:
    dept = factories.department()
    with pytest.raises(IntegrityError), transaction.atomic():
        ServiceItem.objects.create(code="06-123", item_type="06", name="x", department=dept)
    with pytest.raises(IntegrityError), transaction.atomic():
        ServiceItem.objects.create(code="0100001000", item_type="06", name="x", department=dept)
    with pytest.raises(ValidationError, match="前两位须与事项类型代码一致"):
        ServiceItem(code="0100001000", item_type="06", name="x", department=dept).full_clean()


def test_opening_hours_must_be_in_order() -> None:
    hall = factories.hall()
    with pytest.raises(IntegrityError), transaction.atomic():
        HallOpeningHours.objects.create(
            hall=hall,
            weekday=5,
            morning_opens=dt.time(12),
            morning_closes=dt.time(9),
            afternoon_opens=dt.time(13),
            afternoon_closes=dt.time(17),
        )


def test_a_new_version_leaves_the_old_one_exactly_as_it_was(admin_user) -> None:
    item = factories.item(effective_from=D(2026, 1, 1))
    old = item.versions.get()
    old_materials = list(old.materials.values_list("name", "form", "may_follow_later"))

    draft = services.guide_draft_from_current(
        item=item, effective_from=D(2027, 1, 1), actor=admin_user, change_note="新增材料"
    )
    assert draft.number == 2 and draft.status == GuideVersion.Status.DRAFT
    Material.objects.create(version=draft, order=9, name="委托书", form=Material.Form.ORIGINAL)
    draft.promised_limit_days = 3
    draft.save()
    services.guide_publish(version=draft, actor=admin_user, today=D(2026, 12, 1))

    old.refresh_from_db()
    assert old.promised_limit_days == 5
    assert list(old.materials.values_list("name", "form", "may_follow_later")) == old_materials
    # Before the effective date the old version is current; from it, the new one.
    assert selectors.guide_for_item(code=item.code, today=D(2026, 12, 31)).number == 1
    assert selectors.guide_for_item(code=item.code, today=D(2027, 1, 1)).number == 2
    assert selectors.guide_for_item(code=item.code, today=D(2027, 1, 1), number=1).promised_limit_days == 5
    assert AuditEvent.objects.filter(action="guide.publish", target_id=str(draft.pk)).exists()


def test_a_published_version_cannot_be_published_again_or_backdated(admin_user) -> None:
    item = factories.item()
    with pytest.raises(CatalogError, match="已经发布"):
        services.guide_publish(version=item.versions.get(), actor=admin_user)
    draft = services.guide_draft_from_current(item=item, effective_from=D(2026, 1, 5), actor=admin_user)
    with pytest.raises(CatalogError, match="生效日期不能早于今天") as excinfo:
        services.guide_publish(version=draft, actor=admin_user, today=D(2026, 2, 1))
    assert excinfo.value.field == "effective_from"
    draft.refresh_from_db()
    assert draft.status == GuideVersion.Status.DRAFT


def test_only_one_draft_at_a_time(admin_user) -> None:
    item = factories.item()
    services.guide_draft_from_current(item=item, effective_from=D(2027, 1, 1), actor=admin_user)
    with pytest.raises(CatalogError, match="已有未发布的草稿"):
        services.guide_draft_from_current(item=item, effective_from=D(2027, 1, 1), actor=admin_user)


def test_a_guide_without_materials_is_not_published(admin_user) -> None:
    item = factories.item()
    draft = services.guide_draft_from_current(item=item, effective_from=D(2027, 1, 1), actor=admin_user)
    draft.materials.all().delete()
    with pytest.raises(CatalogError, match="至少须列明一项申请材料"):
        services.guide_publish(version=draft, actor=admin_user, today=D(2026, 12, 1))


def test_admin_shows_a_published_version_read_only_and_refuses_changes(admin_client) -> None:
    version = factories.item().versions.get()
    url = reverse("admin:catalog_guideversion_change", args=[version.pk])
    page = admin_client.get(url)
    assert page.status_code == 200
    assert b'name="conditions"' not in page.content  # no editable field
    response = admin_client.post(url, {"conditions": "改写"})
    assert response.status_code == 403
    version.refresh_from_db()
    assert version.conditions != "改写"


def test_admin_refuses_a_draft_whose_promised_limit_exceeds_the_statutory_one(admin_client, admin_user) -> None:
    item = factories.item()
    draft = services.guide_draft_from_current(item=item, effective_from=D(2027, 1, 1), actor=admin_user)
    url = reverse("admin:catalog_guideversion_change", args=[draft.pk])
    data = {field: getattr(draft, field) for field in services.GUIDE_FIELDS}
    data.update(
        item=item.pk,
        effective_from="2027-01-01",
        change_note="",
        promised_limit_days=30,
        statutory_limit_days=20,
        online_url="",
        **_empty_inline("materials"),
        **_empty_inline("special_steps"),
    )
    response = admin_client.post(url, {k: v for k, v in data.items() if v is not None})
    assert response.status_code == 200
    assert "承诺办结时限不得超过法定办结时限" in response.content.decode()
    draft.refresh_from_db()
    assert draft.promised_limit_days == 5


def _empty_inline(prefix: str) -> dict[str, str]:
    return {
        f"{prefix}-TOTAL_FORMS": "0",
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def test_admin_publish_action(admin_client, admin_user) -> None:
    item = factories.item()
    draft = services.guide_draft_from_current(item=item, effective_from=D(2099, 1, 1), actor=admin_user)
    response = admin_client.post(
        reverse("admin:catalog_guideversion_changelist"),
        {"action": "publish", "_selected_action": [draft.pk]},
        follow=True,
    )
    assert response.status_code == 200
    draft.refresh_from_db()
    assert draft.status == GuideVersion.Status.PUBLISHED


def test_hall_city_centre_has_no_parent() -> None:
    district = factories.hall()
    with pytest.raises(IntegrityError), transaction.atomic():
        Hall.objects.create(code="CITY2", name="x", level="city", district="tianhe", address="x", parent=district)


# --- One draft per item, and the admin going through the services ------------------------------


def test_a_second_draft_is_refused_by_the_service_with_a_message(admin_user) -> None:
    item = factories.item()
    services.guide_draft_create(
        item=item, effective_from=D(2027, 1, 1), fields=factories.guide_fields(), materials=[], actor=admin_user
    )
    with pytest.raises(CatalogError, match="该事项已有未发布的草稿，请先编辑或发布该草稿") as excinfo:
        services.guide_draft_create(
            item=item, effective_from=D(2027, 2, 1), fields=factories.guide_fields(), materials=[], actor=admin_user
        )
    assert excinfo.value.field == "item"
    assert item.versions.filter(status=GuideVersion.Status.DRAFT).count() == 1


def test_a_second_draft_is_refused_by_the_database_when_the_service_is_bypassed(admin_user) -> None:
    item = factories.item()
    draft = services.guide_draft_from_current(item=item, effective_from=D(2027, 1, 1), actor=admin_user)
    draft.pk, draft.number = None, 99
    with pytest.raises(IntegrityError), transaction.atomic():
        draft.save()


def test_creating_a_draft_is_audited_with_its_actor(admin_user) -> None:
    item = factories.item()
    draft = services.guide_draft_from_current(item=item, effective_from=D(2027, 1, 1), actor=admin_user)
    events = AuditEvent.objects.filter(action="guide.draft", target_id=str(draft.pk))
    assert [(e.actor_id, e.target_type) for e in events] == [(admin_user.pk, "catalog.guideversion")]


def _admin_add_data(item: ServiceItem, **materials: str) -> dict[str, object]:
    data: dict[str, object] = {
        **factories.guide_fields(),
        "item": item.pk,
        "effective_from": "2099-01-01",
        "change_note": "后台新建",
        "complaint_phone": "12345",
        "extension_limit_days": 10,
        **_empty_inline("materials"),
        **_empty_inline("special_steps"),
    }
    if materials:
        data["materials-TOTAL_FORMS"] = str(len(materials))
        for n, name in enumerate(materials.values()):
            data.update({f"materials-{n}-order": n + 1, f"materials-{n}-name": name, f"materials-{n}-form": "original"})
            data[f"materials-{n}-copies"] = 1
            data[f"materials-{n}-follow_within_days"] = 5
    return data


def test_admin_creates_a_draft_through_the_service(admin_client, admin_user) -> None:
    item = factories.item()
    response = admin_client.post(
        reverse("admin:catalog_guideversion_add"), _admin_add_data(item, first="居民身份证", second="委托书")
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    draft = item.versions.get(status=GuideVersion.Status.DRAFT)
    assert draft.number == 2 and draft.change_note == "后台新建"
    assert list(draft.materials.values_list("name", flat=True)) == ["居民身份证", "委托书"]
    event = AuditEvent.objects.get(action="guide.draft", target_id=str(draft.pk))
    assert event.actor_id == admin_user.pk


def test_admin_refuses_a_second_draft_with_the_form_shown_again(admin_client, admin_user) -> None:
    item = factories.item()
    services.guide_draft_from_current(item=item, effective_from=D(2027, 1, 1), actor=admin_user)
    response = admin_client.post(reverse("admin:catalog_guideversion_add"), _admin_add_data(item))
    assert response.status_code == 200
    assert "该事项已有未发布的草稿，请先编辑或发布该草稿。" in response.content.decode()
    assert item.versions.filter(status=GuideVersion.Status.DRAFT).count() == 1


def test_admin_refuses_a_draft_written_after_its_form_was_checked(admin_client, admin_user, monkeypatch) -> None:
    # The lost race: another draft appears between the form's check and the write. The service
    # refuses it (the model constraint, validated before saving) and the admin says why: no 500.
    item = factories.item()
    services.guide_draft_from_current(item=item, effective_from=D(2027, 1, 1), actor=admin_user)
    monkeypatch.setattr(services, "guide_draft_check", lambda *, item: None)
    response = admin_client.post(reverse("admin:catalog_guideversion_add"), _admin_add_data(item), follow=True)
    assert response.status_code == 200
    assert "该事项已有未发布的草稿，请先编辑或发布该草稿。" in response.content.decode()
    assert item.versions.filter(status=GuideVersion.Status.DRAFT).count() == 1
    assert item.versions.count() == 2


def test_admin_publish_action_writes_an_audit_record(admin_client, admin_user) -> None:
    item = factories.item()
    draft = services.guide_draft_from_current(item=item, effective_from=D(2099, 1, 1), actor=admin_user)
    admin_client.post(
        reverse("admin:catalog_guideversion_changelist"),
        {"action": "publish", "_selected_action": [draft.pk]},
        follow=True,
    )
    event = AuditEvent.objects.get(action="guide.publish", target_id=str(draft.pk))
    assert event.actor_id == admin_user.pk
    draft.refresh_from_db()
    assert draft.published_by == admin_user


def test_admin_start_revision_action_writes_an_audit_record(admin_client, admin_user) -> None:
    item = factories.item()
    admin_client.post(
        reverse("admin:catalog_serviceitem_changelist"),
        {"action": "start_revision", "_selected_action": [item.pk]},
        follow=True,
    )
    draft = item.versions.get(status=GuideVersion.Status.DRAFT)
    assert AuditEvent.objects.filter(action="guide.draft", target_id=str(draft.pk), actor=admin_user).exists()
