"""Stand-up schedules, their questions, and members who are away."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import JSON, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from models.audit import audit
from models.base import Base, UTCDateTime
from models.errors import Conflict, Forbidden, Invalid, NotFound
from models.groups import Group, can_lead, get_group
from models.people import Member
from models.schedule import next_due_times
from models.vocab import DEFAULT_STANDUP_QUESTIONS, WEEKDAYS

MAX_QUESTIONS = 5
MAX_QUESTION_LEN = 200
# What the lead may not do without leading: the codes of the refusal (handlers/ui/errors.py).
LEAD_ACTIONS = ("set", "off", "now", "questions")


class StandupSchedule(Base):
    __tablename__ = "standup_schedules"

    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True)
    days: Mapped[str] = mapped_column(String(32), default="")  # "mon,tue,wed"; empty: no schedule
    local_time: Mapped[str] = mapped_column(String(5), default="09:30")  # "HH:MM"
    tz: Mapped[str] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(default=False)
    # The group's own questions; None: the defaults.
    questions: Mapped[list[str] | None] = mapped_column(JSON(none_as_null=True))
    reminder_minutes: Mapped[int] = mapped_column(Integer, default=120)
    # Due times before this instant are never run (a new schedule does not replay the past).
    effective_from: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lead_warned_no_channel: Mapped[bool] = mapped_column(default=False)

    group: Mapped[Group] = relationship()


def get_schedule(session: Session, group_id: int) -> StandupSchedule | None:
    return session.get(StandupSchedule, group_id)


def require_lead(group: Group, member: Member, action: str) -> None:
    """Refuse unless `member` leads `group` or coordinates; `action` is one of LEAD_ACTIONS."""
    if not can_lead(group, member):
        raise Forbidden(f"standup.lead_only.{action}", handle=group.handle)


def ensure_schedule(session: Session, group: Group, default_tz: str) -> StandupSchedule:
    schedule = session.get(StandupSchedule, group.id)
    if schedule is None:
        schedule = StandupSchedule(
            group_id=group.id,
            days="",
            local_time="09:30",
            tz=default_tz,
            active=False,
            questions=None,
            reminder_minutes=120,
            lead_warned_no_channel=False,
        )
        session.add(schedule)
        session.flush()
    return schedule


def set_schedule(
    session: Session, actor: Member, handle: str, days: tuple[str, ...], local_time: str, zone: str, now: datetime
) -> tuple[Group, StandupSchedule]:
    group = get_group(session, handle)
    require_lead(group, actor, "set")
    if not days or any(d not in WEEKDAYS for d in days):
        raise Invalid("standup.days")
    ZoneInfo(zone)  # the parser checked it; a bad one here is a bug, not user input
    schedule = ensure_schedule(session, group, zone)
    schedule.days = ",".join(d for d in WEEKDAYS if d in days)
    schedule.local_time = local_time
    schedule.tz = zone
    schedule.active = True
    # A new or changed schedule never replays due times from before it was set.
    schedule.effective_from = now
    schedule.lead_warned_no_channel = False
    audit(session, now, actor.id, "standup.set", f"{group.handle} {schedule.days} {local_time} {zone}")
    return group, schedule


def schedule_off(session: Session, actor: Member, handle: str, now: datetime) -> Group:
    group = get_group(session, handle)
    require_lead(group, actor, "off")
    schedule = get_schedule(session, group.id)
    if schedule is None or not schedule.active:
        raise Conflict("standup.no_schedule", handle=group.handle)
    schedule.active = False
    audit(session, now, actor.id, "standup.off", group.handle)
    return group


def questions_of(value: object) -> list[str]:
    """The stored list of questions, or the defaults when none are set (or the value is unusable)."""
    if isinstance(value, list) and value and all(isinstance(q, str) for q in value):
        return list(value)
    return list(DEFAULT_STANDUP_QUESTIONS)


def validate_questions(raw: list[str | None]) -> tuple[list[str], dict[int, Invalid]]:
    """Cleaned questions (empties dropped) and per-field errors keyed by the field's index."""
    errors: dict[int, Invalid] = {}
    cleaned: list[str] = []
    for i, text in enumerate(raw[:MAX_QUESTIONS]):
        text = " ".join((text or "").split())
        if not text:
            continue
        if len(text) > MAX_QUESTION_LEN:
            errors[i] = Invalid("standup.question_too_long", length=len(text), most=MAX_QUESTION_LEN)
        cleaned.append(text)
    if len(raw) > MAX_QUESTIONS:
        errors[MAX_QUESTIONS - 1] = Invalid("standup.too_many_questions", most=MAX_QUESTIONS)
    if not cleaned and not errors:
        errors[0] = Invalid("standup.no_questions")
    return cleaned, errors


def group_for_questions(session: Session, actor: Member, group_id: int) -> Group:
    """The group whose questions `actor` edits (the modal carries its id), if they may."""
    group = session.get(Group, group_id)
    if group is None or group.archived:
        raise NotFound("standup.group_gone")
    require_lead(group, actor, "questions")
    return group


def set_questions(
    session: Session, actor: Member, group_id: int, raw: list[str | None], now: datetime, default_tz: str
) -> tuple[Group, list[str]]:
    group = group_for_questions(session, actor, group_id)
    questions, errors = validate_questions(raw)
    if errors:
        raise next(iter(errors.values()))
    ensure_schedule(session, group, default_tz).questions = questions
    audit(session, now, actor.id, "standup.questions", group.handle)
    return group, questions


def set_away(member: Member, until: date, today: date) -> date | None:
    """No prompts for stand-ups whose local date is before `until`; a date not in the future clears it."""
    member.away_until = until if until > today else None
    return member.away_until


def is_away(member: Member, local_day: date) -> bool:
    return member.away_until is not None and local_day < member.away_until


def next_dues(schedule: StandupSchedule | None, now: datetime, n: int = 3) -> list[datetime]:
    if schedule is None or not schedule.active or not schedule.days:
        return []
    return next_due_times(schedule.days, schedule.local_time, schedule.tz, now, n)
