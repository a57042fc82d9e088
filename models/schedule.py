"""Due times of a weekly stand-up schedule. Pure functions: no database, no clock, no Slack.

A schedule is a set of weekdays, a local wall-clock time "HH:MM" and an IANA zone. Its due
instants follow the wall clock across daylight-saving changes: 09:30 stays 09:30 local. A local
time that does not exist on a day (the spring change skips it) runs once, at the next valid
minute; one that happens twice (the autumn change repeats it) runs once, at its first occurrence.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from models.vocab import WEEKDAYS

# No zone skips more than a day (Samoa skipped exactly one in 2011); bounded, so it always ends.
_MAX_GAP_MINUTES = 26 * 60


def weekday_numbers(days: str | Iterable[str]) -> frozenset[int]:
    """ "mon,wed" (or an iterable of day names) as datetime.weekday() numbers."""
    if isinstance(days, str):
        shorthand = {"daily": ",".join(WEEKDAYS), "weekdays": ",".join(WEEKDAYS[:5])}
        days = shorthand.get(days.strip().lower(), days)
    names = days.split(",") if isinstance(days, str) else days
    return frozenset(WEEKDAYS.index(d.strip().lower()) for d in names if d.strip().lower() in WEEKDAYS)


def parse_local_time(local_time: str) -> time:
    hours, minutes = local_time.split(":")
    return time(int(hours), int(minutes))


def _exists(naive: datetime, zone: ZoneInfo) -> bool:
    aware = naive.replace(tzinfo=zone, fold=0)
    return aware.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == naive


def local_due(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The UTC instant at which wall-clock `at` falls on local `day`.

    Skipped (spring): the first minute after `at` that exists. Repeated (autumn): fold=0, the
    first of the two instants, so it runs once.
    """
    naive = datetime.combine(day, at)
    for minutes in range(_MAX_GAP_MINUTES):
        candidate = naive + timedelta(minutes=minutes)
        if _exists(candidate, zone):
            return candidate.replace(tzinfo=zone, fold=0).astimezone(UTC)
    raise ValueError(f"no valid local time after {naive} in {zone.key}")  # pragma: no cover


def due_times(days: str | Iterable[str], local_time: str, tz: str, start: datetime, end: datetime) -> list[datetime]:
    """Due instants (aware UTC) with start < t <= end, ascending, each once.

    Half-open on the left so consecutive windows (a, b], (b, c] never share a due time.
    """
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("due_times needs aware datetimes")
    weekdays = weekday_numbers(days)
    if not weekdays or end <= start:
        return []
    zone = ZoneInfo(tz)
    at = parse_local_time(local_time)
    # One day of slack on each side: a zone's local date can differ from the UTC date.
    day = start.astimezone(zone).date() - timedelta(days=1)
    last = end.astimezone(zone).date() + timedelta(days=1)
    found: set[datetime] = set()
    while day <= last:
        if day.weekday() in weekdays:
            when = local_due(day, at, zone)
            if start < when <= end:
                found.add(when)
        day += timedelta(days=1)
    return sorted(found)


def next_due_times(days: str | Iterable[str], local_time: str, tz: str, after: datetime, n: int = 3) -> list[datetime]:
    """The next `n` due instants strictly after `after`."""
    weekdays = weekday_numbers(days)
    if not weekdays or n <= 0:
        return []
    out: list[datetime] = []
    start = after
    while len(out) < n:
        end = start + timedelta(days=8)
        out += due_times(days, local_time, tz, start, end)
        start = end
    return out[:n]
