"""The traffic mix: what a worker sends next, and how its answer is judged.

Quick logs, innovation modal submissions (a share submitted twice at once with the same view: a
double click, which must make one innovation), reads (group list, group info, list, show — of the
soak's own innovations and of the seeded register), stage moves, notes, `standup HANDLE now`
from leads, and stand-up answers (the DM prompt the fake Slack received → button click → answer
modal). Every logged title and every answer carries a unique token, so the database can later be
asked which acknowledged records it holds.
"""

from __future__ import annotations

import json
import random
import re
import time
from concurrent.futures import ThreadPoolExecutor
from typing import ClassVar

from bench.soak.client import Bot, Result, answer_values, innovation_values
from bench.soak.world import Group, Stats, World

FAILURE_PHRASES = (
    "something went wrong",  # an executor crashed (OOPS)
    "temporarily unavailable",  # the database did not answer
    "faster than I can take them",  # the rate limiter
)
STAGES = ("idea", "exploring", "piloting", "scaling", "adopted")  # parked/dropped need a note
QUICK_RE = re.compile(r"Logged \*INN-(\d+)\*")


def refusal(result: Result) -> str:
    text = result.text
    return next((text for phrase in FAILURE_PHRASES if phrase in text), "")


class Traffic:
    WEIGHTS: ClassVar[dict[str, int]] = {
        "quick_log": 14,
        "modal_log": 14,
        "read": 36,
        "stage": 10,
        "note": 10,
        "answer": 16,
    }

    def __init__(self, bot: Bot, world: World, stats: Stats, standup_every: float, double_share: float) -> None:
        self.double_share = double_share
        self.bot = bot
        self.world = world
        self.stats = stats
        self.standup_every = standup_every

    def step(self, rng: random.Random) -> None:
        group = self.world.due_standup()
        if group is not None:
            return self.standup_now(group)
        kinds = list(self.WEIGHTS)
        weights = [self.WEIGHTS[k] if k != "answer" or self.world.has_prompts() else 0 for k in kinds]
        kind = rng.choices(kinds, weights)[0]
        return getattr(self, kind)(rng)

    def standup_now(self, group: Group) -> None:
        if not self.world.may_send(group.lead):
            group.next_now = time.monotonic() + 1.0
            return
        result = self.bot.command(group.lead, f"standup {group.handle} now", channel=group.channel)
        ok = result.status == 200 and "stand-up has started" in result.text
        self.stats.add("standup_now", result, ok, "" if ok else result.text)
        group.next_now = time.monotonic() + self.standup_every

    def quick_log(self, rng: random.Random) -> None:
        user = self.world.member_with_token(rng)
        if user is None:
            return self.modal_log(rng)
        group = self.world.member_group[user]
        title = f"{self.world.tag} quick {self.world.unique():06d}"
        result = self.bot.command(user, f"log {group.handle} {title}", channel=group.channel)
        match = QUICK_RE.search(result.text) if result.status == 200 else None
        if match:
            self.world.titles_sent.add(title)
            self.world.add_ref(int(match.group(1)), group.index)
        self.stats.add("quick_log", result, bool(match), "" if match else result.text)

    def modal_log(self, rng: random.Random) -> None:
        user = rng.choice(list(self.world.member_group))
        group = self.world.member_group[user]
        title = f"{self.world.tag} modal {self.world.unique():06d}"
        values = innovation_values(group.handle, title, rng)
        if rng.random() < self.double_share:
            return self.modal_double(user, title, values)
        result = self.bot.submit(user, "innovation_modal", values, "{}")
        data = result.json
        ok = result.status == 200 and data.get("response_action") != "errors"
        if ok:
            self.world.titles_sent.add(title)
        self.stats.add("modal_log", result, ok, "" if ok else json.dumps(data.get("errors") or data)[:160])

    def modal_double(self, user: str, title: str, values: dict) -> None:
        """The same view submitted twice at once (issue 6, item 1): one innovation must come of it."""
        view_n = 900_000_000 + self.world.unique()
        with ThreadPoolExecutor(2, thread_name_prefix="double-click") as pool:
            results = list(pool.map(lambda _: self.bot.submit(user, "innovation_modal", values, "{}", view_n), (1, 2)))
        oks = [r.status == 200 and r.json.get("response_action") != "errors" for r in results]
        if any(oks):
            self.world.titles_sent.add(title)
            self.world.doubled.add(title)
        for result, ok in zip(results, oks, strict=True):
            self.stats.add("modal_double", result, ok, "" if ok else json.dumps(result.json)[:160])

    def read(self, rng: random.Random) -> None:
        user = self.world.reader()
        if user is None:
            return self.modal_log(rng)
        group = rng.choice(self.world.groups)
        picked = self.world.pick_ref(rng)
        choice = rng.random()
        if choice < 0.25:
            text, expect = "group list", self.world.groups[0].handle
        elif choice < 0.40:
            text, expect = f"group info {group.handle}", group.handle
        elif choice < 0.60:
            text, expect = "list", ""
        elif choice < 0.75:
            text, expect = f"list {group.handle}", ""
        elif choice < 0.85 and picked is not None:
            text, expect = f"show INN-{picked[0]}", f"INN-{picked[0]}"
        elif self.world.seeded:
            ref = rng.randint(1, self.world.seeded)  # anywhere in the seeded register
            text, expect = f"show INN-{ref}", f"INN-{ref}"
        else:
            text, expect = "list", ""
        result = self.bot.command(user, text)
        why = refusal(result)
        ok = result.status == 200 and not why and expect in result.text
        self.stats.add("read", result, ok, why or ("" if ok else f"{text!r} → {result.text[:120]!r}"))

    def stage(self, rng: random.Random) -> None:
        picked = self.world.pick_ref(rng)
        if picked is None:
            return self.quick_log(rng)
        ref, group_index, current = picked
        group = self.world.groups[group_index]
        user = self.world.member_with_token(rng, group)
        if user is None:
            return self.modal_log(rng)
        to = rng.choice([s for s in STAGES if s != current])
        note = f" soak move {self.world.unique()}" if rng.random() < 0.5 else ""
        result = self.bot.command(user, f"stage INN-{ref} {to}{note}", channel=group.channel)
        ok = result.status == 200 and "moved from" in result.text
        if ok:
            self.world.set_stage(ref, to)
        self.stats.add("stage", result, ok, "" if ok else result.text)

    def note(self, rng: random.Random) -> None:
        picked = self.world.pick_ref(rng)
        if picked is None:
            return self.quick_log(rng)
        ref, group_index, _ = picked
        group = self.world.groups[group_index]
        user = self.world.member_with_token(rng, group)
        if user is None:
            return self.modal_log(rng)
        result = self.bot.command(user, f"note INN-{ref} soak note {self.world.unique()}: tried it with a partner")
        ok = result.status == 200 and "Note added to" in result.text
        self.stats.add("note", result, ok, "" if ok else result.text)

    def answer(self, rng: random.Random) -> None:
        prompt = self.world.take_prompt()
        if prompt is None:
            return self.read(rng)
        prompt_id, user, ts = prompt
        click = self.bot.click_answer(user, prompt_id, f"D{user}", ts)
        self.stats.add("standup_click", click, click.status == 200)
        token = f"{self.world.tag}-ans-{self.world.unique():06d}"
        result = self.bot.submit(user, "standup_answer", answer_values(token), str(prompt_id))
        data = result.json
        ok = result.status == 200 and data.get("response_action") != "errors"
        if ok:
            self.world.tokens_sent.add(token)
        self.stats.add("standup_answer", result, ok, "" if ok else json.dumps(data.get("errors") or data)[:160])
