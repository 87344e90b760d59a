"""A whole wijk voting at once: simulated tablets against the real app, over Streamlit's protocol.

Starts the app (`streamlit run streamlit_app.py`, the project's own .streamlit/config.toml) on a
free local port with a fresh database holding one open wijk vote and its voting cards. N tablets
(websocket sessions, see bench/streamlit_ws.py) each let child after child vote: type the card's
code and tap "Verder", tap options, tap "Stem!", read the receipt, tap "Klaar". The teachers
(one per 25 tablets) watch the turnout tab, whose fragment reruns itself every 3 s as in a
browser. Afterwards the database must hold exactly one ballot per used card and a receipt for
every child that was told their vote was counted.

In the same run the same client drives the same number of tablets against a one-line Streamlit
page (the floor), so the figures that matter are ratios: p95 and server CPU per rerun against the
floor's, measured on the same machine at the same moment.

    .venv/bin/python bench/load.py --tablets 300 --seconds 60
    .venv/bin/python bench/load.py --tablets 60 --seconds 30 --database-url postgresql+psycopg://… --replicas 2

The last line printed is one JSON object with the figures (docs/performance.md explains them).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import math
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_ROOT))

from bench.streamlit_ws import ProtocolError, Tab  # noqa: E402

TEACHER_PASSWORD = "load test teacher password"
CARDS_PER_CLASS = 40  # the service's maximum per class sheet
TABLETS_PER_TEACHER = 25
THEMES = 8
FLOOR_PAGE = 'import streamlit as st; st.button("Tik", key="tik")\n'
RECEIPT = re.compile(r"^# `([A-Z0-9-]+)`$")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


# --- the world: a wijk vote with enough cards ------------------------------------------------------


ADMIN = "load-admin"


@dataclass
class World:
    poll_id: int
    cards: list[str]
    teachers: list[str]  # usernames


def build_world(url: str, *, cards: int, teachers: int) -> World:
    """A wijk, its classes (one sheet of cards each), eight themes, and an open approval vote."""
    from kinderwijkraad import db
    from kinderwijkraad.services import accounts, ballots, demo, neighbourhoods, pictograms, plans, polls

    accounts.BCRYPT_ROUNDS = 4  # logins are not what this measures
    db.upgrade(url)
    engine = db.make_engine(url)
    admin = demo.bootstrap_admin(engine, username=ADMIN, display_name="Load", password="correct horse battery",
                                 must_change_password=False)
    wijk = neighbourhoods.create_neighbourhood(engine, actor=admin, name="Loadwijk", municipality="Rivierstad")
    cycle = neighbourhoods.create_cycle(engine, actor=admin, neighbourhood_id=wijk.id, school_year="2026-2027")
    school = neighbourhoods.create_school(engine, actor=admin, neighbourhood_id=wijk.id, name="De Loadschool")
    usernames = [f"leerkracht{i + 1}" for i in range(teachers)]
    teacher_ids = [accounts.create_user(engine, actor=admin, username=name, display_name=f"Juf {i + 1}",
                                        email=f"{name}@school.example", role="teacher",
                                        one_time_password=TEACHER_PASSWORD, must_change_password=False).id
                   for i, name in enumerate(usernames)]
    classes = []
    for i in range(math.ceil(cards / CARDS_PER_CLASS)):
        classroom = neighbourhoods.create_classroom(engine, actor=admin, cycle_id=cycle.id, school_id=school.id,
                                                    name=f"Groep 8-{i + 1}", grade=8, pupil_count=CARDS_PER_CLASS,
                                                    teacher_ids=[teacher_ids[i % teachers]])
        classes.append(classroom)
    # Each theme with a picture, as a facilitator gives them: every ballot tap sends them along.
    for i, picture in zip(range(THEMES), itertools.cycle(pictograms.names()), strict=False):
        theme_id = plans.create_theme(engine, actor=admin, cycle_id=cycle.id, name=f"Thema {i + 1}")
        plans.set_pictogram(engine, actor=admin, theme_id=theme_id, pictogram=picture)
    poll_id = polls.create_poll(engine, actor=admin, cycle_id=cycle.id, title="Wijkstemming")
    codes: list[str] = []
    for classroom in classes:
        sheet = ballots.issue_cards(engine, actor=admin, poll_id=poll_id, classroom_id=classroom.id,
                                    count=CARDS_PER_CLASS, base_url="http://load")
        codes.extend(card.code for card in sheet.cards)
    polls.open_poll(engine, actor=admin, poll_id=poll_id)
    engine.dispose()
    return World(poll_id, codes[:cards], usernames)


def close_poll(url: str, poll_id: int) -> None:
    from kinderwijkraad import db
    from kinderwijkraad.services import accounts, polls

    engine = db.make_engine(url)
    try:
        polls.close_poll(engine, actor=accounts.session_actor(engine, username=ADMIN), poll_id=poll_id)
    finally:
        engine.dispose()


def database_figures(url: str, poll_id: int, receipts: list[str]) -> dict[str, int]:
    """What the database holds afterwards: ballots, used cards, and told receipts it lacks."""
    from sqlalchemy import bindparam, text

    from kinderwijkraad import db

    engine = db.make_engine(url)
    try:
        with engine.connect() as connection:
            def one(sql: str) -> int:
                return int(connection.execute(text(sql), {"poll": poll_id}).scalar_one())

            stored = set(connection.execute(
                text("SELECT code FROM receipt WHERE poll_id = :poll AND code IN :codes")
                .bindparams(bindparam("codes", expanding=True)),
                {"poll": poll_id, "codes": [r.replace("-", "") for r in receipts] or [""]},
            ).scalars())
            return {
                "ballots": one("SELECT count(*) FROM ballot WHERE poll_id = :poll"),
                "cards_used": one("SELECT count(*) FROM votingcard WHERE poll_id = :poll AND used"),
                "receipts_stored": one("SELECT count(*) FROM receipt WHERE poll_id = :poll"),
                "receipts_missing": len({r.replace("-", "") for r in receipts} - stored),
            }
    finally:
        engine.dispose()


# --- the server ----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Server:
    process: subprocess.Popen
    url: str
    log: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime + stime

    def rss_mb(self) -> float:
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return 0.0

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_server(script: Path, *, env: dict[str, str], log: Path, post_script_gc: bool | None = None,
                 port: int | None = None, timeout: float = 60) -> Server:
    """`streamlit run` from the project root (so .streamlit/config.toml applies), ready when healthy."""
    port = port or free_port()
    command = [sys.executable, "-m", "streamlit", "run", str(script), "--server.port", str(port),
               "--server.address", "127.0.0.1", "--server.headless", "true"]
    if post_script_gc is not None:
        command += ["--runner.postScriptGC", str(post_script_gc).lower()]
    with log.open("ab") as output:
        process = subprocess.Popen(command, cwd=PROJECT_ROOT, env={**os.environ, **env}, stdout=output,
                                   stderr=subprocess.STDOUT)
    server = Server(process, f"http://127.0.0.1:{port}", log)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the app stopped at start:\n{log.read_text()[-3000:]}")
        with contextlib.suppress(OSError), urllib.request.urlopen(f"{server.url}/_stcore/health", timeout=1):
            return server
        time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"the app did not answer within {timeout} s:\n{log.read_text()[-3000:]}")


def app_env(url: str, data_dir: Path) -> dict[str, str]:
    """Every replica gets the same secrets, as deploy/README.md asks: a login cookie or an XSRF
    token from one replica must hold on the other."""
    return {"DATABASE_URL": url, "KWR_DATA_DIR": str(data_dir), "KWR_DEMO": "false", "KWR_ENV": "development",
            "KWR_COOKIE_KEY": "load-test-cookie-key-shared-by-all-replicas",
            "STREAMLIT_SERVER_COOKIE_SECRET": "load-test-cookie-secret-shared-by-all-replicas"}


# --- the simulated people ------------------------------------------------------------------------


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)  # seconds from tap to script finished
    errors: list[str] = field(default_factory=list)
    receipts: list[str] = field(default_factory=list)  # receipts the tablets showed: "your vote counted"
    votes_per_server: dict[str, int] = field(default_factory=dict)
    reruns: int = 0
    teacher_reruns: int = 0

    def count(self, run_seconds: float) -> None:
        self.latencies.append(run_seconds)
        self.reruns += 1


class Cards:
    """The pile of voting cards the children bring to the tablets."""

    def __init__(self, codes: list[str]) -> None:
        self._codes = list(codes)

    def take(self) -> str | None:
        return self._codes.pop() if self._codes else None


async def think(rng: random.Random, seconds: float) -> None:
    await asyncio.sleep(rng.uniform(0.5, 1.5) * seconds)


async def vote_once(tab: Tab, code: str, rng: random.Random, tally: Tally, think_s: float) -> None:
    """One child at the tablet: card, options, "Stem!", receipt, "Klaar"."""
    submit = next(key for key, w in tab.last.widgets.items() if w.form_id == "vote.card_form" and w.is_form_submitter)
    tab.type("vote.card_input", code)
    tally.count((await tab.tap(submit)).seconds)
    options = [key for key in tab.last.widgets if key.startswith("ballot.option.")]
    if not options:
        raise ProtocolError("no ballot after the card: " + " | ".join(tab.last.texts[-2:]))
    for key in rng.sample(options, rng.randint(1, min(3, len(options)))):
        await think(rng, think_s)
        tally.count((await tab.tap(key)).seconds)
    await think(rng, think_s)
    run = await tab.tap("ballot.vote")
    tally.count(run.seconds)
    receipt = next((m.group(1) for text in run.texts if (m := RECEIPT.match(text))), None)
    if receipt is None:
        raise ProtocolError("no receipt after Stem!: " + " | ".join(run.texts[-2:]))
    tally.receipts.append(receipt)
    tally.votes_per_server[tab.base_url] = tally.votes_per_server.get(tab.base_url, 0) + 1
    await think(rng, think_s)
    tally.count((await tab.tap("vote.done")).seconds)


async def tablet(tab: Tab, cards: Cards, deadline: float, rng: random.Random, tally: Tally, think_s: float) -> None:
    await asyncio.sleep(rng.uniform(0, 2 * think_s))  # children do not all tap in the same millisecond
    while time.monotonic() < deadline:
        code = cards.take()
        if code is None:
            return
        try:
            await vote_once(tab, code, rng, tally, think_s)
        except (ProtocolError, TimeoutError, OSError) as error:
            tally.errors.append(f"{type(error).__name__}: {str(error)[:200]}")
            return  # a broken tablet stops; the next child walks to another one
        await think(rng, think_s)


async def floor_tablet(tab: Tab, deadline: float, rng: random.Random, tally: Tally, think_s: float) -> None:
    await asyncio.sleep(rng.uniform(0, 2 * think_s))
    while time.monotonic() < deadline:
        try:
            tally.count((await tab.tap("tik")).seconds)
        except (ProtocolError, TimeoutError, OSError) as error:
            tally.errors.append(f"{type(error).__name__}: {str(error)[:200]}")
            return
        await think(rng, think_s)


async def teacher(tab: Tab, deadline: float, tally: Tally) -> None:
    """The turnout tab of an open vote: its fragment reruns itself every few seconds."""
    while time.monotonic() < deadline:
        if not tab.fragments:
            tally.errors.append("teacher: the turnout view does not refresh itself")
            return
        fragment, interval = next(iter(tab.fragments.items()))
        await asyncio.sleep(interval)
        try:
            await tab.auto_rerun(fragment)
            tally.teacher_reruns += 1
        except (ProtocolError, TimeoutError, OSError) as error:
            tally.errors.append(f"teacher {type(error).__name__}: {str(error)[:200]}")
            return


async def log_in(base_url: str, username: str, password: str) -> Tab:
    tab = await Tab.open(base_url, page="login")
    tab.type("login.username", username)
    tab.type("login.password", password)
    submit = next(key for key, w in tab.last.widgets.items() if w.form_id == "login.form" and w.is_form_submitter)
    await tab.tap(submit)
    return tab


async def open_tabs(urls: list[str], count: int, page: str) -> list[Tab]:
    """Tablets switched on in waves, as classes walk in (and not 300 handshakes in one instant)."""
    tabs: list[Tab] = []
    for start in range(0, count, 25):
        wave = [Tab.open(urls[(start + i) % len(urls)], page=page) for i in range(min(25, count - start))]
        tabs.extend(await asyncio.gather(*wave))
    return tabs


# --- figures -------------------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(share * len(ordered)) - 1)]


@dataclass
class Phase:
    """One measured load phase against one or more servers."""

    tally: Tally
    seconds: float
    cpu_seconds: float
    rss_idle_mb: float  # all servers, before the tablets connect
    rss_sessions_mb: float  # after they connected and drew their first page
    rss_end_mb: float
    sessions: int
    client_cpu_seconds: float = 0.0

    def figures(self) -> dict[str, float]:
        ms = [s * 1000 for s in self.tally.latencies]
        reruns = self.tally.reruns + self.tally.teacher_reruns
        return {
            "taps": self.tally.reruns,
            "taps_per_s": round(self.tally.reruns / self.seconds, 1),
            "p50_ms": round(statistics.median(ms), 1) if ms else 0.0,
            "p95_ms": round(percentile(ms, 0.95), 1),
            "max_ms": round(max(ms), 1) if ms else 0.0,
            "cpu_ms_per_rerun": round(self.cpu_seconds * 1000 / reruns, 2) if reruns else 0.0,
            "rss_mb_per_session": round(max(0.0, self.rss_sessions_mb - self.rss_idle_mb) / self.sessions, 3),
            "rss_idle_mb": round(self.rss_idle_mb, 1),
            "rss_end_mb": round(self.rss_end_mb, 1),
            "errors": len(self.tally.errors),
            "client_cpu_share": round(self.client_cpu_seconds / self.seconds, 2),  # of one core
        }


async def measure(servers: list[Server], *, tablets: int, seconds: float, think_s: float, page: str,
                  cards: Cards | None, teachers: list[str], seed: int) -> Phase:
    urls = [s.url for s in servers]
    # One warm-up session per server: the first run of a page pays the imports.
    for url in urls:
        warm = await Tab.open(url, page=page)
        await warm.close()
    await asyncio.sleep(1)
    rss_idle = sum(s.rss_mb() for s in servers)
    tabs = await open_tabs(urls, tablets, page)
    await asyncio.sleep(1)
    rss_sessions = sum(s.rss_mb() for s in servers)
    teacher_tabs = []
    for i, username in enumerate(teachers):
        tab = await log_in(urls[i % len(urls)], username, TEACHER_PASSWORD)
        await tab.navigate("stemmingen")
        teacher_tabs.append(tab)
    tally = Tally()
    rng = random.Random(seed)
    cpu_start = sum(s.cpu_seconds() for s in servers)
    client_start = time.process_time()
    start = time.monotonic()
    deadline = start + seconds
    jobs = [teacher(tab, deadline, tally) for tab in teacher_tabs]
    for tab in tabs:
        child_rng = random.Random(rng.random())
        if cards is None:
            jobs.append(floor_tablet(tab, deadline, child_rng, tally, think_s))
        else:
            jobs.append(tablet(tab, cards, deadline, child_rng, tally, think_s))
    await asyncio.gather(*jobs)
    elapsed = time.monotonic() - start
    cpu = sum(s.cpu_seconds() for s in servers) - cpu_start
    client_cpu = time.process_time() - client_start
    rss_end = sum(s.rss_mb() for s in servers)
    for tab in tabs + teacher_tabs:
        with contextlib.suppress(Exception):
            await tab.close()
    return Phase(tally, elapsed, cpu, rss_idle, rss_sessions, rss_end, tablets, client_cpu)


async def read_polls_page(urls: list[str], username: str) -> list[list[str]]:
    """The teacher's Stemmingen page (turnout while open; results, receipts and turnout once closed)
    as each replica shows it: its texts and digests of its tables."""
    shown = []
    for url in urls:
        tab = await log_in(url, username, TEACHER_PASSWORD)
        run = await tab.navigate("stemmingen")
        shown.append(run.texts)
        await tab.close()
    return shown


# --- the run -------------------------------------------------------------------------------------


@contextlib.contextmanager
def database(url: str | None, tmp: Path) -> Iterator[str]:
    if url is None or url.startswith("sqlite"):
        yield url or f"sqlite:///{tmp / 'load.db'}"
        return
    sys.path.insert(0, str(PROJECT_ROOT / "bench"))
    from votes import postgres_url  # a throw-away database on the server, dropped afterwards

    with postgres_url(url) as fresh:
        yield fresh


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tablets", type=int, default=300)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--think", type=float, default=2.0,
                        help="mean seconds between a child's taps (each pause is 0.5-1.5 times this)")
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file; a PostgreSQL server URL "
                                                              "gets a throw-away database on it")
    parser.add_argument("--replicas", type=int, default=1, help="app processes on the same database")
    parser.add_argument("--post-script-gc", choices=["true", "false"], default=None,
                        help="override runner.postScriptGC for both the app and the floor")
    parser.add_argument("--skip-floor", action="store_true", help="no floor phase (its ratios are then absent)")
    parser.add_argument("--seed", type=int, default=20261127)
    args = parser.parse_args(argv)
    gc = None if args.post_script_gc is None else args.post_script_gc == "true"

    with tempfile.TemporaryDirectory(prefix="kwr-load-") as tmp_name:
        tmp = Path(tmp_name)
        with database(args.database_url, tmp) as url:
            return asyncio.run(_run(args, tmp, url, gc))


async def _run(args: argparse.Namespace, tmp: Path, url: str, gc: bool | None) -> int:
    expected_votes = args.tablets * max(2, math.ceil(args.seconds / (args.think * 6)) + 2)
    teachers = max(1, args.tablets // TABLETS_PER_TEACHER)
    world = build_world(url, cards=expected_votes, teachers=teachers)
    result: dict[str, object] = {"tablets": args.tablets, "seconds": args.seconds, "think_s": args.think,
                                 "replicas": args.replicas, "engine": url.split(":", 1)[0].split("+")[0],
                                 "post_script_gc": gc if gc is not None else "config", "teachers": teachers}
    if not args.skip_floor:
        floor_script = tmp / "floor.py"
        floor_script.write_text(FLOOR_PAGE)
        floor = start_server(floor_script, env={}, log=tmp / "floor.log", post_script_gc=gc)
        try:
            phase = await measure([floor], tablets=args.tablets, seconds=args.seconds, think_s=args.think, page="",
                                  cards=None, teachers=[], seed=args.seed)
        finally:
            floor.stop()
        floor_figures = phase.figures()
        print("floor  " + json.dumps(floor_figures), flush=True)
        result.update({f"floor_{k}": floor_figures[k] for k in ("p50_ms", "p95_ms", "cpu_ms_per_rerun",
                                                                 "taps_per_s", "rss_mb_per_session", "errors")})
    servers = [start_server(PROJECT_ROOT / "streamlit_app.py", env=app_env(url, tmp), log=tmp / f"app{i}.log",
                            post_script_gc=gc) for i in range(args.replicas)]
    cards = Cards(world.cards)
    try:
        phase = await measure(servers, tablets=args.tablets, seconds=args.seconds, think_s=args.think,
                              page="stemmen", cards=cards, teachers=world.teachers, seed=args.seed)
        urls = [s.url for s in servers]
        turnout = await read_polls_page(urls, world.teachers[0])
        close_poll(url, world.poll_id)
        results = await read_polls_page(urls, world.teachers[0])
    finally:
        for server in servers:
            server.stop()
    figures = phase.figures()
    print("app    " + json.dumps(figures), flush=True)
    for error in phase.tally.errors[:10]:
        print("error  " + error, flush=True)
    stored = database_figures(url, world.poll_id, phase.tally.receipts)
    result.update(figures)
    result.update(stored)
    result["votes_told_counted"] = len(phase.tally.receipts)
    result["teacher_reruns"] = phase.tally.teacher_reruns
    result["votes_per_replica"] = [phase.tally.votes_per_server.get(s.url, 0) for s in servers]
    result["turnout_agrees"] = all(view == turnout[0] for view in turnout)
    result["results_agree"] = all(view == results[0] for view in results)
    result["results_shown"] = len(results[0])
    if not args.skip_floor:
        result["p95_ratio"] = round(figures["p95_ms"] / result["floor_p95_ms"], 2) if result["floor_p95_ms"] else None
        result["cpu_ratio"] = (round(figures["cpu_ms_per_rerun"] / result["floor_cpu_ms_per_rerun"], 2)
                               if result["floor_cpu_ms_per_rerun"] else None)
    result["consistent"] = (stored["ballots"] == stored["cards_used"] == stored["receipts_stored"]
                            and stored["receipts_missing"] == 0 and stored["ballots"] >= len(phase.tally.receipts))
    print(json.dumps(result), flush=True)
    return 0 if result["consistent"] and result["turnout_agrees"] and result["results_agree"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
