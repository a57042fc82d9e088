"""Retries are harmless: a redelivered event acts once; `claim_delivery` is the reusable claim."""

from __future__ import annotations

import json
import threading

from sqlalchemy import func, select

from handlers.ui.home import HomeGroup, home_view
from models.deliveries import claim_delivery, prune_deliveries
from models.people import Member
from models.register import ProcessedDelivery
from services.home import Home
from tests.conftest import COORDINATOR

HOME = {"type": "app_home_opened", "user": "U1", "channel": "DU1", "tab": "home"}


def test_redelivered_event_publishes_home_once(slack, fake_slack):
    slack.command("group new data-ethics Exploring data ethics", user=COORDINATOR)
    slack.command("group join data-ethics", user="U1")
    r1 = slack.event(HOME, event_id="Ev0001")
    r2 = slack.event(HOME, event_id="Ev0001", retry_num=1)
    r3 = slack.event(HOME, event_id="Ev0001", retry_num=2)
    assert (r1.status, r2.status, r3.status) == (200, 200, 200)
    published = fake_slack.of("views.publish")
    assert len(published) == 1
    assert published[0]["user_id"] == "U1" and "data-ethics" in published[0].text
    # A different event is a new delivery.
    slack.event(HOME, event_id="Ev0002")
    assert len(fake_slack.of("views.publish")) == 2


def test_retry_of_an_event_we_never_saw_still_runs(slack, fake_slack):
    slack.event(HOME, event_id="EvMissed", retry_num=1)
    assert len(fake_slack.of("views.publish")) == 1


def test_home_for_coordinator_mentions_export_and_stays_in_limits(slack, fake_slack):
    for i in range(60):
        slack.command(f"group new g{i:02d}-{'x' * 30} {'long description ' * 15}", user=COORDINATOR)
        slack.command(f"group join g{i:02d}-{'x' * 30}", user=COORDINATOR)
    slack.event({**HOME, "user": COORDINATOR}, event_id="EvC")
    view = fake_slack.wait_for("views.publish")[0]["view"]
    assert view["type"] == "home" and len(view["blocks"]) <= 100
    text = fake_slack.of("views.publish")[0].text
    assert "Export register" in text and all(f"g{i:02d}-" in text for i in range(60))
    assert all(len(b.get("text", {}).get("text", "")) <= 3000 for b in view["blocks"])


def test_home_view_with_very_many_groups_stays_in_limits():
    groups = tuple(HomeGroup(f"group-{i:04d}", "d" * 300, "C1", i % 2 == 0) for i in range(2000))
    view = home_view(Home(groups=groups, is_coordinator=True, known=True))
    assert len(view["blocks"]) <= 100
    dumped = [json.dumps(b) for b in view["blocks"]]
    cut = next(n for n, b in enumerate(dumped) if "more of your groups" in b)  # the groups' overflow line
    assert (
        cut
        < next(n for n, b in enumerate(dumped) if "Find a group" in b)
        < next(n for n, b in enumerate(dumped) if "New across the network" in b)
    )
    assert "forget-me" in dumped[-1]  # nothing cut off the end
    assert all(len(b.get("text", {}).get("text", "")) <= 3000 for b in view["blocks"])


def test_home_for_someone_new_creates_no_member(slack, fake_slack, db):
    slack.event({**HOME, "user": "UNEW"}, event_id="EvN")
    assert "Welcome" in fake_slack.wait_for("views.publish")[0].text
    with db.transaction() as s:
        assert s.get(Member, "UNEW") is None


def test_messages_tab_is_ignored(slack, fake_slack):
    slack.event({**HOME, "tab": "messages"}, event_id="EvM")
    assert fake_slack.of("views.publish") == []


def test_claim_delivery_first_time_only_and_outer_transaction_survives(db, clock):
    with db.transaction() as s:
        assert claim_delivery(s, "view:V1:h1", clock.now()) is True
        assert claim_delivery(s, "view:V1:h1", clock.now()) is False
        s.add(Member(id="UAFTER", name="after", created_at=clock.now()))  # still usable
    with db.transaction() as s:
        assert claim_delivery(s, "view:V1:h1", clock.now()) is False
        assert s.get(Member, "UAFTER") is not None
    with db.transaction() as s:  # an overly long key is cut, consistently
        assert claim_delivery(s, "k" * 500, clock.now()) is True
        assert claim_delivery(s, "k" * 300, clock.now()) is False


def test_claim_delivery_rolled_back_frees_the_key(db, clock):
    try:
        with db.transaction() as s:
            assert claim_delivery(s, "button:x", clock.now())
            raise RuntimeError("the effect failed")
    except RuntimeError:
        pass
    with db.transaction() as s:
        assert claim_delivery(s, "button:x", clock.now()) is True


def test_claim_delivery_concurrent_claims_one_winner(db, clock):
    results: list[bool] = []
    barrier = threading.Barrier(6)

    def claim():
        barrier.wait()
        with db.transaction() as s:
            results.append(claim_delivery(s, "event:race", clock.now()))

    threads = [threading.Thread(target=claim) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    assert sorted(results) == [False] * 5 + [True]


def test_prune_deliveries(db, clock):
    from datetime import timedelta

    with db.transaction() as s:
        claim_delivery(s, "old", clock.now() - timedelta(days=8))
        claim_delivery(s, "new", clock.now())
    with db.transaction() as s:
        assert prune_deliveries(s, clock.now()) == 1
        assert s.scalar(select(func.count()).select_from(ProcessedDelivery)) == 1


def test_scheduler_prunes_old_claims(runtime, db, clock):
    from datetime import timedelta

    from bot.scheduler import tick_jobs

    job = dict(tick_jobs())["delivery claims"]
    with db.transaction() as s:
        claim_delivery(s, "event:old", clock.now() - timedelta(days=30))
        claim_delivery(s, "event:recent", clock.now() - timedelta(hours=1))
    job(runtime.deps, clock.now())
    with db.transaction() as s:
        assert s.scalars(select(ProcessedDelivery.key)).all() == ["event:recent"]
