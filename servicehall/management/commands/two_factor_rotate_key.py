"""`manage.py two_factor_rotate_key`: after setting a new TWO_FACTOR_KEY (the old one listed in
TWO_FACTOR_OLD_KEYS), rewrite every stored two-factor secret with the new key; then the old key
can be removed from TWO_FACTOR_OLD_KEYS (docs/security.md)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from servicehall import twofactor


class Command(BaseCommand):
    help = "Re-encrypt the stored two-factor secrets with the current TWO_FACTOR_KEY (key rotation)."

    def handle(self, *args: Any, **options: Any) -> None:
        rewritten, unreadable = twofactor.secrets_reencrypt()
        self.stdout.write(f"Re-encrypted {rewritten} two-factor secret(s) with the current TWO_FACTOR_KEY.")
        if unreadable:
            ids = ", ".join(str(pk) for pk in unreadable)
            raise CommandError(
                f"{len(unreadable)} device(s) cannot be decrypted with TWO_FACTOR_KEY or TWO_FACTOR_OLD_KEYS "
                f"(ids {ids}): add the key that encrypted them to TWO_FACTOR_OLD_KEYS and rerun, "
                "or reset those users' two-factor authentication in the admin."
            )
