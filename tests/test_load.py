"""A wijk voting at once, against the real app over Streamlit's protocol (bench/load.py).

- the load benchmark runs end to end in a small size, so it cannot rot unnoticed;
- two app replicas on one PostgreSQL database, tablets on both at once: every card used once,
  every ballot counted once, and turnout and results the same from either replica;
- the sample nginx configuration (deploy/nginx.conf) in front of two replicas: websockets go
  through, and a browser's cookie keeps it on one replica (its session resumes there);
- `kill -9` of the app in the middle of a burst of votes: no vote a child was told was counted is
  lost, no half-written ballot is left, and after a restart the vote goes on (SQLite, several
  runs, and PostgreSQL).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import re
import shutil
import sqlite3
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

from bench import load
from bench.streamlit_ws import Tab

BENCH = Path(load.__file__)
KEYS = {"tablets", "taps_per_s", "p50_ms", "p95_ms", "max_ms", "cpu_ms_per_rerun", "floor_cpu_ms_per_rerun",
        "cpu_ratio", "rss_mb_per_session", "errors", "ballots", "cards_used"}

pytestmark = pytest.mark.slow


def _bench(*args: str, timeout: float = 300) -> dict:
    done = subprocess.run([sys.executable, str(BENCH), *args], capture_output=True, text=True, timeout=timeout,
                          check=False)
    lines = done.stdout.strip().splitlines()
    assert lines, done.stdout + done.stderr
    figures = json.loads(lines[-1])
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    return figures


def test_the_load_bench_measures_the_app_against_the_floor_and_checks_its_ballots() -> None:
    figures = _bench("--tablets", "8", "--seconds", "6", "--think", "0.3")
    assert set(figures) >= KEYS
    assert figures["errors"] == 0 and figures["floor_errors"] == 0
    assert figures["taps_per_s"] > 0 and figures["floor_cpu_ms_per_rerun"] > 0 and figures["cpu_ratio"] > 0
    assert figures["votes_told_counted"] > 0
    assert figures["ballots"] == figures["cards_used"] == figures["votes_told_counted"]
    assert figures["teacher_reruns"] > 0  # the turnout view refreshed itself under load


@pytest.mark.postgres
def test_two_replicas_on_one_postgres_database_count_every_card_once(postgres_server: str) -> None:
    figures = _bench("--tablets", "24", "--seconds", "12", "--think", "0.4", "--replicas", "2", "--skip-floor",
                     "--database-url", postgres_server)
    assert figures["engine"] == "postgresql" and figures["replicas"] == 2
    assert figures["errors"] == 0
    assert all(votes > 0 for votes in figures["votes_per_replica"]), figures["votes_per_replica"]
    assert figures["ballots"] == figures["cards_used"] == figures["receipts_stored"] == figures["votes_told_counted"]
    assert figures["receipts_missing"] == 0
    assert figures["turnout_agrees"] and figures["results_agree"] and figures["results_shown"] > 10


# --- the sample reverse proxy -------------------------------------------------------------------

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
REPLICA_LINE = re.compile(r"(    server 127\.0\.0\.1:\d+ max_fails=3 fail_timeout=10s;\n)+")


def _nginx_config(tmp: Path, listen: int, replica_ports: list[int]) -> Path:
    """deploy/nginx.conf as shipped, with these ports, inside a minimal nginx.conf of its own."""
    sample = (load.PROJECT_ROOT / "deploy" / "nginx.conf").read_text()
    servers = "".join(f"    server 127.0.0.1:{port} max_fails=3 fail_timeout=10s;\n" for port in replica_ports)
    sample, replaced = REPLICA_LINE.subn(servers, sample)
    assert replaced == 1 and "listen 8080;" in sample
    sample = sample.replace("listen 8080;", f"listen 127.0.0.1:{listen};")
    temp_paths = " ".join(f"{kind}_temp_path {tmp / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi",
                                                                          "scgi"))
    config = tmp / "nginx.conf"
    config.write_text(f"pid {tmp / 'nginx.pid'};\nerror_log {tmp / 'nginx-error.log'};\nevents {{}}\n"
                      f"http {{\naccess_log off;\n{temp_paths}\n{sample}\n}}\n")
    return config


@pytest.mark.postgres
def test_the_sample_nginx_config_keeps_each_browser_on_one_replica(postgres_database_factory, tmp_path: Path) -> None:
    if NGINX is None:
        pytest.skip("nginx not installed (make test installs it with apt-get where it can)")
    url = postgres_database_factory()
    world = load.build_world(url, cards=40, teachers=1)
    ports = [load.free_port(), load.free_port()]
    servers = [load.start_server(load.PROJECT_ROOT / "streamlit_app.py", env=load.app_env(url, tmp_path),
                                 log=tmp_path / f"app{port}.log", port=port) for port in ports]
    proxy_port = load.free_port()
    config = _nginx_config(tmp_path, proxy_port, ports)
    checked = subprocess.run([NGINX, "-t", "-c", str(config), "-p", str(tmp_path)], capture_output=True, text=True,
                             check=False)
    assert checked.returncode == 0, checked.stderr
    proxy = subprocess.Popen([NGINX, "-c", str(config), "-p", str(tmp_path), "-g", "daemon off;"])
    proxy_url = f"http://127.0.0.1:{proxy_port}"
    try:
        for _ in range(100):
            with contextlib.suppress(OSError), urllib.request.urlopen(f"{proxy_url}/_stcore/health", timeout=1):
                break
            time.sleep(0.1)

        async def browsers() -> tuple[list[bool], load.Tally]:
            cards, tally, on_first = load.Cards(world.cards), load.Tally(), []
            for i in range(16):
                cookie = f"kwr_route={uuid.uuid4().hex}"  # one browser's affinity cookie
                tab = await Tab.open(proxy_url, page="stemmen", cookie=cookie)
                await load.vote_once(tab, cards.take(), random.Random(i), tally, 0)
                session = tab.session_id
                await tab.close()
                again = await Tab.open(proxy_url, page="stemmen", cookie=cookie, session_id=session)
                assert again.session_id == session, "the proxy sent a returning browser to another replica"
                await again.close()
                # Which replica holds it: only the holder can resume a session.
                probe = await Tab.open(servers[0].url, session_id=session)
                on_first.append(probe.session_id == session)
                await probe.close()
            return on_first, tally

        on_first, tally = asyncio.run(browsers())
    finally:
        proxy.terminate()
        proxy.wait(timeout=10)
        for server in servers:
            server.stop()
    assert any(on_first) and not all(on_first), "the proxy did not spread browsers over both replicas"
    assert len(tally.receipts) == 16 and not tally.errors
    stored = _check(url, world.poll_id, tally.receipts)
    assert stored["ballots"] == 16


# --- kill -9 in the middle of a burst ----------------------------------------------------------


def _burst(server: load.Server, cards: load.Cards, *, tablets: int, kill: bool, seconds: float = 3,
           seed: int = 0) -> load.Tally:
    """Tablets voting as fast as they can. With `kill`, the app gets SIGKILL once a few votes are
    through, at a random moment in the burst (votes are then being cast on every tablet)."""

    async def run() -> load.Tally:
        tabs = await load.open_tabs([server.url], tablets, "stemmen")
        tally = load.Tally()
        deadline = time.monotonic() + (90 if kill else seconds)
        jobs = [asyncio.create_task(load.tablet(tab, cards, deadline, random.Random(seed + i), tally, 0.02))
                for i, tab in enumerate(tabs)]
        if kill:
            while len(tally.receipts) < 2 * tablets and time.monotonic() < deadline - 30:
                await asyncio.sleep(0.05)
            await asyncio.sleep(random.Random(seed).uniform(0, 0.3))
            server.process.kill()  # SIGKILL: no shutdown, no flush, no goodbye
            server.process.wait()
        await asyncio.gather(*jobs)
        for tab in tabs:
            with contextlib.suppress(Exception):
                await tab.close()
        return tally

    return asyncio.run(run())


def _check(url: str, poll_id: int, told: list[str]) -> dict[str, int]:
    stored = load.database_figures(url, poll_id, told)
    assert stored["receipts_missing"] == 0, "a child was told their vote counted, and it is not there"
    # One transaction uses the card, stores the ballot and the receipt: never one without the others.
    assert stored["ballots"] == stored["cards_used"] == stored["receipts_stored"], stored
    if url.startswith("sqlite"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as connection:
            assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    return stored


def _kill_and_continue(url: str, data_dir: Path, seed: int) -> None:
    world = load.build_world(url, cards=600, teachers=1)
    cards = load.Cards(world.cards)
    server = load.start_server(load.PROJECT_ROOT / "streamlit_app.py", env=load.app_env(url, data_dir),
                               log=data_dir / "app.log")
    try:
        killed = _burst(server, cards, tablets=16, kill=True, seed=seed)
    finally:
        server.stop()
    assert killed.receipts, "no vote finished before the kill: the burst was too short to test anything"
    assert killed.errors, "the kill did not interrupt any tablet"
    before = _check(url, world.poll_id, killed.receipts)
    # Votes in flight at the kill either committed (the child just did not see the receipt) or
    # left nothing; none are half there, and none a child saw are missing.
    assert before["ballots"] >= len(killed.receipts)

    server = load.start_server(load.PROJECT_ROOT / "streamlit_app.py", env=load.app_env(url, data_dir),
                               log=data_dir / "app.log")
    try:
        after = _burst(server, cards, tablets=6, kill=False, seed=seed)
    finally:
        server.stop()
    assert not after.errors, after.errors[:3]
    assert after.receipts, "the vote did not go on after the restart"
    final = _check(url, world.poll_id, killed.receipts + after.receipts)
    assert final["ballots"] == before["ballots"] + len(after.receipts)


@pytest.mark.parametrize("attempt", [1, 2, 3])
def test_kill_9_during_a_burst_of_votes_on_sqlite_loses_no_counted_vote(tmp_path: Path, attempt: int) -> None:
    _kill_and_continue(f"sqlite:///{tmp_path / 'kill.db'}", tmp_path, seed=attempt)


@pytest.mark.postgres
def test_kill_9_during_a_burst_of_votes_on_postgres_loses_no_counted_vote(postgres_database_factory,
                                                                           tmp_path: Path) -> None:
    _kill_and_continue(postgres_database_factory(), tmp_path, seed=0)
