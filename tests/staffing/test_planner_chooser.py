"""The planner's hall chooser speaks the page's language (issue 11's walkthrough: Django's
English "- Select an option -" was its empty choice on the Chinese page)."""

from __future__ import annotations

import pytest
import time_machine
from django.urls import reverse

from tests.staffing.factories import TODAY
from tests.staffing.workload_factories import at

pytestmark = pytest.mark.django_db


@time_machine.travel(at(TODAY, 10, 30), tick=False)
def test_the_hall_chooser_has_a_chinese_empty_choice(client, world) -> None:
    client.force_login(world.supervisor)
    page = client.get(reverse("staffing-planner")).content.decode()
    assert "Select an option" not in page
    assert '<option value="">请选择大厅</option>' in page
