"""Abuse: oversized bodies are refused, a person's command rate is limited, and fuzzed command text
always gets a reply, never a 5xx, and a refusal changes nothing."""

from __future__ import annotations

import time
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from bot.web import MAX_BODY_BYTES
from handlers import ratelimit
from handlers.commands import CONTROL_CHARS, parse
from handlers.grammar import UsageError
from handlers.ratelimit import RateLimiter
from models.groups import Group, Membership
from models.people import Member, ensure_member
from tests.conftest import COORDINATOR
from tests.slackdriver import sign

# --- oversized bodies ---------------------------------------------------------------------------


def _command_fields(text: str, user: str = COORDINATOR) -> dict[str, str]:
    return {"token": "legacy", "team_id": "T1", "channel_id": "C1", "user_id": user, "user_name": user.lower(),
            "command": "/spindle", "text": text, "api_app_id": "A1", "response_url": "http://127.0.0.1:9/r",
            "trigger_id": "t1"}  # fmt: skip


def test_oversized_body_is_refused_with_413_and_changes_nothing(slack, db):
    body = urlencode(_command_fields("group new too-big " + "x" * (MAX_BODY_BYTES + 10))).encode()
    r = slack.post(body, "application/x-www-form-urlencoded", sign(body))
    assert r.status == 413
    with db.transaction() as s:
        assert s.scalar(select(Group.id)) is None


def test_size_is_refused_from_the_header_without_reading_the_body(runtime):
    """Under gunicorn the body streams to us: a huge Content-Length is refused before any read."""

    class Unreadable:
        def read(self, *_args):
            raise AssertionError("the body was read")

    statuses = []
    environ = {"PATH_INFO": "/slack/events", "REQUEST_METHOD": "POST", "CONTENT_LENGTH": str(MAX_BODY_BYTES * 4),
               "CONTENT_TYPE": "application/x-www-form-urlencoded", "wsgi.input": Unreadable()}  # fmt: skip
    runtime.wsgi(environ, lambda status, headers: statuses.append(status))
    runtime.wsgi({**environ, "CONTENT_LENGTH": "-5"}, lambda status, headers: statuses.append(status))
    assert [s.split()[0] for s in statuses] == ["413", "413"]


def test_body_under_the_limit_is_served(slack):
    r = slack.command("help " + "x" * 20_000)
    assert r.status == 200 and r.text.strip()


# --- rate limit ---------------------------------------------------------------------------------


class Ticker:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def test_rate_limiter_bucket():
    tick = Ticker()
    limiter = RateLimiter(rate=3, per=60, clock=tick)
    assert [limiter.take("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    wait = limiter.take("a")
    assert wait == pytest.approx(20.0)
    assert limiter.take("b") == 0.0  # per person
    tick.t += 20
    assert limiter.take("a") == 0.0 and limiter.take("a") > 0
    tick.t -= 500  # a clock stepping back mints nothing
    assert limiter.take("a") > 0
    tick.t += 10_000
    assert [limiter.take("a") for _ in range(4)][-1] > 0  # refills to the capacity, no more
    assert ratelimit.refusal(0.2).startswith("You are sending commands faster")
    assert "1 second " in ratelimit.refusal(0.2) and "20 seconds" in ratelimit.refusal(19.5)


def test_rate_limiter_keeps_bounded_memory(monkeypatch):
    monkeypatch.setattr(ratelimit, "MAX_TRACKED", 50)
    tick = Ticker()
    limiter = RateLimiter(rate=2, per=60, clock=tick)
    for i in range(500):
        limiter.take(f"u{i}")
        limiter.take(f"u{i}")  # every bucket busy, none can be dropped as full
    assert len(limiter._buckets) <= 50


def test_the_composition_root_installs_the_configured_limit(fake_slack, migrated_url):
    from bot.app import build
    from bot.settings import load_settings
    from tests.conftest import bot_env

    runtime = build(
        load_settings({k: v for k, v in bot_env(fake_slack, migrated_url).items() if k != "SPINDLE_RATE_LIMIT"})
    )
    limiter = runtime.deps.rate_limiter
    assert limiter is not None
    assert limiter.capacity == 20 and limiter.refill == pytest.approx(20 / 60)
    runtime = build(load_settings(bot_env(fake_slack, migrated_url, SPINDLE_RATE_LIMIT="0")))
    assert runtime.deps.rate_limiter is None


def test_command_rate_limit_is_friendly_and_changes_nothing(slack, runtime, db, monkeypatch):
    tick = Ticker()
    monkeypatch.setattr(runtime.deps, "rate_limiter", RateLimiter(20, 60, clock=tick))
    slack.command("group new data-ethics", user=COORDINATOR)
    for _ in range(19):
        assert "faster" not in slack.command("group list", user=COORDINATOR).text
    r = slack.command("group archive data-ethics", user=COORDINATOR)
    assert r.status == 200 and "faster than I can take them" in r.text and "wait 3 seconds" in r.text
    with db.transaction() as s:
        assert s.scalar(select(Group.archived_at)) is None  # refused before parsing: nothing changed
    assert "data-ethics" in slack.command("group list", user="U1").text  # others are not affected
    tick.t += 3
    assert "archived" in slack.command("group archive data-ethics", user=COORDINATOR).text


# --- fuzzing ------------------------------------------------------------------------------------

FUZZER = "UFUZZ"  # a plain member: every coordinator command must be refused
WORDS = ["group", "new", "join", "leave", "lead", "archive", "channel", "info", "list", "org", "coordinator",
         "add", "remove", "log", "show", "stage", "note", "edit", "standup", "set", "off", "now", "away",
         "questions", "export", "forget-me", "help", "data-ethics", "INN-1", "0", "-1", "<@U1>", "<@U1|ama>",
         "<!channel>", "weekdays", "mon,tue", "09:30", "25:99", "Europe/Amsterdam", "Mars/Base", "exploring",
         "=cmd|' /C calc'!A0", "`", "*", "\u202e", "\u0000", "😀", "ﬀ", "\t", "\n"]  # fmt: skip
COORDINATOR_ONLY = ("group new", "group lead", "group archive", "coordinator add", "coordinator remove", "export")

texts = st.one_of(
    st.lists(st.sampled_from(WORDS), max_size=6).map(" ".join),
    st.tuples(st.sampled_from(WORDS), st.sampled_from(WORDS), st.text(max_size=80)).map(" ".join),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300),
    st.tuples(
        st.sampled_from((*COORDINATOR_ONLY, "org", "group join", "group leave")),
        st.sampled_from([*WORDS, ""]),
        st.text(max_size=60),
    ).map(" ".join),
)


def _snapshot(db) -> tuple:
    with db.transaction() as s:
        groups = s.execute(select(Group.handle, Group.description, Group.channel_id, Group.lead_id,
                                  Group.archived_at).order_by(Group.handle)).all()  # fmt: skip
        members = s.execute(select(Member.id, Member.name, Member.organisation, Member.is_coordinator,
                                   Member.tz, Member.away_until, Member.forgotten).order_by(Member.id)).all()  # fmt: skip
        memberships = s.execute(select(Membership.group_id, Membership.member_id).order_by(Membership.id)).all()
    return groups, members, memberships


def _refused_before_domain(text: str) -> bool:
    text = CONTROL_CHARS.sub("", text)  # as the listener does before parsing
    try:
        parse(text)
    except UsageError:
        return True
    folded = " ".join(text.lower().split())
    return folded.startswith(COORDINATOR_ONLY)


@pytest.fixture
def fuzz_world(slack, db, clock):
    slack.command("group new data-ethics Data ethics", user=COORDINATOR)
    slack.command("group new privacy-first", user=COORDINATOR)
    slack.command("group join data-ethics", user="U1")
    with db.transaction() as s:
        ensure_member(s, FUZZER, clock.now(), name="fuzz")
    return slack


def test_nul_and_control_characters_are_handled(slack, db):
    r = slack.command("org Cord\x00aid\x07", user="U1")
    assert r.status == 200 and r.text.strip()
    with db.transaction() as s:
        org = s.get(Member, "U1").organisation
    assert org is None or "\x00" not in org


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=texts)
def test_fuzzed_command_text_always_gets_a_reply(fuzz_world, db, text):
    refused = _refused_before_domain(text)
    before = _snapshot(db) if refused else None
    started = time.monotonic()
    r = fuzz_world.command(text, user=FUZZER)
    assert r.status == 200, (text, r.status, r.body[:300])
    assert r.text.strip(), f"no reply to {text!r}"
    assert time.monotonic() - started < 3.0
    assert "Traceback" not in r.text and "went wrong on my side" not in r.text, (text, r.text)
    if refused:
        assert _snapshot(db) == before, f"{text!r} was refused but changed the database"


# --- fuzzing the innovation form ------------------------------------------------------------------

MODAL_BLOCKS = ("group", "title", "kind", "stage", "stage_note", "summary", "link", "organisations", "sdgs",
                "tags", "privacy_risk", "civic_space_risk", "manipulation_risk", "safeguards")  # fmt: skip
SELECTS = {
    "group": ["data-ethics", "privacy-first", "no-such-group", "DATA-ETHICS", ""],
    "kind": ["instrument", "way-of-working", "strategy", "gadget", ""],
    "stage": ["idea", "exploring", "piloting", "parked", "dropped", "done", ""],
    "privacy_risk": ["low", "medium", "high", "not-assessed", "extreme"],
    "civic_space_risk": ["low", "high", "??"],
    "manipulation_risk": ["medium", "not-assessed", "0"],
}
any_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=200)
field_text = st.one_of(
    any_text,
    st.sampled_from(
        [
            '=HYPERLINK("http://x","y")',
            "+SUM(1,2)",
            "javascript:alert(1)",
            "https://ok.example/x",
            "ftp://x",
            "\x00",
            "Cordaid, Hivos,, ,",
            "Privacy, AI, privacy",
            "😀" * 50,
        ]
    ),
    st.integers(0, 5000).map(lambda n: "t" * n),  # around every length limit
)
junk = st.one_of(
    st.none(),
    st.integers(),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)


def _text_element(value) -> dict:
    return {"value": {"type": "plain_text_input", "value": value}}


def _select_element(value) -> dict:
    return {"value": {"type": "static_select", "selected_option": {"value": value} if value is not None else None}}


def _valid_form(draw) -> dict:
    """A form that should be saved: right group, options from the lists, text of any kind."""
    printable = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=120)
    return {
        "group": _select_element("data-ethics"),
        "title": _text_element(draw(printable.filter(lambda t: t.strip())) ),
        "kind": _select_element(draw(st.sampled_from(["instrument", "way-of-working", "strategy"]))),
        "stage": _select_element(draw(st.sampled_from(["idea", "exploring", "piloting"]))),
        "summary": _text_element(draw(st.one_of(st.none(), printable, st.just("s" * 3000)))),
        "link": _text_element(draw(st.sampled_from([None, "", "https://ok.example/x?a=1", "http://x.org"]))),
        "organisations": _text_element(draw(st.one_of(st.none(), printable))),
        "sdgs": {"value": {"type": "multi_static_select",
                           "selected_options": [{"value": str(n)} for n in draw(st.lists(st.integers(1, 17), max_size=4))]}},
        "tags": _text_element(draw(st.one_of(st.none(), printable))),
        "safeguards": _text_element(draw(st.one_of(st.none(), printable))),
    }  # fmt: skip


def _any_field(draw, block: str):
    if block == "sdgs":
        picks = draw(st.lists(st.one_of(st.integers(-3, 20).map(str), any_text, junk), max_size=5))
        return {"value": {"type": "multi_static_select", "selected_options": [{"value": p} for p in picks]}}
    if block in SELECTS:
        return _select_element(draw(st.one_of(st.sampled_from(SELECTS[block]), any_text, junk)))
    return _text_element(draw(st.one_of(field_text, junk)))


@st.composite
def modal_states(draw) -> dict:
    """state.values as Slack sends them: a good form, a good form with one field spoilt, or chaos
    (fields missing, odd-shaped or full of anything)."""
    mode = draw(st.sampled_from(["valid", "one-bad", "chaos"]))
    if mode != "chaos":
        values = _valid_form(draw)
        if mode == "one-bad":
            block = draw(st.sampled_from(MODAL_BLOCKS))
            values[block] = draw(st.one_of(junk, st.just(None))) if draw(st.booleans()) else _any_field(draw, block)
        return values
    values: dict = {}
    for block in MODAL_BLOCKS:
        shape = draw(st.sampled_from(["good", "missing", "junk"]))
        if shape == "junk":
            values[block] = draw(st.one_of(junk, st.fixed_dictionaries({"value": junk})))
        elif shape == "good":
            values[block] = _any_field(draw, block)
    return values


def _innovations(db) -> list[tuple]:
    from models.innovations import Innovation

    with db.transaction() as s:
        return s.execute(select(Innovation.id, Innovation.title, Innovation.summary).order_by(Innovation.id)).all()


@pytest.fixture
def form_world(fuzz_world):
    fuzz_world.command("group join data-ethics", user=FUZZER)  # so that some submissions are valid
    return fuzz_world


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    values=modal_states(),
    metadata=st.sampled_from(["", "{}", '{"ref": 1}', '{"ref": "x"}', "not json", '{"ref": 99999999999}']),
)
def test_fuzzed_innovation_form_is_saved_or_refused_inline(form_world, db, values, metadata):
    before = _innovations(db)
    r = form_world.view_submission(FUZZER, "innovation_modal", values, private_metadata=metadata)
    assert r.status == 200, (values, r.status, r.body[:300])
    answer = r.json if r.body.strip() else {}
    after = _innovations(db)
    event("refused inline" if answer.get("response_action") == "errors" else "saved or edited")
    if answer.get("response_action") == "errors":
        errors = answer["errors"]
        assert errors and set(errors) <= set(MODAL_BLOCKS), errors  # Slack rejects errors for unknown blocks
        assert all(isinstance(m, str) and m.strip() and "went wrong" not in m for m in errors.values()), errors
        assert after == before, "refused but the register changed"
    else:
        assert answer in ({}, None) or answer.get("response_action") in (None, "clear"), answer
        changed = [row for row in after if row not in before]
        assert len(after) - len(before) in (0, 1) and len(changed) <= 1  # one new or one edited innovation
        for _, title, summary in changed:
            assert title and "\x00" not in title and len(title) <= 150
            assert summary is None or ("\x00" not in summary and len(summary) <= 3000)
