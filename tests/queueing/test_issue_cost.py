"""What a ticket issue costs (issue 14): a fixed number of statements however long the queue,
the queue looked up once per process and read again as soon as it changes."""

from __future__ import annotations

import datetime as dt
import time

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from queueing import lookups
from queueing.models import Ticket, TicketEvent
from tests.markers import needs_postgres, needs_redis
from tests.queueing.factories import NOW, make_queue_hall
from tests.redis_trips import count_round_trips


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


def issue(client, code: str, letter: str = "A"):
    return client.post(f"/api/v1/halls/{code}/tickets/", {"category": letter}, content_type="application/json")


# Inside the test's transaction (as inside any caller's) the queue's offset is read again on
# every issue, since a transaction that may roll back is no place to learn it from (a savepoint,
# whether the queue's sequence exists, the offset, the release), then the ticket's statement in a
# savepoint of its own: seven queries; SQLite takes the counter's and the ORM's path.
IN_A_TRANSACTION = {"postgresql": 7, "sqlite": 7}


@pytest.mark.django_db
def test_an_issue_costs_the_same_queries_however_long_the_queue(client, django_assert_num_queries) -> None:
    qh = make_queue_hall()
    qh.sign_in_all()
    assert issue(client, qh.hall.code).status_code == 201  # the category is remembered
    client.get(f"/api/v1/halls/{qh.hall.code}/queue/")  # the published queue the answer reads
    with django_assert_num_queries(IN_A_TRANSACTION[connection.vendor]):
        assert issue(client, qh.hall.code).status_code == 201
    for _ in range(20):
        issue(client, qh.hall.code)
    with django_assert_num_queries(IN_A_TRANSACTION[connection.vendor]):
        response = issue(client, qh.hall.code)
    assert response.status_code == 201 and response.json()["number"] == "A023"
    event = TicketEvent.objects.get(ticket__number="A023")
    assert event.kind == "issued" and event.data == {"source": "online", "priority": ""}


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_on_postgresql_an_issue_is_one_statement(client) -> None:
    """The number drawn from the queue's own sequence by the statement that inserts the ticket
    and its first event: one round trip, where there were nine, prepared once per connection
    (servicehall/prepared.py). The queue's offset for the day is read by the first issue of a
    process and remembered."""
    qh = make_queue_hall()
    with CaptureQueriesContext(connection) as first:
        assert issue(client, qh.hall.code).json()["number"] == "A001"
    assert any("queueing_ticketsequence" in q["sql"] for q in first.captured_queries)
    client.get(f"/api/v1/halls/{qh.hall.code}/queue/")
    with CaptureQueriesContext(connection) as ctx:
        response = issue(client, qh.hall.code)
    assert response.status_code == 201 and response.json()["number"] == "A002"
    statements = [q["sql"] for q in ctx.captured_queries]
    assert len(statements) == 1 and statements[0].startswith("EXECUTE sh_ticket_issue("), statements
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements WHERE name = 'sh_ticket_issue'")
        [prepared] = cursor.fetchone()
    assert "nextval" in prepared and "queueing_ticketevent" in prepared
    ticket = Ticket.objects.get(token=response.json()["token"])
    assert ticket.events.get().kind == "issued" and ticket.source == "online" and ticket.status == "waiting"
    assert (ticket.sequence, ticket.number) == (2, "A002")


@pytest.mark.django_db(transaction=True)
def test_on_every_database_new_numbers_follow_the_days_tickets_and_the_answer_counts_right(client) -> None:
    """Tickets of the day already numbered from 500 (the demo's, another path's): the next issue is
    numbered after them on SQLite as on PostgreSQL, and its answer says who is ahead as the
    ticket's status does (walkthrough: SQLite's counter began at 1 beside them, and the answer,
    reading the published copy's newest number 525, said 0 ahead where the status said 3)."""
    qh = make_queue_hall()
    qh.sign_in_all()
    day = NOW.astimezone(dt.timezone(dt.timedelta(hours=8))).date()
    Ticket.objects.bulk_create(
        Ticket(
            hall=qh.hall, category=qh.a, service_date=day, sequence=n, number=f"A{n}", token=f"t{n}" * 8,
            source="kiosk", status="done", issued_at=NOW - dt.timedelta(minutes=30), arrived_at=NOW,
        )
        for n in range(500, 526)
    )  # fmt: skip
    client.get(f"/api/v1/halls/{qh.hall.code}/queue/")  # a published copy that knows A525
    answers = [issue(client, qh.hall.code, "A").json() for _ in range(3)]
    assert [a["number"] for a in answers] == ["A526", "A527", "A528"]
    for answer in answers:
        status = client.get(f"/api/v1/tickets/{answer['token']}/").json()
        assert answer["people_ahead"] == status["people_ahead"], (answer, status)
    assert [a["people_ahead"] for a in answers] == [0, 1, 2]


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_numbers_follow_the_days_tickets_whatever_the_sequence_or_offset_says(client) -> None:
    """The unique constraint is the truth: tickets already there (another path, an older counter)
    are followed, and a sequence set back under a remembered offset is caught and the offset read
    again, so the next number is the next free one — never a duplicate, never below one."""
    from queueing import services
    from queueing.models import TicketSequence

    qh = make_queue_hall()
    assert issue(client, qh.hall.code, "A").json()["number"] == "A001"
    # A remembered offset that gives no number above zero (the value it drew is skipped).
    day = Ticket.objects.get(number="A001").service_date
    services._number_offsets[(qh.a.pk, day)] = 50
    assert issue(client, qh.hall.code, "A").json()["number"] == "A003"
    # The sequence set back: the number taken is caught and the offset read again.
    with connection.cursor() as cursor:
        cursor.execute("SELECT setval(%s, 1, false)", [services.number_sequence(qh.a.pk)])
    assert issue(client, qh.hall.code, "A").json()["number"] == "A004"

    # Queue B's numbers up to 999 taken by a ticket made elsewhere before B's first issue: the
    # offset read follows it, with a fourth digit once past 999.
    Ticket.objects.create(
        hall=qh.hall, category=qh.b, service_date=day, sequence=999, number="B999", token="x" * 24,
        source="kiosk", issued_at=NOW, arrived_at=NOW,
    )  # fmt: skip
    assert issue(client, qh.hall.code, "B").json()["number"] == "B1000"
    assert issue(client, qh.hall.code, "B").json()["number"] == "B1001"  # remembered
    # The sequence set back under the remembered offset: the number taken is caught, read again.
    with connection.cursor() as cursor:
        cursor.execute("SELECT setval(%s, 1)", [services.number_sequence(qh.b.pk)])
    assert issue(client, qh.hall.code, "B").json()["number"] == "B1002"
    # The queue's row deleted by hand: this process's offset still holds; a new process reads one
    # that follows the tickets.
    TicketSequence.objects.all().delete()
    assert issue(client, qh.hall.code, "B").json()["number"] == "B1003"
    services.forget_number_offsets()
    assert issue(client, qh.hall.code, "B").json()["number"] == "B1004"
    numbers = list(Ticket.objects.filter(service_date=day).values_list("number", flat=True))
    assert len(numbers) == len(set(numbers)) == 9


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_a_new_queue_gets_its_sequence_at_its_first_ticket(client) -> None:
    from queueing import services
    from queueing.models import QueueCategory

    qh = make_queue_hall()
    c = QueueCategory.objects.create(hall=qh.hall, letter="C", name="不动产登记", order=3)
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [services.number_sequence(c.pk)])
        assert cursor.fetchone()[0] is None
    assert issue(client, qh.hall.code, "C").json()["number"] == "C001"
    assert issue(client, qh.hall.code, "C").json()["number"] == "C002"
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [services.number_sequence(c.pk)])
        assert cursor.fetchone()[0] is not None


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_a_deleted_queue_takes_its_sequence_with_it_unless_the_delete_is_rolled_back(client) -> None:
    """Walkthrough leftover: a deleted queue left its number sequence behind."""
    from django.db import transaction

    from queueing import services
    from queueing.models import QueueCategory, Ticket

    def sequence_exists(category_id: int) -> bool:
        with connection.cursor() as cursor:
            cursor.execute("SELECT to_regclass(%s)", [services.number_sequence(category_id)])
            return cursor.fetchone()[0] is not None

    qh = make_queue_hall()
    c = QueueCategory.objects.create(hall=qh.hall, letter="C", name="不动产登记", order=3)
    assert issue(client, qh.hall.code, "C").json()["number"] == "C001"
    Ticket.objects.filter(category=c).delete()
    assert sequence_exists(c.pk)

    class Undone(Exception):
        pass

    with pytest.raises(Undone), transaction.atomic():
        QueueCategory.objects.get(pk=c.pk).delete()
        raise Undone
    assert sequence_exists(c.pk)

    pk = c.pk
    c.delete()
    assert not sequence_exists(pk)
    # The hall's other queues keep theirs and go on numbering.
    assert issue(client, qh.hall.code).json()["number"] == "A001"
    assert sequence_exists(qh.a.pk)


@pytest.mark.django_db
def test_a_burst_of_issues_answered_from_one_published_copy_counts_each_other(client, commits) -> None:
    """Walkthrough finding 4: five issues in a row were each answered "1 ahead" from the same
    published copy of the queue; each counts the numbers drawn since the copy's newest, so the
    answers say 1, 2, 3, 4, 5 ahead, as the ticket's own status does."""
    qh = make_queue_hall()
    assert commits(lambda: issue(client, qh.hall.code)).json()["people_ahead"] == 0
    client.get(f"/api/v1/halls/{qh.hall.code}/queue/")  # published: A001 waiting
    answers = [commits(lambda: issue(client, qh.hall.code)).json() for _ in range(5)]
    assert [a["number"] for a in answers] == ["A002", "A003", "A004", "A005", "A006"]
    assert [a["people_ahead"] for a in answers] == [1, 2, 3, 4, 5]
    for answer in answers:
        assert client.get(f"/api/v1/tickets/{answer['token']}/").json()["people_ahead"] == answer["people_ahead"]


@pytest.mark.django_db
def test_a_window_opened_since_the_copy_was_published_gives_the_answer_its_estimate(client, commits) -> None:
    """Walkthrough: the published copy, made before any window opened, had no estimate; the
    issue's answer said none while the ticket's own page said 58 minutes. The answer now reads
    the hall's snapshot as it is when the copy has no estimate, and agrees with the page."""
    from queueing import services

    qh = make_queue_hall()
    assert commits(lambda: issue(client, qh.hall.code)).json()["estimated_wait_minutes"] is None  # no window
    client.get(f"/api/v1/halls/{qh.hall.code}/queue/")  # published without a window serving A
    # A copy without an estimate that young is trusted (a burst in a hall with no window open
    # reads nothing more); one older is checked against the hall as it is now.
    assert commits(lambda: issue(client, qh.hall.code)).json()["estimated_wait_minutes"] is None
    later = NOW + dt.timedelta(minutes=2)
    with time_machine.travel(later, tick=False):
        commits(lambda: services.window_sign_in(window=qh.window_a, staff=qh.staff[2], now=later))
        answer = commits(lambda: issue(client, qh.hall.code)).json()
        page = client.get(f"/api/v1/tickets/{answer['token']}/").json()
    assert answer["people_ahead"] == page["people_ahead"] == 2
    assert answer["estimated_wait_minutes"] is not None
    assert answer["estimated_wait_minutes"] == page["estimated_wait_minutes"]


@pytest.mark.parametrize(
    ("waiting", "last", "sequence", "ahead"),
    [
        (3, None, 9, 3),  # nothing newer known: the copy's waiting
        (3, 5, 6, 3),  # the copy is just older than the ticket
        (3, 5, 9, 6),  # three numbers drawn since the copy's newest
        (4, 9, 9, 3),  # the copy already holds the ticket
        (4, 9, 8, 2),  # ... and one drawn after it
        (1, 9, 2, 0),  # never below none
    ],
)
def test_who_is_ahead_of_a_normal_ticket_from_a_copy_older_or_newer(waiting, last, sequence, ahead) -> None:
    from queueing.apis import _normal_ahead

    assert _normal_ahead({"waiting": waiting, "last_sequence": last}, sequence) == ahead


@pytest.mark.django_db
def test_a_category_switched_off_refuses_tickets_at_once(client) -> None:
    qh = make_queue_hall()
    assert issue(client, qh.hall.code).status_code == 201
    qh.a.is_active = False
    qh.a.save()
    refused = issue(client, qh.hall.code)
    assert refused.status_code == 400 and refused.json()["errors"] == {"category": ["本大厅没有该排队类别。"]}
    qh.a.is_active = True
    qh.a.save()
    assert issue(client, qh.hall.code).status_code == 201


@pytest.mark.django_db
def test_a_change_made_by_another_process_is_seen_on_the_next_issue(client) -> None:
    """Another process's save changes the shared version only (its signal ran there): this
    process still remembers the category, and must read it again."""
    qh = make_queue_hall()
    assert issue(client, qh.hall.code).status_code == 201
    type(qh.a).objects.filter(pk=qh.a.pk).update(is_active=False)  # no signal in this process
    lookups._bump()
    assert issue(client, qh.hall.code).status_code == 400  # no such queue now: an invalid letter


@needs_redis
@pytest.mark.django_db(transaction=True)
def test_an_issue_makes_two_round_trips_to_redis(client, monkeypatch) -> None:
    """The rate limit, the queues' version and the hall's published queue in one pipeline before
    the insert; the dirty mark and the consoles' generation in one after the commit (issue 14:
    there were six round trips, the largest share of an issue once the statements were two)."""
    from queueing import snapshot

    qh = make_queue_hall()
    assert issue(client, qh.hall.code).status_code == 201  # the category and the hall's id are remembered
    client.get(f"/api/v1/halls/{qh.hall.code}/queue/")  # the published queue the answer reads
    trips = count_round_trips(monkeypatch)
    response = issue(client, qh.hall.code)
    assert response.status_code == 201 and response.json()["people_ahead"] == 1
    assert trips == ["pipeline: SET INCRBY MGET", "pipeline: SET DEL"], trips
    assert snapshot.cache.get(snapshot._dirty_key(qh.hall.pk)) == 1


@needs_redis
def test_the_cache_reads_redis_replies_with_hiredis() -> None:
    """redis-py's C reply parser (a dependency, issue 14): the pure-Python one cost a third of an
    issue's Redis CPU (docs/decisions.md)."""
    from django.core.cache import caches
    from redis._parsers.hiredis import _HiredisParser

    pool = caches["default"]._cache.get_client(write=True).connection_pool
    connection = pool.get_connection()
    try:
        assert isinstance(connection._parser, _HiredisParser)
    finally:
        pool.release(connection)


@needs_redis
def test_the_redis_cache_does_not_scan_keys_for_memcacheds_limits(monkeypatch) -> None:
    """Django's memcached key warnings cost a scan of each character of each key; Redis has no
    such limits (the memory cache still checks them)."""
    from django.core.cache import caches
    from django.core.cache.backends import base
    from django.core.cache.backends.locmem import LocMemCache

    scanned: list[str] = []
    monkeypatch.setattr(base, "memcache_key_warnings", lambda key: scanned.append(key) or [])
    caches["default"].get_many(["queue:a", "queue:b"])
    assert scanned == []
    LocMemCache("scan-check", {}).get("queue:a")
    assert scanned == [":1:queue:a"]


@needs_redis
@pytest.mark.django_db(transaction=True)
def test_with_marks_coalesced_a_burst_of_issues_shares_one_mark_written_by_the_process(client, monkeypatch) -> None:
    """As served (``QUEUE["issue_mark_seconds"]``): the issue's request makes one round trip, its
    rate limit's; the marks of a burst of issues in two halls are written together by the
    process's mark writer a moment later, in one round trip."""
    from django.test import override_settings

    from queueing import snapshot

    halls = [make_queue_hall(), make_queue_hall(code="GZ-TEST-2")]
    for qh in halls:
        assert issue(client, qh.hall.code).status_code == 201
        client.get(f"/api/v1/halls/{qh.hall.code}/queue/")
    snapshot.cache.delete_many([snapshot._dirty_key(qh.hall.pk) for qh in halls])
    trips = count_round_trips(monkeypatch)
    with override_settings(QUEUE={**settings.QUEUE, "issue_mark_seconds": 0.3}):
        for qh in halls * 3:
            assert issue(client, qh.hall.code).status_code == 201
        assert trips == ["pipeline: SET INCRBY MGET"] * 6, trips  # the requests' own
        assert all(snapshot.cache.get(snapshot._dirty_key(qh.hall.pk)) is None for qh in halls)
        marks = [trip for trip in trips if "DEL" in trip]
        deadline = time.monotonic() + 10
        while not marks and time.monotonic() < deadline:
            time.sleep(0.05)
            marks = [trip for trip in trips if "DEL" in trip]
        time.sleep(0.5)  # a second write would come within this
    assert [trip for trip in trips if "DEL" in trip] == ["pipeline: SET SET DEL"], trips
    assert all(snapshot.cache.get(snapshot._dirty_key(qh.hall.pk)) == 1 for qh in halls)


@needs_redis
@pytest.mark.django_db(transaction=True)
def test_a_ticket_asked_for_before_its_mark_is_written_is_in_the_queue_it_is_shown(client, monkeypatch) -> None:
    """The person who just took a ticket asks for it before the process has written its mark: the
    snapshot built before the ticket does not hold it, and is rebuilt at once (the page and the
    API say where it stands, not "unknown")."""
    from queueing import snapshot

    qh = make_queue_hall()
    qh.sign_in_all()
    first = issue(client, qh.hall.code).json()
    client.get(f"/api/v1/tickets/{first['token']}/")  # the snapshot is built, holding the first
    monkeypatch.setattr(snapshot, "mark_dirty_soon", lambda hall_id: None)  # the mark is on its way
    with time_machine.travel(NOW + dt.timedelta(seconds=2), tick=False):
        second = issue(client, qh.hall.code).json()
        status = client.get(f"/api/v1/tickets/{second['token']}/").json()
        page = client.get(f"/t/{second['token']}/")
    assert status["people_ahead"] == 1
    assert page.status_code == 200 and page.context["progress"]["ahead"] == 1


@needs_redis
@pytest.mark.django_db
def test_the_answer_reads_the_published_queue_fetched_with_the_rate_limit(client, monkeypatch) -> None:
    """What the pipeline brought back is what the answer says: a published queue of 7 waiting
    gives 7 ahead, without reading the cache again."""
    from queueing import apis, snapshot

    qh = make_queue_hall()
    assert issue(client, qh.hall.code).status_code == 201
    client.get(f"/api/v1/halls/{qh.hall.code}/queue/")
    published = snapshot.peek_public(qh.hall.pk)
    for row in published["public"]["categories"]:
        row["waiting"] = 7 if row["letter"] == "A" else row["waiting"]
    snapshot.cache.set(snapshot.public_key(qh.hall.pk), published, 60)
    monkeypatch.setattr(apis.snapshot, "peek_public", lambda hall_id: pytest.fail("read again"))
    assert issue(client, qh.hall.code).json()["people_ahead"] == 7


@needs_postgres
@pytest.mark.django_db
def test_the_remembered_insert_gets_the_values_djangos_compiler_would_send() -> None:
    """The ticket-and-event statement is built once per process; the values sent with it later
    are computed column by column from the issue's values (no model instance) and must be the
    ones Django's own INSERT would send, defaults included; the ticket returned is the row saved."""
    import datetime as dt

    from queueing import services

    qh = make_queue_hall()
    values = {
        "hall_id": qh.hall.pk,
        "category_id": qh.a.pk,
        "service_date": dt.date(2026, 11, 27),
        "sequence": 5,
        "number": "VA005",
        "token": "t" * 24,
        "source": "online",
        "priority": "elderly",
        "id_hash": "d" * 64,
        "id_masked": "4401**********0011",
        "issued_at": NOW,
        "arrived_at": NOW,
        "not_before": None,
        "staff_id": None,
    }
    ticket = Ticket(**values)
    compiled = [f.get_db_prep_save(f.pre_save(ticket, True), connection) for f in services._insert_fields(Ticket)]
    ours = services._column_values(services._insert_columns(Ticket), values, prepare=True)
    assert [getattr(v, "adapted", v) for v in compiled] == [getattr(v, "adapted", v) for v in ours]
    event = {"kind": "issued", "at": NOW, "staff_id": None, "data": {"source": "online", "priority": "elderly"}}
    columns = [c for c in services._insert_columns(TicketEvent) if c.attname != "ticket_id"]
    sent = services._column_values(columns, event, prepare=True)
    expected_event = TicketEvent(ticket_id=1, **event)
    compiled_event = [
        f.get_db_prep_save(f.pre_save(expected_event, True), connection)
        for f in services._insert_fields(TicketEvent)
        if f.name != "ticket"
    ]
    assert [getattr(v, "adapted", v) for v in sent] == [getattr(v, "adapted", v) for v in compiled_event]
    unnumbered = {k: v for k, v in values.items() if k not in ("sequence", "number")}
    saved = services._insert_numbered(unnumbered, event, letter="A", prefix="VA", recheck=False)
    again = Ticket.objects.get(pk=saved.pk)
    assert (again.sequence, again.number) == (1, "VA001")
    assert not saved._state.adding
    for f in Ticket._meta.concrete_fields:
        assert getattr(saved, f.attname) == getattr(again, f.attname), f.name
    assert TicketEvent.objects.get(ticket=again).data == event["data"]


@needs_postgres
@pytest.mark.django_db
def test_a_new_ticket_writes_only_the_indexes_the_reads_need() -> None:
    """Migrations 0008 and 0009 (issue 14): the hall's and the event's ticket index, the token's
    LIKE index dropped; the windows and the staff member indexed only where set, on tickets and
    on their events (an issue's event has neither) — and the constraints that
    keep the queue right (one ticket at a window, one per person, one number a day) still there."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN ('queueing_ticket', 'queueing_ticketevent')"
        )
        indexes = dict(cursor.fetchall())
    assert set(indexes) == {
        "queueing_ticket_pkey",
        "queueing_ticket_token_key",
        "queueing_ticket_category_id_803affb9",
        "ticket_waiting_idx",
        "ticket_day_idx",
        "ticket_date_status_idx",
        "ticket_number_once_per_day",
        "ticket_one_active_per_person",
        "ticket_one_current_per_window",
        "ticket_window_idx",
        "ticket_target_window_idx",
        "ticket_staff_idx",
        "queueing_ticketevent_pkey",
        "ticket_event_idx",
        "ticket_event_window_idx",
        "ticket_event_staff_idx",
    }, sorted(indexes)
    for name in (
        "ticket_window_idx",
        "ticket_target_window_idx",
        "ticket_staff_idx",
        "ticket_event_window_idx",
        "ticket_event_staff_idx",
    ):
        assert "IS NOT NULL" in indexes[name]
    assert "UNIQUE" in indexes["ticket_one_current_per_window"]


@needs_postgres
@pytest.mark.django_db
def test_a_windows_events_are_found_through_its_partial_index() -> None:
    """The event indexes that leave out the issues' events (window and staff not set) still serve
    the queries by window and by staff member: PostgreSQL proves ``window_id = 5`` implies
    ``window_id IS NOT NULL``."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan TO off")
        for column, index in (("window_id", "ticket_event_window_idx"), ("staff_id", "ticket_event_staff_idx")):
            cursor.execute(f"EXPLAIN SELECT id FROM queueing_ticketevent WHERE {column} = 5")  # noqa: S608
            plan = "\n".join(row[0] for row in cursor.fetchall())
            assert index in plan, plan
