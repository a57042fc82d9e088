"""Soak: mixed Slack traffic against the Procfile `web` and `clock` processes, with Slack failing.

Starts, on 127.0.0.1 only, the Procfile `release` step (migrations), `web` (the Procfile command,
plus `--bind 127.0.0.1:PORT`, which wins over the config file's 0.0.0.0) and `clock` (`python -m bot
clock`, real time) against one database (a fresh SQLite file in a temporary folder, or
--database-url, whose schema is DROPPED and rebuilt: a scratch database only) and the suite's fake
Slack in a child process, which fails --fail-rate (5%) of ALL Web API calls at random with 429
(Retry-After: 1) or 500 — from the moment both processes are up (their auth.test at start excepted).

Set-up goes through signed requests like everything else: a coordinator creates the groups and
names leads, members join, leads link channels and set a daily stand-up at the next minutes (UTC),
so the clock process starts runs during the soak. Then --concurrency workers (closed loop, no
think time; --rate caps the steps a second) send, for --seconds: quick logs, innovation modal
submissions (--double-share of them submitted twice at once with the same view, a double click:
issue 6 item 1 wants one innovation of it), reads (group list, group info, list, show), stage
moves, notes, `standup HANDLE now` from leads, and stand-up answers (the DM prompt the fake Slack
received → button click → answer modal submission). Every logged title and every answer carries a
unique token, so after a quiet period the database can be asked which acknowledged records it holds.

The per-person command limit (handlers/ratelimit.py: 20 a minute) is respected client-side by a
mirror bucket per user (19 a minute, a safety margin), with reads spread over --readers user ids:
the soak measures the system, not the limiter; a rate-limit reply is counted and reported.

Prints requests served, non-200 and 5xx counts, p50/p95 latency, per-kind counts (sent, ok,
refused, failed: a 404 is Bolt's answer when a listener did not ack within 3 s), what the fake
Slack saw, the stand-up runs, where the CPU went (the machine may be shared), warnings and errors
in the processes' logs, records stored although their ack failed, and LAST the records lost
(innovations and answers acknowledged vs stored). Exit status 1 when a target is missed (0 lost,
0 5xx, p95 < 300 ms, no duplicate innovation or prompt). The processes' logs are kept on failure.

    .venv/bin/python -m bench.soak [--seconds 120] [--concurrency 20] [--database-url URL]
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import http.client
import itertools
import json
import multiprocessing
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict, deque
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import ClassVar
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot import gunicorn_conf  # noqa: E402
from tests.slackdriver import BOT_TOKEN, SIGNING_SECRET, sign  # noqa: E402

COORDINATOR = "USKCOORD"
RATE, PER = 19, 60.0  # the server allows 20 a minute per person (per process); keep a margin
HTTP_TIMEOUT = 10.0
FAILURE_PHRASES = (
    "something went wrong",  # an executor crashed (OOPS)
    "temporarily unavailable",  # the database did not answer
    "faster than I can take them",  # the rate limiter
)
STAGES = ("idea", "exploring", "piloting", "scaling", "adopted")  # parked/dropped need a note
QUICK_RE = re.compile(r"Logged \*INN-(\d+)\*")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(ordered: list[float], p: float) -> float:
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, max(0, round(p * len(ordered)) - 1))]


# --- processes ------------------------------------------------------------------------------------


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    """Linux: the child gets SIGTERM if the soak dies without cleaning up (kill -9, a crash)."""
    with contextlib.suppress(Exception):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def spawn(argv: list[str], env: dict[str, str], log_path: Path) -> subprocess.Popen:
    log = open(log_path, "wb")  # closed when the process is stopped
    proc = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                            preexec_fn=_die_with_parent, start_new_session=True)  # fmt: skip
    proc.log_file = log  # type: ignore[attr-defined]
    return proc


def stop(proc: subprocess.Popen | None, name: str) -> None:
    if proc is None:
        return
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)  # graceful: in-flight requests and a tick in progress finish
        try:
            proc.wait(timeout=35)
        except subprocess.TimeoutExpired:
            print(f"{name} did not stop within 35 s of SIGTERM; killed", file=sys.stderr)
            proc.kill()
            proc.wait(timeout=10)
    with contextlib.suppress(Exception):
        proc.log_file.close()  # type: ignore[attr-defined]


def wait_healthy(port: int, proc: subprocess.Popen, timeout: float = 45.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"web exited with {proc.returncode} at start (see its log)")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                conn.close()
                return
            conn.close()
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit("web did not answer /healthz in time")


def reset_database(url: str) -> None:
    """A scratch PostgreSQL database: drop and recreate its schema (the release step rebuilds it)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


class SlackProcess:
    """The fake Slack in a child process (bench/soak_slack.py), and a thread collecting its prompts."""

    def __init__(self, fail_rate: float, seed: int, users: list[str], on_prompt) -> None:
        from bench import soak_slack

        ctx = multiprocessing.get_context("spawn")
        self.conn, child = ctx.Pipe()
        self.events = ctx.Queue()
        self.proc = ctx.Process(target=soak_slack.serve, args=(child, self.events, fail_rate, seed, users),
                                name="fake-slack", daemon=True)  # fmt: skip
        self.proc.start()
        if not self.conn.poll(30):
            raise SystemExit("the fake Slack did not start")
        self.base = self.conn.recv()
        self.api_url = f"{self.base}/api/"
        self._on_prompt = on_prompt
        self._lock = threading.Lock()
        self._closed = False
        self._drain = threading.Thread(target=self._collect, name="prompts", daemon=True)
        self._drain.start()

    def _collect(self) -> None:
        while not self._closed:
            try:
                event = self.events.get(timeout=0.5)
            except Exception:  # queue.Empty, or the child is gone
                event = None
            if event and event[0] == "prompt":
                self._on_prompt(*event[1:])

    def ask(self, command: str):
        with self._lock:
            self.conn.send(command)
            if not self.conn.poll(10):
                raise RuntimeError(f"the fake Slack did not answer {command!r}")
            return self.conn.recv()

    def close(self) -> None:
        self._closed = True
        with contextlib.suppress(Exception):
            self.ask("stop")
        self.proc.join(timeout=5)
        if self.proc.is_alive():
            self.proc.terminate()


# --- the client side ------------------------------------------------------------------------------


class Buckets:
    """Client-side mirror of the server's per-person token bucket (slightly stricter)."""

    def __init__(self, rate: int = RATE, per: float = PER) -> None:
        self.capacity = float(rate)
        self.refill = rate / per
        self._state: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, user: str) -> bool:
        now = time.monotonic()
        with self._lock:
            tokens, at = self._state.get(user, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - at) * self.refill)
            if tokens < 1.0:
                self._state[user] = (tokens, now)
                return False
            self._state[user] = (tokens - 1.0, now)
            return True

    def wait_take(self, user: str, timeout: float = 90.0) -> None:
        deadline = time.monotonic() + timeout
        while not self.take(user):
            if time.monotonic() > deadline:
                raise SystemExit(f"set-up: {user} never got a command token")
            time.sleep(0.25)


@dataclass
class Result:
    status: int  # 0: no HTTP response (connection error or timeout)
    body: bytes
    latency: float

    @property
    def json(self) -> dict:
        try:
            data = json.loads(self.body.decode() or "{}")
        except ValueError:
            return {}
        return data if isinstance(data, dict) else {}

    @property
    def text(self) -> str:
        data = self.json
        parts = [str(data.get("text") or "")]

        def walk(node) -> None:
            if isinstance(node, dict):
                for key, value in node.items():
                    if key == "text" and isinstance(value, str):
                        parts.append(value)
                    else:
                        walk(value)
            elif isinstance(node, list):
                for item in node:
                    walk(item)

        walk(data.get("blocks") or [])
        return "\n".join(parts)


class Bot:
    """Signed requests into the web process, as Slack sends them (see tests/slackdriver.py)."""

    def __init__(self, port: int, slack_base: str) -> None:
        self.port = port
        self.slack_base = slack_base
        self._ids = itertools.count(1)

    def post(self, body: bytes, content_type: str) -> Result:
        headers = {"Content-Type": content_type, **sign(body)}
        started = time.perf_counter()
        # A fresh connection per request, as Slack's deliveries are independent requests.
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=HTTP_TIMEOUT)
        try:
            conn.request("POST", "/slack/events", body=body, headers=headers)
            resp = conn.getresponse()
            data = resp.read()
            status = resp.status
        except (OSError, http.client.HTTPException):
            data, status = b"", 0
        finally:
            conn.close()
        return Result(status, data, time.perf_counter() - started)

    def command(self, user: str, text: str, channel: str = "CSKGENERAL") -> Result:
        n = next(self._ids)
        fields = {
            "token": "legacy", "team_id": "T1", "team_domain": "partos", "channel_id": channel,
            "channel_name": "general", "user_id": user, "user_name": user.lower(), "command": "/spindle",
            "text": text, "api_app_id": "A1", "is_enterprise_install": "false",
            "response_url": f"{self.slack_base}/respond/c{n}", "trigger_id": f"soak-trigger-{n}",
        }  # fmt: skip
        return self.post(urlencode(fields).encode(), "application/x-www-form-urlencoded")

    def interactive(self, payload: dict) -> Result:
        body = urlencode({"payload": json.dumps(payload)}).encode()
        return self.post(body, "application/x-www-form-urlencoded")

    def click_answer(self, user: str, prompt_id: int, dm_channel: str, message_ts: str) -> Result:
        n = next(self._ids)
        return self.interactive({
            "type": "block_actions", "team": {"id": "T1"}, "user": {"id": user, "username": user.lower()},
            "api_app_id": "A1", "trigger_id": f"soak-trigger-{n}",
            "actions": [{"action_id": "standup_answer", "block_id": "standup_prompt", "value": str(prompt_id),
                         "type": "button", "action_ts": str(time.time())}],
            "channel": {"id": dm_channel},
            "container": {"type": "message", "message_ts": message_ts, "channel_id": dm_channel},
            "message": {"ts": message_ts, "text": ""},
            "response_url": f"{self.slack_base}/respond/a{n}",
        })  # fmt: skip

    def submit(self, user: str, callback_id: str, values: dict, private_metadata: str, view_n: int = 0) -> Result:
        """A view_submission; the same `view_n` means the same view (a double-clicked submit button)."""
        n = view_n or next(self._ids)
        return self.interactive({
            "type": "view_submission", "team": {"id": "T1"}, "user": {"id": user, "username": user.lower()},
            "api_app_id": "A1", "trigger_id": f"soak-trigger-{n}",
            "view": {"id": f"VSOAK{n:08d}", "hash": f"h{n}", "type": "modal", "callback_id": callback_id,
                     "private_metadata": private_metadata, "state": {"values": values}},
        })  # fmt: skip


def _text_value(value: str) -> dict:
    return {"value": {"type": "plain_text_input", "value": value}}


def _selected(value: str) -> dict:
    option = {"value": value, "text": {"type": "plain_text", "text": value}}
    return {"value": {"type": "static_select", "selected_option": option}}


def innovation_values(handle: str, title: str, rng: random.Random) -> dict:
    """state.values of the log modal (handlers/ui/innovations.py: block id = field, action id `value`)."""
    sdgs = [{"value": str(n), "text": {"type": "plain_text", "text": str(n)}} for n in rng.sample(range(1, 18), 2)]
    return {
        "group": _selected(handle),
        "title": _text_value(title),
        "kind": _selected(rng.choice(("instrument", "way-of-working", "strategy"))),
        "stage": _selected(rng.choice(("idea", "exploring", "piloting"))),
        "stage_note": _text_value(""),
        "summary": _text_value(f"Soak summary for {title}: what we explore, and why it matters."),
        "link": _text_value("https://partos.example/soak"),
        "organisations": _text_value("Cordaid, Oxfam Novib"),
        "sdgs": {"value": {"type": "multi_static_select", "selected_options": sdgs}},
        "tags": _text_value("soak, load"),
        "privacy_risk": _selected(rng.choice(("low", "medium", "high", "not-assessed"))),
        "civic_space_risk": _selected("not-assessed"),
        "manipulation_risk": _selected("low"),
        "safeguards": _text_value(""),
    }


def answer_values(token: str) -> dict:
    """state.values of the stand-up answer modal (handlers/ui/standups.py: blocks q0…, action `answer`)."""
    return {
        "q0": {"answer": {"type": "plain_text_input", "value": f"Explored {token} with partners."}},
        "q1": {"answer": {"type": "plain_text_input", "value": "A pilot with two organisations."}},
        "q2": {"answer": {"type": "plain_text_input", "value": "none"}},
    }


# --- what the soak keeps ---------------------------------------------------------------------------


@dataclass
class KindStats:
    sent: int = 0
    ok: int = 0
    refused: int = 0  # 200, but the answer was a refusal or an inline error
    failed: int = 0  # no response or not 200
    latencies: list[float] = field(default_factory=list)
    samples: list[str] = field(default_factory=list)


class Stats:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.kinds: dict[str, KindStats] = defaultdict(KindStats)
        self.statuses: Counter[int] = Counter()
        self.latencies: list[float] = []
        self.rate_limited = 0

    def add(self, kind: str, result: Result, ok: bool, why: str = "") -> None:
        with self._lock:
            k = self.kinds[kind]
            k.sent += 1
            k.latencies.append(result.latency)
            self.latencies.append(result.latency)
            self.statuses[result.status] += 1
            if result.status != 200:
                k.failed += 1
                why = why or f"HTTP {result.status or 'no response'}"
            elif ok:
                k.ok += 1
            else:
                k.refused += 1
                if "faster than I can take them" in why:
                    self.rate_limited += 1
            if not ok and len(k.samples) < 3 and why:
                k.samples.append(why[:160].replace("\n", " "))

    @property
    def served(self) -> int:
        return sum(self.statuses.values())


@dataclass
class Group:
    index: int
    handle: str
    channel: str
    lead: str
    members: list[str]
    next_now: float = 0.0  # monotonic time of this lead's next `standup now`


class World:
    """The state the traffic needs: groups, known innovation refs, prompts waiting for an answer."""

    def __init__(self, tag: str, groups: list[Group], readers: list[str], rng_seed: int) -> None:
        self.tag = tag
        self.groups = groups
        self.member_group = {m: g for g in groups for m in g.members}
        self.readers = readers
        self.buckets = Buckets()
        self._lock = threading.Lock()
        self._reader_cursor = itertools.count()
        self._n = itertools.count(1)
        self.refs: dict[int, tuple[int, str]] = {}  # ref → (group index, last stage we set)
        self.ref_list: list[int] = []
        self.prompts: deque[tuple[int, str, str]] = deque()  # (prompt id, user, DM ts)
        self.titles_sent: set[str] = set()  # acknowledged innovations
        self.tokens_sent: set[str] = set()  # acknowledged stand-up answers
        self.doubled: set[str] = set()  # titles whose modal was submitted twice with the same view
        self.seed = rng_seed

    def unique(self) -> int:
        return next(self._n)

    def add_prompt(self, prompt_id: int, channel: str, ts: str) -> None:
        if channel in self.member_group:
            with self._lock:
                self.prompts.append((prompt_id, channel, ts))

    def take_prompt(self) -> tuple[int, str, str] | None:
        with self._lock:
            return self.prompts.popleft() if self.prompts else None

    def has_prompts(self) -> bool:
        return bool(self.prompts)

    def reader(self) -> str | None:
        for _ in range(len(self.readers)):
            user = self.readers[next(self._reader_cursor) % len(self.readers)]
            if self.buckets.take(user):
                return user
        return None

    def member_with_token(self, rng: random.Random, group: Group | None = None) -> str | None:
        pool = group.members if group else list(self.member_group)
        for user in rng.sample(pool, min(len(pool), 6)):
            if self.buckets.take(user):
                return user
        return None

    def add_ref(self, ref: int, group_index: int) -> None:
        with self._lock:
            self.refs[ref] = (group_index, "exploring")
            self.ref_list.append(ref)

    def pick_ref(self, rng: random.Random) -> tuple[int, int, str] | None:
        with self._lock:
            if not self.ref_list:
                return None
            ref = rng.choice(self.ref_list[-500:])  # recent ones, as people work on what is new
            group_index, stage = self.refs[ref]
            return ref, group_index, stage

    def set_stage(self, ref: int, stage: str) -> None:
        with self._lock:
            group_index, _ = self.refs[ref]
            self.refs[ref] = (group_index, stage)

    def due_standup(self) -> Group | None:
        now = time.monotonic()
        with self._lock:
            for group in self.groups:
                if group.next_now and now >= group.next_now:
                    group.next_now = 0.0  # taken; rescheduled by whoever sends it
                    return group
        return None


# --- the traffic ----------------------------------------------------------------------------------


def refusal(result: Result) -> str:
    text = result.text
    return next((text for phrase in FAILURE_PHRASES if phrase in text), "")


class Traffic:
    WEIGHTS: ClassVar[dict[str, int]] = {
        "quick_log": 14,
        "modal_log": 14,
        "read": 36,
        "stage": 10,
        "note": 10,
        "answer": 16,
    }

    def __init__(self, bot: Bot, world: World, stats: Stats, standup_every: float, double_share: float) -> None:
        self.double_share = double_share
        self.bot = bot
        self.world = world
        self.stats = stats
        self.standup_every = standup_every

    def step(self, rng: random.Random) -> None:
        group = self.world.due_standup()
        if group is not None:
            return self.standup_now(group)
        kinds = list(self.WEIGHTS)
        weights = [self.WEIGHTS[k] if k != "answer" or self.world.has_prompts() else 0 for k in kinds]
        kind = rng.choices(kinds, weights)[0]
        return getattr(self, kind)(rng)

    def standup_now(self, group: Group) -> None:
        if not self.world.buckets.take(group.lead):
            group.next_now = time.monotonic() + 1.0
            return
        result = self.bot.command(group.lead, f"standup {group.handle} now", channel=group.channel)
        ok = result.status == 200 and "stand-up has started" in result.text
        self.stats.add("standup_now", result, ok, "" if ok else result.text)
        group.next_now = time.monotonic() + self.standup_every

    def quick_log(self, rng: random.Random) -> None:
        user = self.world.member_with_token(rng)
        if user is None:
            return self.modal_log(rng)
        group = self.world.member_group[user]
        title = f"{self.world.tag} quick {self.world.unique():06d}"
        result = self.bot.command(user, f"log {group.handle} {title}", channel=group.channel)
        match = QUICK_RE.search(result.text) if result.status == 200 else None
        if match:
            self.world.titles_sent.add(title)
            self.world.add_ref(int(match.group(1)), group.index)
        self.stats.add("quick_log", result, bool(match), "" if match else result.text)

    def modal_log(self, rng: random.Random) -> None:
        user = rng.choice(list(self.world.member_group))
        group = self.world.member_group[user]
        title = f"{self.world.tag} modal {self.world.unique():06d}"
        values = innovation_values(group.handle, title, rng)
        if rng.random() < self.double_share:
            return self.modal_double(user, title, values)
        result = self.bot.submit(user, "innovation_modal", values, "{}")
        data = result.json
        ok = result.status == 200 and data.get("response_action") != "errors"
        if ok:
            self.world.titles_sent.add(title)
        self.stats.add("modal_log", result, ok, "" if ok else json.dumps(data.get("errors") or data)[:160])

    def modal_double(self, user: str, title: str, values: dict) -> None:
        """The same view submitted twice at once (issue 6, item 1): one innovation must come of it."""
        view_n = 900_000_000 + self.world.unique()
        first: list[Result] = []
        twin = threading.Thread(
            target=lambda: first.append(self.bot.submit(user, "innovation_modal", values, "{}", view_n))
        )
        twin.start()
        second = self.bot.submit(user, "innovation_modal", values, "{}", view_n)
        twin.join()
        results = [*first, second]
        oks = [r.status == 200 and r.json.get("response_action") != "errors" for r in results]
        if any(oks):
            self.world.titles_sent.add(title)
            self.world.doubled.add(title)
        for result, ok in zip(results, oks, strict=True):
            self.stats.add("modal_double", result, ok, "" if ok else json.dumps(result.json)[:160])

    def read(self, rng: random.Random) -> None:
        user = self.world.reader()
        if user is None:
            return self.modal_log(rng)
        group = rng.choice(self.world.groups)
        picked = self.world.pick_ref(rng)
        choice = rng.random()
        if choice < 0.25:
            text, expect = "group list", self.world.groups[0].handle
        elif choice < 0.40:
            text, expect = f"group info {group.handle}", group.handle
        elif choice < 0.60:
            text, expect = "list", ""
        elif choice < 0.75:
            text, expect = f"list {group.handle}", ""
        elif picked is not None:
            text, expect = f"show INN-{picked[0]}", f"INN-{picked[0]}"
        else:
            text, expect = "list", ""
        result = self.bot.command(user, text)
        why = refusal(result)
        ok = result.status == 200 and not why and expect in result.text
        self.stats.add("read", result, ok, why or ("" if ok else f"{text!r} → {result.text[:120]!r}"))

    def stage(self, rng: random.Random) -> None:
        picked = self.world.pick_ref(rng)
        if picked is None:
            return self.quick_log(rng)
        ref, group_index, current = picked
        group = self.world.groups[group_index]
        user = self.world.member_with_token(rng, group)
        if user is None:
            return self.modal_log(rng)
        to = rng.choice([s for s in STAGES if s != current])
        note = f" soak move {self.world.unique()}" if rng.random() < 0.5 else ""
        result = self.bot.command(user, f"stage INN-{ref} {to}{note}", channel=group.channel)
        ok = result.status == 200 and "moved from" in result.text
        if ok:
            self.world.set_stage(ref, to)
        self.stats.add("stage", result, ok, "" if ok else result.text)

    def note(self, rng: random.Random) -> None:
        picked = self.world.pick_ref(rng)
        if picked is None:
            return self.quick_log(rng)
        ref, group_index, _ = picked
        group = self.world.groups[group_index]
        user = self.world.member_with_token(rng, group)
        if user is None:
            return self.modal_log(rng)
        result = self.bot.command(user, f"note INN-{ref} soak note {self.world.unique()}: tried it with a partner")
        ok = result.status == 200 and "Note added to" in result.text
        self.stats.add("note", result, ok, "" if ok else result.text)

    def answer(self, rng: random.Random) -> None:
        prompt = self.world.take_prompt()
        if prompt is None:
            return self.read(rng)
        prompt_id, user, ts = prompt
        click = self.bot.click_answer(user, prompt_id, f"D{user}", ts)
        self.stats.add("standup_click", click, click.status == 200)
        token = f"{self.world.tag}-ans-{self.world.unique():06d}"
        result = self.bot.submit(user, "standup_answer", answer_values(token), str(prompt_id))
        data = result.json
        ok = result.status == 200 and data.get("response_action") != "errors"
        if ok:
            self.world.tokens_sent.add(token)
        self.stats.add("standup_answer", result, ok, "" if ok else json.dumps(data.get("errors") or data)[:160])


def run_workers(traffic: Traffic, concurrency: int, seconds: float, max_requests: int, seed: int,
                stop_event: threading.Event, rate: float = 0.0) -> float:  # fmt: skip
    """Closed loop: each worker sends its next request when the last one is answered. With `rate`,
    the workers together start at most `rate` steps a second (still at most `concurrency` in flight)."""
    deadline = time.monotonic() + seconds
    pace = threading.Lock()
    next_slot = [time.monotonic()]

    def worker(i: int) -> None:
        rng = random.Random(seed * 1000 + i)
        while not stop_event.is_set() and time.monotonic() < deadline:
            if traffic.stats.served >= max_requests:
                break
            if rate > 0:
                with pace:
                    slot = max(time.monotonic(), next_slot[0])
                    next_slot[0] = slot + 1.0 / rate
                wait = slot - time.monotonic()
                if wait > 0:
                    time.sleep(wait)
                if time.monotonic() >= deadline:
                    break
            try:
                traffic.step(rng)
            except Exception as exc:  # a bug in the soak itself must not hang it
                print(f"worker {i}: {type(exc).__name__}: {exc}", file=sys.stderr)
                time.sleep(0.1)

    threads = [threading.Thread(target=worker, args=(i,), name=f"worker-{i}", daemon=True) for i in range(concurrency)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=max(0.0, deadline - time.monotonic()) + HTTP_TIMEOUT * 3)
    return time.monotonic() - started


# --- set-up ---------------------------------------------------------------------------------------


def setup(bot: Bot, world: World, coordinator: str, seconds: float) -> list[str]:
    """Groups, members, leads, channels and schedules, all through signed commands.

    Returns the due times set (HH:MM UTC). Each command must succeed; set-up stops otherwise.
    """
    buckets = world.buckets

    def must(user: str, text: str, expect: str, channel: str = "CSKGENERAL") -> None:
        for attempt in range(3):
            buckets.wait_take(user)
            result = bot.command(user, text, channel=channel)
            if result.status == 200 and expect in result.text:
                return
            if attempt == 2:
                raise SystemExit(f"set-up failed: {user} {text!r} → HTTP {result.status} {result.text[:300]!r}")
            time.sleep(0.5)

    for group in world.groups:
        must(coordinator, f"group new {group.handle} Soak action group {group.index}", "is created")
    joins = [(m, g) for g in world.groups for m in g.members]
    with _pool(8) as run:
        run([lambda m=m, g=g: must(m, f"group join {g.handle}", "Welcome to") for m, g in joins])
    for group in world.groups:
        must(coordinator, f"group lead {group.handle} <@{group.lead}>", "now leads")
    dues = [d.strftime("%H:%M") for d in due_minutes(datetime.now(UTC), seconds, len(world.groups))]
    with _pool(8) as run:
        run([lambda g=g: must(g.lead, f"group channel {g.handle}", "is now linked", channel=g.channel)
             for g in world.groups])  # fmt: skip
        run([lambda g=g, d=d: must(g.lead, f"standup {g.handle} set daily {d} UTC", "Stand-up for")
             for g, d in zip(world.groups, dues, strict=True)])  # fmt: skip
    return sorted(set(dues))


def due_minutes(now: datetime, seconds: float, n: int) -> list[datetime]:
    """A due minute (UTC) for each of n groups, spread over the minutes the clock will see in time.

    A due time is claimed by the first tick after it (every TICK_SECONDS), and its fan-out takes a
    few seconds more, so only minutes at least 20 s from now and TICK_SECONDS + 15 s before the
    traffic ends are used (the first one anyway, in a run too short for any).
    """
    from bot.scheduler import TICK_SECONDS

    end = now + timedelta(seconds=seconds)
    first = minute = (now + timedelta(seconds=20 + 59)).replace(second=0, microsecond=0)
    fitting: list[datetime] = []
    while minute + timedelta(seconds=TICK_SECONDS + 15) <= end and len(fitting) < 3:
        fitting.append(minute)
        minute += timedelta(minutes=1)
    fitting = fitting or [first]
    return [fitting[i % len(fitting)] for i in range(n)]


@contextlib.contextmanager
def _pool(n: int):
    errors: list[BaseException] = []

    def run(tasks) -> None:
        queue = deque(tasks)
        lock = threading.Lock()

        def worker() -> None:
            while True:
                with lock:
                    if not queue or errors:
                        return
                    task = queue.popleft()
                try:
                    task()
                except BaseException as exc:  # SystemExit from must()
                    errors.append(exc)

        threads = [threading.Thread(target=worker, daemon=True) for _ in range(n)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if errors:
            raise errors[0]

    yield run


# --- where the CPU went ---------------------------------------------------------------------------


def _proc_stats() -> dict[int, tuple[int, float, str]]:
    """pid → (parent pid, CPU seconds used by it and its reaped children, name), from /proc (Linux)."""
    tick = os.sysconf("SC_CLK_TCK")
    out: dict[int, tuple[int, float]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            raw = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = raw[raw.rfind(")") + 2 :].split()  # after "pid (comm) "
        comm = raw[raw.find("(") + 1 : raw.rfind(")")]
        out[int(entry)] = (int(fields[1]), sum(int(f) for f in fields[11:15]) / tick, comm)
    return out


def cpu_snapshot(roots: dict[str, int]) -> dict[str, float]:
    """CPU seconds of each named process tree, and of the whole machine ("machine")."""
    if not Path("/proc/stat").exists():
        return {}
    procs = _proc_stats()
    children: dict[int, list[int]] = defaultdict(list)
    for pid, (ppid, _, _) in procs.items():
        children[ppid].append(pid)
    out = {}
    for name, root in roots.items():
        total, todo = 0.0, [root]
        while todo:
            pid = todo.pop()
            total += procs.get(pid, (0, 0.0, ""))[1]
            todo += children.get(pid, [])
        out[name] = total
    # The PostgreSQL server (all its databases: other users of the machine's server count too).
    out["postgres"] = sum(used for _, used, comm in procs.values() if comm in ("postgres", "postmaster"))
    cpu = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    busy = sum(int(v) for i, v in enumerate(cpu) if i not in (3, 4))  # all but idle and iowait
    out["machine"] = busy / os.sysconf("SC_CLK_TCK")
    return out


# --- counting what is stored ----------------------------------------------------------------------


class Store:
    def __init__(self, url: str, tag: str) -> None:
        from sqlalchemy import create_engine

        self.engine = create_engine(url)
        self.tag = tag

    def titles(self) -> Counter[str]:
        from sqlalchemy import text

        with self.engine.connect() as conn:
            rows = conn.execute(text("SELECT title FROM innovations WHERE title LIKE :p"), {"p": f"{self.tag} %"})
            return Counter(r[0] for r in rows)

    def tokens(self) -> Counter[str]:
        from sqlalchemy import text

        pattern = re.compile(re.escape(self.tag) + r"-ans-\d{6}")
        with self.engine.connect() as conn:
            rows = conn.execute(text("SELECT answers FROM standup_prompts WHERE answers IS NOT NULL"))
            return Counter(t for (answers,) in rows for t in pattern.findall(answers or ""))

    def runs(self, scheduled: set[str]) -> dict[str, int]:
        from sqlalchemy import text

        out: Counter[str] = Counter()
        with self.engine.connect() as conn:
            rows = conn.execute(text("SELECT r.due_at, r.status, r.message_ts, r.summary_ts FROM standup_runs r"))
            for due_at, status, message_ts, summary_ts in rows:
                due = due_at if isinstance(due_at, datetime) else datetime.fromisoformat(str(due_at))
                due = due.astimezone(UTC) if due.tzinfo else due  # naive: stored as UTC
                clocked = due.second == 0 and due.microsecond == 0 and due.strftime("%H:%M") in scheduled
                out["scheduled" if clocked else "now"] += 1
                out[f"status:{status}"] += 1
                out["channel_posted"] += message_ts is not None
                out["summaries"] += summary_ts is not None
            prompts = conn.execute(text("SELECT count(*), count(dm_ts), count(answered_at) FROM standup_prompts"))
            out["prompts"], out["prompts_sent"], out["prompts_answered"] = prompts.one()
        return dict(out)

    def dispose(self) -> None:
        self.engine.dispose()


def log_levels(path: Path) -> Counter[str]:
    levels: Counter[str] = Counter()
    try:
        lines = path.read_text(errors="replace").splitlines()
    except OSError:
        return levels
    for line in lines:
        try:
            levels[json.loads(line).get("level", "?")] += 1
        except ValueError:
            levels["traceback" if line.startswith("Traceback") else "other"] += 1
    return levels


def first_errors(path: Path, n: int = 3) -> list[str]:
    out = []
    with contextlib.suppress(OSError):
        for line in path.read_text(errors="replace").splitlines():
            with contextlib.suppress(ValueError):
                entry = json.loads(line)
                if entry.get("level") in ("error", "critical"):
                    out.append(f"{entry.get('logger')}: {entry.get('msg')} {str(entry.get('exc', ''))[-300:]}")
            if len(out) >= n:
                break
    return out


# --- main -----------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=120.0, help="length of the traffic phase")
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--database-url", default="", help="a SCRATCH database: its schema is dropped")
    parser.add_argument("--groups", type=int, default=8)
    parser.add_argument("--members", type=int, default=40)
    parser.add_argument("--readers", type=int, default=200, help="user ids the read commands are spread over")
    parser.add_argument("--fail-rate", type=float, default=0.05, help="share of Web API calls that fail")
    parser.add_argument("--standup-every", type=float, default=20.0, help="seconds between a lead's `standup now`")
    parser.add_argument("--quiet", type=float, default=10.0, help="least seconds to wait after the traffic")
    parser.add_argument("--max-requests", type=int, default=200_000)
    parser.add_argument("--double-share", type=float, default=0.03,
                        help="share of modal submissions sent twice at once with the same view")  # fmt: skip
    parser.add_argument("--rate", type=float, default=0.0, help="cap on steps a second (default: none, closed loop)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (logs, SQLite file)")
    args = parser.parse_args()
    if args.concurrency < 1 or args.groups < 1 or args.members < args.groups or args.seconds <= 0:
        parser.error("need concurrency >= 1, groups >= 1, members >= groups and seconds > 0")

    def _terminate(signum, _frame):
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, _terminate)
    signal.signal(signal.SIGINT, _terminate)  # also when started in the background (SIGINT ignored)

    seed = args.seed or random.SystemRandom().randrange(1, 1_000_000)
    tag = f"soak{seed:06d}"
    workdir = Path(tempfile.mkdtemp(prefix="spindle-soak-"))
    url = args.database_url or f"sqlite:///{workdir / 'soak.db'}"
    backend = url.split(":")[0].split("+")[0]
    groups = [Group(i, f"soak-g{i:02d}", f"CSK{i:04d}", lead="", members=[]) for i in range(args.groups)]
    for j in range(args.members):
        groups[j % args.groups].members.append(f"USKM{j:04d}")
    for g in groups:
        g.lead = g.members[0]
    readers = [f"USKR{j:05d}" for j in range(args.readers)]
    world = World(tag, groups, readers, seed)
    stats = Stats()
    stop_event = threading.Event()

    slack = web = clock = None
    store = None
    exit_code = 1
    try:
        slack = SlackProcess(args.fail_rate, seed, [COORDINATOR, *world.member_group, *readers], world.add_prompt)
        env = {
            **os.environ,
            "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET, "SLACK_API_URL": slack.api_url,
            "DATABASE_URL": url, "SPINDLE_COORDINATORS": COORDINATOR, "SPINDLE_TIMEZONE": "Europe/Amsterdam",
            "LOG_LEVEL": "INFO", "PYTHONUNBUFFERED": "1",
        }  # fmt: skip
        env.pop("SLACK_APP_TOKEN", None)
        if backend == "postgresql":
            reset_database(url)
        release = subprocess.run([sys.executable, "-m", "bot", "migrate"], cwd=ROOT, env=env,
                                 capture_output=True, text=True, timeout=120)  # fmt: skip
        if release.returncode != 0:
            raise SystemExit(f"release step failed: {release.stderr.strip()[-500:]}")

        port = free_port()
        # The Procfile `web` command, bound to loopback only (a command-line --bind wins over the config).
        web = spawn([sys.executable, "-m", "gunicorn", "--config", "bot/gunicorn_conf.py", "--bind",
                     f"127.0.0.1:{port}", "bot.wsgi:application"], {**env, "SPINDLE_SCHEDULER": "off"},
                    workdir / "web.log")  # fmt: skip
        clock = spawn([sys.executable, "-m", "bot", "clock"], env, workdir / "clock.log")
        wait_healthy(port, web)
        time.sleep(1.0)
        if clock.poll() is not None:
            raise SystemExit(
                f"clock exited with {clock.returncode} at start: {(workdir / 'clock.log').read_text()[-500:]}"
            )
        slack.ask("fail-on")  # from here on, every Web API call may fail (auth.test at start excepted)

        bot = Bot(port, slack.base)
        workers = f"{gunicorn_conf.workers}x{gunicorn_conf.threads}"  # the web process reads the same environment
        print(f"soak: database={backend} seconds={args.seconds:g} concurrency={args.concurrency} "
              f"rate={'max' if not args.rate else f'{args.rate:g}/s'} fail-rate={args.fail_rate:.0%} groups={args.groups} members={args.members} cores={os.cpu_count()} "
              f"web=gunicorn gthread {workers} seed={seed}", flush=True)  # fmt: skip
        t0 = time.monotonic()
        dues = setup(bot, world, COORDINATOR, args.seconds)
        print(f"set-up: {time.monotonic() - t0:.1f} s; {args.groups} groups with channels and leads, "
              f"{args.members} members; daily stand-ups due at {', '.join(dues)} UTC", flush=True)  # fmt: skip
        start = time.monotonic()
        for i, g in enumerate(groups):  # leads' `standup now`, staggered over one period
            g.next_now = start + 2.0 + i * args.standup_every / len(groups)
        traffic = Traffic(bot, world, stats, args.standup_every, args.double_share)
        roots = {"web": web.pid, "clock": clock.pid, "fake slack": slack.proc.pid, "soak client": os.getpid()}
        cpu_before = cpu_snapshot(roots)
        wall = run_workers(traffic, args.concurrency, args.seconds, args.max_requests, seed, stop_event, args.rate)
        cpu_after = cpu_snapshot(roots)
        cpu = {k: cpu_after[k] - cpu_before.get(k, 0.0) for k in cpu_after}
        # The processes are children of the client: its own share is its tree minus theirs.
        cpu["soak client"] -= cpu.get("web", 0.0) + cpu.get("clock", 0.0) + cpu.get("fake slack", 0.0)

        # Quiet period: after-ack work (saves, cards, retries after Slack's 429s) finishes.
        store = Store(url, tag)
        quiet_started = time.monotonic()
        time.sleep(args.quiet)
        last, stable_since = None, time.monotonic()
        while time.monotonic() - quiet_started < args.quiet + 60:
            now_counts = (sum(store.titles().values()), sum(store.tokens().values()))
            if now_counts != last:
                last, stable_since = now_counts, time.monotonic()
            elif time.monotonic() - stable_since >= 3:
                break
            time.sleep(1)
        quiet = time.monotonic() - quiet_started

        titles = store.titles()
        tokens = store.tokens()
        runs = store.runs(set(dues))
        slack_stats = slack.ask("stats")
        exit_code = report(args, stats, wall, quiet, world, titles, tokens, runs, slack_stats, workdir, cpu)
    except KeyboardInterrupt as exc:
        print(f"soak interrupted ({exc or 'Ctrl-C'}); stopping the processes", file=sys.stderr)
        stop_event.set()
        exit_code = 130
    finally:
        stop_event.set()
        stop(web, "web")
        stop(clock, "clock")
        if slack is not None:
            slack.close()
        if store is not None:
            store.dispose()
        if args.keep:
            print(f"kept: {workdir}", file=sys.stderr)
        else:
            for name in ("web.log", "clock.log"):
                if exit_code not in (0, 130) and (workdir / name).exists():
                    kept = Path(tempfile.gettempdir()) / f"spindle-soak-{seed}-{name}"
                    kept.write_bytes((workdir / name).read_bytes())
                    print(f"{name} kept at {kept}", file=sys.stderr)
            shutil.rmtree(workdir, ignore_errors=True)
    return exit_code


def report(args, stats: Stats, wall: float, quiet: float, world: World, titles: Counter, tokens: Counter,
           runs: dict, slack_stats: dict, workdir: Path, cpu: dict[str, float]) -> int:  # fmt: skip
    ordered = sorted(stats.latencies)
    served = stats.served
    fivexx = sum(n for s, n in stats.statuses.items() if s >= 500)
    no_response = stats.statuses.get(0, 0)
    non_200 = served - stats.statuses.get(200, 0)
    p50, p95, p99 = (percentile(ordered, p) * 1000 for p in (0.50, 0.95, 0.99))
    print(f"traffic:          {wall:.1f} s, then {quiet:.1f} s quiet")
    print(f"requests served:  {served} ({served / wall:.0f}/s); non-200: {non_200} (no response: {no_response}); "
          f"statuses: {dict(sorted(stats.statuses.items()))}")  # fmt: skip
    print(f"5xx:              {fivexx}")
    print(f"latency:          p50={p50:.1f} ms  p95={p95:.1f} ms  p99={p99:.1f} ms  max={ordered[-1] * 1000:.0f} ms"
          if ordered else "latency:          n/a")  # fmt: skip
    print(f"{'kind':<16}{'sent':>7}{'ok':>7}{'refused':>9}{'failed':>8}{'p50 ms':>9}{'p95 ms':>9}")
    for kind in (
        "quick_log",
        "modal_log",
        "modal_double",
        "read",
        "stage",
        "note",
        "standup_now",
        "standup_click",
        "standup_answer",
    ):
        k = stats.kinds.get(kind)
        if k is None:
            continue
        lat = sorted(k.latencies)
        print(f"{kind:<16}{k.sent:>7}{k.ok:>7}{k.refused:>9}{k.failed:>8}"
              f"{percentile(lat, 0.5) * 1000:>9.1f}{percentile(lat, 0.95) * 1000:>9.1f}")  # fmt: skip
        for sample in k.samples:
            print(f"    e.g. {sample}")
    print(f"rate-limited replies: {stats.rate_limited}")
    served_calls = sum(slack_stats["served"].values())
    failed_calls = sum(slack_stats["failed"].values())
    total_calls = served_calls + failed_calls
    share = failed_calls / total_calls if total_calls else 0.0
    print(
        f"fake slack:       {total_calls} Web API calls; failed on purpose {failed_calls} ({share:.1%}): "
        f"{slack_stats['failed']}; answered: "
        + ", ".join(f"{m}={n}" for m, n in sorted(slack_stats["served"].items(), key=lambda x: -x[1])[:8])
    )
    print(
        f"stand-ups:        runs {runs.get('scheduled', 0)} by schedule (clock) + {runs.get('now', 0)} `now`; "
        + ", ".join(f"{k[7:]}={v}" for k, v in sorted(runs.items()) if k.startswith("status:"))
        + f"; channel messages {runs.get('channel_posted', 0)}, summaries {runs.get('summaries', 0)}; "
        f"prompts {runs.get('prompts', 0)} (DM sent {runs.get('prompts_sent', 0)}, answered "
        f"{runs.get('prompts_answered', 0)}); prompt DMs seen by Slack {slack_stats['prompts']}, "
        f"duplicate prompt DMs {slack_stats['duplicate_prompts']}, reminders {slack_stats['reminders']}"
    )
    if cpu:
        ours = sum(v for k, v in cpu.items() if k != "machine")
        print(
            f"cpu during traffic ({os.cpu_count()} cores x {wall:.0f} s = {(os.cpu_count() or 1) * wall:.0f} cpu-s): "
            + ", ".join(f"{k} {v:.0f} s" for k, v in cpu.items() if k != "machine")
            + f", everything else on the machine {max(0.0, cpu['machine'] - ours):.0f} s"
        )
    for name in ("web", "clock"):
        levels = log_levels(workdir / f"{name}.log")
        print(f"{name} log:          " + ", ".join(f"{k}={v}" for k, v in sorted(levels.items())))
        for line in first_errors(workdir / f"{name}.log"):
            print(f"    {line[:400]}")

    lost_titles = world.titles_sent - set(titles)
    lost_tokens = world.tokens_sent - set(tokens)
    duplicate_titles = sum(n - 1 for n in titles.values() if n > 1)
    unacked_titles = len(set(titles) - world.titles_sent)  # stored although the ack did not say so
    if lost_titles:
        print("lost innovations (first 5): " + ", ".join(sorted(lost_titles)[:5]))
    if lost_tokens:
        print("lost answers (first 5): " + ", ".join(sorted(lost_tokens)[:5]))
    doubled_dupes = sum(1 for t in world.doubled if titles.get(t, 0) > 1)
    print(
        f"innovations:      stored {sum(titles.values())} with the soak's titles; duplicates {duplicate_titles} "
        f"({doubled_dupes} of the {len(world.doubled)} submitted twice with the same view were stored twice); "
        f"stored without a successful ack {unacked_titles}"
    )
    lost = len(lost_titles) + len(lost_tokens)
    p95_ok = p95 < 300
    dupes = duplicate_titles + slack_stats["duplicate_prompts"]
    met = lost == 0 and fivexx == 0 and p95_ok and dupes == 0
    print(
        f"targets:          0 lost {'OK' if lost == 0 else 'MISSED'}, 0 5xx {'OK' if fivexx == 0 else 'MISSED'}, "
        f"p95 < 300 ms {'OK' if p95_ok else 'MISSED'}, no duplicates {'OK' if not dupes else 'MISSED'}"
    )
    print(
        f"records lost:     {lost} — innovations {len(lost_titles)} (sent {len(world.titles_sent)}, stored "
        f"{len(world.titles_sent & set(titles))}), answers {len(lost_tokens)} (sent {len(world.tokens_sent)}, "
        f"stored {len(world.tokens_sent & set(tokens))})"
    )
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
