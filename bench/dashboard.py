"""How fast the national dashboard is: 200 wijken with 5 school years of history, against the same
page for one wijk.

The database is built with the bulk generator of the tests (`tests/dashboard_factories.py`: every
wijk a cycle per school year with classes, lesson runs, plans, themes, a vote with ballots and
paper tallies, proposals with recipients in every status, feedback, self-checks), then two things
are timed for the admin, each for all wijken ("national") and for one wijk ("one wijk"):

1. the service calls the Overzicht page makes (`filter_choices`, `overview` over every school
   year for the trend, `cycle_dashboard` of the cycle it opens first);
2. the page itself, rerun through `streamlit.testing` AppTest: the server's time for one rerun of
   `pages/overzicht.py` — queries, Plotly figures, tables — without a browser.

The figures of the overview are checked against what the generator wrote, and the number of SQL
statements of one overview is counted for both (the same, or the script fails). These machines
are shared and absolute figures wander: the ratio national/one wijk, measured in the same run, is
the figure. The median of `--runs` counts, after a warm-up.

The last line printed is one JSON object: `wijken`, `years`, `cycles`, `engine`, `national_ms` and
`one_wijk_ms` (the page rerun; the service calls with `--no-page`), `ratio`,
`national_service_ms`, `one_wijk_service_ms`, `service_ratio`, `statements`, `verified`.

    .venv/bin/python bench/dashboard.py                        # SQLite, 200 wijken x 5 years
    .venv/bin/python bench/dashboard.py --engine postgresql    # KWR_TEST_DATABASE_URL or a local server
    .venv/bin/python bench/dashboard.py --wijken 20 --years 2 --runs 1   # the test's quick check
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

LOCAL_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
PAGE = ROOT / "kinderwijkraad" / "pages" / "overzicht.py"


@contextmanager
def database(kind: str, directory: str | None) -> Iterator[str]:
    """A fresh, migrated database: a SQLite file in a temporary directory, or a new PostgreSQL
    database on the test server (dropped afterwards)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from kinderwijkraad import db

    if kind == "sqlite":
        with tempfile.TemporaryDirectory(dir=directory) as tmp:
            url = f"sqlite:///{tmp}/bench.db"
            db.upgrade(url)
            yield url
        return
    server = os.environ.get("KWR_TEST_DATABASE_URL") or LOCAL_POSTGRES
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    name = f"kwr_bench_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        url = make_url(server).set(database=name).render_as_string(hide_password=False)
        db.upgrade(url)
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def timed(call: Callable[[], object], runs: int) -> list[float]:
    call()  # warm-up: imports, caches, the engine's first connections
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    return times


def service_calls(engine, actor, wijk_id: int | None) -> Callable[[], object]:
    """What the page asks the services for on a rerun."""
    from kinderwijkraad.services import dashboards

    def run() -> object:
        choices = dashboards.filter_choices(engine, actor=actor)
        history = dashboards.overview(engine, actor=actor, neighbourhood_id=wijk_id)
        shown = history.of_year(choices.school_years[0])
        return dashboards.cycle_dashboard(engine, actor=actor, cycle_id=shown.rows[0].cycle_id)

    return run


def statement_count(engine, call: Callable[[], object]) -> int:
    from sqlalchemy import event

    seen: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        call()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(seen)


def page_rerun(actor, wijk_id: int | None) -> Callable[[], object]:
    """One rerun of the page as the server does it, for the admin, with the wijk filter set."""
    from streamlit.testing.v1 import AppTest

    from kinderwijkraad.ui import state

    app = AppTest.from_file(str(PAGE), default_timeout=120)
    app.session_state[state.ACTOR] = actor
    app.run()
    if wijk_id is not None:
        app.selectbox(key="dashboard.wijk").select(wijk_id).run()
    if app.exception:
        raise SystemExit(f"the page failed: {app.exception[0].value}")

    def run() -> object:
        app.run()
        if app.exception:
            raise SystemExit(f"the page failed: {app.exception[0].value}")
        return app

    return run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engine", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--wijken", type=int, default=200)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each (median)")
    parser.add_argument("--no-page", action="store_true", help="time only the service calls, not the page")
    parser.add_argument("--sqlite-dir", default=None, help="where the SQLite file goes (default: the temp dir)")
    args = parser.parse_args(argv)
    logging.disable(logging.WARNING)  # Streamlit's "no runtime" warnings outside `streamlit run`

    from kinderwijkraad.config import get_settings
    from kinderwijkraad.services import accounts, dashboards
    from tests.dashboard_factories import make_history

    with database(args.engine, args.sqlite_dir) as url:
        os.environ.update({"DATABASE_URL": url, "KWR_ENV": "development", "KWR_DEMO": "false"})
        get_settings.cache_clear()
        from kinderwijkraad.ui.database import engine as page_engine

        engine = page_engine()  # the page's own cached engine: one pool for services and page
        start = time.perf_counter()
        history = make_history(engine, wijken=args.wijken, years=args.years)
        build_s = time.perf_counter() - start
        print(f"{args.engine}: {args.wijken} wijken x {args.years} school years = {len(history.cycle_ids)} cycles, "
              f"{history.rows} rows written in {build_s:.1f} s")
        admin = accounts.session_actor(engine, username=f"hist-admin-{history.admin_id}")
        one = history.neighbourhood_ids[0]

        totals = dashboards.overview(engine, actor=admin).totals
        wrong = {key: (value, getattr(totals, key)) for key, value in history.expected.items()
                 if getattr(totals, key) != value}
        print("check figures", "OK" if not wrong else f"WRONG {wrong}")
        statements = statement_count(engine, lambda: dashboards.overview(engine, actor=admin))
        statements_one = statement_count(engine, lambda: dashboards.overview(engine, actor=admin,
                                                                              neighbourhood_id=one))
        print(f"statements per overview: {statements} (all wijken), {statements_one} (one wijk)")

        results: dict[str, list[float]] = {
            "national service": timed(service_calls(engine, admin, None), args.runs),
            "one wijk service": timed(service_calls(engine, admin, one), args.runs),
        }
        if not args.no_page:
            results["national page"] = timed(page_rerun(admin, None), args.runs)
            results["one wijk page"] = timed(page_rerun(admin, one), args.runs)
        median = {name: statistics.median(values) for name, values in results.items()}
        print(f"\n{'':22s}{'median ms':>10s}{'min ms':>9s}{'max ms':>9s}")
        for name, values in results.items():
            print(f"{name:22s}{median[name]:10.1f}{min(values):9.1f}{max(values):9.1f}")
        kind = "service" if args.no_page else "page"
        national, single = median[f"national {kind}"], median[f"one wijk {kind}"]
        ratio = national / single if single else float("inf")
        service_ratio = median["national service"] / median["one wijk service"]
        print(f"\nratio national/one wijk: {ratio:.2f}x ({kind}, median of {args.runs}); "
              f"services alone {service_ratio:.2f}x")
        verified = not wrong and statements == statements_one
        print(json.dumps({
            "engine": args.engine, "wijken": args.wijken, "years": args.years, "cycles": len(history.cycle_ids),
            "rows": history.rows, "national_ms": round(national, 1), "one_wijk_ms": round(single, 1),
            "ratio": round(ratio, 2), "measured": kind,
            "national_service_ms": round(median["national service"], 1),
            "one_wijk_service_ms": round(median["one wijk service"], 1), "service_ratio": round(service_ratio, 2),
            "statements": statements, "verified": verified,
        }))
        engine.dispose()
    return 0 if verified else 1


if __name__ == "__main__":
    sys.exit(main())
