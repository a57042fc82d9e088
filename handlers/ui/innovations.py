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

from handlers.ui.common import context, divider, escape, header, line_sections, section, shorten, slack_date
from handlers.ui.controls import innovation_controls
from handlers.ui.search import related_lines
from models.innovations import MAX_LINK, MAX_NOTE, MAX_SAFEGUARDS, MAX_SUMMARY, MAX_TITLE, ref_of
from models.vocab import FORMER_MEMBER, KINDS, RISK_LEVELS, RISKS, SDG_NAMES, STAGES
from services.innovations import (
    CardOutcome,
    EditConfirmation,
    InnovationCard,
    InnovationInput,
    InnovationView,
    Listing,
    LogConfirmation,
    Shown,
)
from services.search import Hit

CALLBACK_ID = "innovation_modal"
SHORTCUT_ID = "log_as_innovation"
ACTION = "value"  # every input element uses this action_id; its block_id names the field
MAX_GROUP_OPTIONS = 100  # Slack's limit for a static select

RISK_LABELS = {"not-assessed": "Not assessed", "low": "Low", "medium": "Medium", "high": "High"}


# --- the modal -----------------------------------------------------------------------------------


def _option(value: str, label: str) -> Option:
    return Option(value=value, text=PlainTextObject(text=shorten(label, 75)))


def _sdg_label(n: int) -> str:
    return f"{n} · {SDG_NAMES[n]}"


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
    element = StaticSelectElement(action_id=ACTION, options=options, initial_option=chosen, placeholder="Choose…")
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
    risk_options = [_option(level, RISK_LABELS[level]) for level in RISK_LEVELS]

    blocks: list[Any] = []
    if intro:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=shorten(intro, 300))]))
    blocks += [
        _select("group", "Action group", group_options, single, optional=False),
        _text_input("title", "Title", initial=v.title, max_length=MAX_TITLE, optional=False),
        _select("kind", "Kind", [_option(k, k.replace("-", " ").capitalize()) for k in KINDS], v.kind, optional=True),
        _select("stage", "Stage", [_option(s, s.capitalize()) for s in STAGES], v.stage or "exploring", optional=False),
        _text_input(
            "stage_note",
            "Why this stage?",
            initial=None,
            max_length=MAX_NOTE,
            multiline=True,
            hint="Needed when the stage is parked or dropped; kept in the stage history.",
        ),
        _text_input("summary", "Summary", initial=v.summary, max_length=MAX_SUMMARY, multiline=True),
        _text_input("link", "Link", initial=v.link, max_length=MAX_LINK, placeholder="https://…"),
        _text_input(
            "organisations",
            "Organisations involved",
            initial=organisations,
            max_length=2500,
            hint="Separate them with commas.",
        ),
        InputBlock(
            block_id="sdgs",
            label="SDGs",
            optional=True,
            element=StaticMultiSelectElement(
                action_id=ACTION, options=sdg_options, initial_options=initial_sdgs, placeholder="Choose goals…"
            ),
        ),
        _text_input("tags", "Tags", initial=tags, max_length=1000, hint="Separate them with commas, e.g. ai, privacy."),
    ]
    for field_name, label in RISKS:
        initial = getattr(v, field_name) or "not-assessed"
        blocks.append(_select(field_name, f"{label} risk", risk_options, initial, optional=False))
    blocks.append(
        _text_input("safeguards", "Safeguards", initial=v.safeguards, max_length=MAX_SAFEGUARDS, multiline=True)
    )
    view = View(
        type="modal",
        callback_id=CALLBACK_ID,
        title=PlainTextObject(text=f"Edit {ref_of(ref)}" if ref else "Log an innovation"),
        submit=PlainTextObject(text="Save" if ref else "Log it"),
        close=PlainTextObject(text="Cancel"),
        blocks=blocks,
        private_metadata=json.dumps({"ref": ref} if ref else {}),
    )
    return view.to_dict()  # to_dict() validates Slack's limits (title length, block count, …)


def submitted(state_values: dict) -> InnovationInput:
    """A view_submission's `state.values` → raw input. Missing or odd-shaped fields read as empty."""

    def element(block_id: str) -> dict:
        block = state_values.get(block_id) if isinstance(state_values, dict) else None
        value = block.get(ACTION) if isinstance(block, dict) else None
        return value if isinstance(value, dict) else {}

    def text(block_id: str) -> str | None:
        value = element(block_id).get("value")
        return value if isinstance(value, str) else None

    def selected(block_id: str) -> str | None:
        option = element(block_id).get("selected_option")
        value = option.get("value") if isinstance(option, dict) else None
        return value if isinstance(value, str) else None

    options = element("sdgs").get("selected_options")
    sdgs = [o.get("value") for o in options if isinstance(o, dict)] if isinstance(options, list) else []
    return InnovationInput(
        group=selected("group"),
        title=text("title"),
        kind=selected("kind"),
        stage=selected("stage"),
        stage_note=text("stage_note"),
        summary=text("summary"),
        link=text("link"),
        organisations=text("organisations"),
        sdgs=[str(s) for s in sdgs],
        tags=text("tags"),
        privacy_risk=selected("privacy_risk"),
        civic_space_risk=selected("civic_space_risk"),
        manipulation_risk=selected("manipulation_risk"),
        safeguards=text("safeguards"),
    )


def metadata_ref(private_metadata: str | None) -> int | None:
    try:
        ref = json.loads(private_metadata or "{}").get("ref")
    except (ValueError, AttributeError):
        return None
    return ref if isinstance(ref, int) and ref > 0 else None


# --- shared bits ---------------------------------------------------------------------------------


def person(member_id: str | None) -> str:
    return FORMER_MEMBER if member_id is None else f"<@{member_id}>"


def _sdgs_text(innovation: InnovationView) -> str:
    return ", ".join(_sdg_label(n) for n in innovation.sdgs)


def _risks_text(innovation: InnovationView) -> str:
    return "  ·  ".join(f"{label} {getattr(innovation, field)}" for field, label in RISKS)


def _clip(text: str, limit: int) -> str:
    """Shorten for display, keeping the writer's line breaks (unlike `shorten`, for one-liners)."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _title_line(ref: str, title: str) -> str:
    return f"*{ref}* · {escape(shorten(title, 150))}"


# --- the card in the group's channel --------------------------------------------------------------


def card(innovation: InnovationView, tz: str, summary_limit: int = 600) -> tuple[str, list[dict]]:
    """The channel card: posted when logged, updated in place (chat.update) on every later change."""
    text = f"{innovation.ref} · {shorten(innovation.title, 150)} — {innovation.stage} ({innovation.handle})"
    facts = [f"*Stage:* {innovation.stage}", f"*Group:* `{innovation.handle}`"]
    if innovation.kind:
        facts.append(f"*Kind:* {innovation.kind}")
    blocks = [header(f"{innovation.ref} · {innovation.title}"), section("   ".join(facts))]
    if innovation.summary:
        # Shortened for display only; the whole summary is stored (and exported).
        blocks.append(section(escape(_clip(innovation.summary, summary_limit))))
    details = []
    if innovation.link:
        details.append(f"*Link:* {escape(innovation.link)}")
    if innovation.organisations:
        details.append("*Organisations:* " + escape(", ".join(innovation.organisations)))
    if innovation.sdgs:
        details.append(f"*SDGs:* {_sdgs_text(innovation)}")
    if innovation.tags:
        details.append("*Tags:* " + escape(", ".join(innovation.tags)))
    details.append(f"*Risks:* {_risks_text(innovation)}")
    blocks.append(section("\n".join(details)))
    blocks.append(
        context(
            f"Logged by {person(innovation.logged_by)} on {slack_date(innovation.logged_at, tz)}"
            f"  ·  updated {slack_date(innovation.updated_at, tz)}  ·  `/spindle show {innovation.ref}`"
        )
    )
    return text, blocks


def card_message(message: InnovationCard) -> tuple[str, list[dict]]:
    """The card with its controls: the stage menu, Add note and Edit (handlers/clicks.py)."""
    text, blocks = card(message.innovation, message.tz)
    return text, [*blocks, innovation_controls(message.innovation.id, message.innovation.stage)]


# --- list and show -------------------------------------------------------------------------------


def list_reply(listing: Listing) -> tuple[str, list[dict] | None]:
    handle, stage, rows = listing.handle, listing.stage, listing.rows
    filters = " ".join(f for f in (f"`{handle}`" if handle else "", f"at stage `{stage}`" if stage else "") if f)
    where = f" in {filters}" if filters else ""
    if not rows:
        return f"No innovations{where} yet. Log one with `/spindle log`.", None
    total = f"more than {listing.more_than:,}" if listing.more_than is not None else f"{listing.total}"
    shown = f"{len(rows)} most recently updated of {total}" if listing.total > len(rows) else total
    text = f"Innovations{where}: {shown}"
    lines = []
    for row in rows:
        line = (
            f"{_title_line(row.ref, row.title)}\n      {row.stage} · `{row.handle}`"
            f" · updated {slack_date(row.updated_at, listing.tz)}"
        )
        if row.summary:
            line += f"\n      _{escape(shorten(row.summary, 140))}_"
        lines.append(line)
    blocks = [header(f"Innovations ({shown})"), *line_sections(lines, max_blocks=45)]
    blocks.append(context("Details and history: `/spindle show INN-…`"))
    return text, blocks


def show_reply(shown: Shown) -> tuple[str, list[dict]]:
    innovation, tz = shown.innovation, shown.tz
    text = f"{innovation.ref} · {shorten(innovation.title, 150)} — {innovation.stage}"
    # The card shows a taste of the summary; `show` gives as much as one section holds.
    _, blocks = card(innovation, tz, summary_limit=2400)
    if innovation.safeguards:
        blocks.insert(-1, section("*Safeguards:* " + escape(_clip(innovation.safeguards, 2000))))
    if shown.related:  # before the history, which is cut to fit and must not push these out
        blocks += line_sections(related_lines(list(shown.related)), max_blocks=3)
    blocks.append(divider())
    lines = []
    for item in reversed(shown.history):  # newest first, so a very long history drops its oldest entries
        when = slack_date(item.at, tz)
        if item.to_stage is not None:
            move = (
                f"logged at *{item.to_stage}*" if item.from_stage is None else f"{item.from_stage} → *{item.to_stage}*"
            )
            note = f": {escape(shorten(item.text, 500))}" if item.text else ""
            lines.append(f"• {when} — {move} by {person(item.by)}{note}")
        else:
            lines.append(f"• {when} — note by {person(item.by)}: {escape(shorten(item.text, 500))}")
    blocks.append(section("*History* (newest first)"))
    blocks += line_sections(lines, max_blocks=49 - len(blocks), overflow="…and {n} older entries.")
    return text, blocks[:50]


# --- replies and confirmations -------------------------------------------------------------------

OOPS = "Sorry, something went wrong on my side and nothing was saved. Please try again."
OPENING_LOG = "Opening the form to log an innovation…"
SHORTCUT_NO_GROUP = (
    "Innovations are logged into an action group, and you are not in one yet. "
    "`/spindle group list` shows them; join one with `/spindle group join HANDLE`."
)
SHORTCUT_TOO_LATE = "Slack did not let me open the form in time. Please use the shortcut again."


def opening_edit(ref: str) -> str:
    return f"Opening {ref} for editing…"


def form_too_late(again: str) -> str:
    return f"Slack did not let me open the form in time. Please type `{again}` again."


def card_line(outcome: CardOutcome) -> str:
    """What became of the card, for the person who logged the innovation."""
    if outcome.status == "no_channel":
        handle = outcome.handle
        return f"`{handle}` has no linked channel, so no card was posted (`/spindle group channel {handle}`)."
    if outcome.status == "failed":
        return (
            f"I could not post its card in <#{outcome.channel}> (is the bot invited there?); the innovation is saved."
        )
    return f"Its card is in <#{outcome.channel}>."


def quick_logged(innovation: InnovationView, related: Sequence[Hit] = ()) -> str:
    ref, handle = innovation.ref, innovation.handle
    text = (
        f"Logged *{ref}* · {escape(innovation.title)} in `{handle}` at stage `exploring`. "
        f"Add a summary, link, SDGs and risks with `/spindle edit {ref}`."
    )
    if not innovation.group_channel:
        text += f"\n`{handle}` has no linked channel, so no card was posted."
    return text + _related(related)


def _related(related: Sequence[Hit]) -> str:
    """The related innovations as lines after a reply's text (nothing when none is alike)."""
    return "".join(f"\n{line}" for line in related_lines(list(related)))


def stage_moved(innovation: InnovationView, from_stage: str, to_stage: str) -> str:
    return f"{_title_line(innovation.ref, innovation.title)} moved from `{from_stage}` to `{to_stage}`."


def note_added(ref: str, title: str) -> str:
    return f"Note added to {_title_line(ref, title)}."


def _where(innovation: InnovationView) -> str:
    return f"`{innovation.handle}` at stage `{innovation.stage}`"


def log_confirmation(message: LogConfirmation) -> tuple[str, list[dict]]:
    innovation = message.innovation
    text = f"Logged {_title_line(innovation.ref, innovation.title)} in {_where(innovation)}. {card_line(message.card)}"
    return text.strip() + _related(message.related), []


def edit_confirmation(message: EditConfirmation) -> tuple[str, list[dict]]:
    innovation = message.innovation
    return f"Saved your changes to {_title_line(innovation.ref, innovation.title)} ({_where(innovation)}).", []
