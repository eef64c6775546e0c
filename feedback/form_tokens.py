"""One-time form tokens for the public feedback forms (the online report at ``/report/``, the
rating page): the page carries a fresh signed token in a hidden field; the service stores the
token with what it created (``Report.submission_key``, ``Rating.submission_key``, unique), so a
double click, or the back button and a second submit, finds the first report or rating instead of
making another one, even when both requests race (the unique index settles it).

Signed so that only tokens this site issued are taken; valid for ``MAX_AGE`` (a form left open
longer is refused with a clear message and a fresh token)."""

from __future__ import annotations

import secrets

from django.core import signing

FIELD = "form_token"
MAX_AGE = 24 * 3600
_SALT = "feedback.form-token"


def issue() -> str:
    return signing.TimestampSigner(salt=_SALT).sign(secrets.token_urlsafe(16))


def checked(token: str | None) -> str | None:
    """The token if this site issued it within ``MAX_AGE``, else None."""
    if not token or len(token) > 120:
        return None
    try:
        signing.TimestampSigner(salt=_SALT).unsign(token, max_age=MAX_AGE)
    except signing.BadSignature:
        return None
    return token
