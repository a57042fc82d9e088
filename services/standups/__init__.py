"""Stand-ups: the commands people give (commands.py) and the run state machine (delivery.py).

Slack only through the Messenger port: the scheduler tick gets the paced messenger. What is said
is a message dataclass (messages.py), rendered by handlers/ui/standups.py.
"""

from services.standups.commands import (
    QuestionErrors,
    answer,
    answer_form,
    questions_form,
    save_questions,
    schedule_form,
    schedule_off,
    schedule_view,
    set_away,
    set_schedule,
    start_now,
)
from services.standups.delivery import answered, close_run, fan_out, post_answer_reply, send_reminders, tick

__all__ = [
    "QuestionErrors",
    "answer",
    "answer_form",
    "answered",
    "close_run",
    "fan_out",
    "post_answer_reply",
    "questions_form",
    "save_questions",
    "schedule_form",
    "schedule_off",
    "schedule_view",
    "send_reminders",
    "set_away",
    "set_schedule",
    "start_now",
    "tick",
]
