"""The RegisterImporter port (services/ports.py) over exports.importer, for an import from Slack."""

from __future__ import annotations

from datetime import datetime

from exports import importer
from exports.import_report import render
from models.db import Database
from services.ports import ImportResult


def _result(report: importer.ImportReport, name: str) -> ImportResult:
    # dry_run=False: the CLI's "--apply" advice is not for Slack, where a button applies it.
    return ImportResult(
        report=render(report, name, dry_run=False),
        ok=report.ok,
        changes=len(report.new) + len(report.changed),
        applied=report.applied,
        already=report.already,
    )


class WorkbookImporter:
    def preview(self, db: Database, data: bytes, name: str, *, timezone: str) -> ImportResult:
        return _result(importer.preview(db, data, timezone=timezone), name)

    def apply(
        self, db: Database, data: bytes, name: str, actor_id: str, now: datetime, *, timezone: str, once: str
    ) -> ImportResult:
        return _result(importer.apply(db, data, actor_id, now, timezone=timezone, once=once), name)


IMPORTER = WorkbookImporter()
