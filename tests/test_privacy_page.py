"""The Privacy page on the demo database: the admin saves the retention period, sees what is due,
removes it behind a confirmation; a facilitator sees the processing summary and makes an access
export for a child of their wijk, without the admin's retention tab."""

from __future__ import annotations

import shutil

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from kinderwijkraad import db
from kinderwijkraad.i18n import t
from kinderwijkraad.models import Role
from kinderwijkraad.services import access_requests, accounts, retention
from kinderwijkraad.ui import navigation, state
from tests.test_pages import USERNAMES, app_as, demo_database, page_path, shown_text  # noqa: F401 - fixture


@pytest.fixture
def database_url(demo_database, tmp_path, monkeypatch) -> str:  # noqa: F811 - the shared session fixture
    copy = tmp_path / "app.db"
    shutil.copy(demo_database, copy)
    url = f"sqlite:///{copy}"
    monkeypatch.setenv("DATABASE_URL", url)
    st.cache_data.clear()
    return url


def open_page(role: Role) -> AppTest:
    at = app_as(role).run()
    return at.switch_page(page_path(navigation.PRIVACY)).run()


def submit(at: AppTest, form: str, label: str) -> AppTest:
    return at.button(key=f"FormSubmitter:{form}-{label}").click().run()


def test_the_admin_sets_the_period_sees_what_is_due_and_removes_it_after_confirming(database_url):
    at = open_page(Role.ADMIN)
    assert not at.exception
    assert [tab.label for tab in at.tabs] == [t("privacy.tab.retention"), t("privacy.tab.processing"),
                                              t("privacy.tab.access")]
    assert t("privacy.last_run.none") in [i.value for i in at.info]
    assert "2025-2026" in str(at.dataframe[0].value)  # the demo's year closed in July: due now

    at.number_input(key="privacy.days.30").set_value(60)
    submit(at, "privacy.retention_form", t("privacy.save"))
    assert not at.exception
    assert t("privacy.retention_saved", count=60) in [s.value for s in at.success]
    assert "2025-2026" in str(at.dataframe[0].value)  # still due after 60 days
    apply = at.button(key="privacy.apply_now")
    assert apply.disabled  # not before the box is ticked
    at.checkbox(key="privacy.apply_sure").check().run()
    at.button(key="privacy.apply_now").click().run()
    assert not at.exception
    assert any(s.value.startswith(t("privacy.applied", count=1, counts="")[:20]) for s in at.success)
    assert t("privacy.preview.nothing", count=60) in [s.value for s in at.success]
    engine = db.make_engine(database_url)
    admin = accounts.session_actor(engine, username=USERNAMES[Role.ADMIN])
    run = retention.last_run(engine, actor=admin)
    assert run.by == "Demo Beheerder" and run.counts["candidates"] == 6
    engine.dispose()


def test_a_facilitator_makes_an_access_export_and_has_no_retention_tab(database_url):
    at = open_page(Role.FACILITATOR)
    assert not at.exception
    assert [tab.label for tab in at.tabs] == [t("privacy.tab.processing"), t("privacy.tab.access")]
    assert t("privacy.processing.sign_ups.data") in at.table[0].value.iloc[:, 0].tolist()
    engine = db.make_engine(database_url)
    facilitator = accounts.session_actor(engine, username=USERNAMES[Role.FACILITATOR])
    regenboog_8 = next(c.id for c in access_requests.access_classrooms(engine, actor=facilitator)
                       if c.label == "OBS De Regenboog — Groep 8 (De Vogelbuurt, 2025-2026)")
    engine.dispose()
    at.session_state["privacy.tab"] = t("privacy.tab.access")  # only the open tab runs
    at.run()
    at.selectbox(key="privacy.access_class").select(regenboog_8)
    at.text_input(key="privacy.access_name").input("Noor")
    submit(at, "privacy.access_form", t("privacy.access.make"))
    assert not at.exception
    text = shown_text(at)
    assert t("access.title", name="Noor") in text
    assert "Stemmen zijn geheim" in text
    assert at.session_state[state.PRIVACY_ACCESS][1].first_name == "Noor"


def test_an_unknown_name_shows_the_dutch_message(database_url):
    at = open_page(Role.FACILITATOR)
    at.session_state["privacy.tab"] = t("privacy.tab.access")  # only the open tab runs
    at.run()
    at.text_input(key="privacy.access_name").input("Onbekend")
    submit(at, "privacy.access_form", t("privacy.access.make"))
    assert not at.exception
    assert any("‘Onbekend’" in e.value for e in at.error)
