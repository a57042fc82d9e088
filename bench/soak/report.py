"""The soak's report: served, statuses, latency per kind, what Slack saw, stand-up runs, CPU and
memory, the processes' logs, and LAST the records lost. Returns the exit status (1: a target missed)."""

from __future__ import annotations

import contextlib
import json
import os
from collections import Counter
from pathlib import Path

from bench.common import percentile
from bench.soak.world import Stats, World

KINDS = (
    "quick_log",
    "modal_log",
    "modal_double",
    "read",
    "stage",
    "note",
    "standup_now",
    "standup_click",
    "standup_answer",
)


def log_levels(path: Path) -> Counter[str]:
    levels: Counter[str] = Counter()
    try:
        lines = path.read_text(errors="replace").splitlines()
    except OSError:
        return levels
    for line in lines:
        try:
            levels[json.loads(line).get("level", "?")] += 1
        except ValueError:
            levels["traceback" if line.startswith("Traceback") else "other"] += 1
    return levels


def first_errors(path: Path, n: int = 3) -> list[str]:
    out = []
    with contextlib.suppress(OSError):
        for line in path.read_text(errors="replace").splitlines():
            with contextlib.suppress(ValueError):
                entry = json.loads(line)
                if entry.get("level") in ("error", "critical"):
                    out.append(f"{entry.get('logger')}: {entry.get('msg')} {str(entry.get('exc', ''))[-300:]}")
            if len(out) >= n:
                break
    return out


def report(
    args,
    stats: Stats,
    wall: float,
    quiet: float,
    world: World,
    titles: Counter,
    tokens: Counter,
    runs: dict,
    slack_stats: dict,
    workdir: Path,
    cpu: dict[str, float],
    memory: dict[str, float],
    scheduled_due: int,
) -> int:
    ordered = sorted(stats.latencies)
    served = stats.served
    fivexx = sum(n for s, n in stats.statuses.items() if s >= 500)
    no_response = stats.statuses.get(0, 0)
    non_200 = served - stats.statuses.get(200, 0)
    p50, p95, p99 = (percentile(ordered, p) * 1000 for p in (0.50, 0.95, 0.99))
    print(f"traffic:          {wall:.1f} s, then {quiet:.1f} s quiet")
    print(
        f"requests served:  {served} ({served / wall:.0f}/s); non-200: {non_200} (no response: {no_response}); "
        f"statuses: {dict(sorted(stats.statuses.items()))}"
    )
    print(f"5xx:              {fivexx}")
    print(
        f"latency:          p50={p50:.1f} ms  p95={p95:.1f} ms  p99={p99:.1f} ms  max={ordered[-1] * 1000:.0f} ms"
        if ordered
        else "latency:          n/a"
    )
    print(f"{'kind':<16}{'sent':>7}{'ok':>7}{'refused':>9}{'failed':>8}{'p50 ms':>9}{'p95 ms':>9}")
    for kind in KINDS:
        k = stats.kinds.get(kind)
        if k is None:
            continue
        lat = sorted(k.latencies)
        print(
            f"{kind:<16}{k.sent:>7}{k.ok:>7}{k.refused:>9}{k.failed:>8}"
            f"{percentile(lat, 0.5) * 1000:>9.1f}{percentile(lat, 0.95) * 1000:>9.1f}"
        )
        for sample in k.samples:
            print(f"    e.g. {sample}")
    print(f"rate-limited replies: {stats.rate_limited}")
    served_calls = sum(slack_stats["served"].values())
    failed_calls = sum(slack_stats["failed"].values())
    total_calls = served_calls + failed_calls
    share = failed_calls / total_calls if total_calls else 0.0
    print(
        f"fake slack:       {total_calls} Web API calls; failed on purpose {failed_calls} ({share:.1%}): "
        f"{slack_stats['failed']}; answered: "
        + ", ".join(f"{m}={n}" for m, n in sorted(slack_stats["served"].items(), key=lambda x: -x[1])[:8])
    )
    statuses = {k[7:]: v for k, v in sorted(runs.items()) if k.startswith("status:")}
    started_by_clock = runs.get("scheduled", 0)
    closed = statuses.get("closed", 0) + statuses.get("closing", 0)
    print(
        f"stand-ups:        runs started {started_by_clock + runs.get('now', 0)}: {started_by_clock} by schedule "
        f"(clock; {scheduled_due} due in the run) + {runs.get('now', 0)} `now`; closed {closed}; statuses {statuses}; "
        f"channel messages {runs.get('channel_posted', 0)}, summaries {runs.get('summaries', 0)}"
    )
    print(
        f"prompts:          {runs.get('prompts', 0)} (DM sent {runs.get('prompts_sent', 0)}, answered "
        f"{runs.get('prompts_answered', 0)}); prompt DMs seen by Slack {slack_stats['prompts']}, "
        f"duplicate prompt DMs {slack_stats['duplicate_prompts']}, reminders {slack_stats['reminders']}"
    )
    if cpu:
        ours = sum(v for k, v in cpu.items() if k != "machine")
        print(
            f"cpu during traffic ({os.cpu_count()} cores x {wall:.0f} s = {(os.cpu_count() or 1) * wall:.0f} cpu-s): "
            + ", ".join(f"{k} {v:.0f} s" for k, v in cpu.items() if k != "machine")
            + f", everything else on the machine {max(0.0, cpu['machine'] - ours):.0f} s"
        )
    if memory:
        print("peak memory (MB): " + ", ".join(f"{k} {v:.0f}" for k, v in memory.items()))
    for name in ("web", "clock"):
        levels = log_levels(workdir / f"{name}.log")
        print(f"{name} log:          " + ", ".join(f"{k}={v}" for k, v in sorted(levels.items())))
        for line in first_errors(workdir / f"{name}.log"):
            print(f"    {line[:400]}")

    lost_titles = world.titles_sent - set(titles)
    lost_tokens = world.tokens_sent - set(tokens)
    duplicate_titles = sum(n - 1 for n in titles.values() if n > 1)
    unacked_titles = len(set(titles) - world.titles_sent)  # stored although the ack did not say so
    if lost_titles:
        print("lost innovations (first 5): " + ", ".join(sorted(lost_titles)[:5]))
    if lost_tokens:
        print("lost answers (first 5): " + ", ".join(sorted(lost_tokens)[:5]))
    doubled_dupes = sum(1 for t in world.doubled if titles.get(t, 0) > 1)
    print(
        f"innovations:      stored {sum(titles.values())} with the soak's titles; duplicates {duplicate_titles} "
        f"({doubled_dupes} of the {len(world.doubled)} submitted twice with the same view were stored twice); "
        f"stored without a successful ack {unacked_titles}"
    )
    lost = len(lost_titles) + len(lost_tokens)
    p95_ok = p95 < args.p95_target
    dupes = duplicate_titles + slack_stats["duplicate_prompts"]
    clock_ok = started_by_clock >= scheduled_due
    met = lost == 0 and fivexx == 0 and p95_ok and dupes == 0 and clock_ok
    print(
        f"targets:          0 lost {'OK' if lost == 0 else 'MISSED'}, 0 5xx {'OK' if fivexx == 0 else 'MISSED'}, "
        f"p95 < {args.p95_target:g} ms {'OK' if p95_ok else 'MISSED'}, no duplicates {'OK' if not dupes else 'MISSED'}, "
        f"every scheduled stand-up started {'OK' if clock_ok else 'MISSED'}"
    )
    print(
        f"records lost:     {lost} — innovations {len(lost_titles)} (sent {len(world.titles_sent)}, stored "
        f"{len(world.titles_sent & set(titles))}), answers {len(lost_tokens)} (sent {len(world.tokens_sent)}, "
        f"stored {len(world.tokens_sent & set(tokens))})"
    )
    return 0 if met else 1
