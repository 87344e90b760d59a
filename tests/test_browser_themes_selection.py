"""Thema's in a real browser: what the facilitator ticks in the plans table is what moves.

The table is a canvas; its hidden accessible copy (a <table>) says which rows are ticked, and a tick
is a click on the row's first cell (plus the space bar where that cell is a checkbox). Searching
changes the rows shown under a tick; a tick must stay with its plan, never with its row position.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import Engine

from kinderwijkraad.services import accounts, plans
from tests.browser_support import (
    WAIT_MS,
    log_in,
    nl,
    settle,
    still,
    tall_screenshot,
    wait_for_cookie,
    wait_until,
)

pytest_plugins = ["tests.browser_support"]
pytestmark = [pytest.mark.browser, pytest.mark.slow]

FACILITATOR = "demo-begeleider"


def _table(page: Page):
    return page.get_by_test_id("stDataFrame").first


def _rows(page: Page) -> list[dict]:
    """Each shown row: its cell texts, and whether it is ticked (a checked first cell, or a
    selected row)."""
    return _table(page).locator("table").evaluate("""table => [...table.querySelectorAll('tbody tr')].map(tr => ({
        cells: [...tr.querySelectorAll('td')].map(td => td.textContent),
        ticked: tr.getAttribute('aria-selected') === 'true'
                || tr.querySelector('td')?.textContent === 'true'}))""")


def _ticked(page: Page) -> list[str]:
    return sorted(next(c for c in row["cells"] if c not in ("true", "false")) for row in _rows(page) if row["ticked"])


def _row_index(page: Page, title: str) -> int:
    rows = _rows(page)
    return next(i for i, row in enumerate(rows) if title in row["cells"])


def _tick(page: Page, title: str) -> None:
    """Tick the row of `title`: a click in its first cell, and the space bar where that is a
    checkbox cell (a click only selects the cell). Waits for the rerun the tick causes."""
    index = _row_index(page, title)
    count = len(_rows(page))
    _table(page).scroll_into_view_if_needed()
    still(page)
    box = _table(page).locator("canvas").first.bounding_box()
    row_px = box["height"] / (count + 1)  # the header is as high as a row
    page.mouse.click(box["x"] + 18, box["y"] + row_px * (index + 1.5))
    settle(page)
    wait_until(lambda: len(_rows(page)) == count, what="the table drawn again")
    if not _rows(page)[index]["ticked"]:
        page.keyboard.press("Space")
        settle(page)
    wait_until(lambda: len(_rows(page)) == count and _rows(page)[index]["ticked"], what=f"a tick at {title!r}")
    settle(page)


def _titles(page: Page) -> list[str]:
    return [next(c for c in row["cells"] if c not in ("true", "false")) for row in _rows(page)]


def _search(page: Page, text: str, titles: list[str]) -> None:
    """Search, and wait until the table shows the rows found."""
    box = page.get_by_label(nl("themes.search"))
    box.fill(text)
    box.press("Enter")
    settle(page)
    wait_until(lambda: _titles(page) == titles, what=f"the rows found for {text!r}")
    settle(page)


def _move_to(page: Page, theme: str) -> None:
    box = page.get_by_role("combobox", name=nl("themes.move_to"))
    box.click()
    page.get_by_role("option", name=theme, exact=True).click()
    expect(box).to_have_value(theme, timeout=WAIT_MS)
    settle(page)
    page.get_by_role("button", name=nl("themes.move"), exact=True).click()
    expect(page.get_by_text(nl("themes.moved", count=1, theme=theme))).to_be_visible(timeout=WAIT_MS)
    settle(page)


def _caption(page: Page, count: int, shown: int) -> None:
    expect(page.get_by_text(nl("themes.selected", selected=count, count=shown))).to_be_visible(timeout=WAIT_MS)


def _themes_of(engine: Engine) -> dict[str, str | None]:
    actor = accounts.session_actor(engine, username=FACILITATOR)
    cycle_id = plans.managed_cycles(engine, actor=actor)[0].id
    names = {row.id: row.name for row in plans.themes(engine, actor=actor, cycle_id=cycle_id)}
    return {plan.title: names.get(plan.theme_id) for plan in plans.cycle_plans(engine, actor=actor, cycle_id=cycle_id)}




def test_what_is_ticked_is_what_moves_through_searches_and_moves(page: Page, app_url: str,
                                                                 app_engine: Engine) -> None:
    log_in(page, username=FACILITATOR)
    wait_for_cookie(page, present=True)
    page.goto(f"{app_url}/themas")
    expect(page.get_by_role("heading", name=nl("page.themes"), level=1)).to_be_visible(timeout=WAIT_MS)
    settle(page)
    before = _themes_of(app_engine)

    _search(page, "afval", ["Minder afval op straat", "Afval opruimen"])
    _tick(page, "Afval opruimen")
    assert _ticked(page) == ["Afval opruimen"]
    _caption(page, 1, 2)
    _move_to(page, "Afval en zwerfvuil")
    assert _themes_of(app_engine) == before | {"Afval opruimen": "Afval en zwerfvuil"}
    assert _ticked(page) == []  # moved: the tick is done
    _caption(page, 0, 2)

    _tick(page, "Minder afval op straat")
    assert _ticked(page) == ["Minder afval op straat"]
    _caption(page, 1, 2)

    _search(page, "hond", ["Schone stoep", "Geen hondenpoep"])  # the ticked plan is not among them
    assert _ticked(page) == []
    _caption(page, 0, 2)
    expect(page.get_by_role("button", name=nl("themes.move"), exact=True)).to_be_disabled()
    _tick(page, "Geen hondenpoep")
    assert _ticked(page) == ["Geen hondenpoep"]
    _caption(page, 1, 2)
    expect(page.get_by_text("Geen hondenpoep").last).to_be_visible()  # the plan card shows the ticked plan
    _move_to(page, "Hondenpoep")
    assert _themes_of(app_engine) == before | {"Afval opruimen": "Afval en zwerfvuil", "Geen hondenpoep": "Hondenpoep"}

    _search(page, "", list(before))  # the tick that was hidden by the search is still with its plan
    assert _ticked(page) == ["Minder afval op straat"]
    _caption(page, 1, 10)
    tall_screenshot(page, "themas-selection")
