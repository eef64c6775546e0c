"""The written report (书面报告) a refusal produces is a link the chief representative can open and
print (issue 11's walkthrough: it was plain text on /staff/urgent/<id>/, only supervisors reached
it): the chief who refused, the department's chief at the hall and the supervisors covering the
hall open it at /staff/urgent/<id>/report/; another department's chief, the same department's
chief at another hall and the hall's clerks do not."""

from __future__ import annotations

import time_machine

from cases import urgent
from cases.models import WrittenReport
from servicehall import roles
from tests.cases.factories import D, at
from tests.servicehall.factories import staff_user

MON = D(2026, 11, 23)


def _refused_through_the_page(world, client):
    case = world.receive(world.licence, now=at(MON), outcome="accept")
    request = urgent.urgent_request_case(
        case=case, actor=world.clerk, category="medical", text="下周一赴外地住院手术，需要提前办结", now=at(MON, 11)
    )
    client.force_login(world.market_chief)
    with time_machine.travel(at(MON, 14), tick=False):
        response = client.post(
            f"/staff/urgent/{request.pk}/refuse/", {"refuse-reason": "需现场核查，无法压缩时限"}, follow=True
        )
    assert response.status_code == 200
    return request, WrittenReport.objects.get(request=request), response


def test_the_chief_who_refused_opens_and_prints_the_report(world, client) -> None:
    request, report, response = _refused_through_the_page(world, client)
    url = f"/staff/urgent/{request.pk}/report/"
    page = response.content.decode()
    # The message after the refusal and the request's page both link to it.
    assert page.count(f'href="{url}"') >= 2
    printed = client.get(url)
    text = printed.content.decode()
    assert printed.status_code == 200
    assert report.number in text and "需现场核查，无法压缩时限" in text and "data-print" in text
    assert f'href="/staff/urgent/{request.pk}/"' in text  # back to the request, not the supervisors' list


def test_who_else_may_open_the_report(world, client) -> None:
    request, report, _response = _refused_through_the_page(world, client)
    url = f"/staff/urgent/{request.pk}/report/"
    tianhe_supervisor = staff_user("tianhe-supervisor-r", role=roles.SUPERVISOR, hall_=world.tianhe)
    for user in (world.supervisor, world.city_supervisor):
        client.force_login(user)
        assert client.get(url).status_code == 200, user
    for user in (world.police_chief, world.tianhe_market_chief, tianhe_supervisor):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 404, user
        assert report.number not in response.content.decode()
    for user in (world.clerk, world.market_clerk):
        client.force_login(user)
        assert client.get(url).status_code == 403, user
        # The hall's clerks see the request, the report's number, but no link to it.
        detail = client.get(f"/staff/urgent/{request.pk}/").content.decode()
        assert report.number in detail and f'href="{url}"' not in detail


def test_a_request_not_refused_has_no_report_to_open(world, client) -> None:
    case = world.receive(world.licence, now=at(MON), outcome="accept")
    request = urgent.urgent_request_case(
        case=case, actor=world.clerk, category="medical", text="下周一赴外地住院手术，需要提前办结", now=at(MON, 11)
    )
    client.force_login(world.market_chief)
    assert client.get(f"/staff/urgent/{request.pk}/report/").status_code == 404


def test_the_report_toolbar_speaks_the_readers_language(world, client) -> None:
    request, report, _response = _refused_through_the_page(world, client)
    client.cookies["servicehall_language"] = "en"
    text = client.get(f"/staff/urgent/{request.pk}/report/").content.decode()
    assert ">Print</button>" in text  # the toolbar is the reader's
    assert "关于不予急事急办的书面报告" in text  # the report itself stays Chinese
    client.force_login(world.supervisor)
    text = client.get(f"/supervisor/urgent-reports/{report.pk}/").content.decode()
    assert ">Print</button>" in text and "Back to the written reports" in text
