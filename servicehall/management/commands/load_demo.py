"""`manage.py load_demo`: the whole demo, app by app (catalog, queues, appointments, cases). Safe to
rerun: each part creates only what is missing."""

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from appointments import demo as appointment_demo
from cases import demo as case_demo
from feedback import demo_ratings as rating_demo
from feedback import demo_reports as report_demo
from queueing import demo as queue_demo
from servicehall import simulator
from staffing import demo as staffing_demo


class Command(BaseCommand):
    help = "Load the demo data of every app (catalog and guides, halls, staff, queues, appointments); safe to rerun."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-calendar", action="store_true", help="Do not fill this and next year's calendar.")

    def handle(self, *args: Any, **options: Any) -> None:
        catalog_args = ["--no-calendar"] if options["no_calendar"] else []
        call_command("load_demo_catalog", *catalog_args, verbosity=options["verbosity"], stdout=self.stdout)
        created = queue_demo.load()
        if options["verbosity"] >= 1:
            self.stdout.write(
                "Queues: {categories} categories, {windows} windows, {daily_stats} days of history created now.".format(
                    **created
                )
            )
        booked = appointment_demo.load()
        if options["verbosity"] >= 1:
            self.stdout.write(
                "Appointments: {plans} slot plans, {slots} slots, {bookings} bookings created now.".format(**booked)
            )
        cases = case_demo.load()
        if options["verbosity"] >= 1:
            self.stdout.write("Cases: {cases} cases created now.".format(**cases))
        feedback_reports = report_demo.load()
        if options["verbosity"] >= 1:
            self.stdout.write("Reports: {reports} “办不成事” reports created now.".format(**feedback_reports))
        rated = rating_demo.load()
        if options["verbosity"] >= 1:
            self.stdout.write(
                "Ratings: {ratings} ratings and {orders} rectification orders created now.".format(**rated)
            )
        staff = staffing_demo.load()
        if options["verbosity"] >= 1:
            self.stdout.write("Staffing: {secondments} secondments created now.".format(**staff))
        enrolled = demo_two_factor()
        if options["verbosity"] >= 1:
            self.stdout.write(f"Two-factor login: {enrolled} demo accounts given the demo authenticator now.")
        # Last: today at the busy halls up to now, by the hall-day simulator (issue 14).
        tickets = simulator.demo_today()
        if options["verbosity"] >= 1:
            self.stdout.write(f"Today: {tickets} tickets simulated at the busy halls up to now.")
            if not tickets:
                self.stdout.write(not_open_yet())


def not_open_yet() -> str:
    """Why today has nothing yet (before the busy halls open, or a day they are closed), and when
    it will: the dashboards show the past days' history meanwhile, and the clerks' consoles and the
    take page work from the opening (walkthrough: a demo started after midnight had no "today")."""
    from django.utils import timezone

    from catalog.models import Hall
    from catalog.selectors import hall_next_opening
    from queueing import demo as queue_demo
    from servicehall.clock import local_now

    hall = Hall.objects.filter(code=queue_demo.BUSY_HALLS[0]).first()
    opens = hall_next_opening(hall=hall, after=timezone.now()) if hall is not None else None
    when = f"{local_now(opens):%Y-%m-%d %H:%M} (Asia/Shanghai)" if opens else "not within 30 days"
    return (
        f"  The busy halls have not opened yet today: the dashboards show the past days' history, and "
        f"tickets can be taken and called from the next opening, {when}."
    )


def demo_two_factor() -> int:
    """Give the demo accounts that must use a second factor (supervisors, administrators) the
    demo's public TOTP secret, so that `make run` can print it: real accounts never get it."""
    from django.contrib.auth import get_user_model

    from catalog import demo_data
    from servicehall import twofactor

    usernames = [account.username for account in demo_data.ACCOUNTS]
    users = get_user_model().objects.filter(username__in=usernames)
    return sum(twofactor.demo_enrol(user=user) for user in users if twofactor.is_required(user))
