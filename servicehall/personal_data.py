"""Personal data (PIPL): validating, masking and keeping ID and mobile numbers out of logs.

ID numbers are resident identity card numbers per GB 11643-1999: 17 digits and a check
character computed with ISO 7064 MOD 11-2.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
# ASCII digits only: \d would let "１１０…" (full-width) or Arabic-Indic digits through, numbers
# that are the same person's to int() but another digest and another text to the SMS gateway.
_ID_SHAPE = re.compile(r"^[0-9]{17}[0-9X]$")
_MOBILE_SHAPE = re.compile(r"^1[3-9][0-9]{9}$")

# Patterns for scrubbing free text (log lines): an ID-like run of 17 digits and a check
# character, and an 11-digit mainland mobile number, not inside a longer run of digits.
_ID_IN_TEXT = re.compile(r"(?<!\d)\d{17}[\dXx](?![\dA-Za-z])")
_MOBILE_IN_TEXT = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
# As people type them into a comment (issue 11's walkthrough: "138 0013 8001" was kept whole):
# grouped by a space or hyphen (3-4-4, ID 6-8-4), after +86, in full-width digits (\d matches
# them; the leading 1 and 3–9 are spelt out in both widths).
_SEP = r"[ \u3000-]?"
_MOBILE_TYPED = re.compile(rf"(?<![\d+])(?:\+?(?:86|８６){_SEP})?[1１][3-9３-９]\d{_SEP}\d{{4}}{_SEP}\d{{4}}(?!\d)")
_ID_TYPED = re.compile(rf"(?<!\d)\d{{6}}{_SEP}\d{{8}}{_SEP}\d{{3}}[\dXxＸｘ](?![\dA-Za-z])")
# A secret token in a URL path: a ticket's (/t/<token>/, /api/v1/tickets/<token>/), a booking's
# manage link (/book/manage/<token>/, /api/v1/bookings/<token>/) or a case's private progress link
# (/api/v1/case-progress/<token>/). Whoever holds one may cancel, reschedule or read the case, so
# access logs and "Not Found: /t/…" lines must not carry it.
_TOKEN_IN_PATH = re.compile(r"(/(?:t|manage|tickets|bookings|case-progress)/)[A-Za-z0-9_-]{16,}")


def id_number_check_character(first17: str) -> str:
    total = sum(int(digit) * weight for digit, weight in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def normalize_id_number(value: str) -> str:
    return value.strip().replace(" ", "").upper()


def birth_date_from_id_number(value: str) -> dt.date | None:
    try:
        return dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return None


def validate_id_number(value: str, *, today: dt.date | None = None) -> str:
    """Return the normalised ID number or raise ``ValidationError`` with a message in Chinese."""
    number = normalize_id_number(value)
    if not _ID_SHAPE.match(number):
        raise ValidationError(_("身份证号码应为18位，前17位为数字，最后一位为数字或X。"), code="id_shape")
    birth = birth_date_from_id_number(number)
    today = today or dt.date.today()  # noqa: DTZ011 - a calendar date, only compared by year
    if birth is None or birth > today or birth.year < 1900:
        raise ValidationError(_("身份证号码中的出生日期无效。"), code="id_birth_date")
    if id_number_check_character(number[:17]) != number[17]:
        raise ValidationError(_("身份证号码校验位不正确，请核对后重新输入。"), code="id_check_digit")
    return number


def validate_mobile(value: str) -> str:
    number = value.strip().replace(" ", "").replace("-", "")
    if not _MOBILE_SHAPE.match(number):
        raise ValidationError(_("请输入11位中国大陆手机号码。"), code="mobile_shape")
    return number


def id_digest(id_number: str) -> str:
    """A keyed digest of an ID number: finds a person's tickets and bookings without storing the
    number. Keyed by ``PERSONAL_DATA_KEY``, not ``SECRET_KEY``, so rotating the secret key does
    not orphan the stored digests."""
    return hmac.new(settings.PERSONAL_DATA_KEY.encode(), id_number.encode(), hashlib.sha256).hexdigest()


def mask_id_number(value: str) -> str:
    """Keep the first four and the last four characters: 4401**********123X."""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_mobile(value: str) -> str:
    """138****5678."""
    if len(value) != 11:
        return "*" * len(value)
    return value[:3] + "****" + value[-4:]


# What stands for the given name whatever its length: 陈** for 陈明 and for a forty-character name
# alike, so the mask says nothing of how long the name is (the practice of government sites).
NAME_MASK = "**"


def mask_name(name: str) -> str:
    """The family name's first character and a fixed mask: 张三 → 张**, 欧阳娜娜 → 欧**. A name of
    one character (a family name given alone) is all mask: showing it would show all of it."""
    name = name.strip()
    if not name:
        return ""
    return NAME_MASK if len(name) == 1 else name[0] + NAME_MASK


def mask_free_text(text: str) -> str:
    """Mask the ID and mobile numbers a citizen wrote into free text (a report's problem, a
    rating's comment, an urgent request's description) before it is stored: the full number is
    never kept. The length is unchanged, so a length checked before still holds."""
    text = _ID_IN_TEXT.sub(lambda m: mask_id_number(m.group(0)), text)
    text = _MOBILE_IN_TEXT.sub(lambda m: mask_mobile(m.group(0)), text)
    text = _ID_TYPED.sub(lambda m: _mask_typed(m.group(0), keep_first=4, total=18), text)
    return _MOBILE_TYPED.sub(lambda m: _mask_typed(m.group(0), keep_first=3, total=11), text)


def _mask_typed(typed: str, *, keep_first: int, total: int) -> str:
    """Mask a number as typed (spaces, hyphens, a +86 prefix, full-width digits kept where they
    were): of its last ``total`` digits, the first ``keep_first`` and the last four stay."""
    places = [i for i, ch in enumerate(typed) if ch.isdigit() or ch in "XxＸｘ"]
    number = places[-total:]
    hidden = set(number[keep_first:-4])
    return "".join("*" if i in hidden else ch for i, ch in enumerate(typed))


def scrub(text: str) -> str:
    """Mask ID and mobile numbers and redact URL tokens in free text (a log line)."""
    return _TOKEN_IN_PATH.sub(r"\1[redacted]", mask_free_text(text))


class MaskPersonalDataFilter(logging.Filter):
    """Logging filter that masks ID and mobile numbers and redacts URL tokens in every record's
    message. It sits on the root handler of every process (web, worker, beat, commands: see
    ``servicehall.celery``) and on gunicorn's access and error logs (``servicehall.gunicorn_conf``)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = scrub(message)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            # A traceback can quote an ID number or a token (an integrity error's key, a URL):
            # format it here, once, and mask it; the formatter then uses this text.
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = scrub(record.exc_text)
        return True
