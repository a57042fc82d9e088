"""The benches' own machinery: Slack's documented limits in the bench fake, the soak's due-minute
plan, and the scratch database that leaves nothing behind. (The benches themselves print numbers
and are not run here.)"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bench.common import scratch_database
from bench.slack import POST_CHANNEL_BURST, POST_WORKSPACE_BURST, BenchSlack, SlackLimits
from bench.soak.seed import FIRST_DUE_AFTER, LEAD_SECONDS, plan_dues
from tests.fakeslack import Call


def post(channel: str) -> Call:
    return Call("chat.postMessage", {"channel": channel, "text": "hi"}, {})


def test_slack_limits_allow_a_short_burst_per_channel_then_ask_to_wait():
    limits = SlackLimits()
    assert [limits.check(post("C1")) for _ in range(POST_CHANNEL_BURST)] == [0.0] * POST_CHANNEL_BURST
    wait = limits.check(post("C1"))
    assert 0 < wait <= 1.0
    assert limits.check(post("C2")) == 0.0  # another channel has its own allowance


def test_slack_limits_hold_a_workspace_budget_across_channels():
    limits = SlackLimits()
    assert all(limits.check(post(f"C{i}")) == 0.0 for i in range(POST_WORKSPACE_BURST))
    assert limits.check(post("CNEW")) > 0


def test_slack_limits_apply_method_tiers():
    limits = SlackLimits()
    call = Call("conversations.open", {"users": "U1"}, {})  # Tier 3: 50+ a minute
    assert all(limits.check(call) == 0.0 for _ in range(50))
    assert limits.check(call) > 0
    assert limits.check(Call("users.info", {"user": "U1"}, {})) == 0.0  # its own bucket


def test_bench_slack_answers_429_with_retry_after_and_counts_it():
    fake = BenchSlack(limits=SlackLimits())
    try:
        statuses = []
        for _ in range(POST_CHANNEL_BURST + 1):
            request = urllib.request.Request(
                fake.api_url + "chat.postMessage", data=json.dumps({"channel": "C9", "text": "x"}).encode(),
                headers={"Content-Type": "application/json"},
            )  # fmt: skip
            try:
                with urllib.request.urlopen(request, timeout=5) as resp:
                    statuses.append((resp.status, None))
            except urllib.error.HTTPError as exc:
                statuses.append((exc.code, exc.headers.get("Retry-After")))
        assert statuses[:-1] == [(200, None)] * POST_CHANNEL_BURST
        assert statuses[-1] == (429, "1")
        assert fake.stats()["limited"] == {"chat.postMessage": 1}
        assert len(fake.accepted_posts) == POST_CHANNEL_BURST
    finally:
        fake.close()


@pytest.mark.parametrize("seconds, minutes", [(60, 1), (119, 1), (120, 2), (180, 3), (600, 3)])
def test_soak_plans_due_minutes_the_clock_reaches_during_the_traffic(seconds, minutes):
    now = datetime(2026, 12, 1, 21, 0, 37, tzinfo=UTC)
    start, dues = plan_dues(now, seconds, tick_seconds=30, groups=7)
    first = min(dues)
    assert first.second == 0 and first - now >= timedelta(seconds=LEAD_SECONDS)
    assert start == first - timedelta(seconds=FIRST_DUE_AFTER)
    assert len(dues) == 7 and len(set(dues)) == minutes
    assert max(dues) + timedelta(seconds=30 + 15) <= start + timedelta(seconds=seconds)


def test_scratch_database_rebuilds_the_schema_and_leaves_nothing_behind(tmp_path):
    from sqlalchemy import create_engine, inspect, text

    url = f"sqlite:///{tmp_path / 'scratch.db'}"
    with scratch_database(url) as (same, folder):
        assert same == url
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO organisations (name, key) VALUES ('x', 'x')"))
        engine.dispose()
    with scratch_database(url) as (_url, _folder):  # a second run starts from nothing
        engine = create_engine(url)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM organisations")).scalar() == 0
            assert "innovations" in inspect(conn).get_table_names()
        engine.dispose()
    with scratch_database() as (own, folder):
        assert own.startswith("sqlite:///") and Path(folder).exists()
    assert not Path(folder).exists()
