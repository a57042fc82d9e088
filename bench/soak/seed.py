"""The soak's world: a realistic register bulk-inserted, then stand-up schedules set through Slack.

200 groups with a channel and a lead, 2,000 members, 200 organisations and 100,000 innovations
(two stage changes each) go in with bulk Core inserts (bench/seeddata.py), in seconds. The
schedules go through signed `/spindle standup HANDLE set daily HH:MM UTC` commands from the
leads, at minutes the clock process will reach during the traffic, so scheduled runs start (and
close the runs before them) while the soak measures.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from bench.seeddata import advance_sequences, seed_innovations, seed_people, settle
from bench.soak.client import Bot
from bench.soak.driver import run_all
from bench.soak.world import Group, World

COORDINATOR = "USKCOORD"
ORGANISATIONS = 200
LEAD_SECONDS = 10  # the schedules (a few signed commands) are set at least this long before their first due minute
FIRST_DUE_AFTER = 15  # the traffic starts this long before the first due minute


def make_world(tag: str, groups: int, members: int, standup_groups: int, seed: int) -> World:
    world_groups = [Group(i, f"soak-g{i:03d}", f"CSK{i:04d}", lead="", members=[]) for i in range(groups)]
    for j in range(members):
        world_groups[j % groups].members.append(f"USKM{j:05d}")
    for g in world_groups:
        g.lead = g.members[0]
        g.standup = g.index < standup_groups
    everyone = [m for g in world_groups for m in g.members]
    return World(tag, world_groups, random.Random(seed).sample(everyone, len(everyone)), seed)


def seed_database(url: str, world: World, innovations: int) -> None:
    from models.db import Database

    db = Database(url)
    try:
        members = [COORDINATOR, *world.member_group]
        groups = [(g.handle, g.channel, g.lead) for g in world.groups]
        memberships = [(g.index + 1, m) for g in world.groups for m in g.members]
        seed_people(db, members, groups, memberships, ORGANISATIONS, coordinators=[COORDINATOR])
        seed_innovations(
            db, 1, innovations, len(world.groups), members[1:], ORGANISATIONS, changes=2, unique_texts=False
        )
        advance_sequences(db)
        settle(db)
    finally:
        db.dispose()
    world.seeded = innovations


def plan_dues(now: datetime, seconds: float, tick_seconds: int, groups: int) -> tuple[datetime, list[datetime]]:
    """(when the traffic starts, a due minute per stand-up group).

    A due minute is claimed by the first tick after it (every `tick_seconds`) and its fan-out takes
    a few seconds more, so the traffic starts FIRST_DUE_AFTER before the first minute that is at
    least LEAD_SECONDS away, and later minutes are used while they still end inside the traffic.
    """
    first = (now + timedelta(seconds=LEAD_SECONDS + 59)).replace(second=0, microsecond=0)
    start = first - timedelta(seconds=FIRST_DUE_AFTER)
    end = start + timedelta(seconds=seconds)
    minutes = [first]
    while minutes[-1] + timedelta(seconds=60 + tick_seconds + 15) <= end and len(minutes) < 3:
        minutes.append(minutes[-1] + timedelta(minutes=1))
    return start, [minutes[i % len(minutes)] for i in range(groups)]


def set_schedules(bot: Bot, world: World, dues: list[datetime]) -> None:
    """Each stand-up group's lead sets a daily stand-up at its due minute (UTC), as a person would."""

    def must(user: str, text: str, expect: str, channel: str) -> None:
        for attempt in range(3):
            world.wait_turn(user)
            result = bot.command(user, text, channel=channel)
            if result.status == 200 and expect in result.text:
                return
            if attempt == 2:
                raise SystemExit(f"set-up failed: {user} {text!r} → HTTP {result.status} {result.text[:300]!r}")

    groups = [g for g in world.groups if g.standup]
    run_all(
        lambda g=g, d=d: must(g.lead, f"standup {g.handle} set daily {d:%H:%M} UTC", "Stand-up for", g.channel)
        for g, d in zip(groups, dues, strict=True)
    )


def now_utc() -> datetime:
    return datetime.now(UTC)
