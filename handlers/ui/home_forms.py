"""The Home tab's modals: a refusal (the sentence, nothing else), `New action group`, and short
notes after a click (the register is on its way)."""

from __future__ import annotations

from slack_sdk.models.blocks import InputBlock, PlainTextInputElement, PlainTextObject
from slack_sdk.models.views import View

from handlers.ui.common import section, shorten
from i18n import _
from models.groups import MAX_DESCRIPTION

NEW_GROUP_VIEW = "home_new_group"  # the modal's callback_id
HANDLE_BLOCK = "handle"
DESCRIPTION_BLOCK = "description"
FIELD = "value"  # each input's action_id


def _title(text: str) -> PlainTextObject:
    return PlainTextObject(text=shorten(text, 24))  # Slack's limit for a modal title


def note_modal(message: str, *, title: str | None = None) -> dict:
    """A small modal with one sentence: a refusal on the Home tab, or a short note."""
    view = View(
        type="modal",
        title=_title(title or "Spindle Bot"),
        close=PlainTextObject(text=_("Close")),
        blocks=[section(message)],
    )
    return view.to_dict()


def refusal_modal(message: str) -> dict:
    return note_modal(message, title=_("Not done"))


def new_group_modal() -> dict:
    handle = PlainTextInputElement(
        action_id=FIELD, max_length=40, placeholder=PlainTextObject(text=_("e.g. data-ethics"))
    )
    description = PlainTextInputElement(action_id=FIELD, multiline=True, max_length=MAX_DESCRIPTION)
    view = View(
        type="modal",
        callback_id=NEW_GROUP_VIEW,
        title=_title(_("New action group")),
        submit=PlainTextObject(text=_("Create")),
        close=PlainTextObject(text=_("Cancel")),
        blocks=[
            InputBlock(
                block_id=HANDLE_BLOCK,
                label=_("Handle"),
                element=handle,
                hint=_("2–40 characters: a-z, 0-9 and -. It names the group in every command."),
            ),
            InputBlock(block_id=DESCRIPTION_BLOCK, label=_("Description"), element=description, optional=True),
        ],
    )
    return view.to_dict()


def submitted_group(values: dict) -> tuple[str, str]:
    """(handle, description) as typed; missing or odd-shaped fields read as empty."""

    def text(block_id: str) -> str:
        block = values.get(block_id) if isinstance(values, dict) else None
        field = block.get(FIELD) if isinstance(block, dict) else None
        value = field.get("value") if isinstance(field, dict) else None
        return value if isinstance(value, str) else ""

    return text(HANDLE_BLOCK).strip(), text(DESCRIPTION_BLOCK)


def export_on_its_way() -> str:
    return _("The register is being made; it comes to your direct messages with Spindle Bot in a moment.")
