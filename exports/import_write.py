"""Applying a planned import: new innovations, changed fields, stage history and the audit, in the
caller's transaction (exports/importer.py decides whether there is anything to write)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from exports.import_plan import organisation_ids
from models.audit import audit
from models.groups import Group
from models.innovations import Innovation, StageChange, innovation_organisations

if TYPE_CHECKING:
    from exports.importer import ImportReport

IMPORTED_NOTE = "imported"


def write_report(session: Session, report: ImportReport, actor_id: str | None, now: datetime) -> None:
    groups = {g.handle: g.id for g in session.scalars(select(Group))}
    for handle in report.groups_to_create:
        group = Group(handle=handle, description="", created_by=actor_id, created_at=now)
        session.add(group)
        session.flush()
        groups[handle] = group.id
    organisations = organisation_ids(
        session, [p.values["organisations"] for p in (*report.new, *report.changed) if "organisations" in p.values]
    )
    if report.new:
        rows = [
            _columns(p.values)
            | {
                "group_id": groups[p.handle],
                "logged_by": actor_id,
                "updated_at": now,
                "logged_at": p.values.get("logged_on") or now,
            }
            for p in report.new
        ]
        ids = list(session.scalars(insert(Innovation).returning(Innovation.id, sort_by_parameter_order=True), rows))
        session.execute(
            insert(StageChange),
            [
                {
                    "innovation_id": iid,
                    "from_stage": None,
                    "to_stage": p.values["stage"],
                    "by_id": actor_id,
                    "at": now,
                    "note": IMPORTED_NOTE,
                }
                for iid, p in zip(ids, report.new, strict=True)
            ],
        )
        links: list[dict[str, object]] = [
            {"innovation_id": iid, "organisation_id": organisations[name.lower()]}
            for iid, p in zip(ids, report.new, strict=True)
            for name in p.values["organisations"]
        ]
        if links:
            session.execute(insert(innovation_organisations), links)
    if report.changed:
        stages = dict(
            session.execute(
                select(Innovation.id, Innovation.stage).where(
                    Innovation.id.in_([p.ref for p in report.changed if "stage" in p.values])
                )
            ).all()
        )
        for p in report.changed:
            assert p.ref is not None  # a changed innovation has its Ref
            session.execute(
                update(Innovation).where(Innovation.id == p.ref).values(_columns(p.values) | {"updated_at": now})
            )
        moves = [
            {
                "innovation_id": p.ref,
                "from_stage": stages.get(p.ref) if p.ref is not None else None,
                "to_stage": p.values["stage"],
                "by_id": actor_id,
                "at": now,
                "note": IMPORTED_NOTE,
            }
            for p in report.changed
            if "stage" in p.values
        ]
        if moves:
            session.execute(insert(StageChange), moves)
        relinked = [p for p in report.changed if "organisations" in p.values]
        if relinked:
            io = innovation_organisations
            session.execute(delete(io).where(io.c.innovation_id.in_([p.ref for p in relinked])))
            links = [
                {"innovation_id": p.ref, "organisation_id": organisations[n.lower()]}
                for p in relinked
                for n in p.values["organisations"]
            ]
            if links:
                session.execute(insert(io), links)
    audit(
        session,
        now,
        actor_id,
        "register.import",
        (
            f"sheet {report.sheet}; {report.rows} rows: {len(report.new)} new, {len(report.changed)} changed, "
            f"{report.unchanged} unchanged; groups created: {', '.join(report.groups_to_create) or 'none'}"
        ),
    )


def _columns(values: dict) -> dict:
    """Clean values as Innovation columns."""
    out = {}
    for key, value in values.items():
        if key in ("organisations", "logged_on"):
            continue
        if key == "sdgs":
            value = ",".join(str(n) for n in value)
        elif key == "tags":
            value = ",".join(value)
        out[key] = value
    return out
