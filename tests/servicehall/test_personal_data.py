from __future__ import annotations

import datetime as dt
import logging

import pytest
from django.core.exceptions import ValidationError

from servicehall.personal_data import (
    MaskPersonalDataFilter,
    id_number_check_character,
    mask_id_number,
    mask_mobile,
    mask_name,
    scrub,
    validate_id_number,
    validate_mobile,
)

# GB 11643-1999's own worked example: 11010519491231002 → check character X.
VALID = "11010519491231002X"


def test_check_character_per_gb_11643() -> None:
    assert id_number_check_character("11010519491231002") == "X"
    # 4·7+4·9+0+1·5+0+6·4+1·2+9·1+9·6+0+0+3·9+0+7·5+1·8+2·4+3·2 = 242; 242 mod 11 = 0 → "1"
    assert id_number_check_character("44010619900307123") == "1"


def test_valid_numbers_are_normalised() -> None:
    assert validate_id_number(" 11010519491231002x ") == VALID


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("1101051949123100", "18位"),
        ("11010519491231002Y", "18位"),
        ("110105194912310021", "校验位"),
        ("110105194913310028", "出生日期"),
        ("110105209912310021", "出生日期"),
    ],
)
def test_invalid_numbers_get_a_clear_message(value: str, message: str) -> None:
    with pytest.raises(ValidationError) as excinfo:
        validate_id_number(value, today=dt.date(2026, 11, 27))
    assert message in excinfo.value.messages[0]


def test_mobile_numbers() -> None:
    assert validate_mobile("138-0013-8000") == "13800138000"
    with pytest.raises(ValidationError):
        validate_mobile("12345678901")


def test_masking() -> None:
    assert mask_id_number(VALID) == "1101**********002X"
    assert mask_mobile("13800138000") == "138****8000"


def test_log_records_never_carry_whole_numbers() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "booking by %s phone %s", (VALID, "13800138000"), None)
    MaskPersonalDataFilter().filter(record)
    assert record.getMessage() == "booking by 1101**********002X phone 138****8000"


def test_log_lines_never_carry_a_ticket_or_booking_token() -> None:
    token = "AbCdEfGhIjKlMnOpQrStUvWx"
    for path in (
        f"/t/{token}/",
        f"/book/manage/{token}/cancel/",
        f"/api/v1/tickets/{token}/",
        f"/api/v1/bookings/{token}/",
    ):
        record = logging.LogRecord("django.request", logging.WARNING, __file__, 1, "Not Found: %s", (path,), None)
        MaskPersonalDataFilter().filter(record)
        assert token not in record.getMessage() and "[redacted]" in record.getMessage()
    # A short path segment is no token: /t/help/ stays readable.
    assert scrub("GET /guides/0100201000/") == "GET /guides/0100201000/"


def test_a_traceback_is_masked_too() -> None:
    try:
        raise ValueError(f"duplicate key (id_number)=({VALID}) on /t/AbCdEfGhIjKlMnOpQrStUvWx/")
    except ValueError:
        import sys

        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())
    MaskPersonalDataFilter().filter(record)
    assert VALID not in record.exc_text and "AbCdEfGh" not in record.exc_text


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("陈明", "陈**"),
        ("陈志强", "陈**"),
        ("欧阳娜娜", "欧**"),
        ("陈" + "明" * 39, "陈**"),
        ("  陈志强 ", "陈**"),
        ("陈", "**"),
        ("", ""),
    ],
)
def test_a_masked_name_keeps_one_character_and_never_tells_the_length(name: str, masked: str) -> None:
    assert mask_name(name) == masked
