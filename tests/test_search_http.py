"""`/spindle search` / `find` end to end through signed requests (issue 14)."""

from __future__ import annotations

import time

import pytest

from handlers import search as search_handler
from tests.conftest import COORDINATOR
from tests.dbsnap import snapshot
from tests.test_search_domain import HOSTILE


@pytest.fixture
def logged(slack):
    """Three groups; U1 in data-ethics. Returns {title: ref}."""
    for handle in ("data-ethics", "ai-watch", "civic-tech"):
        assert "is created" in slack.command(f"group new {handle}", user=COORDINATOR).text
    assert "Welcome" in slack.command("group join data-ethics", user="U1").text
    refs = {}
    for handle, title in [
        ("data-ethics", "Consent chatbot for citizens"),
        ("ai-watch", "Deepfake detector"),
        ("ai-watch", "Café meetups over privacy"),
        ("civic-tech", "Privacy chatbot for citizens' complaints"),
    ]:
        reply = slack.command(f"log {handle} {title}", user=COORDINATOR).text
        refs[title] = next(w.strip("*:.,") for w in reply.split() if w.strip("*:.,").startswith("INN-"))
    slack.fake.reset()
    return refs


def test_search_finds_across_groups(slack, logged):
    reply = slack.command("search privacy", user="U2")
    assert reply.status == 200
    text = reply.text
    assert logged["Café meetups over privacy"] in text and logged["Privacy chatbot for citizens' complaints"] in text
    assert logged["Deepfake detector"] not in text
    assert "`ai-watch`" in text and "`civic-tech`" in text and "exploring" in text


def test_find_is_search_with_phrases_exclusions_and_accents(slack, logged):
    text = slack.command('find "privacy chatbot"').text
    assert (
        logged["Privacy chatbot for citizens' complaints"] in text
        and logged["Consent chatbot for citizens"] not in text
    )
    text = slack.command("find chatbot -complaints").text
    assert (
        logged["Consent chatbot for citizens"] in text
        and logged["Privacy chatbot for citizens' complaints"] not in text
    )
    assert logged["Café meetups over privacy"] in slack.command("search CAFE").text
    assert "No innovation matches" in slack.command("search submarine").text


def test_notes_are_searched(slack, logged):
    ref = logged["Deepfake detector"]
    assert "note" in slack.command(f"note {ref} Getest met de omroep", user=COORDINATOR).text.lower()
    assert ref in slack.command("search omroep").text


def test_empty_and_operator_only_searches_answer_with_usage(slack, logged):
    assert "/spindle search WORDS" in slack.command("search").text
    assert "/spindle search WORDS" in slack.command("find   ").text
    for only in ['""', "-privacy", "* ^ : ( )"]:
        text = slack.command(f"search {only}").text
        assert "no word to look for" in text, only


def test_hostile_searches_get_a_reply_fast_and_change_nothing(slack, logged, db):
    before = snapshot(db)
    for query in HOSTILE:
        started = time.monotonic()
        reply = slack.command(f"search {query}")
        assert reply.status == 200 and time.monotonic() - started < 3, query
        assert reply.text.strip(), query
        assert "went wrong" not in reply.text, query
    long = slack.command("search privacy " + "y" * 1200)
    assert "first 1,000 characters" in long.text
    assert snapshot(db) == before


def test_at_most_20_results_in_one_reply(slack, logged):
    for n in range(25):
        slack.command(f"log ai-watch Klimaat pilot {n}", user=COORDINATOR)
    text = slack.command("search klimaat").text
    assert "20 best matches" in text
    assert text.count("Klimaat pilot") == 20


def test_related_lines_for_log_reply_and_show(slack, logged, db):
    consent = int(logged["Consent chatbot for citizens"].split("-")[1])
    lines = search_handler.related_lines(db, consent, search_handler.LOG_RELATED)
    assert lines[0] == "*Related in other groups:*"
    assert logged["Privacy chatbot for citizens' complaints"] in lines[1]
    assert all("data-ethics" not in line for line in lines)
    lonely = int(logged["Deepfake detector"].split("-")[1])
    assert search_handler.related_lines(db, lonely) == []
