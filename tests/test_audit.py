"""Coordinator actions leave an audit row (who, what, when); refused attempts leave none."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from models.audit import AuditEntry
from tests.conftest import COORDINATOR, START


def _audit(db) -> list[tuple]:
    with db.transaction() as s:
        rows = s.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
        return [(a.actor_id, a.action, a.detail, a.at) for a in rows]


def test_coordinator_actions_are_audited(slack, db, clock):
    minute = timedelta(minutes=1)
    assert "data-ethics" in slack.command("group new data-ethics Data ethics", user=COORDINATOR).text
    slack.command("group join data-ethics", user="U1")
    clock.advance(minute)
    assert "leads" in slack.command("group lead data-ethics <@U1|ama>", user=COORDINATOR).text
    clock.advance(minute)
    assert "coordinator" in slack.command("coordinator add <@U2>", user=COORDINATOR).text
    clock.advance(minute)
    assert "no longer" in slack.command("coordinator remove <@U2>", user=COORDINATOR).text
    clock.advance(minute)
    assert "archived" in slack.command("group archive data-ethics", user=COORDINATOR).text
    assert _audit(db) == [
        (COORDINATOR, "group.create", "data-ethics", START),
        (COORDINATOR, "group.lead", "data-ethics U1", START + minute),
        (COORDINATOR, "coordinator.add", "U2", START + 2 * minute),
        (COORDINATOR, "coordinator.remove", "U2", START + 3 * minute),
        (COORDINATOR, "group.archive", "data-ethics", START + 4 * minute),
    ]


def test_refused_and_failed_coordinator_actions_leave_no_audit_row(slack, db):
    slack.command("group new data-ethics", user=COORDINATOR)
    slack.command("group join data-ethics", user="U1")
    before = _audit(db)
    for text in ("group new other-group", "group lead data-ethics <@U1>", "group archive data-ethics",
                 "coordinator add <@U3>", "coordinator remove <@UCOORD>"):  # fmt: skip
        assert "Only coordinators" in slack.command(text, user="U1").text
    # Allowed actor, but the action itself fails: still no row.
    assert "already exists" in slack.command("group new data-ethics", user=COORDINATOR).text
    assert "last coordinator" in slack.command("coordinator remove <@UCOORD>", user=COORDINATOR).text
    assert "not a member" in slack.command("group lead data-ethics <@U9>", user=COORDINATOR).text
    assert _audit(db) == before
