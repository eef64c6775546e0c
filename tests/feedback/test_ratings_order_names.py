"""The rectification order page names people as the report pages do: the rated clerk and who
acted on the order by their name (StaffProfile), not their login name."""

from __future__ import annotations

import pytest
from django.urls import reverse

from feedback.models_ratings import RectificationOrder
from servicehall.models import StaffProfile
from tests.cases.factories import World, make_world
from tests.feedback.ratings_world import rate_ticket


@pytest.fixture
def world(db) -> World:
    return make_world()


def test_the_order_page_shows_names_not_usernames(world: World, client) -> None:
    StaffProfile.objects.filter(user=world.clerk).update(display_name="王晓燕")
    StaffProfile.objects.filter(user=world.supervisor).update(display_name="李督查")
    order = RectificationOrder.objects.get(rating=rate_ticket(world, "dissatisfied"))
    assert order.rating.staff_id == world.clerk.pk
    client.force_login(world.supervisor)
    verified = client.post(
        reverse("rectification-action", args=[order.pk, "verify"]), {"verify-valid": "1", "verify-reason": "属实"}
    )
    assert verified.status_code == 302
    page = client.get(reverse("rectification-detail", args=[order.pk])).content.decode()
    assert "<dd>王晓燕</dd>" in page and "· 李督查" in page
    assert f"<dd>{world.clerk.get_username()}</dd>" not in page
    assert f"· {world.supervisor.get_username()}" not in page
