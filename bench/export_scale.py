"""How the register export scales, against a floor that shares none of its code: 10,000 and 100,000 innovations.

A scratch database (`--database-url`: its schema is dropped and rebuilt; otherwise SQLite in a
temporary folder, removed at the end) is migrated like production and seeded with bulk Core
inserts (bench/seeddata.py): 20 groups, 60 members, 200 organisations; per innovation a title,
a ~400-character summary, safeguards, a link, SDGs, tags, two organisations and three stage
changes (logged, and two moves). Sizes grow by topping up the same database.

For each size, two children run one after the other, each in a fresh Python process, `--repeat`
times interleaved (the best time of each is kept, the highest peak memory is reported):
- export: `exports.register.write_register` (the code behind `/spindle export` and
  `python -m exports`), whole register — four sheets, styles, tables, validations, links, the
  chart and the text guards — to an .xlsx file;
- floor: a plain openpyxl write-only dump of every table the register is made from (innovations,
  stage_changes, innovation_organisations, groups, members, organisations), each `SELECT *` as
  stored, streamed, NO joins, on its own engine: it shares no query with the exporter, so the
  ratio export/floor includes the cost of the exporter's queries as well as its polish.
Time is measured in the child around the work (imports and interpreter start excluded); peak
memory is the child's peak resident set (VmHWM: interpreter and imports included).

With `--languages en,nl` the export child runs once per language (interleaved with the floor), so
the cost of writing the register in Dutch is read against English in the same run.

    .venv/bin/python -m bench.export_scale [--sizes 10000,100000] [--repeat 1] [--languages en] [--database-url URL]
"""

from __future__ import annotations

import argparse
import json
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.common import backend_of, peak_rss_kb, scratch_database
from bench.common import run_child as common_run_child
from bench.seeddata import advance_sequences, seed_innovations, seed_people

TARGET_RATIO = 1.2  # issue 11
TARGET_MB = 100
FLOOR_TABLES = ["innovations", "stage_changes", "innovation_organisations", "groups", "members", "organisations"]
GROUPS, MEMBERS, ORGANISATIONS = 20, 60, 200
MEMBER_IDS = [f"U{i:05d}" for i in range(MEMBERS)]


def seed_base(db) -> None:
    groups = [(f"group-{g:02d}", f"C{g:05d}", MEMBER_IDS[g]) for g in range(GROUPS)]
    memberships = [(g + 1, MEMBER_IDS[(g * 3 + k) % MEMBERS]) for g in range(GROUPS) for k in range(6)]
    seed_people(db, MEMBER_IDS, groups, memberships, ORGANISATIONS, coordinators=MEMBER_IDS[:1])


# --- the children --------------------------------------------------------------------------------


def child_export(url: str, out: str, language: str = "en") -> dict:
    from exports.register import Filters, write_register
    from models.db import Database

    db = Database(url)
    started = time.perf_counter()
    with db.snapshot() as s:
        counts = write_register(
            s,
            out,
            filters=Filters(),
            group_id=None,
            made_at=datetime.now(UTC),
            made_by="bench",
            timezone="Europe/Amsterdam",
            language=language,
        )
    return {"seconds": time.perf_counter() - started, "rows": counts.innovations + counts.stage_changes}


def child_floor(url: str, out: str) -> dict:
    """Every table the register is made from, dumped as stored: no joins, nothing of the project's code."""
    from openpyxl import Workbook
    from sqlalchemy import MetaData, create_engine, select

    engine = create_engine(url)
    meta = MetaData()
    meta.reflect(engine, only=FLOOR_TABLES)
    started = time.perf_counter()
    wb = Workbook(write_only=True)
    rows = 0
    with engine.connect() as conn:
        for name in FLOOR_TABLES:
            table = meta.tables[name]
            ws = wb.create_sheet(name)
            ws.append([c.name for c in table.columns])
            query = select(table).order_by(*table.primary_key.columns)
            for row in conn.execution_options(yield_per=2000).execute(query):
                ws.append([v.replace(tzinfo=None) if isinstance(v, datetime) else v for v in row])
                rows += 1
    wb.save(out)
    engine.dispose()
    return {"seconds": time.perf_counter() - started, "rows": rows}


def run_child(kind: str, url: str, out: Path, language: str = "en") -> dict:
    result = common_run_child("bench.export_scale", kind, "--url", url, "--out", str(out), "--language", language)
    result["file_mb"] = out.stat().st_size / 1024 / 1024
    return result


def best(runs: list[dict]) -> dict:
    """The fastest run's time, and the highest peak memory seen in any run."""
    fastest = min(runs, key=lambda r: r["seconds"])
    return {**fastest, "mb": max(r["mb"] for r in runs), "all": [round(r["seconds"], 1) for r in runs]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each child per size (best time kept)")
    parser.add_argument("--database-url", default="", help="a SCRATCH database: its schema is dropped")
    parser.add_argument("--languages", default="en", help="the export's languages, each run (e.g. en,nl)")
    parser.add_argument("--language", default="en")
    parser.add_argument("--child", choices=("export", "floor"))
    parser.add_argument("--url")
    parser.add_argument("--out")
    args = parser.parse_args()

    if args.child:
        if args.child == "export":
            result = child_export(args.url, args.out, args.language)
        else:
            result = child_floor(args.url, args.out)
        result["maxrss_kb"] = peak_rss_kb()
        print(json.dumps(result))
        return

    from models.db import Database

    sizes = sorted(int(s) for s in args.sizes.split(","))
    languages = [x.strip() for x in args.languages.split(",") if x.strip()]
    results = []
    with scratch_database(args.database_url) as (url, tmp):
        print(f"database={backend_of(url)} sizes={sizes} repeat={args.repeat}", flush=True)
        db = Database(url)
        seed_base(db)
        have = 0
        for size in sizes:
            started = time.perf_counter()
            seed_innovations(db, have + 1, size, GROUPS, MEMBER_IDS, ORGANISATIONS)
            advance_sequences(db)
            have = size
            seeded = time.perf_counter() - started
            by_language: dict[str, list[dict]] = {lang: [] for lang in languages}
            floors = []
            for _ in range(args.repeat):  # interleaved, best time kept: other load on the machine is noise
                for lang in languages:
                    out = tmp / f"register-{size}-{lang}.xlsx"
                    by_language[lang].append(run_child("export", url, out, lang))
                floors.append(run_child("floor", url, tmp / f"floor-{size}.xlsx"))
            floor = best(floors)
            for lang in languages:
                export = best(by_language[lang])
                results.append((size, export, floor, lang))
                print(
                    f"{size:>7} innovations (+{size * 3} stage changes; seeded in {seeded:.1f} s): "
                    f"export[{lang}] {export['seconds']:6.1f} s (runs {export['all']}), peak {export['mb']:4.0f} MB, "
                    f"{export['file_mb']:.1f} MB file | floor {floor['seconds']:6.1f} s (runs {floor['all']}), "
                    f"peak {floor['mb']:4.0f} MB, {floor['rows']} rows",
                    flush=True,
                )
        db.dispose()
    print()
    for lang in languages:
        mine = [r for r in results if r[3] == lang]
        small = mine[0]
        for size, export, _floor, _lang in mine:
            per_k = export["seconds"] / size * 1000
            print(
                f"{size:>7} [{lang}]: {per_k:.3f} s per 1,000 innovations (export); ×{size / small[0]:.0f} size → "
                f"×{export['seconds'] / small[1]['seconds']:.1f} time"
            )
        big = mine[-1]
        print(
            f"peak memory at {big[0]} [{lang}]: export {big[1]['mb']:.0f} MB, floor {big[2]['mb']:.0f} MB "
            f"(target < {TARGET_MB} MB)"
        )
        for size, export, floor, _lang in mine:
            ratio = export["seconds"] / floor["seconds"]
            print(f"ratio to floor at {size:>7} [{lang}]: {ratio:.2f} (target ≤ {TARGET_RATIO})")


if __name__ == "__main__":
    main()
