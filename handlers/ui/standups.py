"""Block Kit for stand-ups."""

from __future__ import annotations

from datetime import datetime

from models.standups import StandupSchedule


def schedule_lines(schedule: StandupSchedule | None, reader_tz: str | None, now: datetime) -> list[str]:
    if schedule is None or not schedule.active or not schedule.days:
        return ["no schedule"]
    return [f"{schedule.days} at {schedule.local_time} ({schedule.tz})"]
