"""Every page, from the entrypoint, for every role: allowed roles see its content, the others are
refused — by the menu and by the page itself — and an object outside the user's scope is refused."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from kinderwijkraad import db
from kinderwijkraad.i18n import t
from kinderwijkraad.models import Role
from kinderwijkraad.services import accounts, demo, neighbourhoods
from kinderwijkraad.ui import navigation, state

APP = Path(__file__).resolve().parent.parent / "streamlit_app.py"
USERNAMES = {account.role: account.username for account in demo.DEMO_ACCOUNTS}


@pytest.fixture(scope="session")
def demo_database(tmp_path_factory) -> Path:
    """The demo data made by migrations and the real seed, plus a wijk no demo facilitator has."""
    path = tmp_path_factory.mktemp("pages") / "template.db"
    url = f"sqlite:///{path}"
    db.upgrade(url)
    engine = db.make_engine(url)
    demo.seed_demo(engine)
    admin = accounts.session_actor(engine, username=USERNAMES[Role.ADMIN])
    neighbourhoods.create_neighbourhood(engine, actor=admin, name="Andere Wijk", municipality="Zeestad")
    engine.dispose()
    return path


@pytest.fixture
def database_url(demo_database, tmp_path, monkeypatch) -> str:
    copy = tmp_path / "app.db"
    shutil.copy(demo_database, copy)
    url = f"sqlite:///{copy}"
    monkeypatch.setenv("DATABASE_URL", url)
    st.cache_data.clear()  # the lesson caches are keyed by run id, and every test's database starts at 1
    return url


def app_as(role: Role | None) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=30)
    if role is not None:
        at.session_state["authentication_status"] = True
        at.session_state["username"] = USERNAMES[role]
    return at


def page_path(spec: navigation.PageSpec) -> str:
    return f"kinderwijkraad/pages/{spec.file}"


def shown_text(at: AppTest) -> str:
    parts = [e.value for kind in ("title", "header", "subheader", "markdown", "caption", "text", "info", "error",
                                  "warning", "success") for e in getattr(at, kind)]
    return "\n".join(str(p) for p in parts)


EXPECTED_TITLE = {
    navigation.HOME: lambda role: t("home.title", name="").split(",")[0],
    navigation.DASHBOARD: lambda role: t("page.dashboard"),
    navigation.NEIGHBOURHOODS: lambda role: t("page.neighbourhoods"),
    navigation.USERS: lambda role: t("page.users"),
    navigation.PRIVACY: lambda role: t("page.privacy"),
    navigation.ACCOUNT: lambda role: t("page.account"),
    navigation.LESSON: lambda role: t("page.lesson"),
    navigation.THEMES: lambda role: t("page.themes"),
    navigation.TEMPLATES: lambda role: t("page.templates"),
    navigation.JOIN: lambda role: t("join.title"),
    navigation.POLLS: lambda role: t("page.polls"),
    navigation.COUNCIL: lambda role: t("page.council"),
    navigation.VOTE: lambda role: t("vote.title"),
    navigation.BOOTH: lambda role: t("booth.title"),
    navigation.PROPOSALS: lambda role: t("page.proposals"),
    navigation.REPLIES: lambda role: t("page.replies"),
    navigation.REPLY: lambda role: t("reply.title"),
    navigation.AUDIT: lambda role: t("page.audit"),
}


def test_every_page_is_registered_and_covered_here():
    files = {p.name for p in navigation.PAGES_DIR.glob("*.py") if p.name != "__init__.py"}
    assert files == {spec.file for spec in (*navigation.PAGES, navigation.LOGIN)}
    assert set(EXPECTED_TITLE) == set(navigation.PAGES)


def _matrix(pairs: list[tuple[navigation.PageSpec, Role]]) -> list:
    """Every (page, role) pair; the inner loop (not slow) keeps the first pair of each page that
    may see it and the first that may not, make test runs them all."""
    seen: set[tuple[str, bool]] = set()
    params = []
    for spec, role in pairs:
        first = (spec.url_path, role in spec.roles) not in seen
        seen.add((spec.url_path, role in spec.roles))
        params.append(pytest.param(spec, role, id=f"{role.value}-{spec.url_path}",
                                   marks=() if first else pytest.mark.slow))
    return params


@pytest.mark.parametrize(("spec", "role"), _matrix([(spec, role) for role in Role for spec in navigation.PAGES]))
def test_each_role_sees_exactly_its_pages(database_url, spec, role):
    at = app_as(role).run()
    assert not at.exception
    if role in spec.roles:
        at.switch_page(page_path(spec)).run()
        assert not at.exception
        assert at.title[0].value.startswith(EXPECTED_TITLE[spec](role))
        assert t("error.not_allowed") not in shown_text(at)
    else:
        with pytest.raises(ValueError):
            at.switch_page(page_path(spec)).run()


REFUSED = [(spec, role) for spec in navigation.PAGES for role in Role if role not in spec.roles]


@pytest.mark.parametrize(("spec", "role"), _matrix(REFUSED))
def test_each_page_checks_the_role_itself_not_only_the_menu(database_url, spec, role):
    from kinderwijkraad.ui.database import engine

    at = AppTest.from_file(str(spec.path), default_timeout=30)
    at.session_state[state.ACTOR] = accounts.session_actor(engine(), username=USERNAMES[role])
    at.run()
    assert not at.exception
    assert [e.value for e in at.error] == [t("error.not_allowed")]
    assert not at.title


def test_a_logged_out_visitor_gets_only_the_login_page_with_the_demo_accounts(database_url, monkeypatch):
    monkeypatch.setenv("KWR_DEMO", "true")
    at = app_as(None).run()
    assert not at.exception
    assert at.title[0].value == t("login.title")
    assert "demo-leerkracht" in str(at.table[0].value)
    with pytest.raises(ValueError):
        at.switch_page(page_path(navigation.HOME)).run()


def test_outside_demo_mode_the_login_page_lists_no_accounts(database_url):
    at = app_as(None).run()
    assert at.title[0].value == t("login.title")
    assert not at.table


def test_logging_in_with_the_form_opens_the_home_page_of_that_role(database_url):
    at = app_as(None).run()
    at.text_input(key="login.username").input("demo-leerkracht")
    at.text_input(key="login.password").input(demo.DEMO_PASSWORD)
    at.button[0].click().run()
    assert not at.exception
    assert at.title[0].value == t("home.title", name="Juf Demi")
    assert "OBS De Regenboog — Groep 6" in shown_text(at)


def test_a_wrong_password_in_the_form_says_so_in_dutch(database_url):
    at = app_as(None).run()
    at.text_input(key="login.username").input("demo-leerkracht")
    at.text_input(key="login.password").input("fout wachtwoord")
    at.button[0].click().run()
    assert [e.value for e in at.error] == [t("login.failed")]
    assert at.title[0].value == t("login.title")


def test_a_deactivated_users_session_ends_on_the_next_run(database_url):
    at = app_as(Role.TEACHER).run()
    assert at.title[0].value.startswith("Welkom")
    engine = db.make_engine(database_url)
    admin = accounts.session_actor(engine, username=USERNAMES[Role.ADMIN])
    teacher = accounts.session_actor(engine, username=USERNAMES[Role.TEACHER])
    accounts.set_user_active(engine, actor=admin, user_id=teacher.user_id, active=False)
    at.run()
    assert at.title[0].value == t("login.title")


def test_logging_out_returns_to_the_login_page(database_url):
    at = app_as(Role.OFFICIAL).run()
    at.button(key="nav.logout_button").click().run()
    assert not at.exception
    assert at.title[0].value == t("login.title")


def test_a_one_time_password_user_can_only_open_my_account(database_url):
    engine = db.make_engine(database_url)
    admin = accounts.session_actor(engine, username=USERNAMES[Role.ADMIN])
    teacher = accounts.session_actor(engine, username=USERNAMES[Role.TEACHER])
    accounts.reset_password(engine, actor=admin, user_id=teacher.user_id, one_time_password="eenmalig-wachtwoord")
    at = app_as(Role.TEACHER).run()
    assert at.title[0].value == t("page.account")
    assert t("account.must_change") in [w.value for w in at.warning]
    with pytest.raises(ValueError):
        at.switch_page(page_path(navigation.HOME)).run()


def open_andere_wijk_by_link(database_url: str, role: Role) -> AppTest:
    """Open the Wijken page with ?wijk= set to the wijk no demo facilitator manages."""
    engine = db.make_engine(database_url)
    admin = accounts.session_actor(engine, username=USERNAMES[Role.ADMIN])
    other = next(w for w in neighbourhoods.list_neighbourhoods(engine, actor=admin) if w.name == "Andere Wijk")
    at = app_as(role).run()
    at.switch_page(page_path(navigation.NEIGHBOURHOODS))
    at.query_params["wijk"] = str(other.id)
    return at.run()


def test_a_facilitator_cannot_open_another_wijk_by_changing_the_link(database_url):
    at = open_andere_wijk_by_link(database_url, Role.FACILITATOR)
    assert not at.exception
    assert t("error.not_allowed") in [e.value for e in at.error]
    assert "Andere Wijk" not in shown_text(at)


def test_an_admin_opens_any_wijk_by_link(database_url):
    at = open_andere_wijk_by_link(database_url, Role.ADMIN)
    assert [h.value for h in at.header] == ["Andere Wijk"]


def test_the_whole_app_speaks_english_when_chosen(database_url):
    at = app_as(Role.ADMIN).run()
    at.selectbox(key=state.LANGUAGE).select("en").run()
    assert at.title[0].value.startswith("Welcome")
    at.switch_page(page_path(navigation.USERS)).run()
    assert at.title[0].value == "Users"


def submit(at: AppTest, form: str, label: str) -> AppTest:
    return at.button(key=f"FormSubmitter:{form}-{label}").click().run()


def test_a_facilitator_adds_a_school_and_sees_it_listed(database_url):
    at = app_as(Role.FACILITATOR).run()
    at.switch_page(page_path(navigation.NEIGHBOURHOODS)).run()
    at.session_state["wijken.tab"] = t("wijken.tab.classes")  # only the open tab runs
    at.run()
    at.text_input(key="wijken.new_school_name").input("OBS Het Anker")
    submit(at, "wijken.new_school_form", t("action.create"))
    assert not at.exception
    assert t("wijken.school_created", name="OBS Het Anker") in [s.value for s in at.success]
    assert "• OBS Het Anker" in [x.value for x in at.text]


def test_a_duplicate_school_gets_a_clear_dutch_message_and_nothing_is_added(database_url):
    at = app_as(Role.FACILITATOR).run()
    at.switch_page(page_path(navigation.NEIGHBOURHOODS)).run()
    at.session_state["wijken.tab"] = t("wijken.tab.classes")  # only the open tab runs
    at.run()
    at.text_input(key="wijken.new_school_name").input("OBS De Regenboog")
    submit(at, "wijken.new_school_form", t("action.create"))
    assert [e.value for e in at.error] == [t("error.duplicate.school", name="OBS De Regenboog")]
    assert [x.value for x in at.text].count("• OBS De Regenboog") == 1


def test_a_facilitator_adds_a_class_with_its_teacher(database_url):
    at = app_as(Role.FACILITATOR).run()
    at.switch_page(page_path(navigation.NEIGHBOURHOODS)).run()
    at.session_state["wijken.tab"] = t("wijken.tab.classes")  # only the open tab runs
    at.run()
    at.text_input(key="wijken.new_class_name").input("Groep 8c")
    at.selectbox(key="wijken.new_class_grade").select(8)
    at.number_input(key="wijken.new_class_pupils").set_value(19)
    submit(at, "wijken.new_class_form", t("action.create"))
    assert not at.exception
    assert t("wijken.class_created", name="Groep 8c") in [s.value for s in at.success]
    table = at.dataframe[0].value
    assert "Groep 8c" in set(table[t("field.class_name")])


def test_a_facilitator_moves_the_cycle_to_the_next_phase(database_url):
    at = app_as(Role.FACILITATOR).run()
    at.switch_page(page_path(navigation.NEIGHBOURHOODS)).run()
    at.button(key="wijken.advance").click().run()
    assert t("wijken.phase_advanced", phase=t("phase.voting")) in [s.value for s in at.success]


def test_an_admin_creates_a_user_and_sees_the_one_time_password_once(database_url):
    at = app_as(Role.ADMIN).run()
    at.switch_page(page_path(navigation.USERS)).run()
    at.selectbox(key="users.new_role").select(Role.TEACHER).run()
    at.text_input(key="users.new_username").input("meester-jan")
    at.text_input(key="users.new_display_name").input("Meester Jan")
    submit(at, "users.new_user_form", t("action.create"))
    assert not at.exception
    [message] = [s.value for s in at.success]
    assert "meester-jan" in message
    password = message.split(": ")[1].split(" ")[0]
    engine = db.make_engine(database_url)
    actor = accounts.authenticate(engine, username="meester-jan", password=password, client="test")
    assert actor.must_change_password
    at.run()
    assert not at.success  # the password is shown once, not again after the next tap


def test_changing_a_password_with_two_different_new_ones_is_refused(database_url):
    at = app_as(Role.TEACHER).run()
    at.switch_page(page_path(navigation.ACCOUNT)).run()
    at.text_input(key="account.current").input(demo.DEMO_PASSWORD)
    at.text_input(key="account.new").input("een nieuw wachtwoord")
    at.text_input(key="account.repeat").input("een ander wachtwoord")
    submit(at, "account.password_form", t("account.change_password"))
    assert [e.value for e in at.error] == [t("account.passwords_differ")]


# --- lesson mode, tablets and themes ---------------------------------------------------------


def test_a_teacher_starts_les_2_and_moves_the_class_to_the_next_step(database_url):
    at = app_as(Role.TEACHER).run()
    at.switch_page(page_path(navigation.LESSON)).run()
    assert at.title[0].value == t("page.lesson")
    at.radio(key="lesson.pick.False").set_value(1)
    submit(at, "lesson.start_form.False", t("lesson.start"))
    assert not at.exception
    assert at.title[0].value == "Onze wijk"
    assert any("Les 2" in caption.value and "stap 1 van 3" in caption.value for caption in at.caption)
    at.button(key="lesson.next").click().run()
    assert at.title[0].value == "Gelukkig en ongelukkig"
    at.run()  # a refresh, or another device, resumes where the class is
    assert at.title[0].value == "Gelukkig en ongelukkig"


def _open_lesson(database_url: str) -> str:
    """Les 2 open in Groep 6, at the brainstorm step; its join code."""
    from kinderwijkraad.services import lessons, templates

    engine = db.make_engine(database_url)
    teacher = accounts.session_actor(engine, username=USERNAMES[Role.TEACHER])
    run_id = lessons.start_run(engine, actor=teacher, classroom_id=min(teacher.classroom_ids),
                               template_id=templates.latest_template(engine).id, lesson_index=1)
    lessons.go_to_step(engine, actor=teacher, run_id=run_id, step_index=1)
    return lessons.run_state(engine, run_id).join_code


def test_a_tablet_joins_without_an_account_and_sends_a_note_to_the_board(database_url):
    code = _open_lesson(database_url)
    at = app_as(None)
    at.switch_page(page_path(navigation.JOIN)).run()
    assert at.title[0].value == t("join.title")
    at.text_input(key="join.code_input").input("ZZZZZZ")
    submit(at, "join.code_form", t("join.next"))
    assert [e.value for e in at.error] == [t("join.unknown_code")]
    at.text_input(key="join.code_input").input(code.lower())
    submit(at, "join.code_form", t("join.next"))
    at.text_input(key="join.new_team_input").input("De Vossen")
    submit(at, "join.new_team_form", t("join.join"))
    assert not at.exception
    assert "tablet" in at.query_params
    assert at.title[0].value == "Gelukkig en ongelukkig"
    at.text_area(key="brainstorm.text.happy").input("   ")  # refused: what was typed stays to be fixed
    submit(at, "brainstorm.happy", t("brainstorm.send"))
    assert [e.value for e in at.error] == [t("brainstorm.empty")]
    assert at.text_area(key="brainstorm.text.happy").value == "   "
    at.text_area(key="brainstorm.text.happy").input("Het park")
    submit(at, "brainstorm.happy", t("brainstorm.send"))
    assert not at.exception
    assert at.text_area(key="brainstorm.text.happy").value == ""
    teacher = app_as(Role.TEACHER).run()
    teacher.switch_page(page_path(navigation.LESSON)).run()
    assert "Het park" in [x.value for x in teacher.text]


def test_a_facilitator_sorts_the_demo_plans_into_a_theme(database_url):
    at = app_as(Role.FACILITATOR).run()
    at.switch_page(page_path(navigation.THEMES)).run()
    assert not at.exception
    assert at.title[0].value == t("page.themes")
    assert [m.value for m in at.metric][:2] == ["10", "2"]  # the demo put two plans in the vote's themes
    at.text_input(key="themes.create_name").input("Veilig verkeer")
    submit(at, "themes.create", t("themes.create"))
    assert t("themes.created", name="Veilig verkeer") in [s.value for s in at.success]
    # The first suggestion's plans go together into a new theme in one go.
    assert any(e.label.startswith(t("themes.suggestions", count=0)[:10]) for e in at.expander)
    first = next(b for b in at.button if b.key and b.key.startswith("FormSubmitter:themes.suggestion."))
    first.click().run()
    assert not at.exception
    assert any(s.value.startswith(t("themes.moved", count=2, theme="x")[:3]) for s in at.success)
    assert int(at.metric[1].value) >= 4


def test_an_admin_saves_a_template_edit_as_a_new_version(database_url):
    at = app_as(Role.ADMIN).run()
    at.switch_page(page_path(navigation.TEMPLATES)).run()
    assert not at.exception
    at.button(key="templates.save_steps").click().run()
    assert not at.exception
    assert t("templates.saved", version=2) in [s.value for s in at.success]


def test_a_facilitator_copies_the_standard_lessons_before_editing(database_url):
    at = app_as(Role.FACILITATOR).run()
    at.switch_page(page_path(navigation.TEMPLATES)).run()
    assert at.button(key="templates.save_steps").disabled
    at.session_state["templates.tab"] = t("templates.tab_file")  # only the open tab runs
    at.run()
    at.text_input(key="templates.new_slug").input("korte-lessen")
    submit(at, "templates.copy_form", t("templates.copy"))
    assert t("templates.copied", slug="korte-lessen") in [s.value for s in at.success]
    at.session_state["templates.tab"] = t("templates.tab_steps")
    at.run()
    assert not at.button(key="templates.save_steps").disabled
    at.button(key="templates.save_steps").click().run()
    assert t("templates.saved", version=2) in [s.value for s in at.success]


def test_the_dashboard_shows_every_chart_with_its_table_and_saves_the_self_check(database_url):
    at = app_as(Role.FACILITATOR).run()
    at.switch_page(page_path(navigation.DASHBOARD)).run()
    assert not at.exception
    charts, tables = at.get("plotly_chart"), at.dataframe
    assert len(charts) >= 6 and len(tables) >= len(charts)  # each chart has its table; some tables stand alone
    csv_buttons = [b for b in at.get("download_button") if b.proto.label == t("dashboard.csv")]
    assert len(csv_buttons) == len(tables)
    cycle_id = at.selectbox(key="dashboard.cycle").value
    assert t("dashboard.selfcheck.not_yet") in shown_text(at)
    at.checkbox(key=f"dashboard.cycle.{cycle_id}.q.space.safe").check()
    at.checkbox(key=f"dashboard.cycle.{cycle_id}.q.influence.told").check()
    next(b for b in at.button if b.label == t("dashboard.selfcheck.save")).click().run()
    assert not at.exception
    assert t("dashboard.selfcheck.saved") in shown_text(at)
    assert t("dashboard.selfcheck.score", yes=2, questions=12) in shown_text(at)


def test_the_national_dashboard_lists_every_wijk_for_an_admin(database_url):
    at = app_as(Role.ADMIN).run()
    at.switch_page(page_path(navigation.DASHBOARD)).run()
    assert not at.exception
    assert t("dashboard.intro.national") in shown_text(at)
    at.selectbox(key="dashboard.year").select("").run()  # every school year
    assert not at.exception
    wijken = set(at.dataframe[0].value[t("dashboard.col.wijk")])
    assert "De Vogelbuurt" in wijken and "Andere Wijk" not in wijken  # a wijk without cycles has no row
    # Counts only, as promised: no one wijk's classes, themes or proposal titles until one is picked.
    assert t("dashboard.pick_wijk_for_details") in shown_text(at)
    assert not [box for box in at.selectbox if box.key == "dashboard.cycle"]
    assert t("dashboard.classes.heading") not in shown_text(at)
    from kinderwijkraad.services import dashboards
    from kinderwijkraad.ui.database import engine

    admin = accounts.session_actor(engine(), username=USERNAMES[Role.ADMIN])
    vogelbuurt = dict((name, i) for i, name in dashboards.filter_choices(engine(), actor=admin).neighbourhoods)
    at.selectbox(key="dashboard.wijk").set_value(vogelbuurt["De Vogelbuurt"]).run()
    assert not at.exception
    assert [box for box in at.selectbox if box.key == "dashboard.cycle"]


def test_the_admin_reads_filters_exports_and_checks_the_audit_log(database_url):
    at = app_as(Role.ADMIN).run()
    at.switch_page(page_path(navigation.AUDIT)).run()
    assert not at.exception
    assert at.dataframe and len(at.dataframe[0].value) > 0  # the demo's own entries
    at.selectbox(key="audit.kind").set_value("poll").run()
    assert not at.exception
    assert set(at.dataframe[0].value[t("audit.col.what")].str.split(".").str[0]) == {"poll"}
    at.button(key="audit.verify").click().run()
    assert [s.value for s in at.success if t("audit.chain.intact", count=0)[:8] in s.value]


def test_a_facilitator_reads_only_their_wijken_in_the_audit_log(database_url):
    at = app_as(Role.FACILITATOR).run()
    at.switch_page(page_path(navigation.AUDIT)).run()
    assert not at.exception
    assert not [b for b in at.button if b.key == "audit.verify"]  # the chain spans every wijk: the admin's
    places = set(at.dataframe[0].value[t("audit.col.where")]) if at.dataframe else set()
    assert places and all(place.startswith("De Vogelbuurt") for place in places)


def test_an_admin_makes_an_account_and_reads_its_one_time_password_which_logs_in(database_url):
    at = app_as(Role.ADMIN).run()
    at.switch_page(page_path(navigation.USERS)).run()
    at.selectbox(key="users.new_role").set_value(Role.TEACHER).run()
    at.text_input(key="users.new_username").input("juf.sanne")
    at.text_input(key="users.new_display_name").input("Juf Sanne")
    submit(at, "users.new_user_form", t("action.create"))
    assert not at.exception
    (message,) = [s.value for s in at.success if "juf.sanne" in s.value]
    password = re.search(r"[0-9a-f]{6}(?:-[0-9a-f]{6}){3}", message).group()
    assert accounts.authenticate(db.make_engine(database_url), username="juf.sanne", password=password, client="t")


def test_the_logboek_lists_what_happened_for_a_facilitator(database_url):
    at = app_as(Role.FACILITATOR).run()
    at.switch_page(page_path(navigation.AUDIT)).run()
    assert not at.exception
    assert at.title[0].value.startswith(t("page.audit"))
    assert not [e.value for e in at.error]
    table = at.dataframe[0].value  # the demo's own year leaves entries in the log
    assert list(table.columns)[:3] == [t("audit.col.at"), t("audit.col.who"), t("audit.col.what")] and len(table)
