"""Full-text search at scale: p50/p95 of search and related innovations, beside a naive LIKE scan.

    .venv/bin/python -m bench.search [--database-url URL] [--sizes 10000,50000,100000]

Builds a fresh schema (migrations; on PostgreSQL the `public` schema is dropped and rebuilt, so
point it at a scratch database), then grows the register to each size with generated, seeded,
mixed Dutch and English innovations (bulk inserts; the triggers build the index as rows arrive).
At each size it times, through the service the bot uses (models.db.Database, one transaction per
call): one-word, two-word and phrase searches, the related-innovations lookup, and the same
searches as a naive `ILIKE '%word%'` scan of the same rows in the same run (the ratio).

`log` and `+related` are what a quick log costs and what naming its related innovations adds to
it: the domain's quick log (insert, stage history, index triggers) and then services.search.related_in
in the same transaction, each rolled back so the corpus stays as generated (services.innovations
reads them in a read transaction just after the log's commit: the same query). `+rel. new` is the
same for titles of words the corpus has never seen (a new topic): every one of the item's terms
is rare, which is the case the databases' statistics guess worst.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, insert, text
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from models.db import Database, migrate
from models.groups import Group
from models.innovations import Innovation, InnovationNote, Organisation, innovation_organisations
from models.innovations import quick_log as domain_quick_log
from models.people import Member
from services import search as service

EN = """data privacy consent citizens municipality open budget transparency platform chatbot algorithm
artificial intelligence machine learning model training dataset election monitoring misinformation
disinformation fact checking journalism civic space safety security encryption messaging volunteers
community health clinic mobile app sms reporting dashboard map mapping satellite climate water farmers
drought flood early warning cash transfer identity biometric registration refugees migration youth
education school teachers literacy women rights gender violence hotline legal aid court justice police
accountability corruption procurement contract tender audit feedback survey participation digital inclusion
accessibility disability blockchain ledger payment wallet solar energy grid waste recycling housing land
tenure forest deforestation monitoring drone sensor network internet shutdown censorship vpn surveillance
facial recognition deepfake video image verification archive evidence human rights documentation toolkit
training workshop guide pilot scaling partnership network coalition advocacy policy regulation standard""".split()
NL = """gegevens privacy toestemming burgers gemeente open begroting transparantie platform algoritme
kunstmatige intelligentie verkiezingen desinformatie nepnieuws journalistiek maatschappelijke ruimte
veiligheid versleuteling vrijwilligers gemeenschap gezondheid kliniek melding kaart klimaat water boeren
droogte overstroming vroegtijdige waarschuwing geldoverdracht identiteit registratie vluchtelingen
migratie jongeren onderwijs school leraren geletterdheid vrouwen rechten geweld hulplijn rechtshulp
rechtbank politie verantwoording corruptie aanbesteding controle enquête participatie digitale inclusie
toegankelijkheid betaling zonne energie afval woningen grond bos ontbossing sensor netwerk censuur
gezichtsherkenning verificatie archief bewijs mensenrechten documentatie handleiding werkplaats
samenwerking coalitie beleid regelgeving coöperatie café bijeenkomst ervaring onderzoek""".split()
GLUE_EN = "the a of and for with in to on by about from our their new".split()
GLUE_NL = "de het een van en voor met in op door over uit onze nieuwe bij".split()
TAGS = """ai privacy open-data elections health climate education gender justice security identity payments
energy land forests surveillance verification youth migration procurement mapping sms chatbot drones
blockchain inclusion accessibility journalism advocacy toolkit""".split()
ORGS = [
    f"{a} {b}"
    for a in ("Stichting", "Foundation", "Netwerk", "Alliance", "Open")
    for b in ("Cordaid", "Oxfam", "Hivos", "Akvo", "Wetenschap", "Delta", "Noord", "Zuid", "Horizon", "Kompas")
]
KINDS = ["instrument", "way-of-working", "strategy", None]
STAGES = ["idea", "exploring", "piloting", "scaling", "adopted"]
START = datetime(2026, 1, 1, tzinfo=UTC)


def zipf_weights(n: int) -> list[float]:
    return [1 / (rank + 1) ** 0.9 for rank in range(n)]


class Writer:
    """Seeded text: a language per innovation, words drawn Zipf-like from its vocabulary."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.en = (EN, zipf_weights(len(EN)), GLUE_EN)
        self.nl = (NL, zipf_weights(len(NL)), GLUE_NL)

    def sentence(self, lang, n: int) -> str:
        vocab, weights, glue = lang
        words = []
        for _ in range(n):
            words.append(self.rng.choice(glue) if self.rng.random() < 0.3 else self.rng.choices(vocab, weights)[0])
        return " ".join(words)

    def innovation(self, n: int, groups: int) -> dict:
        rng = self.rng
        lang = self.en if rng.random() < 0.55 else self.nl
        title = self.sentence(lang, rng.randint(3, 7)).capitalize()
        summary = ". ".join(self.sentence(lang, rng.randint(8, 16)) for _ in range(rng.randint(1, 4))) + "."
        at = START + timedelta(minutes=n)
        return {
            "id": n + 1,
            "group_id": rng.randint(1, groups),
            "title": title[:150],
            "kind": rng.choice(KINDS),
            "stage": rng.choice(STAGES),
            "summary": summary,
            "link": None,
            "sdgs": ",".join(sorted({str(rng.randint(1, 17)) for _ in range(rng.randint(0, 3))}, key=int)),
            "tags": ",".join(sorted(set(rng.sample(TAGS, rng.randint(0, 4))))),
            "privacy_risk": "not-assessed",
            "civic_space_risk": "not-assessed",
            "manipulation_risk": "not-assessed",
            "safeguards": self.sentence(lang, rng.randint(4, 10)) if rng.random() < 0.3 else "",
            "logged_by": "UBENCH",
            "logged_at": at,
            "updated_at": at,
        }


def fresh(url: str) -> Database:
    db = Database(url)
    if db.backend == "postgresql":
        with db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    migrate(url)
    with db.engine.begin() as conn:
        conn.execute(insert(Member), [{"id": "UBENCH", "name": "Bench", "created_at": START, "is_coordinator": True}])
        conn.execute(
            insert(Group),
            [{"id": g, "handle": f"group-{g}", "description": "", "created_at": START} for g in range(1, 41)],
        )
        conn.execute(insert(Organisation), [{"id": i + 1, "name": o, "key": o.lower()} for i, o in enumerate(ORGS)])
    return db


def grow(db: Database, writer: Writer, start: int, stop: int) -> float:
    # Bulk loads on a plain engine: the app's PostgreSQL engine gives up on a write unanswered for
    # 1.5 s (tcp_user_timeout), which a 5,000-row insert with its triggers may be on a busy machine.
    loader = create_engine(db.url, poolclass=NullPool) if db.backend == "postgresql" else db.engine
    began = time.perf_counter()
    rng = writer.rng
    for chunk in range(start, stop, 5000):
        rows = [writer.innovation(n, 40) for n in range(chunk, min(chunk + 5000, stop))]
        links = [
            {"innovation_id": r["id"], "organisation_id": o}
            for r in rows
            for o in rng.sample(range(1, len(ORGS) + 1), rng.randint(0, 2))
        ]
        notes = [
            {
                "innovation_id": r["id"],
                "author_id": "UBENCH",
                "at": r["logged_at"],
                "text": writer.sentence(writer.en if rng.random() < 0.5 else writer.nl, 12),
            }
            for r in rows
            if rng.random() < 0.3
        ]
        with loader.begin() as conn:
            conn.execute(insert(Innovation.__table__), rows)
            if links:
                conn.execute(insert(innovation_organisations), links)
            if notes:
                conn.execute(insert(InnovationNote.__table__), notes)
    if db.backend == "postgresql":
        with loader.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
            # The rows came with their ids; a log (bench: log_cost) takes the next one from the sequence.
            conn.execute(
                text("SELECT setval(pg_get_serial_sequence('innovations', 'id'), (SELECT max(id) FROM innovations))")
            )
        loader.dispose()
    return time.perf_counter() - began


def queries(writer: Writer, n: int) -> dict[str, list[str]]:
    rng = random.Random(7)
    vocab = [*(w for w in EN), *(w for w in NL)]
    weights = [*zipf_weights(len(EN)), *zipf_weights(len(NL))]
    one = [rng.choices(vocab, weights)[0] for _ in range(n)]
    two = [" ".join(rng.choices(vocab, weights, k=2)) for _ in range(n)]
    phrase = []
    for _ in range(n):
        words = writer.sentence(writer.en if rng.random() < 0.55 else writer.nl, 6).split()
        i = rng.randrange(len(words) - 1)
        phrase.append(f'"{words[i]} {words[i + 1]}"')
    return {"one word": one, "two words": two, "phrase": phrase}


def naive(db: Database, query: str) -> int:
    """The baseline doing the same work by scanning: every word (or the phrase) as ILIKE '%…%' in
    title, summary, tags, organisations, safeguards or notes; title matches first, then summary,
    then the rest, newest first within each. (Without the ranking a scan could stop at the first
    20 matches and would not be the same work.)"""
    parts = [query.strip('"')] if query.startswith('"') else query.split()
    op = "ILIKE" if db.backend == "postgresql" else "LIKE"  # SQLite's LIKE ignores ASCII case already
    rest = (
        "i.tags",
        "i.safeguards",
        "(SELECT group_concat(n.text, ' ') FROM innovation_notes n WHERE n.innovation_id = i.id)",
        "(SELECT group_concat(o.name, ' ') FROM innovation_organisations io JOIN organisations o "
        "ON o.id = io.organisation_id WHERE io.innovation_id = i.id)",
    )
    if db.backend == "postgresql":
        rest = tuple(
            r.replace("group_concat(n.text, ' ')", "string_agg(n.text, ' ')").replace(
                "group_concat(o.name, ' ')", "string_agg(o.name, ' ')"
            )
            for r in rest
        )
    fields = ("i.title", "i.summary", *rest)
    where = " AND ".join("(" + " OR ".join(f"{f} {op} :p{k}" for f in fields) + ")" for k in range(len(parts)))
    title = " AND ".join(f"i.title {op} :p{k}" for k in range(len(parts)))
    summary = " AND ".join(f"(i.title {op} :p{k} OR i.summary {op} :p{k})" for k in range(len(parts)))
    sql = text(
        f"SELECT i.id FROM innovations i WHERE {where} "
        f"ORDER BY CASE WHEN {title} THEN 0 WHEN {summary} THEN 1 ELSE 2 END, i.updated_at DESC LIMIT 20"
    )
    with db.transaction() as s:
        return len(s.execute(sql, {f"p{k}": f"%{p}%" for k, p in enumerate(parts)}).all())


def timed(fn, items) -> list[float]:
    out = []
    for item in items:
        began = time.perf_counter()
        fn(item)
        out.append((time.perf_counter() - began) * 1000)
    return out


def p(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1] if len(values) > 1 else values[0]


def novel_title(rng: random.Random) -> str:
    """A title of words the corpus (and the database's statistics) has never seen: a new topic."""
    return " ".join(
        "".join(rng.choices("bcdfghklmnprstvz", k=3)) + rng.choice(["ool", "ant", "ix", "erk"]) for _ in range(8)
    )


def log_cost(db: Database, writer: Writer, n: int, novel: bool = False) -> tuple[list[float], list[float], list[int]]:
    """(log ms, related-lookup ms added to it, related found) for n quick logs, each rolled back.
    `novel`: titles of unseen words only, so every one of the item's terms is rare."""
    rng = random.Random(n)
    logs, added, found = [], [], []
    for k in range(n):
        title = writer.sentence(writer.en if rng.random() < 0.55 else writer.nl, rng.randint(3, 8))[:150]
        if novel:
            title = novel_title(rng)
        with Session(db.engine) as session:
            member = session.get(Member, "UBENCH")
            assert member is not None
            began = time.perf_counter()
            innovation = domain_quick_log(session, member, f"group-{1 + k % 40}", title, START)
            logged = time.perf_counter()
            found.append(len(service.related_in(session, innovation.id, 3)))
            done = time.perf_counter()
            session.rollback()
        logs.append((logged - began) * 1000)
        added.append((done - logged) * 1000)
    return logs, added, found


def run(url: str, sizes: list[int], n: int, n_naive: int, seed: int) -> None:
    db = fresh(url)
    writer = Writer(seed)
    made = 0
    print(f"database: {db.backend}; {n} searches per kind ({n_naive} naive scans), {n} related lookups")
    print(
        f"{'rows':>7}  {'kind':<10} {'p50 ms':>8} {'p95 ms':>8} {'hits':>6}   {'naive p50':>9} {'naive p95':>9}  ratio p95"
    )
    for size in sizes:
        spent = grow(db, writer, made, size)
        print(f"{size:>7}  inserted {size - made} rows with the index in {spent:.1f} s")
        made = size
        qs = queries(writer, n)
        for kind, items in qs.items():
            for q in items[:5]:  # warm the caches the way a running bot has them warm
                service.search(db, q)
            hits = [len(service.search(db, q).hits) for q in items]
            fast = timed(lambda q: service.search(db, q), items)
            slow = timed(lambda q: naive(db, q), items[:n_naive])
            print(
                f"{size:>7}  {kind:<10} {p(fast, 50):8.1f} {p(fast, 95):8.1f} {statistics.mean(hits):6.1f}"
                f"   {p(slow, 50):9.1f} {p(slow, 95):9.1f}  {p(slow, 95) / p(fast, 95):8.1f}x"
            )
        rng = random.Random(size)
        ids = [rng.randint(1, size) for _ in range(n)]
        found = [len(service.related(db, i, 3)) for i in ids[:20]]
        rel = timed(lambda i: service.related(db, i, 3), ids)
        print(f"{size:>7}  {'related':<10} {p(rel, 50):8.1f} {p(rel, 95):8.1f} {statistics.mean(found):6.1f}")
        log_cost(db, writer, 5)  # warm
        logs, added, named = log_cost(db, writer, n)
        print(f"{size:>7}  {'log':<10} {p(logs, 50):8.1f} {p(logs, 95):8.1f}")
        print(
            f"{size:>7}  {'+related':<10} {p(added, 50):8.1f} {p(added, 95):8.1f} {statistics.mean(named):6.1f}"
            f"   (+{p(added, 50) / p(logs, 50):.0%} of a log at p50)"
        )
        logs, added, named = log_cost(db, writer, n, novel=True)
        print(
            f"{size:>7}  {'+rel. new':<10} {p(added, 50):8.1f} {p(added, 95):8.1f} {statistics.mean(named):6.1f}"
            f"   (a title of words never seen: +{p(added, 50) / p(logs, 50):.0%} of its log at p50)"
        )
    db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", help="a scratch database (default: a temporary SQLite file)")
    parser.add_argument("--sizes", default="10000,50000,100000")
    parser.add_argument("--queries", type=int, default=200, help="timed searches per kind, and related lookups")
    parser.add_argument("--naive", type=int, default=30, help="timed naive scans per kind")
    parser.add_argument("--seed", type=int, default=14)
    args = parser.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))
    if args.database_url:
        run(args.database_url, sizes, args.queries, args.naive, args.seed)
        return
    with tempfile.TemporaryDirectory() as tmp:
        run(f"sqlite:///{Path(tmp) / 'search-bench.db'}", sizes, args.queries, args.naive, args.seed)


if __name__ == "__main__":
    main()
