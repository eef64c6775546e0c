"""History exports of the dashboard: CSV and Excel (.xlsx), from the daily roll-ups. For each day
and hall: the hall's row, then one row per queue category and one per window, told apart by the
column "统计层级" (whole hall, queue category, window) and named in "统计范围".

CSV is UTF-8 with a byte-order mark so that Excel opens the Chinese text correctly, and it is
streamed row by row. Text cells that a spreadsheet would read as a formula are prefixed with an
apostrophe (CSV injection). Every text is translated before the response is returned: a streamed
body is produced after the request's language has been reset.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from io import BytesIO
from typing import Any
from urllib.parse import quote

from django.http import HttpResponse, StreamingHttpResponse
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from catalog.models import Hall
from queueing.dashboard import HALL_SCOPE, Figures, shown_minutes
from queueing.models import DailyStat
from servicehall.clock import local_now

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class _Labels:
    """Texts translated once, in the request's language."""

    headers: list[str]
    whole_hall: str
    category: str
    window: str
    levels: dict[str, str]

    @classmethod
    def now(cls) -> _Labels:
        return cls(
            headers=[
                _("日期"),
                _("大厅编码"),
                _("大厅名称"),
                _("统计层级"),
                _("统计范围"),
                _("取号数"),
                _("办结数"),
                _("过号数"),
                _("过号率"),
                _("取消数"),
                _("失效数"),
                _("叫号数"),
                _("平均等候（分钟）"),
                _("最长等候（分钟）"),
                _("平均办理（分钟）"),
                _("目标时间内叫号数"),
                _("目标时间内叫号占比"),
            ],
            whole_hall=_("全厅"),
            category=_("%(letter)s类 %(name)s"),
            window=_("%(number)s号窗口"),
            levels={"hall": _("全厅"), "category": _("排队类别"), "window": _("窗口")},
        )


_WIDTHS = [12, 14, 28, 10, 18, 9, 9, 9, 9, 9, 9, 9, 15, 15, 15, 12, 12]


def _text(value: str) -> str:
    return f"'{value}" if value.startswith(_FORMULA_STARTS) else value


def _values(stat: DailyStat, labels: _Labels) -> list[Any]:
    """One row as typed values: dates, integers, minutes (one decimal, ``Decimal``), a no-show
    fraction. Minutes come from the figures the history pages show, rounded by the same helper."""
    if stat.scope == HALL_SCOPE:
        level, scope = labels.levels["hall"], labels.whole_hall
    elif stat.category is not None:
        level = labels.levels["category"]
        scope = labels.category % {"letter": stat.category.letter, "name": stat.category.name}
    elif stat.window is not None:
        level, scope = labels.levels["window"], labels.window % {"number": stat.window.number}
    else:
        level = scope = stat.scope
    outcomes = stat.served + stat.no_show
    figures = Figures.from_stat(stat)
    return [
        stat.date,
        _text(stat.hall.code),
        _text(stat.hall.name),
        _text(level),
        _text(scope),
        stat.issued,
        stat.served,
        stat.no_show,
        stat.no_show / outcomes if outcomes else None,
        stat.cancelled,
        stat.expired,
        stat.waited,
        shown_minutes(figures.average_wait_minutes),
        shown_minutes(figures.longest_wait_minutes),  # None on a day nobody was called
        shown_minutes(figures.average_service_minutes),
        stat.waited_within_target,
        stat.within_target_share,
    ]


_RATE_COLUMNS = (8, 16)
_MINUTE_COLUMNS = (12, 13, 14)
# Excel's last row is 1,048,576; one is the header.
XLSX_MAX_ROWS = 1_048_575


def _csv_cells(values: list[Any]) -> list[str]:
    cells = []
    for index, value in enumerate(values):
        if value is None:
            cells.append("")
        elif index in _RATE_COLUMNS:
            cells.append(f"{value * 100:.1f}%")
        elif index in _MINUTE_COLUMNS:
            cells.append(f"{value:.1f}")
        elif isinstance(value, dt.date):
            cells.append(value.isoformat())
        else:
            cells.append(str(value))
    return cells


def _disposition(*, hall: Hall | None, start: dt.date, end: dt.date, extension: str) -> str:
    """An ASCII ``filename`` for old clients and the Chinese one as ``filename*`` (RFC 6266)."""
    span = f"{start:%Y%m%d}-{end:%Y%m%d}"
    plain = f"servicehall-waiting-{hall.code if hall else 'all'}-{span}.{extension}"
    readable = _("等候统计_%(scope)s_%(span)s") % {"scope": hall.name if hall else _("全部大厅"), "span": span}
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(f'{readable}.{extension}')}"


class _Echo:
    """A file-like object for ``csv.writer`` that hands each line back instead of storing it."""

    def write(self, value: str) -> str:
        return value


def csv_response(
    rows: Iterable[DailyStat], *, hall: Hall | None, start: dt.date, end: dt.date
) -> StreamingHttpResponse:
    labels = _Labels.now()
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield "\ufeff" + writer.writerow(labels.headers)
        for stat in rows:
            yield writer.writerow(_csv_cells(_values(stat, labels)))

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = _disposition(hall=hall, start=start, end=end, extension="csv")
    return response


def xlsx_response(rows: Iterable[DailyStat], *, hall: Hall | None, start: dt.date, end: dt.date) -> HttpResponse:
    labels = _Labels.now()
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("等候统计"))
    sheet.freeze_panes = "A2"
    for index, width in enumerate(_WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width

    bold = Font(bold=True)
    header = []
    for text in labels.headers:
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = bold
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        header.append(cell)
    sheet.append(header)
    for stat in rows:
        values = _values(stat, labels)
        cells: list[Any] = list(values)
        date = WriteOnlyCell(sheet, value=values[0])
        date.number_format = "yyyy-mm-dd"
        cells[0] = date
        for index in _RATE_COLUMNS:
            if values[index] is not None:
                rate = WriteOnlyCell(sheet, value=values[index])
                rate.number_format = "0.0%"
                cells[index] = rate
        for index in _MINUTE_COLUMNS:
            if values[index] is not None:
                minutes = WriteOnlyCell(sheet, value=float(values[index]))
                minutes.number_format = "0.0"
                cells[index] = minutes
        sheet.append(cells)

    notes = book.create_sheet(_("说明"))
    notes.column_dimensions["A"].width = 16
    notes.column_dimensions["B"].width = 80
    for row in (
        (_("统计期间"), f"{start.isoformat()} — {end.isoformat()}"),
        (_("统计范围"), hall.name if hall else _("权限范围内全部大厅")),
        (_("导出时间"), local_now().strftime("%Y-%m-%d %H:%M")),
        (
            _("统计层级"),
            _(
                "每个大厅每天先列“全厅”合计，其下依次列出各排队类别和各窗口的数据；"
                "每个号码只计入一个排队类别（转办的计入转办后所在的类别），各类别之和等于全厅；"
                "按窗口统计的是最后办理该号码的窗口，未被叫号的号码不计入任何窗口。"
            ),
        ),
        (_("平均等候"), _("从排队（取号或转办前的原排队时间）到叫号的平均分钟数，按当日被叫号的号码计算。")),
        (_("平均办理"), _("从开始办理到办结的平均分钟数，按当日办结的号码计算。")),
        (_("过号率"), _("过号数 ÷（办结数 + 过号数）。")),
        (
            _("目标时间内叫号"),
            _("被叫号者中，等候不超过所在排队类别目标等候时间的人数及其占叫号数的比例（按汇总时的目标设置）。"),
        ),
        (_("数据来源"), _("每日凌晨汇总的前一日统计数据，当天数据次日可查。")),
    ):
        notes.append([_text(text) for text in row])
    if end >= local_now().date():
        # The range reaches today: say why its last day has no rows yet.
        notes.append([_("今日数据"), _("统计期间包含今天，今日数据于次日汇总，未列入本文件。")])

    buffer = BytesIO()
    book.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = _disposition(hall=hall, start=start, end=end, extension="xlsx")
    return response
