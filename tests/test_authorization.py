"""The authorization matrix: every `/spindle` command and interactive action × role, over signed HTTP.

One table (`TABLE`) says, for each action, which roles may do it. Each (action, role) pair is its
own test, e.g. `test_matrix[stage-member-allowed]`:

- allowed: the effect happened (database or fake Slack calls); an action that only reads or
  opens a form leaves the whole database as it was;
- refused: the person is told who may do it (ephemeral ack, modal field error or a response_url
  message), the whole database is unchanged (`tests/dbsnap.py`) and Slack saw no effect beyond
  that message (no form, no post in a channel, no upload);
- noop: the action does not apply to this role (joining a group you are already in, leaving one
  you are not in): it says so and nothing changes.

Roles, in a group `ethics` with a linked channel, a stand-up schedule, an INN logged by the
member and an open stand-up run with a prompt for the member: coordinator (UCOORD), the group's
lead (ULEAD, also a member), a member (UMEMB) and a non-member (UOUTS, who has used the bot but
is in no group). A second coordinator (UCO2) exists so `coordinator remove` has someone to remove.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

import openpyxl
import pytest
from sqlalchemy import func, select

from handlers.slack_messenger import Pacer
from handlers.ui.controls import innovation_controls, lead_controls
from models.audit import AuditEntry
from models.groups import Group, Membership, create_group
from models.innovations import Innovation, InnovationInput, InnovationNote, create_innovation, set_card
from models.people import Member, ensure_member
from models.privacy import forget_token
from models.standups import StandupPrompt, StandupRun, get_schedule, questions_of, set_schedule
from models.vocab import DEFAULT_STANDUP_QUESTIONS, WEEKDAYS
from tests.conftest import COORDINATOR
from tests.dbsnap import snapshot
from tests.fakeslack import Call
from tests.slackdriver import Response

HANDLE = "ethics"
OTHER = "other"  # a second group, with no members: for moving an innovation out of `ethics`
CHANNEL = "CGROUP"  # the group's linked channel
THREAD_TS = "1690000000.000001"  # the open run's channel message
CARD_TS = "1690000000.000002"  # the innovation's card
LEAD, MEMBER, OUTSIDER, COORD2, NEWBIE = "ULEAD", "UMEMB", "UOUTS", "UCO2", "UNEW"
ROLES: dict[str, str] = {"coordinator": COORDINATOR, "lead": LEAD, "member": MEMBER, "nonmember": OUTSIDER}
EVERYONE = frozenset(ROLES)
IN_GROUP = frozenset({"coordinator", "lead", "member"})  # group members and coordinators
LEADS = frozenset({"coordinator", "lead"})  # the lead and coordinators
COORDS = frozenset({"coordinator"})

# What the refusals must say (who may do it).
ONLY_COORDINATORS = "Only coordinators may"
ONLY_LEAD = f"Only the lead of `{HANDLE}` or a coordinator may"
ONLY_MEMBERS = f"Only members of `{HANDLE}` and coordinators may"
ONLY_RECIPIENT = "only they can answer it"


@pytest.fixture(autouse=True)
def fast_pacer(runtime):
    """Stand-up posts without the real pause between messages; the bot's own pacer is put back after."""
    before = runtime.deps.pacer, runtime.deps.paced_messenger.pacer
    runtime.deps.pacer = runtime.deps.paced_messenger.pacer = Pacer(sleep=lambda _s: None)
    yield
    runtime.deps.pacer, runtime.deps.paced_messenger.pacer = before


# --- the world every cell starts from -----------------------------------------------------------


@dataclass(frozen=True)
class World:
    group_id: int
    inn: int  # the innovation's id (INN-<inn>)
    run_id: int
    prompt_id: int  # the member's prompt in the open run
    tokens: dict[str, str]  # each person's forget-me confirm token


def build_world(db, fake_slack, clock) -> World:
    """Built with domain calls (fast); only the act under test goes through HTTP."""
    now = clock.now()
    for uid in (*ROLES.values(), COORD2):
        fake_slack.add_user(uid, uid.lower())
    with db.transaction() as s:
        people = {}
        for uid in (*ROLES.values(), COORD2):
            member, _ = ensure_member(s, uid, now, name=uid.lower())
            member.profile_fetched = True  # no users.info write after the act
            member.tz = "Europe/Amsterdam"
            people[uid] = member
        people[COORD2].is_coordinator = True
        group = create_group(s, people[COORDINATOR], HANDLE, "Data ethics", now)
        for uid in (LEAD, MEMBER):
            s.add(Membership(group_id=group.id, member_id=uid, joined_at=now))
        group.lead_id = LEAD
        group.channel_id = CHANNEL
        create_group(s, people[COORDINATOR], OTHER, "A group with no members yet", now)
        s.flush()
        inn = create_innovation(s, people[MEMBER], InnovationInput(group=HANDLE, title="Consent chatbot"), now)
        set_card(s, inn.id, CHANNEL, CARD_TS)
        set_schedule(s, people[LEAD], HANDLE, ("mon", "wed", "fri"), "09:30", "Europe/Amsterdam", now)
        run = StandupRun(
            group_id=group.id, due_at=now - timedelta(hours=1), claimed_at=now - timedelta(hours=1), status="open",
            questions=list(DEFAULT_STANDUP_QUESTIONS), channel_id=CHANNEL, message_ts=THREAD_TS,
            fanout_done_at=now - timedelta(hours=1), closes_at=now + timedelta(days=1),
        )  # fmt: skip
        s.add(run)
        s.flush()
        prompt = StandupPrompt(
            run_id=run.id, member_id=MEMBER, dm_channel=f"D{MEMBER}", dm_ts="1690000000.000003",
            sent_at=now - timedelta(hours=1),
        )  # fmt: skip
        s.add(prompt)
        s.flush()
        tokens = {uid: forget_token(m) for uid, m in people.items()}
        return World(group.id, inn.id, run.id, prompt.id, tokens)


# --- a cell: one role doing one action ----------------------------------------------------------


@dataclass
class Cell:
    slack: object
    fake: object
    db: object
    world: World
    role: str
    user: str
    resp: Response | None = None
    calls: list[Call] = field(default_factory=list)  # the Slack calls the act caused

    def fmt(self, text: str) -> str:
        return text.format(inn=f"INN-{self.world.inn}", h=HANDLE)

    def calls_of(self, method: str, **match) -> list[Call]:
        return [c for c in self.calls if c.method == method and all(c.params.get(k) == v for k, v in match.items())]

    def said(self) -> str:
        """Everything the person was told: the ack, modal field errors, response_url messages, DMs."""
        parts: list[str] = []
        if self.resp is not None and self.resp.body:
            parts.append(self.resp.text)
            data = self.resp.json if self.resp.body.startswith(b"{") else {}
            parts.extend(str(v) for v in (data.get("errors") or {}).values())
        parts += [c.text for c in self.calls_of("response_url")]
        # On the Home tab a refusal is a small modal with the sentence (a note: no callback_id).
        parts += [c.text for c in self.calls_of("views.open") if not (c.get("view") or {}).get("callback_id")]
        parts += [c.text for c in self.calls_of("chat.postMessage") if c.get("channel") in (self.user, f"D{self.user}")]
        return "\n".join(parts)

    def q(self, fn):
        with self.db.transaction() as s:
            return fn(s)


# Acts: each sends one signed request as the cell's person.


def command(text: str, channel: str = "C1") -> Callable[[Cell], Response]:
    return lambda c: c.slack.command(c.fmt(text), user=c.user, channel=channel)


def innovation_values(title: str, group: str | None = HANDLE) -> dict:
    values = {"title": {"value": {"type": "plain_text_input", "value": title}}}
    if group:
        values["group"] = {"value": {"type": "static_select", "selected_option": {"value": group}}}
    return values


def submit_new_innovation(c: Cell) -> Response:
    return c.slack.view_submission(
        c.user, "innovation_modal", innovation_values("Form-logged idea"), private_metadata="{}"
    )


def submit_edit_innovation(c: Cell) -> Response:
    return c.slack.view_submission(
        c.user, "innovation_modal", innovation_values("Consent chatbot v2"),
        private_metadata=json.dumps({"ref": c.world.inn}),
    )  # fmt: skip


def submit_move_innovation(c: Cell) -> Response:
    return c.slack.view_submission(
        c.user, "innovation_modal", innovation_values("Consent chatbot", group=OTHER),
        private_metadata=json.dumps({"ref": c.world.inn}),
    )  # fmt: skip


def shortcut(c: Cell) -> Response:
    message = {"type": "message", "ts": "1690000000.000100", "user": MEMBER, "text": "What about a consent bot?"}
    return c.slack.message_shortcut(c.user, "log_as_innovation", message, channel=CHANNEL)


def click_answer(c: Cell) -> Response:
    return c.slack.block_action(
        c.user, "standup_answer", str(c.world.prompt_id), block_id="standup_prompt", channel=f"D{MEMBER}",
        message_ts="1690000000.000003",
    )  # fmt: skip


def submit_answer(c: Cell) -> Response:
    values = {
        f"q{i}": {"answer": {"type": "plain_text_input", "value": a}} for i, a in enumerate(["read", "build", "none"])
    }
    return c.slack.view_submission(c.user, "standup_answer", values, private_metadata=str(c.world.prompt_id))


def submit_questions(c: Cell, group_id: int | None = None) -> Response:
    values = {"q0": {"question": {"type": "plain_text_input", "value": "What moved this week?"}}}
    values |= {f"q{i}": {"question": {"type": "plain_text_input", "value": ""}} for i in range(1, 5)}
    target = c.world.group_id if group_id is None else group_id
    return c.slack.view_submission(c.user, "standup_questions", values, private_metadata=str(target))


def submit_questions_other(c: Cell) -> Response:
    """The form of `ethics` with its private_metadata pointed at another group (a tampered payload)."""
    return submit_questions(c, c.q(lambda s: s.scalar(select(Group.id).where(Group.handle == OTHER))))


def click_import_apply(c: Cell) -> Response:
    """Apply on an import preview: a workbook with one new innovation for the group."""
    wb = openpyxl.Workbook()
    wb.active.append(["Title", "Action group"])
    wb.active.append(["Imported idea", HANDLE])
    buf = io.BytesIO()
    wb.save(buf)
    file_id = c.fake.add_file("register.xlsx", buf.getvalue())
    value = json.dumps({"file": file_id, "name": "register.xlsx"})
    return c.slack.block_action(c.user, "import_apply", value, channel=f"D{c.user}", message_ts="1690000000.000009")


def on_card(text: str, option: str | None = None) -> Callable[[Cell], Response]:
    """A control on the innovation's card in the group's channel, by its visible text."""

    def act(c: Cell) -> Response:
        blocks = [innovation_controls(c.world.inn, "exploring")]
        return c.slack.click(c.user, blocks, text, option=option, channel=CHANNEL, message_ts=CARD_TS)

    return act


HOME_VIEW = {"id": "VHOME", "hash": "hm1", "type": "home", "blocks": []}


def home_click(action_id: str, value: str = "", block_id: str = "b", **picked: object) -> Callable[[Cell], Response]:
    """A control on the person's Home tab (the view comes with the click, as Slack sends it)."""

    def act(c: Cell) -> Response:
        action = {"action_id": action_id, "block_id": c.fmt(block_id), "action_ts": "1700000000.1", **picked}
        action |= {"type": "button", "value": c.fmt(value)} if value else {}
        payload = {
            "type": "block_actions", "team": {"id": "T1"}, "user": {"id": c.user, "username": c.user.lower()},
            "api_app_id": "A1", "trigger_id": "trigger-home", "actions": [action], "view": HOME_VIEW,
            "container": {"type": "view", "view_id": "VHOME"},
        }  # fmt: skip
        return c.slack.interactive(payload)

    return act


def lead_button(text: str) -> Callable[[Cell], Response]:
    def act(c: Cell) -> Response:
        blocks = [{"type": "actions", "block_id": f"lead:{HANDLE}", "elements": lead_controls(HANDLE)}]
        return c.slack.click(c.user, blocks, text, channel=f"D{c.user}", message_ts="1690000000.000010")

    return act


def click_edit_answers(c: Cell) -> Response:
    blocks = [{"type": "actions", "elements": [{"type": "button", "text": {"type": "plain_text", "text": "Edit answers"},
               "action_id": "standup_edit_answers", "value": str(c.world.prompt_id)}]}]  # fmt: skip
    return c.slack.click(c.user, blocks, "Edit answers", channel=f"D{MEMBER}", message_ts="1690000000.000003")


def submit_note(stage: str | None) -> Callable[[Cell], Response]:
    def act(c: Cell) -> Response:
        values = {"note": {"note": {"type": "plain_text_input", "value": "spoke with legal"}}}
        meta = json.dumps({"ref": c.world.inn, "stage": stage, "home": False})
        return c.slack.view_submission(c.user, "innovation_note_modal", values, private_metadata=meta)

    return act


def submit_schedule(c: Cell) -> Response:
    values = {
        "days": {"days": {"type": "checkboxes", "selected_options": [{"value": d} for d in WEEKDAYS]}},
        "time": {"time": {"type": "timepicker", "selected_time": "10:00"}},
        "zone": {"standup_zone": {"type": "external_select", "selected_option": {"value": "Europe/Amsterdam"}}},
    }
    meta = json.dumps({"handle": HANDLE, "home": False})
    return c.slack.view_submission(c.user, "standup_set_modal", values, private_metadata=meta)


def type_zone(c: Cell) -> Response:
    payload = {"type": "block_suggestion", "team": {"id": "T1"}, "user": {"id": c.user}, "api_app_id": "A1",
               "action_id": "standup_zone", "block_id": "zone", "value": "amsterdam"}  # fmt: skip
    return c.slack.interactive(payload)


def home_answer(c: Cell) -> Response:
    return home_click("standup_answer", str(c.world.prompt_id))(c)


def home_suggest(c: Cell) -> Response:
    payload = {"type": "block_suggestion", "team": {"id": "T1"}, "user": {"id": c.user}, "api_app_id": "A1",
               "action_id": "home_find_group", "block_id": "find", "value": "", "view": HOME_VIEW}  # fmt: skip
    return c.slack.interactive(payload)


def submit_new_group(c: Cell) -> Response:
    values = {"handle": {"value": {"type": "plain_text_input", "value": "newgroup"}},
              "description": {"value": {"type": "plain_text_input", "value": "A new group"}}}  # fmt: skip
    return c.slack.view_submission(c.user, "home_new_group", values)


def choose_language(c: Cell) -> Response:
    """The Home tab's language menu, Nederlands picked."""
    menu = {"type": "actions", "block_id": "language",
            "elements": [{"type": "static_select", "action_id": "home_language",
                          "placeholder": {"type": "plain_text", "text": "Language"},
                          "options": [{"text": {"type": "plain_text", "text": t}, "value": v}
                                      for v, t in (("en", "English"), ("nl", "Nederlands"))]}]}  # fmt: skip
    return c.slack.click(c.user, [menu], "Language", option="Nederlands", view={"type": "home", "id": "VHOME"})


def click_forget(c: Cell) -> Response:
    return c.slack.block_action(c.user, "forget_me_confirm", c.world.tokens[c.user], block_id="forget_me")


def click_forget_cancel(c: Cell) -> Response:
    return c.slack.block_action(c.user, "forget_me_cancel", "cancel", block_id="forget_me")


# Effects: asserted when the cell is allowed.


def said_(*needles: str) -> Callable[[Cell], None]:
    def check(c: Cell) -> None:
        text = c.said()
        for needle in needles:
            assert needle in text, f"{needle!r} not in {text!r}"

    return check


def opened(callback_id: str, *needles: str) -> Callable[[Cell], None]:
    def check(c: Cell) -> None:
        views = c.calls_of("views.open")
        assert len(views) == 1, [x.method for x in c.calls]
        assert views[0]["view"]["callback_id"] == callback_id
        form = json.dumps(views[0]["view"])  # labels, options and the values filled in
        for needle in needles:
            assert needle in form, f"{needle!r} not in the form"

    return check


def group_of(s) -> Group:
    return s.scalar(select(Group).where(Group.handle == HANDLE))


def _detached(obj) -> dict | None:
    """A row's column values, readable after its session closed."""
    return None if obj is None else {k: v for k, v in vars(obj).items() if not k.startswith("_")}


def member_of(c: Cell, uid: str | None = None) -> dict | None:
    return c.q(lambda s: _detached(s.get(Member, uid or c.user)))


def is_in_group(c: Cell) -> bool:
    return c.q(
        lambda s: (
            s.scalar(
                select(Membership.id).where(Membership.group_id == c.world.group_id, Membership.member_id == c.user)
            )
            is not None
        )
    )


def innovation(c: Cell) -> dict:
    return c.q(lambda s: _detached(s.get(Innovation, c.world.inn)))


def schedule(c: Cell) -> dict:
    return c.q(lambda s: _detached(get_schedule(s, c.world.group_id)))


def audited(c: Cell, action: str) -> bool:
    query = select(AuditEntry.id).where(AuditEntry.action == action, AuditEntry.actor_id == c.user)
    return c.q(lambda s: s.scalar(query) is not None)


def eff_group_new(c: Cell) -> None:
    assert c.q(lambda s: s.scalar(select(Group.created_by).where(Group.handle == "newgroup"))) == c.user
    said_("newgroup")(c)


def eff_group_made(c: Cell) -> None:
    assert c.q(lambda s: s.scalar(select(Group.created_by).where(Group.handle == "newgroup"))) == c.user
    assert audited(c, "group.create")


def eff_suggested(c: Cell) -> None:
    found = [o["value"] for o in c.resp.json["options"]]
    assert OTHER in found and (HANDLE in found) == (c.role in ("coordinator", "nonmember")), found


def eff_join(c: Cell) -> None:
    assert is_in_group(c)


def eff_leave(c: Cell) -> None:
    assert not is_in_group(c)
    if c.user == LEAD:  # leaving ends leading
        assert c.q(lambda s: group_of(s).lead_id) is None


def eff_channel(c: Cell) -> None:
    assert c.q(lambda s: group_of(s).channel_id) == "CNEW"


def eff_lead(c: Cell) -> None:
    assert c.q(lambda s: group_of(s).lead_id) == MEMBER
    assert audited(c, "group.lead")


def eff_archive(c: Cell) -> None:
    assert c.q(lambda s: group_of(s).archived_at) is not None
    assert audited(c, "group.archive")


def eff_org(c: Cell) -> None:
    assert member_of(c)["organisation"] == "Acme Foundation"


def eff_language(c: Cell) -> None:
    assert member_of(c)["language"] == "nl"
    assert c.calls_of("views.publish", user_id=c.user), "the Home tab was not published in the new language"


def eff_group_language(c: Cell) -> None:
    assert c.q(lambda s: group_of(s).language) == "nl"
    assert audited(c, "group.language")


def eff_coordinator_add(c: Cell) -> None:
    assert member_of(c, NEWBIE)["is_coordinator"] is True
    assert audited(c, "coordinator.add")


def eff_coordinator_remove(c: Cell) -> None:
    assert member_of(c, COORD2)["is_coordinator"] is False
    assert audited(c, "coordinator.remove")


def eff_log_quick(c: Cell) -> None:
    row = c.q(lambda s: _detached(s.scalar(select(Innovation).where(Innovation.title == "Quick idea"))))
    assert row is not None and row["logged_by"] == c.user and row["stage"] == "exploring"
    assert c.calls_of("chat.postMessage", channel=CHANNEL), "no card in the group's channel"


def eff_stage(c: Cell) -> None:
    assert innovation(c)["stage"] == "piloting"
    assert c.calls_of("chat.update", channel=CHANNEL, ts=CARD_TS), "the card was not updated"


def eff_note(c: Cell) -> None:
    note = c.q(lambda s: _detached(s.scalar(select(InnovationNote))))
    assert note is not None and note["author_id"] == c.user and note["text"] == "spoke with legal"


def eff_edit_opens(c: Cell) -> None:
    opened("innovation_modal", "Consent chatbot")(c)
    assert json.loads(c.calls_of("views.open")[0]["view"]["private_metadata"]) == {"ref": c.world.inn}


def eff_standup_set(c: Cell) -> None:
    sched = schedule(c)
    assert sched["days"] == "mon,tue,wed,thu,fri,sat,sun" and sched["local_time"] == "10:00" and sched["active"]


def eff_standup_off(c: Cell) -> None:
    assert schedule(c)["active"] is False


def eff_standup_now(c: Cell) -> None:
    runs = c.q(lambda s: s.scalar(select(func.count()).select_from(StandupRun)))
    assert runs == 2
    assert c.calls_of("chat.postMessage", channel=CHANNEL), "no stand-up message in the channel"
    for uid in (LEAD, MEMBER):
        assert c.calls_of("chat.postMessage", channel=uid), f"no prompt DM to {uid}"


def eff_away(c: Cell) -> None:
    assert member_of(c)["away_until"] == date(2026, 12, 10)


def eff_export(c: Cell) -> None:
    assert c.calls_of("files.completeUploadExternal"), [x.method for x in c.calls]
    assert c.calls_of("conversations.open", users=c.user)
    assert audited(c, "register.export")


def eff_forget_me_asks(c: Cell) -> None:
    buttons = [
        e for b in c.resp.json.get("blocks") or [] for e in b.get("elements") or [] if e.get("action_id")
    ]  # fmt: skip
    assert {b["action_id"] for b in buttons} == {"forget_me_confirm", "forget_me_cancel"}


def eff_modal_new(c: Cell) -> None:
    assert c.resp.body in (b"", b"{}") or "errors" not in c.resp.json, c.resp.body
    row = c.q(lambda s: _detached(s.scalar(select(Innovation).where(Innovation.title == "Form-logged idea"))))
    assert row is not None and row["logged_by"] == c.user
    assert c.calls_of("chat.postMessage", channel=CHANNEL), "no card in the group's channel"
    said_("Logged")(c)


def eff_modal_edit(c: Cell) -> None:
    assert c.resp.body in (b"", b"{}") or "errors" not in c.resp.json, c.resp.body
    assert innovation(c)["title"] == "Consent chatbot v2"
    said_("Saved your changes")(c)


def eff_moved(c: Cell) -> None:
    assert c.resp.body in (b"", b"{}") or "errors" not in c.resp.json, c.resp.body
    assert innovation(c)["group_id"] == c.q(lambda s: s.scalar(select(Group.id).where(Group.handle == OTHER)))


def eff_shortcut(c: Cell) -> None:
    opened("innovation_modal", "What about a consent bot?")(c)


def eff_answer(c: Cell) -> None:
    prompt = c.q(lambda s: _detached(s.get(StandupPrompt, c.world.prompt_id)))
    assert prompt["answers"] == ["read", "build", "none"]
    assert c.calls_of("chat.postMessage", channel=CHANNEL, thread_ts=THREAD_TS), "no reply in the thread"


def eff_questions(c: Cell) -> None:
    assert c.resp.json.get("response_action") == "update", c.resp.body
    assert questions_of(schedule(c)["questions"]) == ["What moved this week?"]


def eff_other_questions(c: Cell) -> None:
    assert c.resp.json.get("response_action") == "update", c.resp.body
    other = c.q(lambda s: _detached(get_schedule(s, s.scalar(select(Group.id).where(Group.handle == OTHER)))))
    assert questions_of(other["questions"]) == ["What moved this week?"]


def eff_imported(c: Cell) -> None:
    assert c.q(lambda s: s.scalar(select(Innovation.id).where(Innovation.title == "Imported idea"))) is not None
    assert audited(c, "register.import")
    said_("Imported *register.xlsx*")(c)


def eff_parked(c: Cell) -> None:
    assert innovation(c)["stage"] == "parked"
    assert c.calls_of("chat.update", channel=CHANNEL, ts=CARD_TS), "the card was not updated"


def eff_zones(c: Cell) -> None:
    assert [o["value"] for o in c.resp.json["options"]] == ["Europe/Amsterdam"]


def eff_forgotten(c: Cell) -> None:
    assert member_of(c) is None
    said_("erased")(c)


# --- the table ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    name: str
    act: Callable[[Cell], Response]
    allowed: frozenset[str]
    effect: Callable[[Cell], None]
    refusal: str = ""  # what a refused role is told (who may do it)
    writes: bool = True  # False: allowed or not, the database stays as it was
    noop: tuple[tuple[frozenset[str], str], ...] = ()  # roles for whom it does not apply, and what they read
    bugs: tuple[tuple[str, str], ...] = ()  # (role, reason): a known authorization bug, xfail(strict)
    home: bool = False  # a Home tab control: it tells in a small modal, and publishes the Home again


# fmt: off
TABLE: list[Row] = [
    # /spindle commands
    Row("help", command("help"), EVERYONE, said_("/spindle"), writes=False),
    Row("group-new", command("group new newgroup A new group"), COORDS, eff_group_new, ONLY_COORDINATORS),
    Row("group-list", command("group list"), EVERYONE, said_(HANDLE, "2 members"), writes=False),
    Row("group-info", command("group info {h}"), EVERYONE, said_(HANDLE, f"<@{LEAD}>"), writes=False),
    Row("group-join", command("group join {h}"), frozenset({"coordinator", "nonmember"}), eff_join,
        noop=((frozenset({"lead", "member"}), "already a member"),)),
    Row("group-leave", command("group leave {h}"), frozenset({"lead", "member"}), eff_leave,
        noop=((frozenset({"coordinator", "nonmember"}), "not a member"),)),
    Row("group-channel", command("group channel {h}", channel="CNEW"), LEADS, eff_channel, ONLY_LEAD),
    Row("group-lead", command(f"group lead {{h}} <@{MEMBER}|umemb>"), COORDS, eff_lead, ONLY_COORDINATORS),
    Row("group-archive", command("group archive {h}"), COORDS, eff_archive, ONLY_COORDINATORS),
    Row("org", command("org Acme Foundation"), EVERYONE, eff_org),
    Row("language", command("language nl"), EVERYONE, eff_language),
    Row("taal", command("taal nl"), EVERYONE, eff_language),
    Row("group-language", command("group language {h} nl"), LEADS, eff_group_language, ONLY_LEAD),
    Row("coordinator-add", command(f"coordinator add <@{NEWBIE}>"), COORDS, eff_coordinator_add, ONLY_COORDINATORS),
    Row("coordinator-remove", command(f"coordinator remove <@{COORD2}>"), COORDS, eff_coordinator_remove,
        ONLY_COORDINATORS),
    Row("coordinator-list", command("coordinator list"), EVERYONE, said_(f"<@{COORDINATOR}>", f"<@{COORD2}>"),
        writes=False),
    Row("log-modal", command("log"), IN_GROUP, opened("innovation_modal", HANDLE), "not a member of any action group",
        writes=False),
    Row("log-quick", command("log {h} Quick idea"), IN_GROUP, eff_log_quick, ONLY_MEMBERS),
    Row("list", command("list"), EVERYONE, said_("Consent chatbot"), writes=False),
    Row("show", command("show {inn}"), EVERYONE, said_("Consent chatbot"), writes=False),
    Row("search", command("search consent"), EVERYONE, said_("Consent chatbot"), writes=False),
    Row("find", command('find "consent chatbot"'), EVERYONE, said_("Consent chatbot"), writes=False),
    Row("stage", command("stage {inn} piloting"), IN_GROUP, eff_stage, ONLY_MEMBERS),
    Row("note", command("note {inn} spoke with legal"), IN_GROUP, eff_note, ONLY_MEMBERS),
    Row("edit", command("edit {inn}"), IN_GROUP, eff_edit_opens, ONLY_MEMBERS, writes=False),
    Row("standup-set", command("standup {h} set daily 10:00"), LEADS, eff_standup_set, ONLY_LEAD),
    Row("standup-off", command("standup {h} off"), LEADS, eff_standup_off, ONLY_LEAD),
    Row("standup-now", command("standup {h} now"), LEADS, eff_standup_now, ONLY_LEAD),
    Row("standup-questions", command("standup {h} questions"), LEADS,
        opened("standup_questions", DEFAULT_STANDUP_QUESTIONS[0]), ONLY_LEAD, writes=False),
    Row("standup-away", command("standup away 2026-12-10"), EVERYONE, eff_away),
    Row("export", command("export"), COORDS, eff_export, ONLY_COORDINATORS),
    Row("export-group", command("export {h} exploring"), COORDS, eff_export, ONLY_COORDINATORS),
    Row("forget-me", command("forget-me"), EVERYONE, eff_forget_me_asks, writes=False),
    # interactive: modal submissions, the message shortcut, buttons
    Row("modal-log", submit_new_innovation, IN_GROUP, eff_modal_new, ONLY_MEMBERS),
    Row("modal-edit", submit_edit_innovation, IN_GROUP, eff_modal_edit, ONLY_MEMBERS),
    # moving an innovation into a group: only members of the target group (and coordinators) may
    Row("modal-edit-move", submit_move_innovation, COORDS, eff_moved, "and coordinators may"),
    Row("shortcut-log", shortcut, IN_GROUP, eff_shortcut, "you are not in one yet", writes=False),
    Row("standup-answer-button", click_answer, frozenset({"member"}),
        opened("standup_answer", "What will you explore"), ONLY_RECIPIENT, writes=False),
    Row("standup-answer-modal", submit_answer, frozenset({"member"}), eff_answer, ONLY_RECIPIENT),
    Row("standup-questions-modal", submit_questions, LEADS, eff_questions, ONLY_LEAD),
    Row("standup-questions-modal-other", submit_questions_other, COORDS, eff_other_questions,
        f"Only the lead of `{OTHER}` or a coordinator may"),
    Row("forget-me-confirm", click_forget, EVERYONE, eff_forgotten),
    Row("home-language", choose_language, EVERYONE, eff_language),
    Row("forget-me-cancel", click_forget_cancel, EVERYONE, said_("Nothing was erased"), writes=False),
    Row("import-apply", click_import_apply, COORDS, eff_imported, "Only coordinators import the register"),
    # clicks (handlers/clicks.py): a click that opens a modal writes only its claim, once allowed
    Row("click-stage", on_card("Exploring", "Piloting"), IN_GROUP, eff_stage, ONLY_MEMBERS),
    Row("click-stage-park", on_card("Exploring", "Parked"), IN_GROUP,
        opened("innovation_note_modal", "Consent chatbot"), ONLY_MEMBERS),
    Row("click-add-note", on_card("Add note"), IN_GROUP, opened("innovation_note_modal", "Consent chatbot"),
        ONLY_MEMBERS),
    Row("click-edit", on_card("Edit"), IN_GROUP, eff_edit_opens, ONLY_MEMBERS),
    Row("note-modal", submit_note(None), IN_GROUP, eff_note, ONLY_MEMBERS),
    Row("note-modal-park", submit_note("parked"), IN_GROUP, eff_parked, ONLY_MEMBERS),
    Row("click-standup-set", lead_button("Set stand-up"), LEADS, opened("standup_set_modal", "Europe/Amsterdam"),
        ONLY_LEAD),
    Row("standup-set-modal", submit_schedule, LEADS, eff_standup_set, ONLY_LEAD),
    Row("standup-zone-menu", type_zone, EVERYONE, eff_zones, writes=False),
    Row("click-standup-questions", lead_button("Questions"), LEADS,
        opened("standup_questions", DEFAULT_STANDUP_QUESTIONS[0]), ONLY_LEAD),
    Row("click-edit-answers", click_edit_answers, frozenset({"member"}),
        opened("standup_answer", "What will you explore"), ONLY_RECIPIENT),
    # the Home tab's controls (a refusal is a small modal; nothing changes)
    Row("home-join", home_click("home_join", "{h}"), frozenset({"coordinator", "nonmember"}), eff_join,
        noop=((frozenset({"lead", "member"}), "already a member"),), home=True),
    Row("home-find", home_click("home_find_group", block_id="find", selected_option={"value": HANDLE}),
        frozenset({"coordinator", "nonmember"}), eff_join, noop=((frozenset({"lead", "member"}), "already a member"),),
        home=True),
    Row("home-find-options", home_suggest, EVERYONE, eff_suggested, writes=False, home=True),
    Row("home-leave", home_click("home_leave", "{h}"), frozenset({"lead", "member"}), eff_leave,
        noop=((frozenset({"coordinator", "nonmember"}), "not a member"),), home=True),
    Row("home-log", home_click("home_log", "{h}"), IN_GROUP, opened("innovation_modal", HANDLE),
        "not a member of any action group", writes=False, home=True),
    Row("home-answer", home_answer, frozenset({"member"}), opened("standup_answer", "What will you explore"),
        ONLY_RECIPIENT, writes=False, home=True),
    Row("home-away", home_click("home_away", selected_date="2026-12-10"), EVERYONE, eff_away, home=True),
    Row("home-lead", home_click("home_lead", block_id="lead:{h}", selected_user=MEMBER), COORDS, eff_lead,
        ONLY_COORDINATORS, home=True),
    Row("home-new-group", home_click("home_new_group", "new"), COORDS, opened("home_new_group"), ONLY_COORDINATORS,
        writes=False, home=True),
    Row("home-new-group-modal", submit_new_group, COORDS, eff_group_made, ONLY_COORDINATORS, home=True),
    Row("home-export", home_click("home_export", "all"), COORDS, eff_export, ONLY_COORDINATORS, home=True),
]
# fmt: on


def outcome(row: Row, role: str) -> str:
    if role in row.allowed:
        return "allowed"
    if any(role in roles for roles, _ in row.noop):
        return "noop"
    return "refused"


def cells() -> list:
    out = []
    for row in TABLE:
        for role in ROLES:
            result = outcome(row, role)
            marks = [pytest.mark.xfail(strict=True, reason=reason) for r, reason in row.bugs if r == role]
            out.append(pytest.param(row, role, result, id=f"{row.name}-{role}-{result}", marks=marks))
    return out


# Slack calls a refusal may cause: telling the person, and nothing else.
QUIET = {"response_url", "users.info", "conversations.open"}


def test_table_covers_every_command_and_listener(runtime):
    """A new `/spindle` command or Slack listener without a row in TABLE fails here."""
    from handlers.commands import REGISTRY

    assert {sub.name for sub in REGISTRY.commands} == set(COMMAND_ROWS)
    assert set(LISTENER_ROWS) == set(listeners(runtime.app))
    names = {r.name for r in TABLE}
    assert len(names) == len(TABLE)
    for covering in (*COMMAND_ROWS.values(), *LISTENER_ROWS.values()):
        assert set(covering) <= names


# Which rows cover each executor and each listener (listener function, the id it answers to).
COMMAND_ROWS: dict[str, tuple[str, ...]] = {  # subcommand → the rows that drive it
    "help": ("help",), "group new": ("group-new",), "group list": ("group-list",), "group info": ("group-info",),
    "group join": ("group-join",), "group leave": ("group-leave",), "group channel": ("group-channel",),
    "group lead": ("group-lead",), "group archive": ("group-archive",), "org": ("org",),
    "language": ("language", "taal"), "group language": ("group-language",),
    "coordinator add": ("coordinator-add",), "coordinator remove": ("coordinator-remove",),
    "coordinator list": ("coordinator-list",), "log": ("log-modal", "log-quick"),
    "list": ("list",), "show": ("show",), "stage": ("stage",), "note": ("note",), "edit": ("edit",),
    "standup set": ("standup-set",), "standup off": ("standup-off",), "standup now": ("standup-now",),
    "standup questions": ("standup-questions",), "standup away": ("standup-away",),
    "export": ("export", "export-group"), "forget-me": ("forget-me",), "search": ("search", "find"),
}  # fmt: skip
LISTENER_ROWS: dict[tuple[str, str], tuple[str, ...]] = {
    ("spindle", "/spindle"): tuple(r for rows in COMMAND_ROWS.values() for r in rows),
    ("modal_submitted", "innovation_modal"): ("modal-log", "modal-edit", "modal-edit-move"),
    ("log_as_innovation", "log_as_innovation"): ("shortcut-log",),
    ("answer_button", "standup_answer"): ("standup-answer-button", "home-answer"),
    ("join", "home_join"): ("home-join",),
    ("join_found", "home_find_group"): ("home-find",),
    ("find_suggestions", "home_find_group"): ("home-find-options",),
    ("leave", "home_leave"): ("home-leave",),
    ("log_innovation", "home_log"): ("home-log",),
    ("away", "home_away"): ("home-away",),
    ("lead", "home_lead"): ("home-lead",),
    ("new_group", "home_new_group"): ("home-new-group",),
    ("new_group_submitted", "home_new_group"): ("home-new-group-modal",),
    ("export", "home_export"): ("home-export",),
    ("answer_submitted", "standup_answer"): ("standup-answer-modal",),
    ("questions_submitted", "standup_questions"): ("standup-questions-modal", "standup-questions-modal-other"),
    ("confirm", "forget_me_confirm"): ("forget-me-confirm",),
    ("cancel", "forget_me_cancel"): ("forget-me-cancel",),
    ("apply_import", "import_apply"): ("import-apply",),
    ("stage_chosen", "innovation_stage"): ("click-stage", "click-stage-park"),
    ("add_note_clicked", "innovation_note"): ("click-add-note",),
    ("edit_clicked", "innovation_edit"): ("click-edit",),
    ("note_submitted", "innovation_note_modal"): ("note-modal", "note-modal-park"),
    ("set_clicked", "standup_set"): ("click-standup-set",),
    ("zones_typed", "standup_zone"): ("standup-zone-menu",),
    ("schedule_submitted", "standup_set_modal"): ("standup-set-modal",),
    ("questions_clicked", "standup_questions_open"): ("click-standup-questions",),
    ("edit_answers_clicked", "standup_edit_answers"): ("click-edit-answers",),
    ("language_chosen", "home_language"): ("home-language",),
    ("home_opened", "app_home_opened"): (),  # an event, not an action: it publishes the person's own Home tab
    # An event: anyone who writes gets the same pointer; a file shared is an import, whose preview
    # changes nothing and whose coordinators-only refusal tests/test_import_slack.py checks.
    ("direct_message", "message"): (),
}


def listeners(app) -> list[tuple[str, str]]:
    """(listener function, the command/action/callback/event id it matches) for every Bolt listener."""
    out = []
    for listener in app._listeners:  # Bolt keeps its listeners here; there is no public listing
        ids = [
            cell.cell_contents
            for matcher in listener.matchers
            for cell in (getattr(getattr(matcher, "func", None), "__closure__", None) or ())
            if isinstance(cell.cell_contents, str)
        ]
        out.append((listener.ack_function.__name__, ids[0] if ids else ""))
    return out


@pytest.mark.parametrize("row, role, result", cells())
def test_matrix(slack, fake_slack, db, clock, row: Row, role: str, result: str):
    world = build_world(db, fake_slack, clock)
    cell = Cell(slack, fake_slack, db, world, role, ROLES[role])
    before = snapshot(db)
    start = len(fake_slack.calls)

    cell.resp = row.act(cell)
    slack.wait_idle()
    cell.calls = fake_slack.calls[start:]
    after = snapshot(db)

    assert cell.resp.status == 200, cell.resp.body
    assert "something went wrong" not in cell.said()
    if result == "allowed":
        row.effect(cell)
        if row.writes:
            assert after != before, "allowed, but nothing was saved"
        else:
            assert after == before, _diff(before, after)
        return

    expected = row.refusal if result == "refused" else next(text for roles, text in row.noop if role in roles)
    assert expected and expected in cell.said(), f"expected {expected!r}; the person read {cell.said()!r}"
    assert after == before, _diff(before, after)
    quiet = QUIET | ({"views.open", "views.publish"} if row.home else set())
    loud = [
        (c.method, c.get("channel"))
        for c in cell.calls
        if c.method not in quiet
        and not (c.method == "chat.postMessage" and c.get("channel") in (cell.user, f"D{cell.user}"))
    ]
    assert loud == [], f"a refusal reached Slack: {loud}"


def _diff(before: dict, after: dict) -> str:
    changed = {t: (before[t], after[t]) for t in before if before[t] != after.get(t)}
    return f"the database changed: {changed}"
