"""Who applies: the unified social credit code of a company or organisation (统一社会信用代码,
GB 32100-2015). A person's ID number is the kernel's (``servicehall.personal_data``).

The code has 18 characters from a 31-character alphabet (digits and capitals without I, O, S, V
and Z): the registering authority, the kind of organisation, the six-digit administrative
division, the nine-character organisation code, and a check character computed over the first
17 with weights 3^i mod 31.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))  # 1, 3, 9, 27, 19, 26, 16, …
_SHAPE = re.compile(rf"^[{CREDIT_CODE_ALPHABET}]{{2}}\d{{6}}[{CREDIT_CODE_ALPHABET}]{{10}}$")


def normalize_credit_code(value: str) -> str:
    return value.strip().replace(" ", "").upper()


def credit_code_check_character(first17: str) -> str:
    total = sum(CREDIT_CODE_ALPHABET.index(char) * weight for char, weight in zip(first17, _WEIGHTS, strict=True))
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


def validate_credit_code(value: str) -> str:
    """Return the normalised code or raise ``ValidationError`` with a message in Chinese."""
    code = normalize_credit_code(value)
    if not _SHAPE.match(code):
        raise ValidationError(
            _("统一社会信用代码应为18位，由数字和大写字母组成（不含I、O、S、V、Z），第3至8位为行政区划代码。"),
            code="credit_code_shape",
        )
    if credit_code_check_character(code[:17]) != code[17]:
        raise ValidationError(_("统一社会信用代码校验位不正确，请核对后重新输入。"), code="credit_code_check")
    return code
