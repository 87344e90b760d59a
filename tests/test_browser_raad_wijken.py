"""The facilitator's Kinderwijkraad and Wijken pages in a real browser at 1024x768, walked as a
person does: change a member's role and back while a meeting lists that member; save on a tab
and stay on it; make a wijk and find it selected; paste a too long name and keep it; read every
button label in full.
"""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import Locator, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from sqlalchemy import Engine

from kinderwijkraad.models import Consent, CouncilRole
from kinderwijkraad.services import accounts, council, neighbourhoods, plans
from tests.browser_support import WAIT_MS, log_in, nl, screenshot, settle, tall_screenshot, wait_for_cookie
from tests.council_factories import candidate

pytest_plugins = ["tests.browser_support"]
pytestmark = [pytest.mark.browser, pytest.mark.slow]

FACILITATOR = "demo-begeleider"




def _open(page: Page, title_key: str) -> None:
    """Log in as the facilitator and open a page from the menu."""
    log_in(page, username=FACILITATOR)
    # The login's last rerun comes when the browser has written the cookie: a menu click before it
    # can be overtaken by that rerun (the menu shows the page, the main area still Start).
    wait_for_cookie(page, present=True)
    settle(page)
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=nl(title_key), exact=True).click()
    settle(page)
    expect(page.get_by_role("heading", name=nl(title_key), level=1, exact=True)).to_be_visible(timeout=WAIT_MS)


def _tab(page: Page, name: str) -> Locator:
    return page.get_by_role("tab", name=name, exact=True)


def _open_tab(page: Page, name: str) -> None:
    _tab(page, name).click()
    settle(page)
    expect(_tab(page, name)).to_have_attribute("aria-selected", "true", timeout=WAIT_MS)


@pytest.fixture(scope="module")
def council_with_meeting(served_app) -> dict:
    """Two children of the demo wijk's newest school year with consent (members), and a meeting
    both were at."""
    from kinderwijkraad import db

    engine = db.make_engine(served_app.database_url)
    try:
        actor = accounts.session_actor(engine, username=FACILITATOR)
        cycle_id = plans.managed_cycles(engine, actor=actor)[0].id
        cycle = neighbourhoods.neighbourhood_overview(
            engine, actor=actor, neighbourhood_id=next(iter(actor.neighbourhood_ids)))
        classroom_id = next(c.id for c in cycle.classrooms if c.cycle_id == cycle_id)
        members = {}
        for name in ("Noor", "Daan"):
            candidate_id = candidate(engine, classroom_id, name)
            members[name] = council.record_consent(engine, actor=actor, candidate_id=candidate_id,
                                                   consent=Consent.GIVEN)
        candidate(engine, classroom_id, "Sem")  # the slip is not back yet
        council.create_meeting(engine, actor=actor, cycle_id=cycle_id, held_on=date(2026, 11, 4),
                               agenda="Kennismaken", member_ids=list(members.values()))
        return {"cycle_id": cycle_id, "members": members}
    finally:
        engine.dispose()


def _member_form(page: Page, name: str) -> Locator:
    return page.get_by_test_id("stForm").filter(has=page.get_by_text(name, exact=True))


def _set_role(page: Page, name: str, role: CouncilRole) -> None:
    form = _member_form(page, name)
    option = page.get_by_role("option", name=council.role_label(role), exact=True)
    for _ in range(3):  # a click that lands while the page still moves does not open the list
        form.get_by_role("combobox").click()
        try:
            option.wait_for(timeout=3000)
            break
        except PlaywrightTimeout:
            page.keyboard.press("Escape")
    option.click()
    form.get_by_role("button", name=nl("council.save")).click()
    settle(page)
    expect(page.get_by_text(nl("council.member_saved", name=name))).to_be_visible(timeout=WAIT_MS)


def test_a_members_role_changed_and_back_keeps_the_meetings_attendance(page: Page, app_url, app_engine: Engine,
                                                                       council_with_meeting):
    _open(page, "page.council")
    _open_tab(page, nl("council.tab.meetings"))  # the attendance list is drawn once with the old labels
    _open_tab(page, nl("council.tab.members"))
    _set_role(page, "Noor", CouncilRole.CHAIR)
    _open_tab(page, nl("council.tab.meetings"))
    _open_tab(page, nl("council.tab.members"))
    _set_role(page, "Noor", CouncilRole.MEMBER)
    _open_tab(page, nl("council.tab.meetings"))
    page.get_by_test_id("stExpander").filter(has_text="4 november 2026").first.click()
    settle(page)
    expect(page.get_by_text(nl("council.present_list", names="Daan, Noor"))).to_be_visible(timeout=WAIT_MS)
    tall_screenshot(page, "raad-meetings-after-role-change")
    actor = accounts.session_actor(app_engine, username=FACILITATOR)
    rows = council.meetings(app_engine, actor=actor, cycle_id=council_with_meeting["cycle_id"])
    assert rows[0].present_member_ids == frozenset(council_with_meeting["members"].values())


# Text that does not fit its button or label: the element is narrower than what it holds.
CUT_LABELS = """() => [...document.querySelectorAll(
        '[data-testid="stMain"] button, [data-testid="stMain"] [data-testid="stWidgetLabel"]')]
    .filter(element => element.offsetParent !== null)
    .filter(element => [element, ...element.querySelectorAll('*')].some(
        inner => inner.scrollWidth > inner.clientWidth + 1 && inner.clientWidth > 0))
    .map(element => element.innerText.trim())"""


def _cut_labels(page: Page) -> list[str]:
    return page.evaluate(CUT_LABELS)


def test_every_consent_and_member_label_reads_in_full_at_1024x768(page: Page, app_url, app_engine: Engine,
                                                                   council_with_meeting):
    _open(page, "page.council")
    _open_tab(page, nl("council.tab.consent"))
    expect(page.get_by_text("Sem", exact=True)).to_be_visible(timeout=WAIT_MS)
    settle(page)
    assert _cut_labels(page) == []  # was: "T.", "G", "N" on five columns
    sem = page.get_by_role("radiogroup", name=nl("council.consent_of", name="Sem"))
    for status in ("given", "refused", "pending"):
        expect(sem.get_by_role("radio", name=nl(f"council.set_consent.{status}"))).to_be_visible(timeout=WAIT_MS)
    expect(sem.get_by_role("radio", name=nl("council.set_consent.pending"))).to_be_checked()
    tall_screenshot(page, "raad-consent")
    # One tap records the slip and the row shows it.
    sem.get_by_role("radio", name=nl("council.set_consent.given")).click()
    settle(page)
    expect(page.get_by_text(nl("council.consent_saved", name="Sem", consent=nl("consent.given")))).to_be_visible(
        timeout=WAIT_MS)
    expect(_tab(page, nl("council.tab.consent"))).to_have_attribute("aria-selected", "true")
    _open_tab(page, nl("council.tab.members"))
    expect(_member_form(page, "Sem").get_by_role("button", name=nl("council.save"))).to_be_visible(timeout=WAIT_MS)
    tall_screenshot(page, "raad-members")
    assert _cut_labels(page) == []
    _set_role(page, "Sem", CouncilRole.SECRETARY)
    expect(_tab(page, nl("council.tab.members"))).to_have_attribute("aria-selected", "true")


def _expander(page: Page, title: str) -> Locator:
    return page.get_by_test_id("stExpander").filter(has_text=title).first


def _open_expander(page: Page, title: str) -> Locator:
    expander = _expander(page, title)
    if expander.locator("details[open]").count() == 0:
        expander.locator("summary").click()
        settle(page)
    return expander


def _press(page: Page, button: Locator) -> None:
    """Press a form's button once the page stands still, as a person does after typing: twice in CI
    a press straight after typing was lost (the form kept its text and nothing was made)."""
    settle(page)
    button.click()
    settle(page)


def _chosen(scope: Page | Locator, label: str) -> Locator:
    """The selectboxes labelled `label` in `scope` (their value is the chosen option's text)."""
    return scope.get_by_role("combobox", name=label, exact=True)


def test_what_is_made_on_wijken_is_selected_and_the_tab_stays(page: Page, app_url, app_engine: Engine):
    _open(page, "page.neighbourhoods")
    made = _open_expander(page, nl("wijken.new_neighbourhood"))
    made.get_by_role("textbox", name=nl("field.name"), exact=True).fill("Het Eiland")
    made.get_by_role("textbox", name=nl("field.municipality"), exact=True).fill("Rivierstad")
    _press(page, made.get_by_role("button", name=nl("action.create")))
    expect(page.get_by_text(nl("wijken.created", name="Het Eiland"))).to_be_visible(timeout=WAIT_MS)
    expect(page.get_by_role("heading", name="Het Eiland")).to_be_visible(timeout=WAIT_MS)
    expect(_chosen(page, nl("wijken.choose")).first).to_have_value("Het Eiland (Rivierstad)")

    # The next school year goes into the wijk just made, and is the one shown.
    year = _open_expander(page, nl("wijken.new_cycle"))
    year.get_by_role("textbox", name=nl("field.school_year"), exact=True).fill("2027-2028")
    _press(page, year.get_by_role("button", name=nl("action.create")))
    expect(page.get_by_text(nl("wijken.cycle_created", year="2027-2028"))).to_be_visible(timeout=WAIT_MS)
    expect(_chosen(page, nl("wijken.choose_cycle")).first).to_have_value("2027-2028")
    admin = accounts.session_actor(app_engine, username="demo-admin")
    eiland = next(w for w in neighbourhoods.list_neighbourhoods(app_engine, actor=admin) if w.name == "Het Eiland")
    overview = neighbourhoods.neighbourhood_overview(app_engine, actor=admin, neighbourhood_id=eiland.id)
    assert [c.school_year for c in overview.cycles] == ["2027-2028"]

    # A school and a class: the tab stays, the new school is the one a class goes into.
    _open_tab(page, nl("wijken.tab.classes"))
    school = _open_expander(page, nl("wijken.new_school"))
    school.get_by_role("textbox", name=nl("field.name"), exact=True).fill("OBS Het Eiland")
    _press(page, school.get_by_role("button", name=nl("action.create")))
    expect(page.get_by_text(nl("wijken.school_created", name="OBS Het Eiland"))).to_be_visible(timeout=WAIT_MS)
    expect(_tab(page, nl("wijken.tab.classes"))).to_have_attribute("aria-selected", "true")
    klass = _open_expander(page, nl("wijken.new_class"))
    expect(_chosen(klass, nl("field.school")).first).to_have_value("OBS Het Eiland")
    klass.get_by_role("textbox", name=nl("field.class_name"), exact=True).fill("Groep 8e")
    _press(page, klass.get_by_role("button", name=nl("action.create")))
    expect(page.get_by_text(nl("wijken.class_created", name="Groep 8e"))).to_be_visible(timeout=WAIT_MS)
    expect(_tab(page, nl("wijken.tab.classes"))).to_have_attribute("aria-selected", "true")
    expect(_chosen(_open_expander(page, nl("wijken.edit_class")), nl("field.class_name")).first).to_have_value(
        "OBS Het Eiland — Groep 8e")
    tall_screenshot(page, "wijken-classes-after-making")

    # An organisation and its contact: the tab stays, the new organisation is the one shown.
    _open_tab(page, nl("wijken.tab.partners"))
    organisation = _open_expander(page, nl("wijken.new_organisation"))
    organisation.get_by_role("textbox", name=nl("field.name"), exact=True).fill("Buurthuis De Kaap")
    _press(page, organisation.get_by_role("button", name=nl("action.create")))
    expect(page.get_by_text(nl("wijken.organisation_created", name="Buurthuis De Kaap"))).to_be_visible(
        timeout=WAIT_MS)
    expect(_tab(page, nl("wijken.tab.partners"))).to_have_attribute("aria-selected", "true")
    contact_form = page.get_by_test_id("stForm").filter(has_text=nl("wijken.new_contact"))
    expect(_chosen(page, nl("field.organisation")).last).to_have_value(
        f"Buurthuis De Kaap ({nl('organisation_kind.municipality')})")
    contact_form.get_by_role("textbox", name=nl("field.name"), exact=True).fill("Karim Bouzid")
    _press(page, contact_form.get_by_role("button", name=nl("action.add")))
    expect(page.get_by_text(nl("wijken.contact_added"))).to_be_visible(timeout=WAIT_MS)
    expect(_tab(page, nl("wijken.tab.partners"))).to_have_attribute("aria-selected", "true")
    expect(page.get_by_test_id("stDataFrame").last).to_contain_text("Karim Bouzid", timeout=WAIT_MS)
    tall_screenshot(page, "wijken-partners-after-making")

    # A reload keeps the wijk and the tab.
    page.reload()
    settle(page)
    expect(page.get_by_role("heading", name="Het Eiland")).to_be_visible(timeout=WAIT_MS)
    expect(_tab(page, nl("wijken.tab.partners"))).to_have_attribute("aria-selected", "true")


def test_a_too_long_wijk_name_is_kept_and_refused_with_how_much(page: Page, app_url, app_engine: Engine):
    long_name = "Kinderwijkraad " + "Zuidoost " * 20 + "en omstreken"
    long_name = long_name[:200]
    _open(page, "page.neighbourhoods")
    made = _open_expander(page, nl("wijken.new_neighbourhood"))
    name = made.get_by_role("textbox", name=nl("field.name"), exact=True)
    name.fill(long_name)
    made.get_by_role("textbox", name=nl("field.municipality"), exact=True).fill("Rivierstad")
    _press(page, made.get_by_role("button", name=nl("action.create")))
    expect(page.get_by_text(nl("validation.too_long_by", field=nl("field.name"), count=120, max=80))).to_be_visible(
        timeout=WAIT_MS)
    expect(name).to_have_value(long_name)  # nothing typed is thrown away
    admin = accounts.session_actor(app_engine, username="demo-admin")
    assert not [w for w in neighbourhoods.list_neighbourhoods(app_engine, actor=admin)
                if w.name.startswith("Kinderwijk")]

    # Renaming the wijk: the same.
    _open_tab(page, nl("wijken.tab.neighbourhood"))
    # The form with the wijk's name and a save button (the reminders form below it saves too).
    rename = (page.get_by_test_id("stForm").filter(has=page.get_by_role("button", name=nl("action.save")))
              .filter(has=page.get_by_role("textbox", name=nl("field.name"), exact=True)))
    rename.get_by_role("textbox", name=nl("field.name"), exact=True).fill(long_name)
    _press(page, rename.get_by_role("button", name=nl("action.save")))
    expect(page.get_by_text(nl("validation.too_long_by", field=nl("field.name"), count=120, max=80))).to_be_visible(
        timeout=WAIT_MS)
    expect(rename.get_by_role("textbox", name=nl("field.name"), exact=True)).to_have_value(long_name)
    expect(page.get_by_text(nl("action.saved"))).to_have_count(0)
    screenshot(page, "wijken-too-long")
