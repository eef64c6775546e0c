"""The booking form's assistance block in real Chromium (Art. 10 ¶1): the kind and reason are
large labelled targets, like the slots, for the elderly and disabled people it is meant for."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from appointments.models import Slot
from tests.browser.test_booking import booking_hall
from tests.browser.test_kiosk_board import not_at_midnight

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Each radio of the block with the box its click target (the label holding it) draws.
RADIO_TARGETS = """
() => Array.from(document.querySelectorAll(".assistance-fields input[type=radio]")).map((input) => {
  const target = input.closest("label") || input;
  const box = target.getBoundingClientRect();
  return {id: input.id, name: target.textContent.trim(), width: box.width, height: box.height};
})
"""


def test_assistance_kinds_and_reasons_are_large_labelled_targets(live_server, page, axe_check) -> None:
    from playwright.sync_api import expect

    not_at_midnight()
    hall = booking_hall()
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    slot = Slot.objects.filter(hall=hall, date=tomorrow).order_by("starts_at")[100]
    page.goto(live_server.url + reverse("booking-form", args=[slot.pk]))
    expect(page.get_by_role("heading", level=1)).to_have_text("填写预约信息")

    for care in (False, True):
        targets = page.evaluate(RADIO_TARGETS)
        assert len(targets) == 6  # 陪同办, 帮办代办; 高龄, 残疾, 行动不便, 其他
        small = [
            f"{t['name']}: {t['width']:.0f}×{t['height']:.0f}" for t in targets if t["width"] < 44 or t["height"] < 44
        ]
        assert small == [], f"small targets (care mode {care}): {small}"
        # The whole label is the target: a click at its far end, away from the dot, chooses it.
        for target in targets:
            label = page.locator(f"label:has(#{target['id']})")
            label.click(position={"x": target["width"] - 4, "y": target["height"] / 2})
            expect(page.locator(f"#{target['id']}")).to_be_checked()
        page.get_by_label("需要帮办/陪同").check()
        axe_check(page, f"booking form with the assistance block (care mode {care})")
        if not care:
            page.get_by_role("button", name="关怀模式").first.click()
            page.wait_for_function("document.documentElement.classList.contains('care')")
