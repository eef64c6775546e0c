"""The kiosk's slip does not lead out of the kiosk's locked flow (issue 11's walkthrough: its
急事急办 link opened a page outside the kiosk). It shows a QR code of the form as a phone's page
(``?from=phone``) and says the window takes the request too."""

from __future__ import annotations

import time_machine

from queueing import services as queue_services
from queueing.models import QueueCategory
from tests.cases.factories import D, at

MON = D(2026, 11, 23)


@time_machine.travel(at(MON, 9), tick=False)
def test_the_kiosk_slip_offers_a_qr_code_not_a_link(world, client) -> None:
    category = QueueCategory.objects.create(hall=world.city, letter="S", name="市场监管业务", order=9)
    category.items.add(world.licence)
    ticket = queue_services.ticket_issue(hall=world.city, category=category, source="kiosk").ticket
    slip = client.get(f"/t/{ticket.token}/slip/").content.decode()
    assert "有急事需要紧急办理？" in slip
    assert "/urgent/" not in slip.split('class="slip-sections"')[1]  # no link, no form action
    assert 'class="slip-qr slip-urgent-qr"' in slip and "data:image/svg+xml;base64," in slip
    assert "或持本号到窗口向工作人员提出" in slip
    # The QR's form is the phone's page, which returns to the ticket's page.
    phone = client.get(f"/t/{ticket.token}/urgent/?from=phone").content.decode()
    assert 'name="from" value="phone"' in phone and "data-kiosk-home" not in phone
