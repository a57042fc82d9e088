"""Soak: mixed Slack traffic against the Procfile `web` and `clock` processes, on a realistic database, with Slack failing.

Starts, on 127.0.0.1 only, the Procfile `release` step (migrations), `web` (the Procfile command,
plus `--bind 127.0.0.1:PORT`) and `clock` (`python -m bot clock`, real time) against a scratch
database (`--database-url`: its schema is DROPPED and rebuilt; otherwise a SQLite file in a
temporary folder, removed at the end) and the benches' fake Slack (bench/slack.py) in a child
process, which fails --fail-rate (5%) of ALL Web API calls at random with 429 (Retry-After: 1)
or 500 from the moment both processes are up.

The database is realistic (seed.py): 200 groups, 2,000 members, 100,000 innovations, bulk-inserted.
Leads set daily stand-ups due during the traffic, so the clock process starts runs (and closes the
runs before them) while the soak measures; leads also send `standup now`. Then --concurrency
workers (driver.py: closed loop on concurrent.futures; --rate caps the steps a second) send the
traffic mix (traffic.py) for --seconds. The per-person command limit is respected client-side
with the project's own RateLimiter (handlers/ratelimit.py, one token a minute stricter).

The report (report.py) prints requests served, 5xx, p50/p95, per-kind counts, what the fake Slack
saw, the stand-up runs started (by schedule and `now`) and closed, CPU per process tree and peak
memory (/proc: bench/procstat.py), the processes' warnings and errors, and LAST the records lost.
Exit status 1 when a target is missed: 0 lost, 0 5xx, p95 < 200 ms (PostgreSQL) / 300 ms (SQLite),
no duplicate innovation or prompt, every scheduled stand-up started. Nothing is left behind: the
processes' logs go with the temporary folder unless --logs DIR asks for a copy when a target is missed.

    .venv/bin/python -m bench.soak [--seconds 60] [--concurrency 20] [--database-url URL]

Modules: processes (release/web/clock, the fake Slack's process), seed (the world), client (signed
requests), world (state and counts), traffic (the mix), driver (the load), store (what is stored),
report, run (main).
"""
