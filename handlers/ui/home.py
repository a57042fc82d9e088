"""Block Kit for the App Home tab: each person's dashboard (SPEC "Working by clicking").

Sections, top to bottom: the language menu; Your action groups (with `Log an innovation`, `Leave`,
and for leads `Set stand-up` / `Questions`); Find a group (`Join`); Your innovations (the stage
menu, `Add note`, `Edit`); New across the network; Stand-ups (`Answer`, `Away until…`); for
coordinators `New action group`, `Export register` and a lead picker per group.

Every part has a fixed most number of blocks (see the budget below), so the view stays within
Slack's 100 blocks however many groups a person is in; whatever is cut is counted in an
"…and N more" line that says where the rest is. Blocks are plain dicts (built on every publish);
tests validate them with slack_sdk's models.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

import i18n
from handlers.ui.common import context, divider, escape, header, line_sections, section, shorten
from handlers.ui.controls import innovation_controls, lead_controls
from handlers.ui.people import AUTONYMS
from handlers.ui.search import new_across_network_lines
from i18n import N_, _
from services.home import Home, HomeGroup, HomeInnovation, HomePrompt, Listed

HOME_BLOCK_LIMIT = 100  # Slack's limit for a Home tab
# The budget, in blocks, at most: 2 (title, language) + groups 1 + 2·8 + 2 + 1 + find 1 + 20 + 2
# + innovations 1 + 2·10 + news 3 + stand-ups 1 + 5 + 1 + coordinators 3 + 8 + 1 + 6 dividers + 1 = 95.
GROUPS_WITH_CONTROLS = 8  # the rest of a person's groups are listed in lines, without buttons
GROUP_LINE_BLOCKS = 2  # those lines: at most two sections, then "…and N more"
NEWS_BLOCKS = 3  # New across the network: 5 lines, in one section unless titles are very long

# action ids (the contract between home, clicks and lang)
LOG_ACTION = "home_log"
LEAVE_ACTION = "home_leave"
JOIN_ACTION = "home_join"
FIND_ACTION = "home_find_group"  # an external select: any group to join, found as the person types
AWAY_ACTION = "home_away"
NEW_GROUP_ACTION = "home_new_group"
EXPORT_ACTION = "home_export"
LEAD_ACTION = "home_lead"
LANGUAGE_ACTION = "home_language"
ANSWER_ACTION = "standup_answer"  # the stand-up DM's own button (handlers/standups.py)
LEAD_BLOCK = "lead:"  # + handle


WELCOME = N_("Welcome! Join an action group below, or type `/spindle help` to see everything Spindle Bot does.")


def plain(text: str) -> dict:
    return {"type": "plain_text", "text": text, "emoji": True}


def button(text: str, action_id: str, value: str, *, style: str | None = None) -> dict:
    element = {"type": "button", "text": plain(shorten(text, 75)), "action_id": action_id, "value": value[:2000]}
    if style:
        element["style"] = style
    return element


def _option(text: str, value: str) -> dict:
    return {"text": plain(shorten(text, 75)), "value": value}


def language_menu(language: str | None) -> dict:
    options = [_option(name, code) for code, name in AUTONYMS.items()]  # each in its own language
    menu = {
        "type": "static_select",
        "action_id": LANGUAGE_ACTION,
        "placeholder": plain(_("Language")),
        "options": options,
    }
    chosen = next((o for o in options if o["value"] == language), None)
    if chosen is not None:
        menu["initial_option"] = chosen
    return menu


# --- the parts ----------------------------------------------------------------------------------


def _when(moment: datetime, tz: str) -> str:
    try:
        zone = ZoneInfo(tz)
    except (KeyError, ValueError):
        zone = ZoneInfo("UTC")
    return i18n.day_and_clock(moment.astimezone(zone))


def _counts(group: HomeGroup) -> str:
    if not group.stage_counts:
        return _("no innovations yet")
    return ", ".join(f"{i18n.number(n)} {stage}" for stage, n in group.stage_counts)


def group_text(group: HomeGroup, tz: str) -> str:
    line = f"*{escape(group.handle)}*"
    if group.description:
        line += f" — {escape(shorten(group.description, 200))}"
    facts = [f"<#{group.channel_id}>" if group.channel_id else _("no channel linked")]
    if group.is_lead:
        facts.append(_("you lead it"))
    elif group.lead_id:
        facts.append(_("lead: {person}").format(person=f"<@{group.lead_id}>"))
    else:
        facts.append(_("no lead yet"))
    if group.next_standup is not None:
        facts.append(_("next stand-up: {when}").format(when=_when(group.next_standup, tz)))
    facts.append(_("innovations: {counts}").format(counts=_counts(group)))
    return line + "\n" + " · ".join(facts)


def _leave_button(handle: str) -> dict:
    leave = button(_("Leave"), LEAVE_ACTION, handle)
    leave["confirm"] = {  # Slack asks before it sends the click
        "title": plain(shorten(_("Leave {handle}?").format(handle=handle), 100)),
        "text": plain(_("You will no longer get its stand-ups. You can join again any time.")),
        "confirm": plain(_("Leave")),
        "deny": plain(_("Stay")),
    }
    return leave


def groups_part(home: Home) -> list[dict]:
    blocks = [section("*" + _("Your action groups") + "*")]
    if not home.groups:
        text = _("You have not joined an action group yet: find one below.") if home.known else _(WELCOME)
        return [*blocks, section(text)]
    for group in home.groups[:GROUPS_WITH_CONTROLS]:
        elements = [
            button(_("Log an innovation"), LOG_ACTION, group.handle, style="primary"),
            _leave_button(group.handle),
        ]
        if group.is_lead:
            elements += lead_controls(group.handle)
        blocks += [
            section(group_text(group, home.tz)),
            {"type": "actions", "block_id": f"group:{group.handle}", "elements": elements},
        ]
    rest = home.groups[GROUPS_WITH_CONTROLS:]
    if rest:
        lines = [f"• *{escape(g.handle)}*" + (f" · <#{g.channel_id}>" if g.channel_id else "") for g in rest]
        more = _("…and {n} more of your groups: `/spindle group info HANDLE` shows one.")
        blocks += line_sections(lines, GROUP_LINE_BLOCKS + 1, overflow=more)
    return blocks


def find_part(home: Home) -> list[dict]:
    blocks = [section("*" + _("Find a group") + "*")]
    if not home.to_join:
        return [
            *blocks,
            section(
                _("You are in every active action group.")
                if home.known and home.groups
                else _("There are no action groups yet.")
            ),
        ]
    for group in home.to_join:
        text = f"*{escape(group.handle)}*" + (
            f" — {escape(shorten(group.description, 200))}" if group.description else ""
        )
        blocks.append({**section(text), "accessory": button(_("Join"), JOIN_ACTION, group.handle)})
    more = home.to_join_total - len(home.to_join)
    if more > 0:  # the list can grow: Slack asks for the options as the person types (block_suggestion)
        finder = {"type": "external_select", "action_id": FIND_ACTION, "min_query_length": 0,
                  "placeholder": plain(_("Find another group"))}  # fmt: skip
        blocks.append({"type": "actions", "block_id": "find", "elements": [finder]})
        blocks.append(context(_("…and {n} more: `/spindle group list` shows every group.").format(n=i18n.number(more))))
    else:
        blocks.append(context(_("Every group, with its members: `/spindle group list`.")))
    return blocks


def group_options(found: Sequence[Listed]) -> list[dict]:
    """The external select's options: at most 100 (Slack's limit), as services.home.find_groups gives."""
    return [_option(g.handle, g.handle) for g in found[:100]]


def innovation_line(item: HomeInnovation) -> str:
    return f"*{item.ref}* · {escape(shorten(item.title, 150))}\n`{escape(item.handle)}` · {item.stage}"


def innovations_part(home: Home) -> list[dict]:
    blocks = [section("*" + _("Your innovations") + "*")]
    if not home.innovations:
        text = (
            _("None yet in your groups. `Log an innovation` above, or `/spindle log`.")
            if home.groups
            else _("The innovations of your groups will be here.")
        )
        return [*blocks, section(text)]
    for item in home.innovations:
        blocks += [section(innovation_line(item)), innovation_controls(item.number, item.stage)]
    return blocks


def _prompt_text(prompt: HomePrompt, tz: str) -> str:
    return _("*{handle}* · the stand-up of {when} is waiting for your answer").format(
        handle=escape(prompt.handle), when=_when(prompt.due_at, tz)
    )


def standups_part(home: Home) -> list[dict]:
    if home.away_until is not None:
        away = _("You get no stand-up prompts until {date}.").format(date=i18n.full_date(home.away_until))
    else:
        away = _("Going away? Pick the date you are back, and no stand-up prompts come until then.")
    picker: dict = {"type": "datepicker", "action_id": AWAY_ACTION, "placeholder": plain(_("Away until…"))}
    if home.away_until is not None:
        picker["initial_date"] = home.away_until.isoformat()
    blocks = [{**section("*" + _("Stand-ups") + "*\n" + away), "accessory": picker}]
    for prompt in home.prompts:
        blocks.append(
            {
                **section(_prompt_text(prompt, home.tz)),
                "accessory": button(_("Answer"), ANSWER_ACTION, str(prompt.prompt_id), style="primary"),
            }
        )
    more = home.prompts_total - len(home.prompts)
    if more > 0:
        blocks.append(
            context(
                _("…and {n} older ones: their buttons are in your direct messages with Spindle Bot.").format(n=more)
            )
        )
    return blocks


def _lead_row(row: Listed) -> dict:
    who = _("lead: {person}").format(person=f"<@{row.lead_id}>") if row.lead_id else _("no lead yet")
    picker: dict = {"type": "users_select", "action_id": LEAD_ACTION, "placeholder": plain(_("Choose the lead"))}
    if row.lead_id:
        picker["initial_user"] = row.lead_id
    return {**section(f"*{escape(row.handle)}* · {who}"), "block_id": f"{LEAD_BLOCK}{row.handle}", "accessory": picker}


def coordinator_part(home: Home) -> list[dict]:
    blocks = [
        section(
            "*"
            + _("Coordinator")
            + "*\n"
            + _(
                "You receive the innovation register as an Excel workbook every Monday at 08:00 by direct message; `Export register` sends it now."
            )
        ),
        {
            "type": "actions",
            "block_id": "coordinator",
            "elements": [
                button(_("New action group"), NEW_GROUP_ACTION, "new"),
                button(_("Export register"), EXPORT_ACTION, "all"),
            ],
        },
    ]
    if home.leads:
        blocks.append(
            section("*" + _("Group leads") + "*  " + _("(groups without a lead first; the lead must be a member)"))
        )
        blocks += [_lead_row(row) for row in home.leads]
        more = home.leads_total - len(home.leads)
        if more > 0:
            blocks.append(
                context(
                    _("…and {n} more: `/spindle group lead HANDLE @person` sets any group's lead.").format(
                        n=i18n.number(more)
                    )
                )
            )
    return blocks


def home_blocks(home: Home) -> list[dict]:
    intro = _("Your dashboard: your action groups, innovations and stand-ups.")
    blocks: list[dict] = [
        header("Spindle Bot"),
        {**section(intro), "accessory": language_menu(home.language or i18n.current())},
    ]
    blocks += groups_part(home)
    blocks += [divider(), *find_part(home)]
    if home.known:
        blocks += [divider(), *innovations_part(home)]
    blocks += [divider(), *line_sections(new_across_network_lines(list(home.new_elsewhere)), NEWS_BLOCKS)]
    if home.known:
        blocks += [divider(), *standups_part(home)]
    if home.is_coordinator:
        blocks += [divider(), *coordinator_part(home)]
    blocks.append(
        context(_("Every command: `/spindle help`. `/spindle forget-me` erases your personal data (it asks first)."))
    )
    return blocks[:HOME_BLOCK_LIMIT]


def render_home(home: Home) -> tuple[str, list[dict]]:
    """services.home.Home as the Home tab's blocks (handlers/ui/render.py wraps them in the view)."""
    with i18n.speaking(home.language):
        return "Spindle Bot", home_blocks(home)


def home_view(home: Home) -> dict:
    _text, blocks = render_home(home)
    return {"type": "home", "blocks": blocks}


__all__ = ["HomeGroup", "home_view", "render_home"]
