"""The Summary, Stand-ups and Risks sheets: small tables of counts, with their charts.

Charts sit below their tables (never over text), and a chart with nothing to draw is left out
with a line saying so, rather than drawn on an empty axis.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

from openpyxl.utils import get_column_letter

from exports import columns as C
from exports import words as W
from exports.cells import CellMaker
from exports.queries import Filters, RegisterCounts, WeekRow
from exports.workbook import bar_chart, layout, line_chart, table
from i18n import _
from models.vocab import STAGES

CHART_ROWS = 16  # rows a 7.5 cm chart covers at the default row height, and a blank one
MAX_GROUP_LINES = 8  # more groups than this: the participation chart shows all groups as one line


def write_summary(
    ws, cells: CellMaker, counts: RegisterCounts, filters: Filters, made_at: datetime, made_by: str, timezone: str
) -> None:
    zone = ZoneInfo(timezone)
    L = {key: _(label) for key, label in W.SUMMARY_LABELS.items()}
    ws.column_dimensions["A"].width = 26
    ws.column_dimensions["B"].width = 40
    ws.append([cells.title(_(W.TITLE))])
    ws.append([cells.bold(L["made_on"]), cells.date(made_at, zone)])
    ws.append([cells.bold(L["made_by"]), cells.text(W.made_by(made_by), width=40)])
    ws.append([cells.bold(L["filters"]), cells.text(W.filters_text(filters), width=40)])
    ws.append([cells.bold(L["zone"]), timezone])
    ws.append([cells.bold(L["innovations"]), counts.innovations])
    ws.append([cells.bold(L["stage_changes"]), counts.stage_changes])
    ws.append([])
    stage_top = 9
    ws.append([cells.header(L["stage"]), cells.header(L["innovations"])])
    for stage in STAGES:
        ws.append([W.shown(stage), counts.per_stage.get(stage, 0)])
    ws.append([])
    group_top = stage_top + len(STAGES) + 2
    ws.append([cells.header(L["group"]), cells.header(L["innovations"])])
    for handle, n in counts.per_group:
        ws.append([cells.word(handle), n])
    ws.append([])
    row = group_top + len(counts.per_group) + 2  # the first row below the tables
    if counts.innovations == 0:
        ws.append([cells.note(_(W.NO_INNOVATIONS))])
        return
    largest = max(counts.per_stage.values())
    axis = _(W.CHART_AXIS)
    ws.add_chart(bar_chart(ws, _(W.CHART_STAGES), axis, stage_top, len(STAGES), largest), f"A{row}")
    most = max(n for _handle, n in counts.per_group)
    ws.add_chart(bar_chart(ws, _(W.CHART_GROUPS), axis, group_top, len(counts.per_group), most), f"A{row + CHART_ROWS}")


def write_standups(ws, cells: CellMaker, weeks: list[WeekRow]) -> None:
    """Per group and week, then a pivot (weeks down, groups across) that the line chart draws."""
    handles = sorted({w.handle for w in weeks})
    lines = handles if len(handles) <= MAX_GROUP_LINES else []
    pivot_width = 2 + len(lines)
    for index in range(len(C.STANDUPS) + 1, pivot_width + 1):  # widths are set before the first row
        ws.column_dimensions[get_column_letter(index)].width = 14
    headers = C.headers(C.STANDUPS, "standups")
    layout(ws, cells, C.STANDUPS, headers)
    for w in weeks:
        ws.append([cells.word(w.handle), w.week, w.prompted, w.answered, cells.percent(w.participation), w.blockers])
    table(ws, "Standups", headers, len(weeks))
    ws.append([])
    if len(weeks) == 0:
        ws.append([])
        ws.append([cells.note(_(W.NO_STANDUPS))])
        return
    top = 1 + max(len(weeks), 1) + 2  # header, data (or the table's one empty row), a blank row
    ws.append([cells.bold(_(W.PARTICIPATION_TABLE))])
    ws.append([cells.header(C.header("week")), cells.header(_(W.PARTICIPATION_ALL)), *map(cells.header, lines)])
    header_row = top + 1
    by_week: dict[str, dict[str, WeekRow]] = {}
    for w in weeks:
        by_week.setdefault(w.week, {})[w.handle] = w
    for week in sorted(by_week):
        groups = by_week[week]
        prompted = sum(w.prompted for w in groups.values())
        answered = sum(w.answered for w in groups.values())
        rates = [cells.percent(groups[h].participation) if h in groups else None for h in lines]
        ws.append([week, cells.percent(answered / prompted if prompted else None), *rates])
    chart = line_chart(
        ws,
        _(W.CHART_PARTICIPATION),
        header_row,
        len(by_week),
        1 + len(lines),
        C.header("standups.participation", "standups"),
    )
    ws.add_chart(chart, f"A{header_row + len(by_week) + 2}")


def write_risks(ws, cells: CellMaker, counts: dict[str, dict[str, int]], attention: Iterable[tuple]) -> int:
    """Counts per stage and risk level, then Needs attention; returns how many need attention."""
    for letter, width in zip("ABCDE", (12, 30, 16, 12, 40), strict=True):
        ws.column_dimensions[letter].width = width
    for index in range(6, len(C.RISK_COUNTS) + 1):
        ws.column_dimensions[get_column_letter(index)].width = 11
    ws.freeze_panes = "A2"
    headers = C.headers(C.RISK_COUNTS)
    ws.append([cells.header(h) for h in headers])
    keys = [c.key for c in C.RISK_COUNTS[1:]]
    for stage in STAGES:
        ws.append([W.shown(stage), *(counts[stage][k] for k in keys)])
    table(ws, "RiskCounts", headers, len(STAGES))
    ws.append([])
    ws.append([cells.bold(_(W.ATTENTION_TITLE))])
    ws.append([cells.note(_(W.ATTENTION_EXPLAINED))])
    top = len(STAGES) + 5
    attention_headers = C.headers(C.ATTENTION)
    ws.append([cells.header(h) for h in attention_headers])
    widths = {c.key: c.width for c in C.ATTENTION}
    n = 0
    for iid, title, handle, stage, unassessed, unguarded in attention:
        ws.append(
            [
                f"INN-{iid}",
                cells.text(title, width=30),
                cells.word(handle),
                cells.word(W.shown(stage)),
                cells.text(W.attention_why(unassessed, unguarded), width=widths["why"]),
            ]
        )
        n += 1
    table(ws, "NeedsAttention", attention_headers, n, top=top)
    if n == 0:
        ws.append([])
        ws.append([cells.note(_(W.NOTHING_NEEDS_ATTENTION))])
    return n
