"""`/spindle search` / `find` end to end through signed requests (issue 14)."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest
from sqlalchemy import event

from tests.conftest import COORDINATOR
from tests.dbsnap import snapshot
from tests.test_innovations_http import form
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


def test_a_phrase_does_not_run_from_the_title_into_a_note(slack, logged):
    # On both databases: the title ends "detector", the note starts "works"; they are two fields.
    ref = logged["Deepfake detector"]
    assert slack.command(f"note {ref} Works on recorded video calls", user=COORDINATOR).status == 200
    assert ref in slack.command("search detector works").text
    assert ref in slack.command('search "recorded video calls"').text
    assert "No innovation matches" in slack.command('search "detector works"').text


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


def ref_in(text):
    return next(w.strip("*:.,") for w in text.split() if w.strip("*:.,").startswith("INN-"))


def related_part(text):
    """The lines after the heading of the related innovations ('' when there is none)."""
    return text.split("*Related in other groups:*", 1)[1] if "*Related in other groups:*" in text else ""


def test_quick_log_reply_names_related_innovations_of_other_groups_only(slack, logged):
    reply = slack.command("log data-ethics Privacy chatbot for citizens", user=COORDINATOR)
    assert reply.status == 200 and ref_in(reply.text) not in logged.values()
    related = related_part(reply.text)
    assert logged["Privacy chatbot for citizens' complaints"] in related and "`civic-tech`" in related
    assert logged["Consent chatbot for citizens"] not in related  # data-ethics: the same group
    assert "data-ethics" not in related
    assert 1 <= related.count("• ") <= 3


def test_quick_log_names_at_most_three(slack, logged):
    for n in range(5):
        slack.command(f"log ai-watch Klimaat sensor netwerk {n}", user=COORDINATOR)
    reply = slack.command("log data-ethics Klimaat sensor netwerk", user=COORDINATOR).text
    assert related_part(reply).count("• ") == 3 and related_part(reply).count("Klimaat sensor netwerk") == 3


def test_nothing_related_when_nothing_is_alike(slack, logged):
    reply = slack.command("log data-ethics Submarine sonar maintenance", user=COORDINATOR)
    assert "Logged" in reply.text and "Related" not in reply.text
    shown = slack.command(f"show {logged['Deepfake detector']}").json
    assert "Related" not in json.dumps(shown)


def test_modal_confirmation_dm_names_related_innovations(slack, logged):
    values = form(group="data-ethics", title="Privacy chatbot for citizens", summary="Answers complaints")
    assert slack.view_submission("U1", "innovation_modal", values).status == 200
    (dm,) = slack.fake.wait_for("chat.postMessage", where=lambda c: c["channel"] == "U1")
    assert "Logged" in dm.text
    related = related_part(dm.text)
    assert logged["Privacy chatbot for citizens' complaints"] in related
    assert logged["Consent chatbot for citizens"] not in related and "data-ethics" not in related


def test_modal_confirmation_without_related_says_nothing_of_them(slack, logged):
    values = form(group="data-ethics", title="Submarine sonar maintenance")
    slack.view_submission("U1", "innovation_modal", values)
    (dm,) = slack.fake.wait_for("chat.postMessage", where=lambda c: c["channel"] == "U1")
    assert "Logged" in dm.text and "Related" not in dm.text


def test_show_lists_up_to_five_related_of_other_groups_in_bounded_statements(slack, logged, db):
    consent = logged["Consent chatbot for citizens"]
    shown = json.dumps(slack.command(f"show {consent}").json)
    assert "Related in other groups" in shown and logged["Privacy chatbot for citizens' complaints"] in shown
    one = statements_of(db, lambda: slack.command(f"show {consent}"))
    for n in range(7):  # each in a group of its own: loading their groups one by one would show
        handle = f"g{n}-lab"
        slack.command(f"group new {handle}", user=COORDINATOR)
        slack.command(f"log {handle} Consent chatbot for citizens {n}", user=COORDINATOR)
    reply = slack.command(f"show {consent}")
    blocks = json.dumps(reply.json["blocks"])
    related = related_part(blocks.replace("\\n", "\n"))
    assert related.count("Consent chatbot for citizens ") == 5 and "data-ethics" not in related.split("History")[0]
    five = statements_of(db, lambda: slack.command(f"show {consent}"))
    assert five == one, (one, five)


def statements_of(db, action):
    statements = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        action()
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return len([s for s in statements if s.lstrip().upper().startswith("SELECT")])


def home_blocks(slack, user, event_id):
    slack.event({"type": "app_home_opened", "user": user, "tab": "home"}, event_id=event_id)
    return slack.fake.wait_for("views.publish", where=lambda c: c["user_id"] == user)[-1]["view"]["blocks"]


def test_home_shows_new_across_the_network(slack, logged, clock):
    for n in range(6):
        clock.advance(timedelta(minutes=1))
        slack.command(f"log {('ai-watch', 'civic-tech')[n % 2]} Network news {n}", user=COORDINATOR)
    clock.advance(timedelta(minutes=1))
    slack.command("log data-ethics Own group news", user=COORDINATOR)  # U1's own group: not news to U1
    blocks = home_blocks(slack, "U1", "EvHome1")
    texts = [b.get("text", {}).get("text", "") for b in blocks]
    at = next(n for n, t in enumerate(texts) if t.startswith("*New across the network*"))
    assert at > next(n for n, t in enumerate(texts) if t.startswith("*Your action groups*"))
    news = texts[at]
    items = [line for line in news.splitlines() if line.startswith("• ")]
    assert [line.split("Network news ")[1][0] for line in items] == ["5", "4", "3", "2", "1"]  # newest first
    assert "Own group news" not in news and "data-ethics" not in news
    assert len(blocks) <= 100 and all(len(t) <= 3000 for t in texts)


def test_home_news_when_there_is_none(slack, clock):
    slack.command("group new data-ethics", user=COORDINATOR)
    slack.command("group join data-ethics", user="U1")
    slack.command("log data-ethics Only mine", user=COORDINATOR)
    texts = [b.get("text", {}).get("text", "") for b in home_blocks(slack, "U1", "EvHome2")]
    news = next(t for t in texts if t.startswith("*New across the network*"))
    assert "Nothing new in other groups yet" in news and "Only mine" not in news


def test_home_news_keeps_long_titles_within_slacks_limits(slack, clock):
    slack.command("group new far-away", user=COORDINATOR)
    for n in range(5):
        slack.command(f"log far-away {n} " + "&<>" * 49, user=COORDINATOR)  # escaping makes them longer
    blocks = home_blocks(slack, "U1", "EvHome3")
    texts = [b.get("text", {}).get("text", "") for b in blocks]
    assert len(blocks) <= 100 and all(len(t) <= 3000 for t in texts)
    assert sum(t.count("`far-away`") for t in texts) == 5


def test_help_lists_search_and_find_is_its_alias(slack, logged):
    help_text = json.dumps(slack.command("help").json)
    assert "/spindle search WORDS" in help_text
    assert slack.command("find privacy").text == slack.command("search privacy").text
