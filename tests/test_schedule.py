"""Due times of a schedule: daylight-saving cases by example, and properties with hypothesis."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from models.schedule import due_times, next_due_times
from models.vocab import WEEKDAYS

AMS = "Europe/Amsterdam"


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def local(instant: datetime, tz: str = AMS) -> datetime:
    return instant.astimezone(ZoneInfo(tz))


def test_0930_stays_0930_local_across_spring_change():
    dues = due_times("daily", "09:30", AMS, utc(2026, 3, 27), utc(2026, 3, 31))
    # Sat 28 Mar is CET (UTC+1), Sun 29 Mar onwards CEST (UTC+2).
    assert dues[:3] == [utc(2026, 3, 27, 8, 30), utc(2026, 3, 28, 8, 30), utc(2026, 3, 29, 7, 30)]
    assert all(local(d).strftime("%H:%M") == "09:30" for d in dues)


def test_0930_stays_0930_local_across_autumn_change():
    dues = due_times("daily", "09:30", AMS, utc(2026, 10, 24), utc(2026, 10, 27))
    assert dues == [utc(2026, 10, 24, 7, 30), utc(2026, 10, 25, 8, 30), utc(2026, 10, 26, 8, 30)]


def test_skipped_local_time_runs_once_at_next_valid_minute():
    # 29 Mar 2026: clocks go 02:00 CET -> 03:00 CEST; 02:30 does not exist.
    dues = due_times("sun", "02:30", AMS, utc(2026, 3, 28), utc(2026, 3, 30))
    assert dues == [utc(2026, 3, 29, 1, 0)]
    assert local(dues[0]).strftime("%H:%M") == "03:00"
    for hhmm in ("02:00", "02:01", "02:59"):
        assert due_times("sun", hhmm, AMS, utc(2026, 3, 28), utc(2026, 3, 30)) == [utc(2026, 3, 29, 1, 0)]


def test_repeated_local_time_runs_once_at_first_occurrence():
    # 25 Oct 2026: clocks go 03:00 CEST -> 02:00 CET; 02:30 happens twice.
    dues = due_times("sun", "02:30", AMS, utc(2026, 10, 24), utc(2026, 10, 26))
    assert dues == [utc(2026, 10, 25, 0, 30)]
    # A window starting between the two occurrences does not pick up the second one.
    assert due_times("sun", "02:30", AMS, utc(2026, 10, 25, 0, 45), utc(2026, 10, 26)) == []


def test_weekday_list_and_window_edges():
    # Thu 26 Nov 2026; mon,wed,fri at 09:30 CET = 08:30 UTC.
    dues = due_times(("mon", "wed", "fri"), "09:30", AMS, utc(2026, 11, 27, 8, 30), utc(2026, 12, 2, 8, 30))
    assert dues == [utc(2026, 11, 30, 8, 30), utc(2026, 12, 2, 8, 30)]  # (start, end]


def test_next_due_times():
    dues = next_due_times("mon,wed,fri", "09:30", AMS, utc(2026, 11, 26, 10), 3)
    assert [local(d).strftime("%a %H:%M") for d in dues] == ["Fri 09:30", "Mon 09:30", "Wed 09:30"]
    assert next_due_times("", "09:30", AMS, utc(2026, 11, 26), 3) == []


ZONES = ["Europe/Amsterdam", "America/New_York", "Australia/Sydney", "Australia/Lord_Howe", "Asia/Kolkata", "UTC"]
instants = st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(UTC)).map(
    lambda d: d.replace(second=0, microsecond=0)
)
days_st = st.sets(st.sampled_from(WEEKDAYS), min_size=1).map(lambda s: tuple(d for d in WEEKDAYS if d in s))
times_st = st.tuples(st.integers(0, 23), st.integers(0, 59)).map(lambda t: f"{t[0]:02d}:{t[1]:02d}")


def _exists(day: date, at: time, zone: ZoneInfo) -> bool:
    naive = datetime.combine(day, at)
    return naive.replace(tzinfo=zone).astimezone(UTC).astimezone(zone).replace(tzinfo=None) == naive


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(ZONES), days_st, times_st, instants, st.integers(1, 40 * 24 * 60), st.floats(0, 1))
def test_properties(tz, days, hhmm, start, span_minutes, split):
    end = start + timedelta(minutes=span_minutes)
    middle = start + timedelta(minutes=int(span_minutes * split))
    zone = ZoneInfo(tz)
    at = time(int(hhmm[:2]), int(hhmm[3:]))
    dues = due_times(days, hhmm, tz, start, end)

    # Windows add up: consecutive ticks neither miss nor repeat a due time.
    assert dues == due_times(days, hhmm, tz, start, middle) + due_times(days, hhmm, tz, middle, end)
    # Strictly increasing, inside (start, end].
    assert all(a < b for a, b in pairwise(dues))
    assert all(start < d <= end for d in dues)
    # Once per scheduled local day, at the local time (or the first valid minute after it).
    local_days = []
    for d in dues:
        wall = d.astimezone(zone)
        day = wall.date()
        if not _exists(day, at, zone):  # skipped by a spring change: the first minute that exists
            assert wall.time() > at
            probe = datetime.combine(day, at) + timedelta(minutes=1)
            while probe.time() < wall.time():
                assert not _exists(day, probe.time(), zone)
                probe += timedelta(minutes=1)
        else:
            assert wall.time() == at
            assert wall.fold == 0  # the first occurrence of a repeated time
            earlier = d - timedelta(hours=1)
            assert not (earlier.astimezone(zone).time() == at and earlier.astimezone(zone).date() == day)
        assert WEEKDAYS[day.weekday()] in days
        local_days.append(day)
    assert len(local_days) == len(set(local_days))
    # Every scheduled day lying wholly inside the window has its due time.
    first_full = (start.astimezone(zone) + timedelta(days=1)).date()
    last_full = (end.astimezone(zone) - timedelta(days=1)).date()
    day = first_full
    while day <= last_full:
        if WEEKDAYS[day.weekday()] in days:
            assert day in local_days
        day += timedelta(days=1)


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(ZONES), days_st, times_st, instants)
def test_next_due_times_agree_with_due_times(tz, days, hhmm, after):
    upcoming = next_due_times(days, hhmm, tz, after, 3)
    assert len(upcoming) == 3
    assert upcoming == due_times(days, hhmm, tz, after, upcoming[-1])
