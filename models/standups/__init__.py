"""Stand-ups: schedules (schedule.py), runs and prompts (runs.py), answers (answers.py).

The pure due-time maths is models/schedule.py; the compare-and-set claims that keep every Slack
message single are models/standups/claims.py.
"""

from models.standups.answers import (
    MAX_ANSWER_LEN,
    Answered,
    RunSummary,
    answers_of,
    blocker_of,
    blocking_index,
    claim_reply,
    prompt_for,
    record_answer,
    record_reply,
    require_open,
    summary_of,
)
from models.standups.claims import STALE_CLAIM
from models.standups.runs import (
    LATE_LIMIT,
    LIVE,
    LOOKBACK,
    RunStatus,
    StandupPrompt,
    StandupRun,
    claim_run,
    due_pairs,
    prompt_count,
    start_now,
)
from models.standups.schedule import (
    MAX_QUESTION_LEN,
    MAX_QUESTIONS,
    StandupSchedule,
    ensure_schedule,
    get_schedule,
    is_away,
    next_dues,
    questions_of,
    require_lead,
    schedule_off,
    set_away,
    set_questions,
    set_schedule,
    validate_questions,
)

__all__ = [
    "LATE_LIMIT", "LIVE", "LOOKBACK", "MAX_ANSWER_LEN", "MAX_QUESTIONS", "MAX_QUESTION_LEN", "STALE_CLAIM",
    "Answered", "RunStatus", "RunSummary", "StandupPrompt", "StandupRun", "StandupSchedule",
    "answers_of", "blocker_of", "blocking_index", "claim_reply", "claim_run", "due_pairs", "ensure_schedule",
    "get_schedule", "is_away", "next_dues", "prompt_count", "prompt_for", "questions_of", "record_answer",
    "record_reply", "require_lead", "require_open", "schedule_off", "set_away", "set_questions", "set_schedule",
    "start_now", "summary_of", "validate_questions",
]  # fmt: skip
