"""How fast children can vote with cards, and how fast the ballots count.

1. Ballots per second through the service (`ballots.cast_with_card`) with 30 tablets voting
   distinct cards at once, against a FLOOR measured in the same run on the same engine with the
   same threads: the same number of raw transactions doing the same database work — one
   conditional UPDATE of the card (unused, not void, poll open by the server's clock) and the
   INSERTs of the ballot and its receipt — written as plain DB-API (sqlite3 with BEGIN IMMEDIATE,
   psycopg directly) on one connection per thread. These machines are shared and absolute figures
   wander, so the ratio service/floor is the figure. Floor and service take turns in rounds, on
   fresh cards each time. After the run the database must hold exactly one ballot and one
   receipt per used card per accepted vote, or the script exits non-zero.
2. The time to count 100,000 random ranking ballots of 12 options (lengths 1..12, fixed seed) by
   each method of `kinderwijkraad.voting` (for dots the same ballots as dot lists).

The last line printed is one JSON object: `ballots_per_s`, `floor_per_s`, `ratio` (SQLite, or the
only engine run), `count_100k_ms` (method -> ms) and, when PostgreSQL ran, `postgresql: {...}`.

    .venv/bin/python bench/votes.py                         # both engines when PostgreSQL answers
    .venv/bin/python bench/votes.py --engine sqlite --profile            # + cProfile of the service path
    .venv/bin/python bench/votes.py --engine sqlite --sqlite-dir /dev/shm # no fsync: the CPU-bound picture
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import io
import json
import logging
import math
import os
import pstats
import random
import secrets
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

LOCAL_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
CARDS_PER_SHEET = 40  # the service's maximum per class sheet (and per class)
OPTIONS = 12
CHOICES = 3  # "kies er 3": the wijk vote's approval ballot
SEED = 20261127
RECEIPT_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


# --- the world: a wijk with enough classes, 12 themes, two open polls and their cards ----------


@dataclass
class World:
    engine: object
    url: str
    cycle_id: int
    service_poll: int
    floor_poll: int
    option_ids: list[int]
    service_cards: list[str] = field(default_factory=list)  # printed codes, e.g. K7QM-4TXP
    floor_cards: list[str] = field(default_factory=list)


def build_world(url: str, cards_per_poll: int) -> World:
    from kinderwijkraad import db
    from kinderwijkraad.services import accounts, ballots, demo, neighbourhoods, plans, polls

    accounts.BCRYPT_ROUNDS = 4  # the admin's password hash is not what this measures
    db.upgrade(url)
    engine = db.make_engine(url)
    admin = demo.bootstrap_admin(engine, username="bench-admin", display_name="Bench", password="correct horse battery",
                                 must_change_password=False)
    wijk = neighbourhoods.create_neighbourhood(engine, actor=admin, name="Benchwijk", municipality="Rivierstad")
    cycle = neighbourhoods.create_cycle(engine, actor=admin, neighbourhood_id=wijk.id, school_year="2026-2027")
    school = neighbourhoods.create_school(engine, actor=admin, neighbourhood_id=wijk.id, name="De Benchschool")
    classes = [neighbourhoods.create_classroom(engine, actor=admin, cycle_id=cycle.id, school_id=school.id,
                                               name=f"Groep 8-{i}", grade=8, pupil_count=CARDS_PER_SHEET)
               for i in range(math.ceil(cards_per_poll / CARDS_PER_SHEET))]
    for i in range(OPTIONS):
        plans.create_theme(engine, actor=admin, cycle_id=cycle.id, name=f"Thema {i + 1}")
    service_poll = polls.create_poll(engine, actor=admin, cycle_id=cycle.id, title="Wijkstemming (service)")
    floor_poll = polls.create_poll(engine, actor=admin, cycle_id=cycle.id, title="Wijkstemming (floor)")
    option_ids = polls.poll_view(engine, actor=admin, poll_id=service_poll).option_ids
    world = World(engine, url, cycle.id, service_poll, floor_poll, option_ids)
    for poll_id, cards in ((service_poll, world.service_cards), (floor_poll, world.floor_cards)):
        for classroom in classes:
            sheet = ballots.issue_cards(engine, actor=admin, poll_id=poll_id, classroom_id=classroom.id,
                                        count=CARDS_PER_SHEET, base_url="http://bench")
            cards.extend(card.code for card in sheet.cards)
        del cards[cards_per_poll:]
        polls.open_poll(engine, actor=admin, poll_id=poll_id)
    return world


# --- the two paths ------------------------------------------------------------------------------

Vote = tuple[str, list[int]]  # (card code as printed, choices)


def service_voter(world: World) -> Callable[[], Callable[[Vote], object]]:
    """One tablet's way to vote through the service; all tablets share the app's engine."""
    from kinderwijkraad.services import ballots

    def connect() -> Callable[[Vote], object]:
        def vote(item: Vote) -> object:
            return ballots.cast_with_card(world.engine, code=item[0], choices=item[1])
        return vote

    return connect


_OPEN = ("EXISTS (SELECT 1 FROM poll WHERE poll.id = votingcard.poll_id AND poll.opened_at IS NOT NULL"
         " AND poll.opened_at <= {now} AND (poll.closed_at IS NULL OR poll.closed_at > {now}))")


def _receipt() -> str:
    return "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(8))


def _card_hash(code: str) -> str:
    return hashlib.sha256("".join(code.split()).upper().replace("-", "").encode()).hexdigest()


def sqlite_floor_voter(world: World) -> Callable[[], Callable[[Vote], object]]:
    """Plain sqlite3, one connection per tablet, the engine's pragmas, BEGIN IMMEDIATE."""
    from sqlalchemy.engine import make_url

    path = make_url(world.url).database
    use = ("UPDATE votingcard SET used = 1 WHERE code_hash = ? AND used = 0 AND void = 0 AND "
           + _OPEN.format(now="?") + " RETURNING poll_id, classroom_id")
    add_ballot = "INSERT INTO ballot (id, poll_id, classroom_id, choices) VALUES (?, ?, ?, ?)"
    add_receipt = "INSERT INTO receipt (poll_id, code) VALUES (?, ?)"

    def connect() -> Callable[[Vote], object]:
        from kinderwijkraad.models.common import utcnow

        connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        for pragma in ("foreign_keys=ON", "journal_mode=WAL", "synchronous=FULL", "busy_timeout=5000"):
            connection.execute(f"PRAGMA {pragma}")

        def vote(item: Vote) -> object:
            now = utcnow().strftime("%Y-%m-%d %H:%M:%S.%f")  # as SQLAlchemy stores it in SQLite
            cursor = connection.cursor()
            cursor.execute("BEGIN IMMEDIATE")
            try:
                row = cursor.execute(use, (_card_hash(item[0]), now, now)).fetchone()
                if row is None:
                    raise RuntimeError("card refused")
                cursor.execute(add_ballot, (secrets.token_hex(16), row[0], row[1], json.dumps(item[1])))
                code = _receipt()
                cursor.execute(add_receipt, (row[0], code))
                cursor.execute("COMMIT")
            except BaseException:
                cursor.execute("ROLLBACK")
                raise
            return code
        return vote

    return connect


def postgres_floor_voter(world: World) -> Callable[[], Callable[[Vote], object]]:
    """Plain psycopg, one connection per tablet, READ COMMITTED like the engine."""
    import psycopg
    from psycopg.types.json import Json
    from sqlalchemy.engine import make_url

    dsn = make_url(world.url).set(drivername="postgresql").render_as_string(hide_password=False)
    use = ("UPDATE votingcard SET used = true WHERE code_hash = %s AND used = false AND void = false AND "
           + _OPEN.format(now="%s") + " RETURNING poll_id, classroom_id")
    add_ballot = "INSERT INTO ballot (id, poll_id, classroom_id, choices) VALUES (%s, %s, %s, %s)"
    add_receipt = "INSERT INTO receipt (poll_id, code) VALUES (%s, %s)"

    def connect() -> Callable[[Vote], object]:
        from kinderwijkraad.models.common import utcnow

        connection = psycopg.connect(dsn)

        def vote(item: Vote) -> object:
            now = utcnow()
            with connection.transaction(), connection.cursor() as cursor:
                row = cursor.execute(use, (_card_hash(item[0]), now, now)).fetchone()
                if row is None:
                    raise RuntimeError("card refused")
                cursor.execute(add_ballot, (secrets.token_hex(16), row[0], row[1], Json(item[1])))
                code = _receipt()
                cursor.execute(add_receipt, (row[0], code))
            return code
        return vote

    return connect


# --- running tablets at once --------------------------------------------------------------------


@dataclass
class Outcome:
    ok: int = 0
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0


def run_tablets(connect: Callable[[], Callable[[Vote], object]], votes: list[Vote], tablets: int) -> Outcome:
    """`tablets` threads, each voting its own share of the cards; the clock runs from the moment
    all are connected and released together until the last one is done."""
    shares = [votes[i::tablets] for i in range(tablets)]
    barrier = threading.Barrier(tablets + 1)
    outcome = Outcome()
    lock = threading.Lock()

    def tablet(share: list[Vote]) -> None:
        vote = connect()
        ok, errors = 0, []
        barrier.wait()
        for item in share:
            try:
                vote(item)
                ok += 1
            except Exception as error:  # noqa: BLE001 - every refusal is a lost vote here
                errors.append(repr(error))
        with lock:
            outcome.ok += ok
            outcome.errors += errors

    threads = [threading.Thread(target=tablet, args=(share,)) for share in shares]
    for thread in threads:
        thread.start()
    barrier.wait()
    start = time.perf_counter()
    for thread in threads:
        thread.join()
    outcome.seconds = time.perf_counter() - start
    return outcome


def _votes(cards: list[str], option_ids: list[int], rng: random.Random) -> list[Vote]:
    return [(code, rng.sample(option_ids, CHOICES)) for code in cards]


def _chunks(items: list[Vote], sizes: list[int]) -> Iterator[list[Vote]]:
    start = 0
    for size in sizes:
        yield items[start:start + size]
        start += size


@dataclass
class EngineFigures:
    engine: str
    ballots_per_s: float
    floor_per_s: float
    ratio: float
    rounds: list[float]  # ratio per round
    verified: bool
    counts: dict[str, dict[str, int]]


def verify(world: World, poll_id: int, submitted: int) -> dict[str, int]:
    from sqlalchemy import text

    with world.engine.connect() as connection:
        def one(sql: str) -> int:
            return connection.execute(text(sql), {"poll": poll_id}).scalar_one()
        return {
            "submitted": submitted,
            "ballots": one("SELECT count(*) FROM ballot WHERE poll_id = :poll"),
            "receipts": one("SELECT count(*) FROM receipt WHERE poll_id = :poll"),
            "cards_used": one("SELECT count(*) FROM votingcard WHERE poll_id = :poll AND used = true"),
        }


def measure_engine(name: str, url: str, args: argparse.Namespace) -> EngineFigures:
    """Build the world, warm both paths up, time one tablet alone, then rounds of floor and service
    in turn with all tablets."""
    from sqlalchemy import event

    warmup = args.voters
    started = time.perf_counter()
    world = build_world(url, warmup + args.solo + args.ballots)
    print(f"[{name}] world: {len(world.service_cards)} + {len(world.floor_cards)} cards in "
          f"{math.ceil(len(world.service_cards) / CARDS_PER_SHEET)} classes, 2 open polls of {len(world.option_ids)} "
          f"themes ({time.perf_counter() - started:.1f} s)")
    rng = random.Random(SEED)
    sizes = [args.ballots // args.rounds + (i < args.ballots % args.rounds) for i in range(args.rounds)]
    floor_chunks, service_chunks = (_chunks(_votes(cards, world.option_ids, rng), [warmup, args.solo, *sizes])
                                    for cards in (world.floor_cards, world.service_cards))
    paths = (("floor", (sqlite_floor_voter if name == "sqlite" else postgres_floor_voter)(world), floor_chunks),
             ("service", service_voter(world), service_chunks))
    submitted = {"floor": 0, "service": 0}
    errors: list[str] = []

    def run(label: str, connect: Callable, chunk: list[Vote], tablets: int) -> Outcome:
        outcome = run_tablets(connect, chunk, tablets)
        submitted[label] += outcome.ok
        errors.extend(outcome.errors)
        return outcome

    for label, connect, chunks in paths:  # warm-up: compiled statements, caches, the pool; one vote per tablet
        run(label, connect, next(chunks), args.voters)
    if args.solo:
        solo = {label: run(label, connect, next(chunks), 1) for label, connect, chunks in paths}
        per_vote = {label: outcome.seconds / max(outcome.ok, 1) * 1e6 for label, outcome in solo.items()}
        print(f"[{name}] one tablet alone, {args.solo} votes: service {per_vote['service']:6.0f} µs, "
              f"floor {per_vote['floor']:6.0f} µs per vote = {per_vote['service'] / per_vote['floor']:5.2f}×")
    else:
        for _, _, chunks in paths:
            next(chunks)

    opened = [0]
    event.listen(world.engine, "connect", lambda *_: opened.__setitem__(0, opened[0] + 1))
    totals = {"floor": [0, 0.0], "service": [0, 0.0]}
    ratios = []
    for i in range(args.rounds):
        per_s = {}
        for label, connect, chunks in paths if i % 2 == 0 else paths[::-1]:
            outcome = run(label, connect, next(chunks), args.voters)
            totals[label][0] += outcome.ok
            totals[label][1] += outcome.seconds
            per_s[label] = outcome.ok / outcome.seconds
        ratios.append(per_s["floor"] / per_s["service"])
        print(f"[{name}] round {i + 1}/{args.rounds}, {args.voters} tablets at once: service "
              f"{per_s['service']:6.0f}/s, floor {per_s['floor']:6.0f}/s = {ratios[-1]:5.2f}×")
    print(f"[{name}] the service's engine opened {opened[0]} new database connections in these rounds "
          f"(pool size {world.engine.pool.size()})")

    expected = warmup + args.solo + args.ballots
    counts = {"service": verify(world, world.service_poll, submitted["service"]),
              "floor": verify(world, world.floor_poll, submitted["floor"])}
    verified = not errors
    for label, c in counts.items():
        ok = len(set(c.values())) == 1 and c["submitted"] == expected
        verified = verified and ok
        print(f"[{name}] check {label:7s}: submitted {c['submitted']}, ballots in db {c['ballots']}, "
              f"receipts {c['receipts']}, cards used {c['cards_used']} (expected {expected}) "
              f"{'OK' if ok else 'MISMATCH'}")
    for error in sorted(set(errors))[:5]:
        print(f"[{name}] error ×{errors.count(error)}: {error}")

    service = totals["service"][0] / totals["service"][1]
    floor = totals["floor"][0] / totals["floor"][1]
    print(f"[{name}] service (ballots.cast_with_card): {service:7.0f} ballots/s")
    print(f"[{name}] floor (raw DB-API, same work):     {floor:7.0f} ballots/s")
    print(f"[{name}] ratio service/floor: {floor / service:.2f}× (median of rounds {statistics.median(ratios):.2f}×)")
    if args.profile:
        profile_service(world, name, args.profile_votes)
    world.engine.dispose()
    return EngineFigures(name, round(service, 1), round(floor, 1), round(floor / service, 2),
                         [round(r, 2) for r in ratios], verified, counts)


def profile_service(world: World, name: str, votes: int) -> None:
    """cProfile of the service path, one tablet at a time (cProfile sees one thread), on fresh cards
    of a third poll."""
    from sqlalchemy import text

    from kinderwijkraad.services import accounts, ballots, polls

    admin = accounts.session_actor(world.engine, username="bench-admin")
    with world.engine.connect() as connection:
        classes = [row[0] for row in connection.execute(text("SELECT id FROM classroom ORDER BY id"))]
    poll_id = polls.create_poll(world.engine, actor=admin, cycle_id=world.cycle_id, title="Profiel")
    option_ids = polls.poll_view(world.engine, actor=admin, poll_id=poll_id).option_ids
    codes: list[str] = []
    for classroom_id in classes[: math.ceil(votes / CARDS_PER_SHEET)]:
        sheet = ballots.issue_cards(world.engine, actor=admin, poll_id=poll_id, classroom_id=classroom_id,
                                    count=CARDS_PER_SHEET, base_url="http://bench")
        codes += [card.code for card in sheet.cards]
    polls.open_poll(world.engine, actor=admin, poll_id=poll_id)
    rng = random.Random(SEED)
    items = [(code, rng.sample(option_ids, CHOICES)) for code in codes[:votes]]
    ballots.cast_with_card(world.engine, code=items[0][0], choices=items[0][1])  # warm
    profiler = cProfile.Profile()
    start = time.perf_counter()
    profiler.enable()
    for code, choices in items[1:]:
        ballots.cast_with_card(world.engine, code=code, choices=choices)
    profiler.disable()
    elapsed = time.perf_counter() - start
    print(f"[{name}] profile: {len(items) - 1} service votes in one thread, {elapsed / (len(items) - 1) * 1e6:.0f} µs "
          f"each under cProfile")
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(30)
    print("\n".join(line for line in out.getvalue().splitlines() if line.strip())[:6000])


# --- engines --------------------------------------------------------------------------------------


def postgres_answers(url: str) -> bool:
    from sqlalchemy import create_engine

    try:
        probe = create_engine(url, connect_args={"connect_timeout": 2})
        with probe.connect():
            pass
        probe.dispose()
        return True
    except Exception:  # noqa: BLE001 - any failure means: no server
        return False


@contextmanager
def sqlite_url(directory: str | None) -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="kwr-bench-", dir=directory) as tmp:
        yield f"sqlite:///{Path(tmp) / 'votes.db'}"


@contextmanager
def postgres_url(base: str) -> Iterator[str]:
    """A throw-away database on the server, dropped afterwards whatever happens."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    name = f"kwr_bench_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(base).set(database=name).render_as_string(hide_password=False)
    finally:
        with suppress(Exception), admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


# --- counting -------------------------------------------------------------------------------------


def count_times(ballots: int, repeats: int) -> tuple[dict[str, float], dict[str, list[str]]]:
    """Median ms per method over `repeats` counts of the same random ranking ballots."""
    from kinderwijkraad import voting

    rng = random.Random(SEED)
    options = [str(i) for i in range(1, OPTIONS + 1)]
    profile = [tuple(rng.sample(options, rng.randint(1, OPTIONS))) for _ in range(ballots)]
    times: dict[str, float] = {}
    winners: dict[str, list[str]] = {}
    for method in ("plurality", "approval", "borda", "irv", "dots"):
        samples = []
        for _ in range(repeats):
            start = time.perf_counter()
            result = voting.count(method, profile, options=options, k=OPTIONS if method == "borda" else None)
            samples.append(time.perf_counter() - start)
        times[method] = round(statistics.median(samples) * 1e3, 1)
        winners[method] = result.winners
    start = time.perf_counter()
    voting.compare(profile, options=options, k=OPTIONS)
    times["compare (4 methods)"] = round((time.perf_counter() - start) * 1e3, 1)
    return times, winners


# --- main -----------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engine", choices=("sqlite", "postgresql", "both"), default=None,
                        help="default: both when PostgreSQL answers, else sqlite")
    parser.add_argument("--voters", type=int, default=30, help="concurrent tablets (threads)")
    parser.add_argument("--ballots", type=int, default=3000, help="timed ballots per path (service and floor)")
    parser.add_argument("--rounds", type=int, default=3, help="floor and service take turns this many times")
    parser.add_argument("--solo", type=int, default=100, help="votes per path by one tablet alone (0: skip)")
    parser.add_argument("--sqlite-dir", default=None,
                        help="where the SQLite file goes (default: the temp dir; /dev/shm shows the CPU-bound ratio)")
    parser.add_argument("--count-ballots", type=int, default=100_000, help="ranking ballots to count")
    parser.add_argument("--count-repeats", type=int, default=3, help="counts per method (median)")
    parser.add_argument("--postgres-url", default=os.environ.get("KWR_TEST_DATABASE_URL") or LOCAL_POSTGRES)
    parser.add_argument("--profile", action="store_true", help="also cProfile the service path")
    parser.add_argument("--profile-votes", type=int, default=500)
    args = parser.parse_args(argv)
    args.rounds = max(1, min(args.rounds, args.ballots // max(args.voters, 1)))
    logging.getLogger("alembic").setLevel(logging.WARNING)

    engines = {"both": ["sqlite", "postgresql"], "sqlite": ["sqlite"], "postgresql": ["postgresql"]}
    if args.engine is None:
        args.engine = "both" if postgres_answers(args.postgres_url) else "sqlite"
        if args.engine == "sqlite":
            print("PostgreSQL does not answer: SQLite only")
    print(f"{args.voters} tablets, {args.ballots} timed ballots per path in {args.rounds} rounds; "
          f"{os.cpu_count()} CPUs; Python {sys.version.split()[0]}, SQLite {sqlite3.sqlite_version}")

    figures: dict[str, EngineFigures] = {}
    for name in engines[args.engine]:
        scope = sqlite_url(args.sqlite_dir) if name == "sqlite" else postgres_url(args.postgres_url)
        with scope as url:
            figures[name] = measure_engine(name, url, args)

    times, winners = count_times(args.count_ballots, args.count_repeats)
    print(f"counting {args.count_ballots:,} ranking ballots of {OPTIONS} options (lengths 1..{OPTIONS}, "
          f"median of {args.count_repeats}):")
    for method, ms in times.items():
        print(f"  {method:20s} {ms:8.1f} ms" + (f"   winners {winners[method]}" if method in winners else ""))

    primary = figures.get("sqlite") or next(iter(figures.values()))
    document: dict[str, object] = {
        "engine": primary.engine, "voters": args.voters, "ballots": args.ballots,
        "ballots_per_s": primary.ballots_per_s, "floor_per_s": primary.floor_per_s, "ratio": primary.ratio,
        "ratio_rounds": primary.rounds, "verified": primary.verified,
        "count_ballots": args.count_ballots, "count_100k_ms": times,
    }
    if "postgresql" in figures:
        pg = figures["postgresql"]
        document["postgresql"] = {"ballots_per_s": pg.ballots_per_s, "floor_per_s": pg.floor_per_s,
                                  "ratio": pg.ratio, "ratio_rounds": pg.rounds, "verified": pg.verified}
    print(json.dumps(document, ensure_ascii=False))
    return 0 if all(f.verified for f in figures.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
