"""The usage text of `/spindle help`."""

from __future__ import annotations

from handlers.ui.common import context, header, section

HELP_TEXT = "Spindle Bot: type `/spindle help` to see every command."

SECTIONS: list[tuple[str, list[str]]] = [
    (
        "Action groups",
        [
            "`/spindle group list` — active groups",
            "`/spindle group info HANDLE` — members, lead, channel, stand-up, innovations",
            "`/spindle group join HANDLE` / `group leave HANDLE`",
            "`/spindle group channel HANDLE` — lead: link this channel",
            "`/spindle org ORGANISATION` — set your organisation",
        ],
    ),
    (
        "Innovations",
        [
            "`/spindle log` — the form  ·  `/spindle log HANDLE TITLE` — quick log",
            "`/spindle list [HANDLE] [STAGE]` — the 20 most recently updated",
            "`/spindle show INN-12` · `/spindle edit INN-12`",
            "`/spindle stage INN-12 STAGE [NOTE]` — stages: idea, exploring, piloting, scaling, adopted, parked, dropped",
            "`/spindle note INN-12 TEXT` — a dated note",
            "Message menu ⋯ → *Log as innovation* — log from any message",
        ],
    ),
    (
        "Stand-ups",
        [
            "`/spindle standup HANDLE set DAYS HH:MM [ZONE]` — lead: e.g. `set mon,wed,fri 09:30 Europe/Amsterdam`",
            "`/spindle standup HANDLE off` · `now` · `questions`",
            "`/spindle standup away YYYY-MM-DD` — no prompts for me until then",
        ],
    ),
    ("Privacy", ["`/spindle forget-me` — erase your personal data (asks first)"]),
]

COORDINATOR_SECTION = (
    "Coordinators",
    [
        "`/spindle group new HANDLE [DESCRIPTION]` · `group lead HANDLE @person` · `group archive HANDLE`",
        "`/spindle coordinator add @person` · `coordinator remove @person` · `coordinator list`",
        "`/spindle export [HANDLE] [STAGE]` — the innovation register as Excel, in a direct message",
    ],
)


def help_blocks(is_coordinator: bool) -> list[dict]:
    sections = SECTIONS + ([COORDINATOR_SECTION] if is_coordinator else [])
    blocks = [header("Spindle Bot — what I can do")]
    for title, lines in sections:
        blocks.append(section(f"*{title}*\n" + "\n".join(lines)))
    if not is_coordinator:
        blocks.append(context("Coordinators can also create groups, assign leads and export the register."))
    return blocks
