"""How the register import scales: 10,000 and 50,000 rows, dry run and apply, beside an export.

A scratch database (`--database-url`: its schema is dropped and rebuilt; otherwise SQLite in a
temporary folder, removed at the end) is seeded as in bench/export_scale.py. For each size, in fresh child
processes (the best of `--repeat` runs kept, the highest peak memory reported):
- export: `write_register` of the whole register (the file the import then reads);
- dry run: `exports.importer.preview` of that file with every row edited (a changed summary), so
  every row is read, matched and compared;
- apply: `exports.importer.apply` of the same file into a copy of the database (every row an
  update and a stage history entry where the stage moved; the audit entry). On PostgreSQL the copy
  is `CREATE DATABASE … TEMPLATE` the scratch one, dropped afterwards.
Time is measured in the child around the work; peak memory is the child's peak resident set (VmHWM).

    .venv/bin/python -m bench.import_scale [--sizes 10000,50000] [--repeat 1] [--database-url URL]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from bench import common

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_RATIO = 2.0
TARGET_MB = 300


def child(kind: str, url: str, path: str) -> dict:
    from models.db import Database

    db = Database(url)
    started = time.perf_counter()
    if kind == "export":
        from exports.register import Filters, write_register

        with db.snapshot() as s:
            counts = write_register(
                s,
                path,
                filters=Filters(),
                group_id=None,
                made_at=datetime.now(UTC),
                made_by="bench",
                timezone="Europe/Amsterdam",
            )
        rows = counts.innovations
    else:
        from exports import importer

        data = Path(path).read_bytes()
        if kind == "dry":
            report = importer.preview(db, data, timezone="Europe/Amsterdam")
        else:
            report = importer.apply(db, data, None, datetime.now(UTC), timezone="Europe/Amsterdam")
        assert report.ok, [e.line() for e in report.errors[:5]]
        rows = len(report.changed) + len(report.new) + report.unchanged
    return {"seconds": time.perf_counter() - started, "rows": rows}


def edit(path: Path, out: Path) -> None:
    """Every row's summary changed, every tenth row's stage moved (openpyxl, outside the timings)."""
    from openpyxl import Workbook, load_workbook

    src = load_workbook(path, read_only=True)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Innovations")
    for i, row in enumerate(src["Innovations"].iter_rows(values_only=True)):
        row = list(row)
        if i:
            row[5] = f"{row[5]} (edited)"
            if i % 10 == 0:
                row[4] = "scaling" if row[4] != "scaling" else "adopted"
        ws.append(row)
    wb.save(out)


def run_child(kind: str, url: str, path: Path) -> dict:
    return common.run_child("bench.import_scale", kind, "--url", url, "--path", str(path))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10000,50000")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--database-url", default="", help="a SCRATCH database: its schema is dropped")
    parser.add_argument("--child", choices=("export", "dry", "apply"))
    parser.add_argument("--url")
    parser.add_argument("--path")
    args = parser.parse_args()
    if args.child:
        result = child(args.child, args.url, args.path)
        result["maxrss_kb"] = common.peak_rss_kb()
        print(json.dumps(result))
        return

    from bench.export_scale import GROUPS, MEMBER_IDS, ORGANISATIONS, seed_base
    from bench.seeddata import advance_sequences, seed_innovations
    from models.db import Database

    with common.scratch_database(args.database_url, prefix="spindle-import-bench-") as (url, tmp):
        print(f"database={common.backend_of(url)}", flush=True)
        db = Database(url)
        seed_base(db)
        have = 0
        for size in sorted(int(s) for s in args.sizes.split(",")):
            seed_innovations(db, have + 1, size, GROUPS, MEMBER_IDS, ORGANISATIONS)
            advance_sequences(db)
            # The last connection closed checkpoints SQLite's WAL, so a copy of the file is whole; and
            # PostgreSQL copies a template only when nobody is connected to it.
            db.dispose()
            have = size
            register = tmp / f"register-{size}.xlsx"
            edited = tmp / f"edited-{size}.xlsx"
            runs: dict[str, list[dict]] = {"export": [], "dry": [], "apply": []}
            for _ in range(args.repeat):
                runs["export"].append(run_child("export", url, register))
                edit(register, edited)
                runs["dry"].append(run_child("dry", url, edited))
                with common.sibling_database(url, tmp, "apply", copy=True) as copy:
                    runs["apply"].append(run_child("apply", copy, edited))
            best = {k: min(v, key=lambda r: r["seconds"]) | {"mb": max(r["mb"] for r in v)} for k, v in runs.items()}
            export = best["export"]["seconds"]
            print(
                f"{size:>6} rows: export {export:6.1f} s, peak {best['export']['mb']:4.0f} MB | "
                f"dry run {best['dry']['seconds']:6.1f} s (×{best['dry']['seconds'] / export:.2f}), "
                f"peak {best['dry']['mb']:4.0f} MB | apply {best['apply']['seconds']:6.1f} s "
                f"(×{best['apply']['seconds'] / export:.2f}), peak {best['apply']['mb']:4.0f} MB "
                f"[targets: ≤ ×{TARGET_RATIO:.0f} the export, < {TARGET_MB} MB]",
                flush=True,
            )


if __name__ == "__main__":
    main()
