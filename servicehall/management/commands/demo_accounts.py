from typing import Any

from django.core.management.base import BaseCommand

from catalog import demo_data


class Command(BaseCommand):
    help = "Print the demo staff accounts (username, role, hall, department)."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(demo_data.accounts_table(password_note=False))
