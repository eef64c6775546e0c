"""Phone and ID numbers typed into free text the way people type them are masked before they are
stored (issue 11's walkthrough: a rating comment with "138 0013 8001" was stored as typed)."""

from __future__ import annotations

import pytest

from feedback.ratings import rating_input_clean
from servicehall.personal_data import mask_free_text, scrub


@pytest.mark.parametrize(
    ("typed", "masked"),
    [
        ("电话138 0013 8001，谢谢", "电话138 **** 8001，谢谢"),
        ("电话138-0013-8001", "电话138-****-8001"),
        ("请回电+8613800138001", "请回电+86138****8001"),
        ("请回电+86 138 0013 8001", "请回电+86 138 **** 8001"),
        ("手机１３８００１３８００１", "手机１３８****８００１"),
        ("身份证440106 19900307 123X 办不了", "身份证4401** ******** 123X 办不了"),
        ("身份证440106-19900307-1234", "身份证4401**-********-1234"),
        ("手机13800138001", "手机138****8001"),
    ],
)
def test_numbers_as_typed_are_masked_and_the_length_kept(typed: str, masked: str) -> None:
    assert mask_free_text(typed) == masked
    assert len(mask_free_text(typed)) == len(typed)
    assert scrub(typed) == masked  # log lines too


@pytest.mark.parametrize(
    "text",
    ["等了15分钟，窗口3号很快", "2026-12-03 10:30 取号 A015", "排了 1 3 个人", "订单 12345678901234 号"],
)
def test_other_figures_are_left_alone(text: str) -> None:
    assert mask_free_text(text) == text


def test_a_rating_comment_is_stored_masked() -> None:
    data = rating_input_clean(
        {
            "level": "satisfied",
            "efficiency": "satisfied",
            "quality": "satisfied",
            "attitude": "satisfied",
            "comment": "很好，请打138 0013 8001回访",
        }
    )
    assert data.comment == "很好，请打138 **** 8001回访"
