"""A submitted log/edit form (handlers/ui/innovations.modal) read back: `state.values` → raw input."""

from __future__ import annotations

import json

from handlers.ui.innovations import ACTION
from services.innovations import InnovationInput


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
