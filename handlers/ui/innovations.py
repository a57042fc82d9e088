"""Block Kit for the innovation log: the log/edit modal, the channel card, `list` and `show`."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from slack_sdk.models.blocks import (
    ContextBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    StaticMultiSelectElement,
    StaticSelectElement,
)
from slack_sdk.models.views import View

import i18n
from handlers.ui import words
from handlers.ui.common import context, divider, escape, header, line_sections, section, shorten, slack_date
from handlers.ui.controls import innovation_controls
from handlers.ui.search import related_lines
from i18n import N_, _, n_
from models.innovations import MAX_LINK, MAX_NOTE, MAX_SAFEGUARDS, MAX_SUMMARY, MAX_TITLE, ref_of
from models.vocab import KINDS, RISK_LEVELS, RISKS, SDG_NAMES, STAGES
from services.innovation_views import InnovationView
from services.innovations import (
    CardOutcome,
    EditConfirmation,
    InnovationCard,
    InnovationInput,
    Listing,
    LogConfirmation,
    Shown,
)
from services.search import Hit

CALLBACK_ID = "innovation_modal"
SHORTCUT_ID = "log_as_innovation"
ACTION = "value"  # every input element uses this action_id; its block_id names the field
MAX_GROUP_OPTIONS = 100  # Slack's limit for a static select


# --- the modal -----------------------------------------------------------------------------------


def _option(value: str, label: str) -> Option:
    return Option(value=value, text=PlainTextObject(text=shorten(label, 75)))


def _sdg_label(n: int) -> str:
    return f"{n} · {words.sdg(n)}"


def _text_input(
    block_id: str,
    label: str,
    *,
    initial: str | None,
    max_length: int,
    multiline: bool = False,
    optional: bool = True,
    hint: str | None = None,
    placeholder: str | None = None,
) -> InputBlock:
    element = PlainTextInputElement(
        action_id=ACTION,
        initial_value=(initial[:max_length] if initial else None),
        multiline=multiline or None,
        max_length=max_length,
        placeholder=placeholder,
    )
    return InputBlock(block_id=block_id, label=label, element=element, optional=optional, hint=hint)


def _select(block_id: str, label: str, options: list[Option], initial: str | None, *, optional: bool) -> InputBlock:
    chosen = next((o for o in options if o.value == initial), None)
    element = StaticSelectElement(action_id=ACTION, options=options, initial_option=chosen, placeholder=_("Choose…"))
    return InputBlock(block_id=block_id, label=label, element=element, optional=optional)


def modal(
    groups: Sequence[str], *, values: InnovationInput | None = None, ref: int | None = None, intro: str | None = None
) -> dict:
    """The log form (or, with `ref`, the edit form) filled in with `values`.

    `private_metadata` carries the innovation's id when editing; the submission re-checks the
    person's right to change it, so the metadata is never trusted for permission.
    """
    v = values or InnovationInput()
    group_options = [_option(handle, handle) for handle in groups[:MAX_GROUP_OPTIONS]]
    if v.group and v.group not in {o.value for o in group_options}:
        group_options.insert(0, _option(v.group, v.group))  # the innovation's own (e.g. archived) group
    single = v.group or (groups[0] if len(groups) == 1 else None)
    sdg_options = [_option(str(n), _sdg_label(n)) for n in SDG_NAMES]
    chosen_sdgs = {str(n) for n in v.sdgs or []}
    initial_sdgs = [o for o in sdg_options if o.value in chosen_sdgs] or None
    organisations = ", ".join(v.organisations) if isinstance(v.organisations, list) else v.organisations
    tags = ", ".join(v.tags) if isinstance(v.tags, list) else v.tags
    risk_options = [_option(level, words.capitalised(words.level(level))) for level in RISK_LEVELS]
    kind_options = [_option(k, words.capitalised(words.kind(k))) for k in KINDS]
    stage_options = [_option(s, words.capitalised(words.stage(s))) for s in STAGES]

    blocks: list[Any] = []
    if intro:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=shorten(intro, 300))]))
    blocks += [
        _select("group", _("Action group"), group_options, single, optional=False),
        _text_input("title", _("Title"), initial=v.title, max_length=MAX_TITLE, optional=False),
        _select("kind", _("Kind"), kind_options, v.kind, optional=True),
        _select("stage", _("Stage"), stage_options, v.stage or "exploring", optional=False),
        _text_input(
            "stage_note",
            _("Why this stage?"),
            initial=None,
            max_length=MAX_NOTE,
            multiline=True,
            hint=_("Needed when the stage is parked or dropped; kept in the stage history."),
        ),
        _text_input("summary", _("Summary"), initial=v.summary, max_length=MAX_SUMMARY, multiline=True),
        _text_input("link", _("Link"), initial=v.link, max_length=MAX_LINK, placeholder="https://…"),
        _text_input(
            "organisations",
            _("Organisations involved"),
            initial=organisations,
            max_length=2500,
            hint=_("Separate them with commas."),
        ),
        InputBlock(
            block_id="sdgs",
            label=_("SDGs"),
            optional=True,
            element=StaticMultiSelectElement(
                action_id=ACTION, options=sdg_options, initial_options=initial_sdgs, placeholder=_("Choose goals…")
            ),
        ),
        _text_input(
            "tags", _("Tags"), initial=tags, max_length=1000, hint=_("Separate them with commas, e.g. ai, privacy.")
        ),
    ]
    for field_name, _label in RISKS:
        initial = getattr(v, field_name) or "not-assessed"
        blocks.append(_select(field_name, words.risk_label(field_name), risk_options, initial, optional=False))
    blocks.append(
        _text_input("safeguards", _("Safeguards"), initial=v.safeguards, max_length=MAX_SAFEGUARDS, multiline=True)
    )
    view = View(
        type="modal",
        callback_id=CALLBACK_ID,
        title=PlainTextObject(text=_("Edit {ref}").format(ref=ref_of(ref)) if ref else _("Log an innovation")),
        submit=PlainTextObject(text=_("Save") if ref else _("Log it")),
        close=PlainTextObject(text=_("Cancel")),
        blocks=blocks,
        private_metadata=json.dumps({"ref": ref} if ref else {}),
    )
    return view.to_dict()  # to_dict() validates Slack's limits (title length, block count, …)


# --- shared bits ---------------------------------------------------------------------------------


def person(member_id: str | None) -> str:
    return words.former_member() if member_id is None else f"<@{member_id}>"


def _sdgs_text(innovation: InnovationView) -> str:
    return ", ".join(_sdg_label(n) for n in innovation.sdgs)


def _risks_text(innovation: InnovationView) -> str:
    return "  ·  ".join(f"{words.risk_name(field)} {words.level(getattr(innovation, field))}" for field, _l in RISKS)


def _clip(text: str, limit: int) -> str:
    """Shorten for display, keeping the writer's line breaks (unlike `shorten`, for one-liners)."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _title_line(ref: str, title: str) -> str:
    return f"*{ref}* · {escape(shorten(title, 150))}"


# --- the card in the group's channel --------------------------------------------------------------


def card(innovation: InnovationView, tz: str, summary_limit: int = 600) -> tuple[str, list[dict]]:
    """The channel card: posted when logged, updated in place (chat.update) on every later change."""
    stage = words.stage(innovation.stage)
    text = f"{innovation.ref} · {shorten(innovation.title, 150)} — {stage} ({innovation.handle})"
    facts = [_("*Stage:* {stage}").format(stage=stage), _("*Group:* `{handle}`").format(handle=innovation.handle)]
    if innovation.kind:
        facts.append(_("*Kind:* {kind}").format(kind=words.kind(innovation.kind)))
    blocks = [header(f"{innovation.ref} · {innovation.title}"), section("   ".join(facts))]
    if innovation.summary:
        # Shortened for display only; the whole summary is stored (and exported).
        blocks.append(section(escape(_clip(innovation.summary, summary_limit))))
    details = []
    if innovation.link:
        details.append(_("*Link:* {link}").format(link=escape(innovation.link)))
    if innovation.organisations:
        details.append(_("*Organisations:* {names}").format(names=escape(", ".join(innovation.organisations))))
    if innovation.sdgs:
        details.append(_("*SDGs:* {sdgs}").format(sdgs=_sdgs_text(innovation)))
    if innovation.tags:
        details.append(_("*Tags:* {tags}").format(tags=escape(", ".join(innovation.tags))))
    details.append(_("*Risks:* {risks}").format(risks=_risks_text(innovation)))
    blocks.append(section("\n".join(details)))
    logged = _("Logged by {person} on {when}  ·  updated {updated}  ·  `/spindle show {ref}`").format(
        person=person(innovation.logged_by),
        when=slack_date(innovation.logged_at, tz),
        updated=slack_date(innovation.updated_at, tz),
        ref=innovation.ref,
    )
    blocks.append(context(logged))
    return text, blocks


def card_message(message: InnovationCard) -> tuple[str, list[dict]]:
    """The card with its controls: the stage menu, Add note and Edit (handlers/clicks.py)."""
    text, blocks = card(message.innovation, message.tz)
    return text, [*blocks, innovation_controls(message.innovation.id, message.innovation.stage)]


# --- list and show -------------------------------------------------------------------------------


def list_reply(listing: Listing) -> tuple[str, list[dict] | None]:
    handle, stage, rows = listing.handle, listing.stage, listing.rows
    if handle and stage:
        where = _(" in `{handle}` at stage `{stage}`").format(handle=handle, stage=words.stage(stage))
    elif handle:
        where = _(" in `{handle}`").format(handle=handle)
    elif stage:
        where = _(" at stage `{stage}`").format(stage=words.stage(stage))
    else:
        where = ""
    if not rows:
        return _("No innovations{where} yet. Log one with `/spindle log`.").format(where=where), None
    if listing.more_than is not None:
        total = _("more than {n}").format(n=i18n.number(listing.more_than))
    else:
        total = str(listing.total)
    if listing.total > len(rows):
        shown = _("{n} most recently updated of {total}").format(n=len(rows), total=total)
    else:
        shown = total
    text = _("Innovations{where}: {shown}").format(where=where, shown=shown)
    lines = []
    for row in rows:
        updated = _("updated {when}").format(when=slack_date(row.updated_at, listing.tz))
        line = f"{_title_line(row.ref, row.title)}\n      {words.stage(row.stage)} · `{row.handle}` · {updated}"
        if row.summary:
            line += f"\n      _{escape(shorten(row.summary, 140))}_"
        lines.append(line)
    blocks = [header(_("Innovations ({shown})").format(shown=shown)), *line_sections(lines, max_blocks=45)]
    blocks.append(context(_("Details and history: `/spindle show INN-…`")))
    return text, blocks


def show_reply(shown: Shown) -> tuple[str, list[dict]]:
    innovation, tz = shown.innovation, shown.tz
    text = f"{innovation.ref} · {shorten(innovation.title, 150)} — {words.stage(innovation.stage)}"
    # The card shows a taste of the summary; `show` gives as much as one section holds.
    _text, blocks = card(innovation, tz, summary_limit=2400)
    if innovation.safeguards:
        safeguards = _("*Safeguards:* {text}").format(text=escape(_clip(innovation.safeguards, 2000)))
        blocks.insert(-1, section(safeguards))
    if shown.related:  # before the history, which is cut to fit and must not push these out
        blocks += line_sections(related_lines(list(shown.related)), max_blocks=3)
    blocks.append(divider())
    lines = []
    for item in reversed(shown.history):  # newest first, so a very long history drops its oldest entries
        when, by = slack_date(item.at, tz), person(item.by)
        if item.to_stage is not None:
            to_stage = words.stage(item.to_stage)
            if item.from_stage is None:
                move = _("logged at *{stage}* by {person}").format(stage=to_stage, person=by)
            else:
                move = _("{from_stage} → *{to_stage}* by {person}").format(
                    from_stage=words.stage(item.from_stage), to_stage=to_stage, person=by
                )
            note = f": {escape(shorten(item.text, 500))}" if item.text else ""
            lines.append(f"• {when} — {move}{note}")
        else:
            noted = _("note by {person}").format(person=by)
            lines.append(f"• {when} — {noted}: {escape(shorten(item.text, 500))}")
    blocks.append(section(_("*History* (newest first)")))
    blocks += line_sections(lines, max_blocks=49 - len(blocks), overflow=_older_entries)
    return text, blocks[:50]


def _older_entries(n: int) -> str:
    return n_("…and {n} older entry.", "…and {n} older entries.", n).format(n=n)


# --- replies and confirmations -------------------------------------------------------------------

OOPS = N_("Sorry, something went wrong on my side and nothing was saved. Please try again.")
OPENING_LOG = N_("Opening the form to log an innovation…")
SHORTCUT_NO_GROUP = N_(
    "Innovations are logged into an action group, and you are not in one yet. "
    "`/spindle group list` shows them; join one with `/spindle group join HANDLE`."
)
SHORTCUT_TOO_LATE = N_("Slack did not let me open the form in time. Please use the shortcut again.")
SHORTCUT_BUSY = N_("Slack is busy right now — use the shortcut again in a moment.")


def opening_edit(ref: str) -> str:
    return _("Opening {ref} for editing…").format(ref=ref)


def card_line(outcome: CardOutcome) -> str:
    """What became of the card, for the person who logged the innovation."""
    if outcome.status == "no_channel":
        return _("`{handle}` has no linked channel, so no card was posted (`/spindle group channel {handle}`).").format(
            handle=outcome.handle
        )
    if outcome.status == "failed":
        return _(
            "I could not post its card in <#{channel}> (is the bot invited there?); the innovation is saved."
        ).format(channel=outcome.channel)
    return _("Its card is in <#{channel}>.").format(channel=outcome.channel)


def quick_logged(innovation: InnovationView, related: Sequence[Hit] = ()) -> str:
    ref, handle = innovation.ref, innovation.handle
    text = _(
        "Logged *{ref}* · {title} in `{handle}` at stage `exploring`. "
        "Add a summary, link, SDGs and risks with `/spindle edit {ref}`."
    ).format(ref=ref, title=escape(innovation.title), handle=handle)
    if not innovation.group_channel:
        text += "\n" + _("`{handle}` has no linked channel, so no card was posted.").format(handle=handle)
    return text + _related(related)


def _related(related: Sequence[Hit]) -> str:
    """The related innovations as lines after a reply's text (nothing when none is alike)."""
    return "".join(f"\n{line}" for line in related_lines(list(related)))


def stage_moved(innovation: InnovationView, from_stage: str, to_stage: str) -> str:
    return _("{innovation} moved from `{from_stage}` to `{to_stage}`.").format(
        innovation=_title_line(innovation.ref, innovation.title),
        from_stage=words.stage(from_stage),
        to_stage=words.stage(to_stage),
    )


def note_added(ref: str, title: str) -> str:
    return _("Note added to {innovation}.").format(innovation=_title_line(ref, title))


def log_confirmation(message: LogConfirmation) -> tuple[str, list[dict]]:
    innovation = message.innovation
    text = _("Logged {innovation} in `{handle}` at stage `{stage}`.").format(
        innovation=_title_line(innovation.ref, innovation.title),
        handle=innovation.handle,
        stage=words.stage(innovation.stage),
    )
    return f"{text} {card_line(message.card)}".strip() + _related(message.related), []


def edit_confirmation(message: EditConfirmation) -> tuple[str, list[dict]]:
    innovation = message.innovation
    text = _("Saved your changes to {innovation} (`{handle}` at stage `{stage}`).").format(
        innovation=_title_line(innovation.ref, innovation.title),
        handle=innovation.handle,
        stage=words.stage(innovation.stage),
    )
    return text, []
