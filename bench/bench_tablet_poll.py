"""How much a class of tablets following the teacher costs the server.

Each tablet's fragment asks for the run's state every FOLLOW_SECONDS. Without the shared cache
that is one database read of the run, its template and its class per tablet per tick; with it,
one read per run per second whatever the number of tablets. This prints the cost of one poll,
uncached and cached, as a ratio against a floor measured in the same run (a bare `SELECT 1` on the
same SQLite file), because these machines are shared and absolute times wander.

    .venv/bin/python bench/bench_tablet_poll.py
"""

from __future__ import annotations

import logging
import os
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import text

TABLETS = 25
ROUNDS = 2000


def _per_call(function, rounds: int = ROUNDS) -> float:
    """Median of 5 batches, seconds per call."""
    batches = []
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(rounds // 5):
            function()
        batches.append((time.perf_counter() - start) / (rounds // 5))
    return statistics.median(batches)


def main() -> None:
    logging.getLogger("streamlit").setLevel(logging.ERROR)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        os.environ["DATABASE_URL"] = url
        from kinderwijkraad import db
        from kinderwijkraad.services import accounts, demo, lessons, templates
        from kinderwijkraad.ui import lesson as shared

        db.upgrade(url)
        engine = db.make_engine(url)
        demo.seed_demo(engine)
        teacher = accounts.session_actor(engine, username="demo-leerkracht")
        run_id = lessons.start_run(engine, actor=teacher, classroom_id=min(teacher.classroom_ids),
                                   template_id=templates.latest_template(engine).id, lesson_index=1)

        def floor() -> None:
            with engine.connect() as connection:
                connection.execute(text("SELECT 1")).scalar()

        uncached = _per_call(lambda: lessons.run_state(engine, run_id))
        cached = _per_call(lambda: shared.run_state(run_id))
        base = _per_call(floor)

    per_second = TABLETS / shared.FOLLOW_SECONDS
    print(f"floor (SELECT 1 on SQLite)     {base * 1e6:8.1f} µs")
    print(f"poll, uncached (run_state)     {uncached * 1e6:8.1f} µs  = {uncached / base:5.1f} × floor")
    print(f"poll, shared 1 s cache         {cached * 1e6:8.1f} µs  = {cached / base:5.2f} × floor")
    print(f"{TABLETS} tablets polling every {shared.FOLLOW_SECONDS:g} s: {per_second:.1f} polls/s;"
          f" uncached {per_second:.1f} reads/s, cached 1 read/s per run")
    print(f"server time per second for one class: uncached {per_second * uncached * 1e3:.2f} ms,"
          f" cached {per_second * cached * 1e3 + uncached * 1e3:.2f} ms (ratio {uncached / cached:.0f}× per poll)")


if __name__ == "__main__":
    main()
