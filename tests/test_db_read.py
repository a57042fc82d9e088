"""Reads do not queue behind a writer (SQLite's write lock, PostgreSQL's MVCC), and a read cannot write."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from models.groups import Group
from models.people import Member
from tests.conftest import COORDINATOR


def test_a_read_is_served_while_a_writer_holds_the_lock(db, clock):
    holding = threading.Event()
    release = threading.Event()

    def writer():
        with db.transaction() as session:
            session.add(Member(id="UWRITER", name="w", created_at=clock.now()))
            session.flush()
            holding.set()
            release.wait(10)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert holding.wait(10)
        done = threading.Event()
        seen: list[int] = []

        def reader():
            with db.read() as session:
                seen.append(len(session.scalars(select(Group)).all()))
            done.set()

        threading.Thread(target=reader).start()
        # The reader finishes while the writer still holds the lock (it would wait 15 s if it queued).
        assert done.wait(5)
        assert seen == [0]
    finally:
        release.set()
        thread.join(10)


def test_a_read_transaction_refuses_to_write(db, clock):
    with pytest.raises(RuntimeError, match="read-only"):
        with db.read() as session:
            session.add(Member(id="UREADER", name="r", created_at=clock.now()))
    with db.read() as session:
        assert session.get(Member, "UREADER") is None


# Commands that only read: each is answered while another transaction holds the write lock (on
# SQLite a write would queue for it: 15 s, then "database is locked"), a first contact included.
READ_COMMANDS = {
    "list": "Consent chatbot",
    "list data-ethics": "Consent chatbot",
    "show INN-1": "Consent chatbot",
    "group info data-ethics": "data-ethics",
    "group list": "data-ethics",
    "search chatbot": "Consent chatbot",
    "help": "/spindle",
}


def test_read_commands_take_no_write_lock_even_on_first_contact(slack, fake_slack, db, clock):
    fake_slack.add_user("U1", "ama")
    fake_slack.add_user("UNEW", "Nia Otieno")
    assert "created" in slack.command("group new data-ethics Ethics", user=COORDINATOR).text
    assert "Welcome" in slack.command("group join data-ethics", user="U1").text
    assert "INN-1" in slack.command("log data-ethics Consent chatbot", user="U1").text
    holding, release, done = threading.Event(), threading.Event(), threading.Event()

    def writer():
        with db.transaction() as session:
            session.add(Member(id="UWRITER", name="w", created_at=clock.now()))
            session.flush()
            holding.set()
            release.wait(30)

    thread = threading.Thread(target=writer)
    thread.start()
    answers: dict[tuple[str, str], str] = {}
    try:
        assert holding.wait(10)

        def reader():
            for user in ("U1", "UNEW"):
                for text in READ_COMMANDS:
                    answers[user, text] = slack.command(text, user=user, user_name="nia", wait=False).text
            answers[COORDINATOR, "coordinator list"] = slack.command(
                "coordinator list", user=COORDINATOR, wait=False
            ).text
            done.set()

        threading.Thread(target=reader, daemon=True).start()
        assert done.wait(10), f"a read command queued behind the writer; answered: {sorted(answers)}"
    finally:
        release.set()
        thread.join(10)
    assert f"<@{COORDINATOR}>" in answers.pop((COORDINATOR, "coordinator list"))
    for (user, text), answer in answers.items():
        assert READ_COMMANDS[text] in answer and "wrong on my side" not in answer, (user, text, answer)
    # The newcomer is stored after the ack, with their Slack profile (it waited for the writer).
    slack.wait_idle()
    with db.read() as session:
        newcomer = session.get(Member, "UNEW")
        assert newcomer is not None and (newcomer.name, newcomer.profile_fetched) == ("Nia Otieno", True)
