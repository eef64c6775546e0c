"""The staffing pages: staff's own page and the code of conduct, the supervisors' roster (filters,
flags, pagination, empty state, a fixed number of queries) and a person's record where
supervisors record conduct incidents."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from queueing import services as queue_services
from servicehall import roles
from staffing.models import ConductCode, ConductIncident, Secondment, SkillCertification
from tests.servicehall.factories import staff_user
from tests.staffing.factories import seconded

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return response.content.decode()


def _code() -> ConductCode:
    return ConductCode.objects.create(
        title="窗口工作人员行为规范",
        forbidden_phrases="“不知道。”\n“下班了。”",
        forbidden_behaviours="在岗玩手机",
        dress="着工作服",
        discipline="按时签到",
        published_at=timezone.now(),
    )


def test_staff_see_their_record_attendance_and_the_code(client, world) -> None:
    secondment = seconded("clerk", hall=world.city, department=world.police, number="GZ-W001")
    SkillCertification.objects.create(user=secondment.user, level=4, certified_on=dt.date(2025, 6, 1))
    _code()
    client.force_login(secondment.user)
    home = text(client.get(reverse("staff-home")))
    assert reverse("staffing-me") in home and reverse("staffing-conduct-code") in home
    queue_services.window_sign_in(window=world.window_1, staff=secondment.user)
    page = text(client.get(reverse("staffing-me")))
    assert "GZ-W001" in page and "广州市公安局" in page
    assert "岗前教育" in page and "四级/中级工" in page
    assert "在岗" in page  # the open attendance spell
    code = text(client.get(reverse("staffing-conduct-code")))
    assert "“下班了。”" in code and "按时签到" in code


def test_staff_pages_have_empty_states(client, world) -> None:
    clerk = staff_user("no-record", role=roles.WINDOW_STAFF, hall_=world.city, dept=world.police)
    client.force_login(clerk)
    page = text(client.get(reverse("staffing-me")))
    assert "暂无派驻记录" in page and "暂无考勤记录" in page and "暂无培训记录" in page
    assert "行为规范尚未发布" in text(client.get(reverse("staffing-conduct-code")))
    ConductCode.objects.create(title="草稿", forbidden_phrases="x", forbidden_behaviours="y", dress="z", discipline="w")
    assert "行为规范尚未发布" in text(client.get(reverse("staffing-conduct-code")))


def test_the_roster_flags_tenure_and_missing_pre_job_education(client, world) -> None:
    seconded("settled", hall=world.city, department=world.police, number="A-1")
    seconded(
        "short",
        hall=world.city,
        department=world.police,
        number="A-2",
        since=dt.date(2026, 1, 1),
        until=dt.date(2027, 1, 1),
        reason="机构调整",
    )
    seconded("untrained", hall=world.city, department=world.market, number="A-3", pre_job=False)
    seconded("elsewhere", hall=world.tianhe, department=world.market, number="T-1")
    client.force_login(world.supervisor)
    page = text(client.get(reverse("staffing-roster")))
    assert "A-1" in page and "A-2" in page and "A-3" in page and "T-1" not in page
    assert "在册 3 人，其中派驻不足两年 1 人，未完成岗前教育 1 人。" in page
    assert "不足两年" in page and "缺岗前教育" in page

    short = text(client.get(reverse("staffing-roster"), {"flag": "short_tenure"}))
    assert "A-2" in short and "A-1" not in short and "A-3" not in short
    untrained = text(client.get(reverse("staffing-roster"), {"flag": "no_pre_job"}))
    assert "A-3" in untrained and "A-2" not in untrained
    market = text(client.get(reverse("staffing-roster"), {"department": "GZSCJG"}))
    assert "A-3" in market and "A-1" not in market
    empty = client.get(reverse("staffing-roster"), {"department": "GZSCJG", "flag": "short_tenure"})
    assert "没有符合条件的派驻人员。" in text(empty)

    # The citywide supervisor sees every hall; a hall not theirs is not a choice for others.
    client.force_login(world.city_supervisor)
    assert "T-1" in text(client.get(reverse("staffing-roster")))
    client.force_login(world.supervisor)
    refused = client.get(reverse("staffing-roster"), {"hall": "TH"})
    assert refused.status_code == 400 and "请从列表中选择大厅。" in text(refused)
    assert client.get(reverse("staffing-roster"), {"flag": "nonsense"}).status_code == 400
    assert client.get(reverse("staffing-roster"), {"page": "x"}).status_code == 400


def test_the_roster_is_for_supervisors_only(client, world) -> None:
    clerk = seconded("clerk", hall=world.city, department=world.police).user
    client.force_login(clerk)
    assert client.get(reverse("staffing-roster")).status_code == 403
    secondment = seconded("other", hall=world.tianhe, department=world.police)
    client.force_login(world.supervisor)
    assert client.get(reverse("staffing-person", args=[secondment.pk])).status_code == 403
    assert client.get(reverse("staffing-person", args=[999999])).status_code == 404
    assert "派驻人员花名册" in text(client.get(reverse("supervisor-overview")))


def test_the_roster_pages_in_a_fixed_number_of_queries(client, world, django_assert_num_queries) -> None:
    for n in range(60):
        secondment = seconded(f"clerk{n}", hall=world.city, department=world.police, number=f"N-{n:03d}")
        SkillCertification.objects.create(user=secondment.user, level=3, certified_on=dt.date(2025, 1, 1))
        ConductIncident.objects.create(
            secondment=secondment,
            occurred_on=dt.date(2026, 1, 1),
            source="observation",
            description="在岗玩手机被现场督查发现",
            recorded_by=world.supervisor,
        )
    client.force_login(world.supervisor)
    client.get(reverse("staffing-roster"))  # warm the session and the user's scope
    # session, user, profile, groups; the flag counts; the page's count; the hall and department
    # choices; the rows with their flags, skill level and incidents (no query per row); the
    # workload flags: today's open surges, and the halls, the working-day calendar (holidays are
    # skipped), their tickets of the hour on the last four comparable days and their open windows
    # (staffing.workload.windows_now)
    with django_assert_num_queries(14):
        response = client.get(reverse("staffing-roster"))
    page = text(response)
    assert "共 60 人" in page and "第 1 页，共 2 页" in page and "3级" in page and "违规 1 次" in page
    assert "N-059" in text(client.get(reverse("staffing-roster"), {"page": 2}))


def test_a_supervisor_records_a_conduct_incident(client, world) -> None:
    secondment = seconded("clerk", hall=world.city, department=world.police)
    client.force_login(world.supervisor)
    url = reverse("staffing-person", args=[secondment.pk])
    assert "暂无违反行为规范记录。" in text(client.get(url))
    bad = client.post(url, {"source": "complaint", "occurred_on": "2026-11-20", "description": "短"})
    assert bad.status_code == 400 and "请描述具体情况（至少10个字）。" in text(bad)
    future = client.post(
        url, {"source": "complaint", "occurred_on": "2099-01-01", "description": "服务态度生硬，群众投诉"}
    )
    assert future.status_code == 400 and "发生日期不能晚于今天。" in text(future)
    assert not ConductIncident.objects.exists()
    done = client.post(
        url,
        {
            "source": "bad_rating",
            "occurred_on": "2026-11-20",
            "reference": "",
            "description": "使用禁止用语“下班了”，收到差评",
        },
        follow=True,
    )
    assert "已记录违反行为规范情况（差评）。" in text(done)
    incident = ConductIncident.objects.get()
    assert incident.recorded_by == world.supervisor and incident.secondment == secondment
    assert Secondment.objects.count() == 1
