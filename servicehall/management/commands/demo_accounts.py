from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from catalog import demo_data
from servicehall import twofactor


class Command(BaseCommand):
    help = (
        "Print the demo staff accounts (username, role, hall, department) and the demo's "
        "two-factor secret; --code prints the demo authenticator's current code instead."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--code", action="store_true", help="Print the current code of the demo secret only.")

    def handle(self, *args: Any, **options: Any) -> None:
        # The demo secret is public by design (servicehall.twofactor.DEMO_SECRET): load_demo gives
        # it to the demo supervisors and administrator only; real devices get random secrets.
        if options["code"]:
            self.stdout.write(twofactor.totp(twofactor.DEMO_SECRET, twofactor.time_step()))
            return
        self.stdout.write(demo_data.accounts_table(password_note=False))
        self.stdout.write(
            "\nSupervisors and the administrator also enter a code from an authenticator app (TOTP):\n"
            f"add the demo secret {twofactor.DEMO_SECRET} to one (FreeOTP, Google Authenticator...),\n"
            "or run `scripts/manage demo_accounts --code` for the current code."
        )
