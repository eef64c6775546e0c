"""An item's implementation code (实施编码) and a material's conditional mark (视情形提交): the
model's rules, the admin, the API, the guide page and the demo data."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator

from cases.identity import validate_credit_code
from catalog import demo_data
from catalog.models import GuideVersion, ServiceItem
from tests.catalog import factories

pytestmark = pytest.mark.django_db

POLICE_CODE = "11440100007502361D"  # a well-formed credit code (check character D)
IMPLEMENTATION_CODE = POLICE_CODE + "0600101000" + "001"


def messages_of(item: ServiceItem) -> list[str]:
    """The messages about the implementation code (a conditional unique constraint's is not
    tied to a field: the admin shows it above the form)."""
    with pytest.raises(ValidationError) as refused:
        item.full_clean()
    errors = refused.value.message_dict
    return errors.get("implementation_code", []) + errors.get("__all__", [])


# --- The model --------------------------------------------------------------------------------


def test_an_implementation_code_is_optional_and_unique_when_set(catalog) -> None:
    id_card = ServiceItem.objects.get(code="0600101000")
    id_card.implementation_code = IMPLEMENTATION_CODE
    id_card.full_clean()
    id_card.save()
    # Blank on every other item: no clash between blanks.
    assert ServiceItem.objects.filter(implementation_code="").count() == 3
    hukou = ServiceItem.objects.get(code="0600102000")
    hukou.implementation_code = IMPLEMENTATION_CODE
    assert messages_of(hukou) == ["该实施编码已登记在另一事项上，同一实施编码只能对应一个事项。"]
    with pytest.raises(IntegrityError), transaction.atomic():
        ServiceItem.objects.filter(pk=hukou.pk).update(implementation_code=IMPLEMENTATION_CODE)


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("0600101000", "实施编码应为20至40位数字或大写字母"),  # the item code is not an implementation code
        (IMPLEMENTATION_CODE.lower(), "实施编码应为20至40位数字或大写字母"),
        ("1144010000750236IO0600101000001", "不含I、O、S、V、Z"),
        (IMPLEMENTATION_CODE + "X" * 10, "实施编码应为20至40位数字或大写字母"),  # 41 characters
        (IMPLEMENTATION_CODE.replace("361D", "361E"), "统一社会信用代码）校验位不正确"),
    ],
)
def test_a_bad_implementation_code_is_refused_with_a_chinese_message(code, message) -> None:
    item = factories.item()
    item.implementation_code = code
    assert any(message in text for text in messages_of(item))


def test_the_database_refuses_a_malformed_implementation_code() -> None:
    item = factories.item()
    with pytest.raises(IntegrityError), transaction.atomic():
        ServiceItem.objects.filter(pk=item.pk).update(implementation_code="not-a-code")


# --- The admin --------------------------------------------------------------------------------


def item_form(item: ServiceItem, **overrides: str) -> dict[str, str]:
    data = {
        "code": item.code,
        "implementation_code": "",
        "name": item.name,
        "name_en": item.name_en,
        "item_type": item.item_type,
        "department": str(item.department_id),
        "aliases": "",
        "aliases_en": "",
        # The versions inline (read-only, no rows to add).
        "versions-TOTAL_FORMS": "1",
        "versions-INITIAL_FORMS": "1",
        "versions-MIN_NUM_FORMS": "0",
        "versions-MAX_NUM_FORMS": "1000",
        "versions-0-id": str(item.versions.get().pk),
        "versions-0-item": str(item.pk),
    }
    return {**data, **overrides}


def test_admin_refuses_a_bad_implementation_code_in_chinese_and_saves_nothing(admin_client) -> None:
    item = factories.item()
    url = reverse("admin:catalog_serviceitem_change", args=[item.pk])
    bad = IMPLEMENTATION_CODE.replace("361D", "361E")
    response = admin_client.post(url, item_form(item, implementation_code=bad))
    assert response.status_code == 200
    assert "实施编码前18位（实施主体的统一社会信用代码）校验位不正确" in response.content.decode()
    item.refresh_from_db()
    assert item.implementation_code == ""


def test_admin_saves_a_code_typed_in_lower_case_with_spaces_and_lists_and_searches_it(admin_client) -> None:
    item = factories.item()
    url = reverse("admin:catalog_serviceitem_change", args=[item.pk])
    typed = f"{POLICE_CODE.lower()} {item.code} 001"
    response = admin_client.post(url, item_form(item, implementation_code=typed))
    assert response.status_code == 302, response.content.decode()[:2000]
    item.refresh_from_db()
    assert item.implementation_code == f"{POLICE_CODE}{item.code}001"
    changelist = admin_client.get(reverse("admin:catalog_serviceitem_changelist"), {"q": POLICE_CODE})
    assert item.implementation_code in changelist.content.decode()
    assert "实施编码" in changelist.content.decode()


def test_admin_edits_whether_a_material_is_conditional(admin_client, admin_user) -> None:
    from catalog import services

    item = factories.item()
    draft = services.guide_draft_from_current(
        item=item, effective_from=factories.EPOCH.replace(year=2099), actor=admin_user
    )
    page = admin_client.get(reverse("admin:catalog_guideversion_change", args=[draft.pk])).content.decode()
    assert 'name="materials-0-conditional"' in page and "视情形提交" in page


# --- The API and the guide page ---------------------------------------------------------------


def test_the_items_api_gives_the_implementation_code_and_the_conditional_mark(client, catalog) -> None:
    ServiceItem.objects.filter(code="0600101000").update(implementation_code=IMPLEMENTATION_CODE)
    version = GuideVersion.objects.get(item__code="0600101000")
    version.materials.filter(name="户口簿").update(conditional=True)
    data = client.get("/api/v1/items/0600101000/").json()
    assert data["implementation_code"] == IMPLEMENTATION_CODE
    assert [(m["name"], m["conditional"]) for m in data["materials"]] == [
        ("居民身份证", False),
        ("户口簿", True),
        ("近期照片", False),
    ]
    assert client.get("/api/v1/items/0600102000/").json()["implementation_code"] == ""
    schemas = SchemaGenerator().get_schema(request=None, public=True)["components"]["schemas"]
    assert "实施编码（事项实施清单编码" in schemas["Guide"]["properties"]["implementation_code"]["description"]
    assert "仅在特定情形下需要提交" in schemas["Material"]["properties"]["conditional"]["description"]


def test_the_guide_page_shows_the_implementation_code_and_marks_conditional_materials(client, catalog) -> None:
    ServiceItem.objects.filter(code="0600101000").update(implementation_code=IMPLEMENTATION_CODE)
    GuideVersion.objects.get(item__code="0600101000").materials.filter(name="户口簿").update(conditional=True)
    body = client.get("/guides/0600101000/").content.decode()
    assert f'<dt>实施编码</dt><dd class="code">{IMPLEMENTATION_CODE}</dd>' in body
    assert body.count("视情形提交") == 1
    other = client.get("/guides/0600102000/").content.decode()
    assert "实施编码" not in other and "视情形提交" not in other


# --- The demo data ----------------------------------------------------------------------------


def test_every_demo_item_has_a_well_formed_31_character_implementation_code() -> None:
    codes = [item.implementation_code for item in demo_data.ITEMS]
    assert len(set(codes)) == len(codes)
    for item in demo_data.ITEMS:
        credit_code = demo_data.IMPLEMENTING_BODY_CREDIT_CODES[item.department]
        assert validate_credit_code(credit_code) == credit_code
        assert item.implementation_code == f"{credit_code}{item.code}001"
        assert len(item.implementation_code) == 31


def test_the_demo_states_conditional_materials_explicitly() -> None:
    # The notes no longer decide: a material is conditional only when the data says so.
    assert not demo_data.mat("某材料", notes="委托他人代办时提交").conditional
    conditional = {m.name for item in demo_data.ITEMS for m in item.materials if m.conditional}
    assert {"授权委托书及受托人居民身份证", "监护人居民身份证", "广东省居住证", "筹设批准书"} <= conditional
    assert not {"申请人居民身份证", "居民户口簿", "数码相片回执"} & conditional


def test_loading_the_demo_sets_implementation_codes_and_conditional_materials() -> None:
    call_command("load_demo", "--no-calendar", verbosity=0)
    hukou = ServiceItem.objects.get(code="0600102001")
    assert hukou.implementation_code == "11440100007502361D0600102001001"
    assert not ServiceItem.objects.filter(implementation_code="").exists()
    assert GuideVersion.objects.filter(materials__conditional=True).exists()
    # An item that lost its code (loaded before the field existed) gets it back on the next run.
    ServiceItem.objects.filter(pk=hukou.pk).update(implementation_code="")
    call_command("load_demo", "--no-calendar", verbosity=0)
    hukou.refresh_from_db()
    assert hukou.implementation_code == "11440100007502361D0600102001001"
