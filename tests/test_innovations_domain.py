"""The innovation log's domain operations, called directly (no Slack)."""

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from handlers.ui.errors import describe
from models.errors import Conflict, DomainError, Forbidden, Invalid, NotFound
from models.groups import archive_group, create_group, join_group
from models.innovations import (
    Innovation,
    InnovationInput,
    InnovationNote,
    InvalidFields,
    Organisation,
    StageChange,
    add_note,
    count_by_stage,
    create_innovation,
    get_innovation,
    groups_for_logging,
    history,
    list_innovations,
    move_stage,
    normalise_organisations,
    normalise_tags,
    quick_log,
    update_innovation,
)
from models.people import ensure_member
from tests.conftest import COORDINATOR


@contextmanager
def refused(kind: type[DomainError], words: str) -> Iterator[None]:
    """Like pytest.raises(kind, match=words), matching the sentence a person reads for the error."""
    with pytest.raises(kind) as err:
        yield
    assert re.search(words, describe(err.value)), describe(err.value)


@pytest.fixture
def world(db, clock):
    """Group `data-ethics` with member U1; U2 exists but belongs to no group."""
    now = clock.now()
    with db.transaction() as s:
        coord, _ = ensure_member(s, COORDINATOR, now)
        create_group(s, coord, "data-ethics", "", now)
        create_group(s, coord, "ai-watch", "", now)
        u1, _ = ensure_member(s, "U1", now)
        ensure_member(s, "U2", now)
        join_group(s, u1, "data-ethics", now)
    return db


def members(s):
    from models.people import Member

    return s.get(Member, "U1"), s.get(Member, "U2"), s.get(Member, COORDINATOR)


def full(**over):
    data = dict(
        group="data-ethics",
        title="  Consent  chatbot 🤖 ",
        kind="instrument",
        stage="idea",
        summary="  A bot that explains consent.\nSecond line.  ",
        link="https://example.org/consent",
        organisations="Cordaid, cordaid , Oxfam Novib,",
        sdgs=["16", "5", "5"],
        tags=" Privacy, #AI ,ai, data  ethics,, ",
        privacy_risk="high",
        civic_space_risk="medium",
        manipulation_risk=None,
        safeguards="Data minimisation",
    )
    data.update(over)
    return InnovationInput(**data)


def test_normalisers():
    assert normalise_tags(" Privacy, #AI ,ai, data  ethics,, ") == ["ai", "data-ethics", "privacy"]
    assert normalise_tags(["B", "a", "b"]) == ["a", "b"]
    assert normalise_tags(None) == []
    assert normalise_organisations("Cordaid, cordaid , Oxfam  Novib,") == ["Cordaid", "Oxfam Novib"]


def test_create_full_innovation(world, clock):
    now = clock.now()
    with world.transaction() as s:
        u1, _, _ = members(s)
        inn = create_innovation(s, u1, full(), now)
        ref = inn.id
    with world.transaction() as s:
        inn = get_innovation(s, ref)
        assert inn.ref == f"INN-{ref}"
        assert inn.title == "Consent chatbot 🤖"
        assert inn.summary == "A bot that explains consent.\nSecond line."
        assert inn.sdgs == "5,16"
        assert inn.tags == "ai,data-ethics,privacy"
        assert [o.name for o in inn.organisations] == ["Cordaid", "Oxfam Novib"]
        assert (inn.privacy_risk, inn.civic_space_risk, inn.manipulation_risk) == ("high", "medium", "not-assessed")
        assert inn.logged_by == "U1" and inn.logged_at == now and inn.updated_at == now
        (first,) = s.scalars(select(StageChange)).all()
        assert (first.from_stage, first.to_stage, first.by_id, first.at) == (None, "idea", "U1", now)


def test_organisations_are_shared_case_insensitively(world, clock):
    with world.transaction() as s:
        u1, _, _ = members(s)
        create_innovation(s, u1, full(organisations="Cordaid"), clock.now())
        create_innovation(s, u1, full(organisations="CORDAID, Hivos"), clock.now())
    with world.transaction() as s:
        assert sorted(o.key for o in s.scalars(select(Organisation))) == ["cordaid", "hivos"]


def test_every_invalid_field_is_named(world, clock):
    bad = full(
        title="x" * 151, kind="gadget", stage="dreaming", link="javascript:alert(1)", sdgs=["0", "18"],
        summary="s" * 3001, organisations="o" * 121, tags="t" * 41, privacy_risk="extreme", group="",
    )  # fmt: skip
    with world.transaction() as s:
        u1, _, _ = members(s)
        with pytest.raises(InvalidFields) as err:
            create_innovation(s, u1, bad, clock.now())
    errors = err.value.errors
    assert set(errors) == {"group", "title", "kind", "stage", "link", "sdgs", "summary", "organisations", "tags",
                           "privacy_risk"}  # fmt: skip
    assert "151 characters; 150 is the most" in describe(errors["title"])
    assert "http://" in describe(errors["link"])
    with world.transaction() as s:
        assert s.scalar(select(Innovation.id)) is None


@pytest.mark.parametrize("link", ["ftp://example.org", "example.org", "http://", "https://exa mple.org"])
def test_links_must_be_http(world, clock, link):
    with world.transaction() as s:
        u1, _, _ = members(s)
        with pytest.raises(InvalidFields) as err:
            create_innovation(s, u1, full(link=link), clock.now())
        assert set(err.value.errors) == {"link"}


def test_title_of_150_emoji_and_summary_of_3000_are_kept_whole(world, clock):
    title = "🌍" * 150
    summary = "é" * 3000
    with world.transaction() as s:
        u1, _, _ = members(s)
        ref = create_innovation(s, u1, full(title=title, summary=summary), clock.now()).id
    with world.transaction() as s:
        inn = get_innovation(s, ref)
        assert inn.title == title and inn.summary == summary


def test_parked_needs_a_note_even_when_logging(world, clock):
    with world.transaction() as s:
        u1, _, _ = members(s)
        with pytest.raises(InvalidFields) as err:
            create_innovation(s, u1, full(stage="parked"), clock.now())
        assert set(err.value.errors) == {"stage_note"}
        inn = create_innovation(s, u1, full(stage="parked", stage_note="No funding"), clock.now())
        assert s.scalars(select(StageChange.note).where(StageChange.innovation_id == inn.id)).one() == "No funding"


def test_quick_log_only_into_my_groups(world, clock):
    with world.transaction() as s:
        u1, u2, coord = members(s)
        inn = quick_log(s, u1, "data-ethics", "Open data portal", clock.now())
        assert inn.stage == "exploring" and inn.group.handle == "data-ethics"
        with refused(Forbidden, "Only members of `data-ethics` and coordinators"):
            quick_log(s, u2, "data-ethics", "Nope", clock.now())
        with pytest.raises(Forbidden):
            quick_log(s, u1, "ai-watch", "Not my group", clock.now())
        assert quick_log(s, coord, "ai-watch", "Coordinator may", clock.now()).group.handle == "ai-watch"
        with pytest.raises(NotFound):
            quick_log(s, u1, "no-such-group", "x", clock.now())
        with refused(Invalid, "150 is the most"):
            quick_log(s, u1, "data-ethics", "x" * 151, clock.now())


def test_archived_group_refuses_new_logs(world, clock):
    with world.transaction() as s:
        u1, _, coord = members(s)
        archive_group(s, coord, "data-ethics", clock.now())
        with pytest.raises(NotFound):
            quick_log(s, coord, "data-ethics", "x", clock.now())
        assert [g.handle for g in groups_for_logging(s, coord)] == ["ai-watch"]
        assert groups_for_logging(s, u1) == []


def test_move_stage_records_history_and_moves_updated_at(world, clock):
    with world.transaction() as s:
        u1, u2, coord = members(s)
        ref = quick_log(s, u1, "data-ethics", "Portal", clock.now()).id
    clock.advance(timedelta(hours=1))
    with world.transaction() as s:
        u1, u2, coord = members(s)
        inn, change = move_stage(s, u1, ref, "piloting", "", clock.now())
        assert (change.from_stage, change.to_stage, change.by_id) == ("exploring", "piloting", "U1")
        assert inn.updated_at == clock.now()
        with refused(Invalid, "note is needed for parked and dropped"):
            move_stage(s, u1, ref, "dropped", "  ", clock.now())
        with refused(Conflict, "already at stage"):
            move_stage(s, u1, ref, "piloting", "", clock.now())
        with refused(Invalid, "not a stage"):
            move_stage(s, u1, ref, "flying", "", clock.now())
        with refused(Forbidden, "Only members of `data-ethics` and coordinators may change"):
            move_stage(s, u2, ref, "adopted", "", clock.now())
        with refused(NotFound, "no innovation INN-999"):
            move_stage(s, u1, 999, "adopted", "", clock.now())
        move_stage(s, coord, ref, "parked", "Waiting for budget", clock.now())
    with world.transaction() as s:
        moves = [(c.from_stage, c.to_stage, c.note) for c in s.scalars(select(StageChange).order_by(StageChange.id))]
        assert moves == [
            (None, "exploring", ""),
            ("exploring", "piloting", ""),
            ("piloting", "parked", "Waiting for budget"),
        ]


def test_notes_and_history(world, clock):
    with world.transaction() as s:
        u1, u2, _ = members(s)
        ref = quick_log(s, u1, "data-ethics", "Portal", clock.now()).id
    clock.advance(timedelta(minutes=5))
    with world.transaction() as s:
        u1, u2, _ = members(s)
        inn, note = add_note(s, u1, ref, "  Talked to Hivos 🎉 ", clock.now())
        assert note.text == "Talked to Hivos 🎉" and inn.updated_at == clock.now()
        with pytest.raises(Forbidden):
            add_note(s, u2, ref, "hi", clock.now())
        with pytest.raises(Invalid):
            add_note(s, u1, ref, "x" * 3001, clock.now())
        items = history(s, get_innovation(s, ref))
        assert [type(i) for i in items] == [StageChange, InnovationNote]
    with world.transaction() as s:
        assert s.scalars(select(InnovationNote)).one().author_id == "U1"


def test_edit_updates_fields_and_records_a_stage_move(world, clock):
    with world.transaction() as s:
        u1, u2, _ = members(s)
        ref = create_innovation(s, u1, full(), clock.now()).id
    clock.advance(timedelta(days=1))
    with world.transaction() as s:
        u1, u2, _ = members(s)
        with pytest.raises(Forbidden):
            update_innovation(s, u2, ref, full(title="Hijack"), clock.now())
        with pytest.raises(InvalidFields) as err:  # U1 may not move it into a group they are not in
            update_innovation(s, u1, ref, full(group="ai-watch"), clock.now())
        assert "Only members of `ai-watch` and coordinators" in describe(err.value.errors["group"])
        inn, change = update_innovation(
            s, u1, ref, full(title="Consent bot v2", stage="dropped", stage_note="Superseded", tags="New"), clock.now()
        )
        assert inn.title == "Consent bot v2" and inn.tags == "new" and inn.stage == "dropped"
        assert change is not None and (change.from_stage, change.to_stage, change.note) == (
            "idea",
            "dropped",
            "Superseded",
        )
        assert inn.updated_at == clock.now()
    # Staying at `dropped` needs no new note.
    clock.advance(timedelta(days=1))
    with world.transaction() as s:
        u1, _, _ = members(s)
        inn, change = update_innovation(
            s, u1, ref, full(title="Consent bot v2", stage="dropped", tags="New"), clock.now()
        )
        assert change is None
        assert inn.updated_at == clock.now() - timedelta(days=1)  # nothing changed, so not "updated"


def test_list_newest_first_with_filters_and_count_by_stage(world, clock):
    with world.transaction() as s:
        u1, _, coord = members(s)
        for i in range(23):
            quick_log(s, u1, "data-ethics", f"Idea {i}", clock.now())
            clock.advance(timedelta(minutes=1))
        other = quick_log(s, coord, "ai-watch", "Elsewhere", clock.now()).id
        clock.advance(timedelta(minutes=1))
        move_stage(s, u1, 1, "piloting", "", clock.now())
    with world.transaction() as s:
        rows, total = list_innovations(s)
        assert len(rows) == 20 and total == 24
        assert rows[0].id == 1 and rows[1].id == other  # the moved one was updated last
        rows, total = list_innovations(s, "ai-watch")
        assert [r.id for r in rows] == [other] and total == 1
        rows, total = list_innovations(s, None, "piloting")
        assert [r.id for r in rows] == [1]
        with pytest.raises(NotFound):
            list_innovations(s, "nope")
        counts = count_by_stage(s)
        assert counts["exploring"] == 23 and counts["piloting"] == 1 and counts["idea"] == 0
        group_id = s.scalar(select(Innovation.group_id).where(Innovation.id == other))
        assert count_by_stage(s, group_id)["exploring"] == 1


def test_organisation_created_concurrently_is_reused(world, clock, monkeypatch):
    """Two saves naming a new organisation at once: the loser of the insert race uses the winner's row."""
    import models.innovations.operations as inn_module

    with world.transaction() as s:
        u1, _, _ = members(s)
        create_innovation(s, u1, full(organisations="Hivos"), clock.now())
    real = inn_module._find_organisation
    misses = iter([None])  # the first look-up misses, as if the other request had not committed yet

    def racing(session, key):
        return next(misses, None) or real(session, key)

    monkeypatch.setattr(inn_module, "_find_organisation", racing)
    with world.transaction() as s:
        u1, _, _ = members(s)
        inn = create_innovation(s, u1, full(organisations="HIVOS"), clock.now())
        assert [o.name for o in inn.organisations] == ["Hivos"]
    with world.transaction() as s:
        assert s.scalar(select(func.count(Organisation.id))) == 1
        assert s.scalar(select(func.count(Innovation.id))) == 2
