"""The Innovations, Stage history and Action groups sheets: one streamed row per record."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from zoneinfo import ZoneInfo

from openpyxl.cell.cell import Cell

from exports import columns as C
from exports.cells import CellMaker
from exports.queries import GroupRow, person
from exports.words import NOT_IN_LIST, schedule_text, sdg_name, shown_words
from exports.workbook import layout, table, validations
from i18n import _

PROGRESS_EVERY = 1000
Progress = Callable[[int], None] | None


def _width(columns: tuple[C.Column, ...]) -> dict[str, int]:
    return {c.key: c.width for c in columns}


def sdg_text(sdgs: str | None) -> str:
    """ "3,5" -> "3 Good health and well-being; 5 Gender equality" (the import reads the numbers back)."""
    return "; ".join(f"{x} {sdg_name(int(x))}".strip() for x in (sdgs or "").split(",") if x.strip().isdigit())


def write_innovations(ws, cells: CellMaker, rows: Iterable[tuple], zone: ZoneInfo, progress: Progress) -> int:
    headers = C.headers(C.INNOVATIONS)
    layout(ws, cells, C.INNOVATIONS, headers)
    w = _width(C.INNOVATIONS)
    text, word, date, link = cells.text, cells.word, cells.date, cells.link
    wt, ws_, wo, wsg, wg, wl = w["title"], w["summary"], w["organisations"], w["safeguards"], w["tags"], w["link"]
    shown = shown_words()  # stage, kind and risk words, looked up per row in a dict
    say = shown.get
    sdg_labels: dict[str, str] = {}
    append = ws.append
    n = 0
    for (
        iid,
        title,
        handle,
        kind,
        stage,
        summary,
        orgs,
        by_id,
        by_name,
        by_forgotten,
        logged_at,
        updated_at,
        url,
        sdgs,
        privacy,
        civic,
        manipulation,
        safeguards,
        tags,
    ) in rows:
        sdg = sdg_labels.get(sdgs)
        if sdg is None:
            if len(sdg_labels) > 10_000:  # few combinations repeat; stay bounded if they do not
                sdg_labels.clear()
            sdg = sdg_labels[sdgs] = sdg_text(sdgs)
        tag = tags.replace(",", ", ") if tags else None  # stored normalised: "ai,privacy"
        append(
            (
                f"INN-{iid}",
                text(title, width=wt),
                word(handle),
                word(say(kind, kind)),
                word(say(stage, stage)),
                text(summary, width=ws_),
                text(", ".join(sorted(orgs.split(", "), key=str.lower)), width=wo) if orgs else None,
                text(person(by_id, by_name, by_forgotten), width=w["logged_by"]),
                date(logged_at, zone),
                date(updated_at, zone),
                link(url, width=wl),
                text(sdg, width=w["sdgs"]),
                word(say(privacy, privacy)),
                word(say(civic, civic)),
                word(say(manipulation, manipulation)),
                text(safeguards, width=wsg),
                text(tag, width=wg),
            )
        )
        n += 1
        if progress is not None and n % PROGRESS_EVERY == 0:
            progress(PROGRESS_EVERY)
    if progress is not None:
        progress(n % PROGRESS_EVERY)
    table(ws, "Innovations", headers, n)
    validations(ws, C.INNOVATIONS, n, _(NOT_IN_LIST), shown)
    return n


def write_history(ws, cells: CellMaker, rows: Iterable[tuple], zone: ZoneInfo, progress: Progress) -> int:
    headers = C.headers(C.HISTORY)
    layout(ws, cells, C.HISTORY, headers)
    w = _width(C.HISTORY)
    text, word, date, append = cells.text, cells.word, cells.date, ws.append
    shown = {**shown_words(), C.LOGGED: _(C.LOGGED)}
    logged = shown[C.LOGGED]
    # Names and titles repeat from row to row: plain strings are reused; a guarded cell is an
    # object written at one position, so it is built afresh each time.
    names: dict[tuple, str | None] = {}
    last_iid, ref, title_value = None, "", None
    n = 0
    for iid, title, from_stage, to_stage, by_id, by_name, by_forgotten, at, note in rows:
        key = (by_id, by_name, by_forgotten)
        if key in names:
            by = names[key]
        else:
            by = text(person(by_id, by_name, by_forgotten), width=w["by"])
            if not isinstance(by, Cell):
                names[key] = by
        if iid != last_iid or isinstance(title_value, Cell):
            last_iid, ref, title_value = iid, f"INN-{iid}", text(title, width=w["title"])
        append(
            (
                ref,
                title_value,
                word(shown.get(from_stage, from_stage) if from_stage else logged),
                word(shown.get(to_stage, to_stage)),
                by,
                date(at, zone),
                text(note, width=w["note"]),
            )
        )
        n += 1
        if progress is not None and n % PROGRESS_EVERY == 0:
            progress(PROGRESS_EVERY)
    if progress is not None:
        progress(n % PROGRESS_EVERY)
    table(ws, "StageHistory", headers, n)
    validations(ws, C.HISTORY, n, _(NOT_IN_LIST), shown)
    return n


def write_groups(ws, cells: CellMaker, rows: Iterable[GroupRow], zone: ZoneInfo) -> int:
    headers = C.headers(C.GROUPS)
    layout(ws, cells, C.GROUPS, headers)
    w = _width(C.GROUPS)
    n = 0
    for g in rows:
        channel = (
            cells.link(f"https://slack.com/app_redirect?channel={g.channel_id}", g.channel_id) if g.channel_id else None
        )
        ws.append(
            (
                cells.word(g.handle),
                cells.text(g.description, width=w["description"]),
                cells.text(g.lead, width=w["lead"]) or None,
                cells.text(", ".join(g.members), width=w["members"]),
                cells.text(", ".join(g.organisations), width=w["organisations"]),
                channel,
                g.innovations,
                cells.text(schedule_text(g.schedule), width=w["schedule"]),
                cells.percent(g.participation),
                cells.date(g.archived_at, zone),
            )
        )
        n += 1
    table(ws, "ActionGroups", headers, n)
    return n
