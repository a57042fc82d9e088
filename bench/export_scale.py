"""How the register export scales: 10,000, 50,000 and 100,000 innovations, against a bare floor.

A fresh SQLite database in a temporary folder (migrated like production) is seeded with bulk
Core inserts: 20 groups, 60 members, 200 organisations; per innovation a title, a ~400-character
summary, safeguards, a link, SDGs, tags, two organisations and three stage changes (logged, and
two moves). Sizes grow by topping up the same database.

For each size, two children run one after the other, each in a fresh Python process, `--repeat`
times interleaved (the best time of each is kept, the highest peak memory is reported):
- export: `exports.register.write_register` (the code behind `/spindle export` and
  `python -m exports`), whole register — four sheets, styles, tables, validations, links, the
  chart and the text guards — to an .xlsx file;
- floor: a bare openpyxl write-only dump of the same rows: the exporter's own two streamed
  queries (innovations with their group, organisations and logger; stage history with title and
  author), each row appended as it comes (dates made naive, as openpyxl needs) — no styles,
  tables, validations, links, summary or safety. The ratio export/floor is the cost of the polish.
- with `--raw`, also a dump of the raw innovations and stage_changes tables (no joins), for
  information: it writes less than the register holds (ids instead of names).
Time is measured in the child around the work (imports and interpreter start excluded); peak
memory is the child's `ru_maxrss` (resident set, interpreter and imports included).

    .venv/bin/python -m bench.export_scale [--sizes 10000,50000,100000] [--repeat 2] [--raw]
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_RATIO = 1.5
TARGET_MB = 300
BATCH = 5000
STAGES = ("idea", "exploring", "piloting", "scaling", "adopted", "parked", "dropped")
WORDS = (
    "data digital privacy civic space community mobile money platform learning partner impact "
    "open source risk safeguard feedback local research network ethics inclusion youth health"
).split()


def _text(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def seed_base(url: str) -> None:
    from sqlalchemy import insert

    from models.db import Database, migrate
    from models.groups import Group, Membership
    from models.innovations import Organisation
    from models.people import Member

    migrate(url)
    db = Database(url)
    now = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    with db.transaction() as s:
        s.execute(insert(Member), [
            {"id": f"U{i:05d}", "name": f"Person {i}", "organisation": f"Org {i % 25}", "created_at": now,
             "is_coordinator": i == 0, "profile_fetched": True, "forgotten": i == 59}
            for i in range(60)
        ])  # fmt: skip
        s.execute(insert(Group), [
            {"id": g + 1, "handle": f"group-{g:02d}", "description": _text(random.Random(g), 12),
             "channel_id": f"C{g:05d}", "lead_id": f"U{g:05d}", "created_at": now}
            for g in range(20)
        ])  # fmt: skip
        s.execute(insert(Membership), [
            {"group_id": g + 1, "member_id": f"U{(g * 3 + k) % 60:05d}", "joined_at": now}
            for g in range(20) for k in range(6)
        ])  # fmt: skip
        s.execute(insert(Organisation), [{"id": o + 1, "name": f"Organisation {o}", "key": f"organisation {o}"}
                                         for o in range(200)])  # fmt: skip
    db.dispose()


def top_up(url: str, first: int, last: int) -> None:
    """Innovations first..last (inclusive ids), each with two organisations and three stage changes."""
    from sqlalchemy import insert

    from models.db import Database
    from models.innovations import Innovation, StageChange, innovation_organisations

    db = Database(url)
    rng = random.Random(first)
    base = datetime(2025, 1, 1, 8, 0, tzinfo=UTC)
    for start in range(first, last + 1, BATCH):
        ids = range(start, min(start + BATCH, last + 1))
        innovations, links, changes = [], [], []
        for i in ids:
            logged = base + timedelta(minutes=7 * i)
            stage = STAGES[i % len(STAGES)]
            innovations.append({
                "id": i, "group_id": i % 20 + 1, "title": _text(rng, 6), "kind": ("instrument", "strategy", None)[i % 3],
                "stage": stage, "summary": _text(rng, 55), "link": f"https://example.org/innovations/{i}",
                "sdgs": "3,5,16" if i % 2 else "9", "tags": "ai,privacy" if i % 3 else "", "privacy_risk": "medium",
                "civic_space_risk": "low", "manipulation_risk": "not-assessed", "safeguards": _text(rng, 20),
                "logged_by": f"U{i % 60:05d}", "logged_at": logged, "updated_at": logged + timedelta(days=30),
            })  # fmt: skip
            links += [
                {"innovation_id": i, "organisation_id": i % 200 + 1},
                {"innovation_id": i, "organisation_id": (i + 7) % 200 + 1},
            ]
            changes += [
                {"innovation_id": i, "from_stage": None, "to_stage": "idea", "by_id": f"U{i % 60:05d}", "at": logged,
                 "note": ""},
                {"innovation_id": i, "from_stage": "idea", "to_stage": "exploring", "by_id": f"U{(i + 1) % 60:05d}",
                 "at": logged + timedelta(days=10), "note": _text(rng, 8)},
                {"innovation_id": i, "from_stage": "exploring", "to_stage": stage, "by_id": f"U{(i + 2) % 60:05d}",
                 "at": logged + timedelta(days=30), "note": _text(rng, 8)},
            ]  # fmt: skip
        with db.transaction() as s:
            s.execute(insert(Innovation), innovations)
            s.execute(insert(innovation_organisations), links)
            s.execute(insert(StageChange), changes)
    db.dispose()


# --- the children --------------------------------------------------------------------------------


def child_export(url: str, out: str) -> dict:
    from exports.register import Filters, write_register
    from models.db import Database

    db = Database(url)
    started = time.perf_counter()
    with db.snapshot() as s:
        counts = write_register(
            s, out, filters=Filters(), group_id=None, made_at=datetime.now(UTC), made_by="bench",
            timezone="Europe/Amsterdam",
        )  # fmt: skip
    return {"seconds": time.perf_counter() - started, "rows": counts.innovations + counts.stage_changes}


def child_floor(url: str, out: str) -> dict:
    """The register's own rows (the exporter's two streamed queries), appended bare."""
    from openpyxl import Workbook

    from exports.queries import Filters, history_query, innovations_query, stream
    from models.db import Database

    db = Database(url)
    started = time.perf_counter()
    wb = Workbook(write_only=True)
    rows = 0
    with db.snapshot() as s:
        for name, query in (("Innovations", innovations_query), ("Stage history", history_query)):
            ws = wb.create_sheet(name)
            for row in stream(s, query(Filters(), None)):
                ws.append([v.replace(tzinfo=None) if isinstance(v, datetime) else v for v in row])
                rows += 1
    wb.save(out)
    return {"seconds": time.perf_counter() - started, "rows": rows}


def child_raw(url: str, out: str) -> dict:
    """The innovations and stage_changes tables as stored (no joins), appended bare."""
    from openpyxl import Workbook
    from sqlalchemy import select

    from models.db import Database
    from models.innovations import Innovation, StageChange

    db = Database(url)
    started = time.perf_counter()
    wb = Workbook(write_only=True)
    rows = 0
    with db.transaction() as s:
        for table, order in ((Innovation.__table__, Innovation.id), (StageChange.__table__, StageChange.id)):
            ws = wb.create_sheet(table.name)
            ws.append([c.name for c in table.columns])
            for row in s.execute(select(table).order_by(order), execution_options={"yield_per": 2000}):
                ws.append([v.replace(tzinfo=None) if isinstance(v, datetime) else v for v in row])
                rows += 1
    wb.save(out)
    return {"seconds": time.perf_counter() - started, "rows": rows}


def run_child(kind: str, url: str, out: Path) -> dict:
    proc = subprocess.run(
        [sys.executable, "-m", "bench.export_scale", "--child", kind, "--url", url, "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if proc.returncode != 0:
        raise SystemExit(f"{kind} child failed:\n{proc.stderr[-3000:]}")
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result["mb"] = result.pop("maxrss_kb") / 1024
    result["file_mb"] = out.stat().st_size / 1024 / 1024
    return result


def best(runs: list[dict]) -> dict:
    """The fastest run's time, and the highest peak memory seen in any run."""
    fastest = min(runs, key=lambda r: r["seconds"])
    return {**fastest, "mb": max(r["mb"] for r in runs), "all": [round(r["seconds"], 1) for r in runs]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10000,50000,100000")
    parser.add_argument("--repeat", type=int, default=2, help="runs of each child per size (best time kept)")
    parser.add_argument("--raw", action="store_true", help="also time a dump of the raw tables (no joins)")
    parser.add_argument("--child", choices=("export", "floor", "raw"))
    parser.add_argument("--url")
    parser.add_argument("--out")
    args = parser.parse_args()

    if args.child:
        result = {"export": child_export, "floor": child_floor, "raw": child_raw}[args.child](args.url, args.out)
        result["maxrss_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kilobytes on Linux
        print(json.dumps(result))
        return

    sizes = sorted(int(s) for s in args.sizes.split(","))
    results = []
    with tempfile.TemporaryDirectory(prefix="spindle-bench-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        seed_base(url)
        have = 0
        for size in sizes:
            started = time.perf_counter()
            top_up(url, have + 1, size)
            have = size
            seeded = time.perf_counter() - started
            exports, floors, raws = [], [], []
            for _ in range(args.repeat):  # interleaved, best time kept: other load on the machine is noise
                exports.append(run_child("export", url, Path(tmp) / f"register-{size}.xlsx"))
                floors.append(run_child("floor", url, Path(tmp) / f"floor-{size}.xlsx"))
                if args.raw:
                    raws.append(run_child("raw", url, Path(tmp) / f"raw-{size}.xlsx"))
            export, floor = best(exports), best(floors)
            raw = best(raws) if raws else None
            results.append((size, export, floor, raw))
            print(
                f"{size:>7} innovations (+{size * 3} stage changes; seeded in {seeded:.1f} s): "
                f"export {export['seconds']:6.1f} s (runs {export['all']}), peak {export['mb']:4.0f} MB, "
                f"{export['file_mb']:.1f} MB file | floor {floor['seconds']:6.1f} s (runs {floor['all']}), "
                f"peak {floor['mb']:4.0f} MB"
                + (f" | raw tables {raw['seconds']:6.1f} s (runs {raw['all']})" if raw else ""),
                flush=True,
            )
    print()
    small = results[0]
    for size, export, _floor, _raw in results:
        per_k = export["seconds"] / size * 1000
        print(f"{size:>7}: {per_k:.3f} s per 1,000 innovations (export); ×{size / small[0]:.0f} size → "
              f"×{export['seconds'] / small[1]['seconds']:.1f} time")  # fmt: skip
    big = results[-1]
    print(f"peak memory at {big[0]}: {big[1]['mb']:.0f} MB (target < {TARGET_MB} MB)")
    for size, export, _floor, raw in results:
        if raw:
            print(
                f"ratio to the raw-table dump at {size:>7}: {export['seconds'] / raw['seconds']:.2f} (for information)"
            )
    for size, export, floor, _raw in results:
        ratio = export["seconds"] / floor["seconds"]
        print(f"ratio to floor at {size:>7}: {ratio:.2f} (target ≤ {TARGET_RATIO})")


if __name__ == "__main__":
    main()
