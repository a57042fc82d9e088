"""Bulk seeding of a bench database: members, groups, organisations, innovations, stage changes.

Core INSERTs of many rows at once (executemany), straight into the migrated schema: a register of
100,000 innovations takes seconds this way, not the hours the bot would need one command at a time.
Rows carry explicit ids where others refer to them; on PostgreSQL the sequences are moved past
them afterwards, so the bot's own inserts do not collide.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, text

BATCH = 5000
STAGES = ("idea", "exploring", "piloting", "scaling", "adopted", "parked", "dropped")
WORDS = (
    "data digital privacy civic space community mobile money platform learning partner impact "
    "open source risk safeguard feedback local research network ethics inclusion youth health"
).split()
SEEDED_AT = datetime(2025, 1, 1, 8, 0, tzinfo=UTC)


def sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choices(WORDS, k=words)).capitalize() + "."


class _Pooled(random.Random):
    """Texts drawn from a fixed pool of 1,000 per length: seeding that spends its time in the database."""

    def __init__(self, seed: int) -> None:
        super().__init__(seed)
        self.pools: dict[int, list[str]] = {}

    def sentence(self, words: int) -> str:
        pool = self.pools.get(words)
        if pool is None:
            pool = self.pools[words] = [sentence(self, words) for _ in range(1000)]
        return pool[self.randrange(1000)]


def seed_people(
    db,
    members: Sequence[str],
    groups: Sequence[tuple[str, str | None, str | None]],
    memberships: Sequence[tuple[int, str]],
    organisations: int,
    coordinators: Sequence[str] = (),
) -> None:
    """Members (ids), groups (handle, channel, lead; ids 1…), memberships (group id, member id), organisations."""
    from models.groups import Group, Membership
    from models.innovations import Organisation
    from models.people import Member

    rng = random.Random(len(members))
    with db.transaction() as s:
        for start in range(0, len(members), BATCH):
            s.execute(
                insert(Member.__table__),
                [
                    {
                        "id": m,
                        "name": f"Person {m}",
                        "organisation": f"Org {i % 25}",
                        "created_at": SEEDED_AT,
                        "is_coordinator": m in coordinators,
                        "profile_fetched": True,
                        "forgotten": False,
                        "tz": "UTC",
                    }
                    for i, m in enumerate(members[start : start + BATCH], start)
                ],
            )
        s.execute(
            insert(Group.__table__),
            [
                {
                    "id": g,
                    "handle": handle,
                    "description": sentence(rng, 12),
                    "channel_id": channel,
                    "lead_id": lead,
                    "created_at": SEEDED_AT,
                }
                for g, (handle, channel, lead) in enumerate(groups, 1)
            ],
        )
        for start in range(0, len(memberships), BATCH):
            s.execute(
                insert(Membership.__table__),
                [
                    {"group_id": g, "member_id": m, "joined_at": SEEDED_AT + timedelta(seconds=i)}
                    for i, (g, m) in enumerate(memberships[start : start + BATCH], start)
                ],
            )
        if organisations:
            s.execute(
                insert(Organisation.__table__),
                [
                    {"id": o, "name": f"Organisation {o}", "key": f"organisation {o}"}
                    for o in range(1, organisations + 1)
                ],
            )


def seed_innovations(
    db,
    first: int,
    last: int,
    groups: int,
    members: Sequence[str],
    organisations: int,
    changes: int = 3,
    unique_texts: bool = True,
) -> None:
    """Innovations first…last (ids), spread over group ids 1…groups, each with two organisations
    (when there are any) and `changes` stage changes (logged, then moves). Texts are unique per
    row (what an export meets), or with `unique_texts=False` drawn from a pool (faster)."""
    from models.innovations import Innovation, StageChange, innovation_organisations

    pooled = _Pooled(first)
    rng: random.Random = random.Random(first) if unique_texts else pooled
    words = (lambda n: sentence(rng, n)) if unique_texts else pooled.sentence
    for start in range(first, last + 1, BATCH):
        innovations, links, moves = [], [], []
        for i in range(start, min(start + BATCH, last + 1)):
            logged = SEEDED_AT + timedelta(minutes=7 * i)
            stage = STAGES[i % len(STAGES)]
            by = members[i % len(members)]
            innovations.append(
                {
                    "id": i,
                    "group_id": i % groups + 1,
                    "title": words(6),
                    "kind": ("instrument", "strategy", None)[i % 3],
                    "stage": stage,
                    "summary": words(55),
                    "link": f"https://example.org/innovations/{i}",
                    "sdgs": "3,5,16" if i % 2 else "9",
                    "tags": "ai,privacy" if i % 3 else "",
                    "privacy_risk": "medium",
                    "civic_space_risk": "low",
                    "manipulation_risk": "not-assessed",
                    "safeguards": words(20),
                    "logged_by": by,
                    "logged_at": logged,
                    "updated_at": logged + timedelta(days=30),
                }
            )
            if organisations:
                links += [
                    {"innovation_id": i, "organisation_id": i % organisations + 1},
                    {"innovation_id": i, "organisation_id": (i + 7) % organisations + 1},
                ]
            path = [None, "idea", "exploring", stage][: changes + 1]
            for n in range(min(changes, 3)):
                moves.append(
                    {
                        "innovation_id": i,
                        "from_stage": path[n],
                        "to_stage": path[n + 1] if n + 1 < changes else stage,
                        "by_id": members[(i + n) % len(members)],
                        "at": logged + timedelta(days=10 * n),
                        "note": words(8) if n else "",
                    }
                )
        with db.transaction() as s:
            # Core on the tables, not the ORM entities: not a statement per row.
            bulk_insert(s, Innovation.__table__, innovations)
            bulk_insert(s, innovation_organisations, links)
            bulk_insert(s, StageChange.__table__, moves)


def bulk_insert(session, table, rows: list[dict]) -> None:
    """One executemany per table; on PostgreSQL a COPY, several times faster for 100,000s of rows."""
    if not rows:
        return
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        session.execute(insert(table), rows)
        return
    columns = list(rows[0])
    with connection.connection.dbapi_connection.cursor() as cursor:
        with cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([row[c] for c in columns])


def advance_sequences(db) -> None:
    """PostgreSQL: move each serial id past the explicit ids the seed wrote (a no-op elsewhere)."""
    if db.engine.dialect.name != "postgresql":
        return
    with db.transaction() as s:
        for table in ("groups", "organisations", "innovations"):
            s.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"COALESCE((SELECT max(id) FROM {table}), 0) + 1, false)"
                )
            )


def settle(db) -> None:
    """A database in steady state, as autovacuum leaves it after a bulk load: PostgreSQL's planner
    statistics and visibility map brought up to date (VACUUM ANALYZE; a no-op elsewhere). Without
    it the first minutes after a seed plan every query on a table PostgreSQL has never analysed."""
    if db.engine.dialect.name != "postgresql":
        return
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))
