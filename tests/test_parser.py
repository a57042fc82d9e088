"""The /spindle grammar: examples, and property-based tests that any text parses or errors cleanly."""

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from handlers import commands, exports, groups, innovations, people, privacy, standups
from handlers.commands import REGISTRY, parse
from handlers.grammar import UsageError
from models.vocab import WEEKDAYS


class p:
    Help = commands.Help
    GroupNew, GroupList, GroupInfo, GroupLead = groups.GroupNew, groups.GroupList, groups.GroupInfo, groups.GroupLead
    SetOrg, CoordinatorAdd = people.SetOrg, people.CoordinatorAdd
    LogModal, LogQuick, ListInnovations = innovations.LogModal, innovations.LogQuick, innovations.ListInnovations
    Show, Stage, Note, Edit = innovations.Show, innovations.Stage, innovations.Note, innovations.Edit
    StandupSet, StandupOff, StandupNow = standups.StandupSet, standups.StandupOff, standups.StandupNow
    StandupQuestions, StandupAway = standups.StandupQuestions, standups.StandupAway
    Export, ForgetMe = exports.Export, privacy.ForgetMe
    WEEKDAYS = WEEKDAYS


WORDS = [
    "help", "group", "new", "list", "info", "join", "leave", "channel", "lead", "archive", "org", "coordinator",
    "add", "remove", "log", "show", "stage", "note", "edit", "standup", "set", "off", "now", "questions", "away",
    "export", "forget-me", "daily", "weekdays", "mon,wed", "09:30", "25:00", "Europe/Amsterdam", "INN-3", "7",
    "parked", "exploring", "<@U123|ama>", "<@U123>", "<@>", "@ama", "data-ethics", "2026-12-31", "2026-02-30",
    "", " ", "\t", "\n", "é", "🦄", "`", "<!channel>", "=1+1", "-", "--", "a" * 41, "\u00a0", "\x00",
]  # fmt: skip


@given(st.text(max_size=300))
@settings(max_examples=400, deadline=None)
def test_any_text_parses_or_gives_a_usage_error(text):
    try:
        result = parse(text)
    except UsageError as exc:
        assert exc.message and isinstance(exc.message, str)
        return
    assert type(result).__module__.startswith("handlers.") and type(result).__name__[0].isupper()


@given(st.lists(st.sampled_from(WORDS), max_size=8))
@settings(max_examples=600, deadline=None)
def test_command_shaped_text_parses_or_gives_a_usage_error(words):
    text = " ".join(words)
    try:
        parse(text)
    except UsageError as exc:
        assert exc.message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", p.Help()),
        ("GROUP NEW Data-Ethics  Two  spaces kept", p.GroupNew("data-ethics", "Two  spaces kept")),
        ("group list", p.GroupList()),
        ("group info #data-ethics", p.GroupInfo("data-ethics")),
        ("group lead data-ethics <@U0AB12|ama>", p.GroupLead("data-ethics", "U0AB12")),
        ("group lead data-ethics <@W0AB12>", p.GroupLead("data-ethics", "W0AB12")),
        ("org  Cordaid   NL", p.SetOrg("Cordaid NL")),
        ("coordinator add <@U2>", p.CoordinatorAdd("U2")),
        ("log", p.LogModal()),
        ("log data-ethics Consent   receipts 🧾", p.LogQuick("data-ethics", "Consent receipts 🧾")),
        ("list", p.ListInnovations()),
        ("list Piloting data-ethics", p.ListInnovations("data-ethics", "piloting")),
        ("show inn-12", p.Show(12)),
        ("show 12", p.Show(12)),
        ("stage INN-4 parked waiting for funding", p.Stage(4, "parked", "waiting for funding")),
        ("note 4 Met the DPO\ntoday", p.Note(4, "Met the DPO\ntoday")),
        ("edit INN-9", p.Edit(9)),
        ("standup data-ethics set weekdays 9:05", p.StandupSet("data-ethics", p.WEEKDAYS[:5], "09:05", None)),
        (
            "standup x1 set Mon,FRI 17:00 europe/amsterdam",
            p.StandupSet("x1", ("mon", "fri"), "17:00", "Europe/Amsterdam"),
        ),
        ("standup x1 set daily 00:00", p.StandupSet("x1", p.WEEKDAYS, "00:00", None)),
        ("standup x1 off", p.StandupOff("x1")),
        ("standup x1 now", p.StandupNow("x1")),
        ("standup x1 questions", p.StandupQuestions("x1")),
        ("standup away 2026-12-31", p.StandupAway(date(2026, 12, 31))),
        ("export", p.Export()),
        ("export data-ethics adopted", p.Export("data-ethics", "adopted")),
        ("forget-me", p.ForgetMe()),
    ],
)
def test_examples(text, expected):
    assert parse(text) == expected


@pytest.mark.parametrize(
    ("text", "problem", "usage"),
    [
        ("dance", "I don't know `dance`", None),
        ("group new", "Missing the group's HANDLE", "group new"),
        ("group new bad_handle", "not a valid group handle", "group new"),
        ("group lead x1 @ama", "not a mention", "group lead"),
        ("group lead x1 <@>", "not a mention", "group lead"),
        ("coordinator add", "Missing @person", "coordinator add"),
        ("log x1", "Give a title", "log"),
        ("log x1 " + "t" * 151, "150 is the most", "log"),
        ("list a1 b1", "is not a stage", "list"),
        ("list parked dropped", "one stage only", "list"),
        ("show INN-x", "not an innovation reference", "show"),
        ("show 0", "not an innovation reference", "show"),
        ("stage 4 frozen", "is not a stage", "stage"),
        ("stage 4", "Give the innovation's REF and the new STAGE", "stage"),
        ("note 4", "Add the note text", "note"),
        ("standup x1 set fortnightly 09:00", "is not a list of days", "standup set"),
        ("standup x1 set mon 9am", "is not a 24-hour time", "standup set"),
        ("standup x1 set mon 24:00", "is not a 24-hour time", "standup set"),
        ("standup x1 set mon 09:00 Mars/Olympus", "is not an IANA time zone", "standup set"),
        ("standup x1 set mon", "Give the DAYS and the time", "standup set"),
        ("standup x1 dance", "is not a stand-up command", "standup set"),
        ("standup away 31-12-2026", "is not a date", "standup away"),
        ("standup away 2026-02-30", "is not a date", "standup away"),
        ("export x1 y1", "is not a stage", "export"),
        ("forget-me now", "takes nothing more", "forget-me"),
    ],
)
def test_errors_name_the_problem_and_show_the_right_form(text, problem, usage):
    with pytest.raises(UsageError) as err:
        parse(text)
    assert problem in err.value.message
    if usage:
        assert f"Usage: `{REGISTRY.usage(usage)}`" in err.value.message


def test_long_words_are_shortened_in_errors():
    with pytest.raises(UsageError) as err:
        parse("x" * 5000)
    assert len(err.value.message) < 200
