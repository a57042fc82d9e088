"""Related innovations and New across the network in the services' results (issue 14), without Slack."""

from __future__ import annotations

from datetime import timedelta

from handlers.ui.render import render
from models.innovations import Innovation
from services import home
from services import innovations as service
from services.actor import Actor
from services.search import Hit
from tests.conftest import COORDINATOR
from tests.fakemessenger import RecordingMessenger
from tests.test_innovations_services import U1, form, uow  # noqa: F401  (uow is a fixture)

COORD = Actor(COORDINATOR)


def test_quick_log_and_show_carry_other_groups_related_innovations(uow, clock):  # noqa: F811
    other = service.quick_log(uow, COORD, "ai-watch", "Privacy chatbot for citizens")
    assert other.related == ()  # nothing else yet
    same_group = service.quick_log(uow, U1, "data-ethics", "Privacy chatbot for volunteers")
    assert same_group.related == (Hit(other.innovation.ref, "Privacy chatbot for citizens", "ai-watch", "exploring"),)
    lonely = service.quick_log(uow, U1, "data-ethics", "Submarine sonar")
    assert lonely.related == ()
    shown = service.show(uow, U1, other.innovation.id)
    assert [h.ref for h in shown.related] == [same_group.innovation.ref]  # not Submarine, not itself
    for n in range(7):
        service.quick_log(uow, COORD, "ai-watch", f"Privacy chatbot for volunteers {n}")
    assert len(service.show(uow, U1, same_group.innovation.id).related) == service.SHOW_RELATED
    assert len(service.quick_log(uow, U1, "data-ethics", "Privacy chatbot volunteers").related) == service.LOG_RELATED


def test_a_form_log_confirms_with_related_and_an_edit_without(uow):  # noqa: F811
    other = service.quick_log(uow, COORD, "ai-watch", "Consent chatbot for citizens")
    messenger = RecordingMessenger()
    saved = service.save_form(uow, U1, form(), ref=None, claim=None)
    assert saved is not None
    service.announce(uow, messenger, U1, saved)
    _card, dm = messenger.of("post")
    assert isinstance(dm.message, service.LogConfirmation)
    assert [h.ref for h in dm.message.related] == [other.innovation.ref]
    text, _ = render(dm.message)
    assert "*Related in other groups:*" in text and other.innovation.ref in text and "`ai-watch`" in text
    edited = service.save_form(uow, U1, form(title="Consent chatbot v2"), ref=saved.innovation.id, claim=None)
    assert edited is not None
    service.announce(uow, messenger, U1, edited)
    assert isinstance(messenger.of("post")[-1].message, service.EditConfirmation)


def test_related_are_ranked_after_the_commit_and_a_form_ranks_them_after_its_ack(uow, monkeypatch):  # noqa: F811
    """Ranking is a search: it must not hold the write transaction (SQLite's one write lock), and a
    form's related go in the confirmation DM, so they are not ranked before the form's ack."""
    seen: list[tuple[int, bool]] = []

    def related_seeing_the_commit(db, innovation_id, limit):
        with db.read() as session:  # another connection: sees the innovation only once it is committed
            seen.append((innovation_id, session.get(Innovation, innovation_id) is not None))
        return []

    monkeypatch.setattr(service, "related", related_seeing_the_commit)
    logged = service.quick_log(uow, U1, "data-ethics", "Consent chatbot")
    assert seen == [(logged.innovation.id, True)]
    saved = service.save_form(uow, U1, form(), ref=None, claim=None)
    assert saved is not None and len(seen) == 1  # the form's ack needs none
    service.announce(uow, RecordingMessenger(), U1, saved)
    assert seen[1:] == [(saved.innovation.id, True)]


def test_home_has_the_newest_of_groups_the_person_is_not_in(uow, clock):  # noqa: F811
    for n in range(7):
        clock.advance(timedelta(minutes=1))
        service.quick_log(uow, COORD, "ai-watch", f"Elsewhere {n}")
    service.quick_log(uow, U1, "data-ethics", "Mine")
    titles = [h.title for h in home.home_of(uow, "U1").new_elsewhere]
    assert titles == [f"Elsewhere {n}" for n in (6, 5, 4, 3, 2)]
    stranger = [h.title for h in home.home_of(uow, "UNEVERMET").new_elsewhere]
    assert stranger[0] == "Mine" and len(stranger) == home.NEW_ACROSS_NETWORK
