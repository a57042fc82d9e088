"""Digital innovations: their tables, the rules for a valid one, and the operations on them."""

from models.innovations.operations import (
    LIST_COUNT_LIMIT,
    LIST_LIMIT,
    add_note,
    create_innovation,
    get_innovation,
    history,
    list_innovations,
    move_stage,
    quick_log,
    set_card,
    update_innovation,
)
from models.innovations.rules import (
    FIELDS,
    MAX_LINK,
    MAX_NOTE,
    MAX_ORGANISATION,
    MAX_ORGANISATIONS,
    MAX_SAFEGUARDS,
    MAX_SUMMARY,
    MAX_TAG,
    MAX_TAGS,
    MAX_TITLE,
    CleanInnovation,
    InnovationInput,
    InvalidFields,
    clean_input,
    groups_for_logging,
    may_change,
    normalise_organisations,
    normalise_tags,
    require_may_change,
    require_may_log_into,
)
from models.innovations.tables import (
    Innovation,
    InnovationNote,
    Organisation,
    StageChange,
    count_by_stage,
    innovation_organisations,
    ref_of,
)

__all__ = [
    "FIELDS", "LIST_COUNT_LIMIT", "LIST_LIMIT", "MAX_LINK", "MAX_NOTE", "MAX_ORGANISATION", "MAX_ORGANISATIONS",
    "MAX_SAFEGUARDS", "MAX_SUMMARY", "MAX_TAG", "MAX_TAGS", "MAX_TITLE", "CleanInnovation", "Innovation",
    "InnovationInput", "InnovationNote", "InvalidFields", "Organisation", "StageChange", "add_note", "clean_input",
    "count_by_stage", "create_innovation", "get_innovation", "groups_for_logging", "history",
    "innovation_organisations", "list_innovations", "may_change", "move_stage", "normalise_organisations",
    "normalise_tags", "quick_log", "ref_of", "require_may_change", "require_may_log_into", "set_card",
    "update_innovation",
]  # fmt: skip
