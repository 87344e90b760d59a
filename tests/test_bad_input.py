"""The bad-input corpus (tests/bad_input.py) through the services on SQLite and PostgreSQL, and
through a few pages: every case ends in a clear message in the user's language or in the text
stored as typed (cleaned) and shown escaped; nothing crashes; a refused call stores nothing.

Table-driven: one test per entry point runs every case against one database, so the whole corpus
stays quick. Failures are collected and listed by case, not stopped at the first.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import Engine, delete, func, select, text, update
from sqlmodel import SQLModel

from kinderwijkraad.db import write_session
from kinderwijkraad.errors import KwrError, NotAllowed, NotFound
from kinderwijkraad.i18n import CATALOGUES, set_language, texts
from kinderwijkraad.models import (
    Ballot,
    Decision,
    Device,
    LessonRun,
    Poll,
    RecipientStatus,
    ReplyLink,
    Role,
    StepKind,
    Team,
    VotingCard,
)
from kinderwijkraad.models.common import utcnow
from kinderwijkraad.services import (
    access_requests,
    accounts,
    answers,
    ballots,
    candidates,
    council,
    feedback,
    lessons,
    neighbourhoods,
    plans,
    polls,
    proposals,
    results,
    templates,
)
from kinderwijkraad.services.common import link_token_hash
from kinderwijkraad.ui.errors import error_text
from kinderwijkraad.ui.format import plain
from tests import factories
from tests import proposal_factories as pf
from tests.bad_input import CODES, CORE, TEXTS, Case, bad_files, has_untypeable

# --- checking one outcome --------------------------------------------------------------------


def message_problem(error: KwrError) -> str | None:
    """None when the refusal reads as a message in Dutch and in English; else what is wrong."""
    for language, catalogue in CATALOGUES.items():
        if error.key not in catalogue:
            return f"key {error.key!r} missing in {language}"
        if "field" in error.params and f"field.{error.params['field']}" not in catalogue:
            return f"field name field.{error.params['field']} missing in {language}"
    try:
        for language in CATALOGUES:
            set_language(language)
            shown = error_text(error)
            unfilled = [name for text in texts(CATALOGUES[language].get(error.key, ""))
                        for name in re.findall(r"{(\w+)}", text) if f"{{{name}}}" in shown]
            if not shown.strip() or error.key in shown or unfilled:
                return f"{error!r} shows as {shown!r} in {language}"
    finally:
        set_language("nl")
    return None


_COUNTS = text("SELECT " + ", ".join(f'(SELECT count(*) FROM "{table.name}") AS "{table.name}"'
                                     for table in SQLModel.metadata.sorted_tables))


def _counts(engine: Engine) -> dict[str, int]:
    """Every table's row count, in one query."""
    with engine.connect() as connection:
        return dict(connection.execute(_COUNTS).one()._mapping)


def _rows(engine: Engine, names: tuple[str, ...]) -> dict[str, list]:
    tables = SQLModel.metadata.tables
    with engine.connect() as connection:
        return {name: sorted(map(tuple, connection.execute(select(tables[name]))), key=repr) for name in names}


def snapshot(engine: Engine, names: tuple[str, ...] = ()) -> tuple:
    """Every table's row count, and the full rows of `names` (all tables when empty)."""
    return _counts(engine), _rows(engine, names or tuple(SQLModel.metadata.tables))


def refused_cleanly(engine: Engine, call: Callable[[], Any], before: tuple, names: tuple[str, ...] = ()) -> str | None:
    """Run a call that must be refused; None when it was, with a good message, storing nothing."""
    try:
        call()
    except KwrError as error:
        problem = message_problem(error)
        if problem:
            return problem
        if snapshot(engine, names) != before:
            return f"refused with {error.key} but the database changed"
        return None
    except Exception as exc:  # noqa: BLE001 - a crash is what this test looks for
        return f"crashed: {type(exc).__name__}: {str(exc)[:160]}"
    return "was not refused"


# --- the text fields -------------------------------------------------------------------------


def collapse(value: str) -> str:
    return " ".join(value.split())


def keep(value: str) -> str:
    return value


@dataclass(frozen=True)
class TextField:
    """One place a user's free text is stored. `write` stores the text through the service and
    returns it as a service reads it back; `tables` are compared in full after a refusal."""

    name: str
    tables: tuple[str, ...]
    write: Callable[[Engine, SimpleNamespace, str], str]
    limit: int
    min_length: int = 0
    shape: Callable[[str], str] = keep  # the field's own rule after cleaning (e.g. one line)
    exact: bool = True  # False: the field has its own rules (a first name), only safety is checked
    setup: Callable[[Engine, SimpleNamespace], None] | None = None
    whole_corpus: bool = False  # else the CORE cases


def _run_of(engine: Engine, classroom_id: int) -> int:
    with engine.connect() as connection:
        return connection.execute(select(LessonRun.id).where(LessonRun.classroom_id == classroom_id,
                                                             LessonRun.ended_at.is_(None))).scalar_one()


def _new_class_run(engine: Engine, w: SimpleNamespace, lesson_index: int, step_kind: StepKind | None) -> None:
    """A third class in the cycle with a lesson open (at a step of `step_kind`) and one team's tablet."""
    classroom = factories.classroom(engine, w.admin, w.cycle.id, w.schools["a"].id)
    template = templates.latest_template(engine)
    w.run_id = lessons.start_run(engine, actor=w.admin, classroom_id=classroom.id, template_id=template.id,
                                 lesson_index=lesson_index)
    if step_kind is not None:
        steps = lessons.run_state(engine, w.run_id).lesson.steps
        step = next(i for i, s in enumerate(steps) if s.kind == step_kind)
        lessons.go_to_step(engine, actor=w.admin, run_id=w.run_id, step_index=step)
    w.token, _ = lessons.join_team(engine, run_id=w.run_id, team_name="De Vossen")


def _plan(engine, w) -> plans.PlanView:
    return plans.plan_view(engine, actor=w.admin, plan_id=w.plans["swings"])


def _recipient(engine, w, key="gemeente") -> proposals.RecipientRow:
    return pf.recipient(engine, w, key)


def _join_team(engine, w, name):
    _, team_id = lessons.join_team(engine, run_id=w.run_id, team_name=name)
    stored = next(row.name for row in lessons.teams(engine, w.run_id) if row.id == team_id)
    with write_session(engine) as session:  # room for the next case (a run has at most 12 teams)
        session.execute(delete(Device).where(Device.team_id == team_id))
        session.execute(delete(Team).where(Team.id == team_id))
    return stored


def _meeting(engine, w, text_):
    meeting_id = council.create_meeting(engine, actor=w.facilitator, cycle_id=w.cycle.id, held_on=date(2027, 3, 1),
                                        agenda="Speeltuin", minutes=text_)
    return next(m.minutes for m in council.meetings(engine, actor=w.facilitator, cycle_id=w.cycle.id)
                if m.id == meeting_id)


def _work_item(engine, w, text_):
    council.update_work_item(engine, actor=w.facilitator, cycle_id=w.cycle.id, theme_id=w.top_theme_id,
                             organisation_id=None, next_action=text_, status="todo")
    work = council.work_list(engine, actor=w.facilitator, cycle_id=w.cycle.id)
    return next(row.next_action for row in work.rows if row.theme_id == w.top_theme_id)


def _proposal_field(name):
    def write(engine, w, text_):
        current = proposals.get_proposal(engine, actor=w.facilitator, proposal_id=w.proposal_id)
        proposals.update_proposal(engine, actor=w.facilitator, proposal_id=w.proposal_id,
                                  seen_revision=current.revision, fields={**current.fields, name: text_})
        return proposals.get_proposal(engine, actor=w.facilitator, proposal_id=w.proposal_id).fields[name]
    return write


def _new_proposal(engine, w, text_):
    proposal_id = proposals.create_proposal(
        engine, actor=w.facilitator, cycle_id=w.cycle.id, theme_id=None, plan_ids=[],
        fields={**w.fields, "title": text_}, recipients=[(w.gemeente.id, None)])
    return proposals.get_proposal(engine, actor=w.facilitator, proposal_id=proposal_id).title


def _send_gemeente(engine, w):
    if _recipient(engine, w).status == RecipientStatus.CONCEPT:
        pf.send(engine, w, "gemeente")


def _answer_gemeente(engine, w):
    if _recipient(engine, w).status != RecipientStatus.ANSWERED:
        pf.answer(engine, w, "gemeente")


def _reasons(engine, w, text_):
    answers.enter_answer(engine, actor=w.facilitator, recipient_id=w.recipients["gemeente"],
                         seen_revision=_recipient(engine, w).answer_revision,
                         answer=pf.an_answer(Decision.REJECTED, text_), answered_by="Wethouder Jansen")
    return _recipient(engine, w).reasons


def _send_with_link(engine, w):
    _send_gemeente(engine, w)
    w.link = pf.reply_link(engine, w, "gemeente")


def _link_answered_by(engine, w, text_):
    answers.answer_by_link(engine, token=w.link, seen_revision=_recipient(engine, w).answer_revision,
                           answer=pf.an_answer(Decision.ACCEPTED), answered_by=text_)
    return _recipient(engine, w).answered_by


def _official_next_step(engine, w, text_):
    answers.answer_as_official(engine, actor=w.official, recipient_id=w.recipients["gemeente"],
                               seen_revision=_recipient(engine, w).answer_revision,
                               answer=pf.an_answer(Decision.ACCEPTED, next_step=text_))
    return _recipient(engine, w).next_step


def _child_answer(engine, w, text_):
    answers.set_child_answer(engine, actor=w.facilitator, recipient_id=w.recipients["gemeente"],
                             child_answer=text_, child_next="")
    return _recipient(engine, w).child_answer


def _theme_name(engine, w, text_):
    theme_id = plans.create_theme(engine, actor=w.facilitator, cycle_id=w.cycle.id, name=text_)
    return next(row.name for row in plans.themes(engine, actor=w.facilitator, cycle_id=w.cycle.id)
                if row.id == theme_id)


def _rename_theme(engine, w, text_):
    plans.rename_theme(engine, actor=w.facilitator, theme_id=w.themes["Afval"], name=text_)
    return next(row.name for row in plans.themes(engine, actor=w.facilitator, cycle_id=w.cycle.id)
                if row.id == w.themes["Afval"])


def _plan_field(engine, w, text_):
    return plans.save_field(engine, token=w.plan_tokens["swings"], name="idea", value=text_).answers.get("idea", "")


def _correct_plan(engine, w, text_):
    teacher = accounts.session_actor(engine, username=w.teacher.username)  # now with class A
    plans.correct_plan(engine, actor=teacher, plan_id=w.plans["swings"], seen_revision=_plan(engine, w).revision,
                       answers={"problem": text_})
    return _plan(engine, w).answers.get("problem", "")


def _note(engine, w, text_):
    lessons.add_note(engine, token=w.token, mood="happy", text=text_)
    return lessons.notes(engine, w.run_id)[-1].text


def _sign_up(engine, w, text_):
    return candidates.sign_up(engine, token=w.token, first_name=text_).first_name


def _poll(engine, w, **settings):
    poll_id = polls.create_poll(engine, actor=w.facilitator, cycle_id=w.cycle.id, **settings)
    return polls.poll_view(engine, actor=w.facilitator, poll_id=poll_id)


def _installation(name):
    def write(engine, w, text_):
        view = council.save_installation(engine, actor=w.facilitator, cycle_id=w.cycle.id, **{name: text_})
        return getattr(view, name)
    return write


def _wijk_name(engine, w, text_):
    neighbourhoods.update_neighbourhood(engine, actor=w.admin, neighbourhood_id=w.wijk.id, name=text_,
                                        municipality="Rivierstad")
    return neighbourhoods.neighbourhood_overview(engine, actor=w.admin, neighbourhood_id=w.wijk.id).neighbourhood.name


def _school_name(engine, w, text_):
    return neighbourhoods.rename_school(engine, actor=w.facilitator, school_id=w.schools["a"].id, name=text_).name


def _class_name(engine, w, text_):
    return neighbourhoods.update_classroom(engine, actor=w.facilitator, classroom_id=w.classes["b"].id, name=text_,
                                           grade=8, pupil_count=23, teacher_ids=[]).name


def _organisation_name(engine, w, text_):
    return neighbourhoods.update_organisation(engine, actor=w.admin, organisation_id=w.outsider.id, name=text_,
                                              kind="other").name


def _contact(engine, w, text_):
    wijk = w.cycle.neighbourhood_id
    contact = neighbourhoods.add_contact(engine, actor=w.admin, organisation_id=w.outsider.id, neighbourhood_id=wijk,
                                         name="Sam Jansen", job_title=text_)
    return next(c.job_title for c in neighbourhoods.list_contacts(engine, actor=w.admin, organisation_id=w.outsider.id,
                                                                  neighbourhood_id=wijk) if c.id == contact.id)


def _display_name(engine, w, text_):
    accounts.update_user(engine, actor=w.admin, user_id=w.facilitator.user_id, display_name=text_, email="",
                         neighbourhood_ids=[w.wijk.id])
    return next(u.display_name for u in accounts.list_users(engine, actor=w.admin) if u.id == w.facilitator.user_id)


def _template_step(engine, w, text_):
    latest = templates.latest_template(engine)
    series = templates.template_series(engine, latest.id)
    rows = templates.step_rows(series, 0)
    rows[0]["teacher_text"] = text_
    saved = templates.save_template_version(engine, actor=w.admin, slug=latest.slug,
                                            series=templates.with_step_rows(series, 0, rows),
                                            based_on_version=latest.version)
    return templates.template_series(engine, saved.id).lessons[0].steps[0].teacher_text.nl


def _template_copy(engine, w, text_):
    w.copies = getattr(w, "copies", 0) + 1
    copy = templates.copy_template(engine, actor=w.admin, from_template_id=templates.latest_template(engine).id,
                                   new_slug=f"kopie-{w.copies}", new_name=text_)
    return templates.template_series(engine, copy.id).name.nl


def _one_line_answer(text_: str) -> str:
    return text_ if "\n" in text_ else collapse(text_)


FIELDS = (
    TextField("plan_field_by_tablet", ("plan",), _plan_field, limit=500, whole_corpus=True),
    TextField("plan_correction_by_teacher", ("plan",), _correct_plan, limit=500),
    TextField("theme_name", ("theme",), _theme_name, limit=80, min_length=2, shape=collapse, whole_corpus=True),
    TextField("theme_rename", ("theme",), _rename_theme, limit=80, min_length=2, shape=collapse),
    TextField("team_name", ("team", "device"), _join_team, limit=40, min_length=1,
              setup=lambda e, w: _new_class_run(e, w, 1, None)),
    TextField("brainstorm_note", ("brainstormnote",), _note, limit=200, min_length=1, shape=collapse,
              setup=lambda e, w: _new_class_run(e, w, 1, StepKind.BRAINSTORM)),
    TextField("candidate_first_name", ("candidate",), _sign_up, limit=40, exact=False,
              setup=lambda e, w: _new_class_run(e, w, 2, StepKind.SIGN_UP)),
    TextField("poll_title", ("poll", "polloption"), lambda e, w, s: _poll(e, w, title=s).title, limit=120,
              min_length=2),
    TextField("poll_question", ("poll", "polloption"),
              lambda e, w, s: _poll(e, w, title="Stemming", question=s).question, limit=300),
    TextField("meeting_minutes", ("meeting", "attendance"), _meeting, limit=10_000),
    TextField("installation_programme", ("installation",), _installation("programme"), limit=4000),
    TextField("installation_alderman", ("installation",), _installation("alderman_name"), limit=120),
    TextField("work_list_next_action", ("workitem",), _work_item, limit=300),
    TextField("proposal_idea", ("proposal",), _proposal_field("idea"), limit=4000, whole_corpus=True),
    TextField("proposal_ask", ("proposal",), _proposal_field("ask"), limit=2000),
    TextField("proposal_title", ("proposal", "recipient", "proposalplan"), _new_proposal, limit=120, min_length=2),
    TextField("answer_reasons_by_letter", ("recipient",), _reasons, limit=4000, min_length=1,
              shape=_one_line_answer, setup=_send_gemeente, whole_corpus=True),
    TextField("answer_by_link_answered_by", ("recipient", "replylink"), _link_answered_by, limit=120,
              min_length=1, shape=collapse, setup=_send_with_link),
    TextField("answer_next_step_by_official", ("recipient",), _official_next_step, limit=2000,
              shape=_one_line_answer, setup=_send_gemeente),
    TextField("child_answer", ("recipient",), _child_answer, limit=1000, setup=_answer_gemeente),
    TextField("wijk_name", ("neighbourhood",), _wijk_name, limit=80, min_length=2),
    TextField("school_name", ("school",), _school_name, limit=120, min_length=2),
    TextField("class_name", ("classroom", "classroomteacher"), _class_name, limit=40, min_length=1),
    TextField("organisation_name", ("organisation",), _organisation_name, limit=120, min_length=2),
    TextField("contact_job_title", ("contact",), _contact, limit=120),
    TextField("account_display_name", ("user", "facilitatorneighbourhood"), _display_name, limit=80, min_length=2),
    TextField("template_step_text", ("lessontemplate",), _template_step, limit=2000, min_length=1),
    TextField("template_copy_name", ("lessontemplate",), _template_copy, limit=2000, exact=False),
)


def _expect_stored(field: TextField, case: Case) -> str | None:
    """What the field must store for this case, or None when a refusal is as right."""
    if case.stored is None or not field.exact:
        return None
    expected = field.shape(case.stored)
    return expected if field.min_length <= len(expected) <= field.limit else None


def _field_problems(engine: Engine, w: SimpleNamespace, field: TextField) -> list[str]:
    problems = []
    for case in TEXTS if field.whole_corpus else CORE:
        expected = _expect_stored(field, case)
        before = snapshot(engine, field.tables)
        try:
            stored = field.write(engine, w, case.text)
        except KwrError as error:
            problem = message_problem(error)
            if problem:
                problems.append(f"{case}: {problem}")
            elif snapshot(engine, field.tables) != before:
                problems.append(f"{case}: refused ({error.key}) but something was stored")
            elif expected is not None and error.key not in ("theme.name_taken",):
                problems.append(f"{case}: refused ({error.key}), should be stored as {expected[:40]!r}")
            continue
        except Exception as exc:  # noqa: BLE001 - a crash is what this test looks for
            problems.append(f"{case}: crashed: {type(exc).__name__}: {str(exc)[:160]}")
            continue
        if has_untypeable(stored):
            problems.append(f"{case}: stored with control characters: {stored[:40]!r}")
        elif expected is not None and stored != expected:
            problems.append(f"{case}: stored {stored[:60]!r}, typed {expected[:60]!r}")
        elif len(stored) > max(field.limit, 40):
            problems.append(f"{case}: stored {len(stored)} characters, the limit is {field.limit}")
    return [f"{field.name} / {problem}" for problem in problems]


def test_every_text_field_stores_the_corpus_cleaned_or_refuses_it_with_a_message(engine):
    """All fields against one database (one world, one clean-up): each field gets its own
    namespace for what its setup adds (a lesson open at the right step, a reply link)."""
    world = pf.cycle_with_proposal(engine)
    problems = []
    for field in FIELDS:
        w = SimpleNamespace(**vars(world))
        if field.setup:
            field.setup(engine, w)
        problems += _field_problems(engine, w, field)
    assert not problems, "\n".join(problems)


# --- codes, tokens and names that only look something up ----------------------------------------


def test_forged_codes_and_tokens_are_refused_everywhere_without_crashing(engine):
    w = pf.cycle_with_proposal(engine)
    _send_gemeente(engine, w)
    lookups: dict[str, Callable[[str, str], Any]] = {
        "join_code": lambda code, client: lessons.find_run_by_code(engine, code=code, client=client),
        "card_poll": lambda code, client: ballots.card_poll(engine, code=code, client=client),
        "cast_with_card": lambda code, client: ballots.cast_with_card(engine, code=code, choices=[1]),
        "pair_booth": lambda code, client: ballots.pair_booth(engine, code=code, client=client),
        "open_reply_link": lambda code, client: answers.open_reply_link(engine, token=code),
        "answer_by_link": lambda code, client: answers.answer_by_link(
            engine, token=code, seen_revision=0, answer=pf.an_answer(), answered_by="Iemand"),
        "link_dossier": lambda code, client: answers.link_dossier_pdf(engine, token=code,
                                                                      photos_dir=Path("/nonexistent")),
        "tablet_token": lambda code, client: plans.save_field(engine, token=code, name="idea", value="x"),
        "tablet_sign_up": lambda code, client: candidates.sign_up(engine, token=code, first_name="Emma"),
    }
    before = snapshot(engine, ("ballot", "votingcard", "booth", "recipient", "plan", "candidate"))
    problems = []
    for case in CODES:
        for name, lookup in lookups.items():
            problem = refused_cleanly(engine, lambda f=lookup, c=case: f(c.text, f"client-{c}"), before,
                                      ("ballot", "votingcard", "booth", "recipient", "plan", "candidate"))
            # Wrong codes are counted against the client (the throttle): that row may change.
            if problem and "the database changed" in problem:
                counts = _counts(engine)
                if {k: v for k, v in counts.items() if k not in ("loginthrottle",)} == \
                        {k: v for k, v in before[0].items() if k not in ("loginthrottle",)}:
                    problem = None
            if problem:
                problems.append(f"{name} / {case}: {problem}")
        try:
            if polls.check_receipt(engine, code=case.text) is not None:
                problems.append(f"check_receipt / {case}: found a poll")
        except Exception as exc:  # noqa: BLE001
            problems.append(f"check_receipt / {case}: crashed: {type(exc).__name__}: {str(exc)[:160]}")
    assert not problems, "\n".join(problems)


def test_hostile_login_names_and_passwords_are_a_failed_login_never_a_crash(engine):
    boss = factories.admin(engine)
    problems = []
    for case in TEXTS:
        for username, password in ((case.text, factories.PASSWORD), (boss.username, case.text)):
            try:
                accounts.authenticate(engine, username=username, password=password, client=f"c-{case}")
            except KwrError as error:
                if error.key not in ("login.failed", "login.throttled") or message_problem(error):
                    problems.append(f"{case}: {error!r}")
            except Exception as exc:  # noqa: BLE001
                problems.append(f"{case}: crashed: {type(exc).__name__}: {str(exc)[:160]}")
            else:
                problems.append(f"{case}: logged in")
    assert not problems, "\n".join(problems)


def test_a_hostile_name_in_the_access_request_finds_no_child_and_does_not_crash(engine):
    w = pf.cycle_with_proposal(engine)
    problems = []
    before = snapshot(engine, ("candidate",))
    for case in TEXTS:
        problem = refused_cleanly(engine, lambda c=case: access_requests.access_export(
            engine, actor=w.admin, classroom_id=w.classes["a"].id, first_name=c.text), before, ("candidate",))
        if problem and "database changed" in problem and _counts(engine)["candidate"] == before[0]["candidate"]:
            problem = None  # a refused access request is written to the audit log
        if problem:
            problems.append(f"{case}: {problem}")
    assert not problems, "\n".join(problems)


# --- files that lie about their type ---------------------------------------------------------


def test_uploads_that_are_not_photos_are_refused_and_leave_no_file_and_no_change(engine, tmp_path):
    w = pf.cycle_with_proposal(engine)
    tmp_path = tmp_path / "photos"
    tmp_path.mkdir()
    token = w.plan_tokens["swings"]
    problems = []
    before = snapshot(engine, ("plan",))
    for label, data in bad_files():
        problem = refused_cleanly(engine, lambda d=data: plans.save_photo(engine, token=token, data=d,
                                                                          directory=tmp_path), before, ("plan",))
        if problem:
            problems.append(f"{label}: {problem}")
        if list(tmp_path.iterdir()):
            problems.append(f"{label}: left {[p.name for p in tmp_path.iterdir()]}")
    assert not problems, "\n".join(problems)


def test_a_good_photo_refused_because_the_lesson_ended_leaves_no_file(engine, tmp_path):
    w = pf.cycle_with_proposal(engine)
    tmp_path = tmp_path / "photos"
    tmp_path.mkdir()
    lessons.end_run(engine, actor=w.admin, run_id=_run_of(engine, w.classes["a"].id))
    before = snapshot(engine, ("plan",))

    problem = refused_cleanly(engine, lambda: plans.save_photo(engine, token=w.plan_tokens["swings"],
                                                               data=pf.jpeg(), directory=tmp_path), before, ("plan",))

    assert problem is None
    assert list(tmp_path.iterdir()) == []


# --- forged or reused voting cards, votes outside the poll window ----------------------------------


def _open_poll(engine: Engine, w: SimpleNamespace, title: str) -> tuple[int, list[int], list[str]]:
    poll_id = polls.create_poll(engine, actor=w.facilitator, cycle_id=w.cycle.id, title=title)
    polls.open_poll(engine, actor=w.facilitator, poll_id=poll_id)
    options = [o.id for o in polls.poll_view(engine, actor=w.facilitator, poll_id=poll_id).options]
    sheet = ballots.issue_cards(engine, actor=w.facilitator, poll_id=poll_id, classroom_id=w.classes["a"].id,
                                count=6, base_url="http://test")
    return poll_id, options, [card.code for card in sheet.cards]


def _set_poll(engine: Engine, poll_id: int, **values) -> None:
    with write_session(engine) as session:
        session.execute(update(Poll).where(Poll.id == poll_id).values(**values))
    ballots.forget_rules(engine)


def test_forged_reused_and_out_of_window_voting_cards_are_refused_and_count_nothing(engine):
    w = pf.cycle_with_proposal(engine)
    poll_id, options, codes = _open_poll(engine, w, "Stemming A")
    other_id, other_options, other_codes = _open_poll(engine, w, "Stemming B")
    used, to_void = codes[0], codes[1]
    ballots.cast_with_card(engine, code=used, choices=options[:1])
    new_sheet = ballots.issue_cards(engine, actor=w.facilitator, poll_id=poll_id, classroom_id=w.classes["a"].id,
                                    count=4, base_url="http://test")  # a reprint voids the unused cards
    fresh = [card.code for card in new_sheet.cards]
    now = utcnow()

    def later_poll(**values):
        def arrange():
            _set_poll(engine, other_id, **values)
        return arrange

    cases: list[tuple[str, Callable[[], None], Callable[[], Any]]] = [
        ("random code", lambda: None, lambda: ballots.cast_with_card(engine, code="ABCD-EFGH", choices=options[:1])),
        ("used card", lambda: None, lambda: ballots.cast_with_card(engine, code=used, choices=options[:1])),
        ("void card", lambda: None, lambda: ballots.cast_with_card(engine, code=to_void, choices=options[:1])),
        ("card of another poll, its options", lambda: None,
         lambda: ballots.cast_with_card(engine, code=other_codes[0], choices=options[:1])),
        ("an option twice", lambda: None, lambda: ballots.cast_with_card(engine, code=fresh[0],
                                                                          choices=[options[0], options[0]])),
        ("too many choices", lambda: None, lambda: ballots.cast_with_card(engine, code=fresh[0], choices=options)),
        ("an option id that does not exist", lambda: None,
         lambda: ballots.cast_with_card(engine, code=fresh[0], choices=[10**9])),
        ("before the poll opens", later_poll(opened_at=now + timedelta(hours=1)),
         lambda: ballots.cast_with_card(engine, code=other_codes[1], choices=other_options[:1])),
        ("after the closing time", later_poll(opened_at=now - timedelta(hours=2), closed_at=now - timedelta(hours=1)),
         lambda: ballots.cast_with_card(engine, code=other_codes[1], choices=other_options[:1])),
        ("looking the card up after the close", lambda: None,
         lambda: ballots.card_poll(engine, code=other_codes[2], client="tablet")),
        ("closed by the facilitator", lambda: polls.close_poll(engine, actor=w.facilitator, poll_id=poll_id),
         lambda: ballots.cast_with_card(engine, code=fresh[1], choices=options[:1])),
    ]
    problems = []
    for label, arrange, call in cases:
        arrange()
        before = snapshot(engine, ("ballot", "votingcard", "receipt"))
        problem = refused_cleanly(engine, call, before, ("ballot", "votingcard", "receipt"))
        if problem:
            problems.append(f"{label}: {problem}")
    assert not problems, "\n".join(problems)
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(Ballot)).scalar() == 1 + len(pf.CARD_BALLOTS)
        assert connection.execute(select(func.count()).where(VotingCard.used)).scalar() == 1 + len(pf.CARD_BALLOTS)


# --- forged, reused, expired or revoked reply links --------------------------------------------------


def test_forged_reused_expired_and_revoked_reply_links_cannot_answer(engine):
    w = pf.cycle_with_proposal(engine)
    _send_gemeente(engine, w)
    pf.send(engine, w, "corporatie")
    revoked, expired, used, done = (pf.reply_link(engine, w, "gemeente") for _ in range(4))
    corporatie = pf.reply_link(engine, w, "corporatie")
    link_id = min(link.id for link in answers.reply_links(engine, actor=w.facilitator,
                                                        recipient_id=w.recipients["gemeente"]))
    answers.revoke_reply_link(engine, actor=w.facilitator, link_id=link_id)  # the first one: `revoked`
    with write_session(engine) as session:
        session.execute(update(ReplyLink).where(ReplyLink.token_hash == link_token_hash(expired))
                        .values(expires_at=utcnow() - timedelta(minutes=1)))
    seen = _recipient(engine, w).answer_revision
    answers.answer_by_link(engine, token=used, seen_revision=seen, answer=pf.an_answer(), answered_by="Sanne")

    def answer(token, revision=seen, who="Iemand"):
        return lambda: answers.answer_by_link(engine, token=token, seen_revision=revision,
                                              answer=pf.an_answer(Decision.REJECTED, "Nee."), answered_by=who)

    def mark_done():
        proposals.move_recipient(engine, actor=w.facilitator, recipient_id=w.recipients["gemeente"],
                                 to=RecipientStatus.DONE)

    cases = [
        ("forged token", lambda: None, answer("x" * 43)),
        ("forged token, opened", lambda: None, lambda: answers.open_reply_link(engine, token="x" * 43)),
        ("revoked link", lambda: None, answer(revoked)),
        ("revoked link, opened", lambda: None, lambda: answers.open_reply_link(engine, token=revoked)),
        ("expired link", lambda: None, answer(expired)),
        ("expired link, dossier", lambda: None,
         lambda: answers.link_dossier_pdf(engine, token=expired, photos_dir=Path("/nonexistent"))),
        ("reused link over an answer it did not show", lambda: None, answer(used)),
        ("another recipient's link with this recipient's revision", lambda: None, answer(corporatie, seen + 1)),
        ("link after the recipient is done", mark_done, answer(done, seen + 1)),
    ]
    problems = []
    for label, arrange, call in cases:
        arrange()
        before = snapshot(engine, ("recipient", "proposal"))
        problem = refused_cleanly(engine, call, before, ("recipient", "proposal"))
        if problem:
            problems.append(f"{label}: {problem}")
    assert not problems, "\n".join(problems)
    assert _recipient(engine, w).answered_by == "Sanne"


# --- ids from another wijk -----------------------------------------------------------------------


# What the calls below could change; every other table is checked by its row count.
TOUCHED = ("proposal", "recipient", "replylink", "theme", "plan", "poll", "votingcard", "papertally", "meeting",
           "installation", "workitem", "school", "classroom", "partnership", "feedbackshare", "lessonrun")


def test_ids_from_another_wijk_are_refused_and_change_nothing(engine):
    w = pf.cycle_with_proposal(engine)
    _send_gemeente(engine, w)
    b = w.other_facilitator
    e = engine
    gemeente = w.recipients["gemeente"]
    plan_id = w.plans["swings"]
    teacher = accounts.session_actor(engine, username=w.teacher.username)
    calls: dict[str, Callable[[], Any]] = {
        "update_proposal": lambda: proposals.update_proposal(e, actor=b, proposal_id=w.proposal_id, seen_revision=0,
                                                             fields={**w.fields, "title": "Gekaapt"}),
        "delete_proposal": lambda: proposals.delete_proposal(e, actor=b, proposal_id=w.proposal_id),
        "add_recipient": lambda: proposals.add_recipient(e, actor=b, proposal_id=w.proposal_id,
                                                         organisation_id=w.outsider.id, contact_id=None),
        "move_recipient": lambda: proposals.move_recipient(e, actor=b, recipient_id=gemeente,
                                                           to=RecipientStatus.IN_PROGRESS),
        "dossier": lambda: proposals.dossier(e, actor=b, recipient_id=gemeente, photos_dir=Path("/nonexistent")),
        "create_reply_link": lambda: answers.create_reply_link(e, actor=b, recipient_id=gemeente),
        "reply_links": lambda: answers.reply_links(e, actor=b, recipient_id=gemeente),
        "enter_answer": lambda: answers.enter_answer(e, actor=b, recipient_id=gemeente, seen_revision=0,
                                                     answer=pf.an_answer(), answered_by="X"),
        "set_child_answer": lambda: answers.set_child_answer(e, actor=b, recipient_id=gemeente, child_answer="x",
                                                             child_next=""),
        "official of another organisation": lambda: answers.answer_as_official(
            e, actor=w.official, recipient_id=w.recipients["corporatie"], seen_revision=0, answer=pf.an_answer()),
        "draft_from_theme": lambda: proposals.draft_from_theme(e, actor=b, theme_id=w.top_theme_id),
        "create_proposal with wijk A's theme": lambda: proposals.create_proposal(
            e, actor=b, cycle_id=w.other_cycle.id, theme_id=w.top_theme_id, plan_ids=[], fields=w.fields,
            recipients=[(w.gemeente.id, None)]),
        "create_proposal with wijk A's plans": lambda: proposals.create_proposal(
            e, actor=b, cycle_id=w.other_cycle.id, theme_id=None, plan_ids=[plan_id], fields=w.fields,
            recipients=[(w.gemeente.id, None)]),
        "create_theme": lambda: plans.create_theme(e, actor=b, cycle_id=w.cycle.id, name="Gekaapt"),
        "rename_theme": lambda: plans.rename_theme(e, actor=b, theme_id=w.top_theme_id, name="Gekaapt"),
        "delete_theme": lambda: plans.delete_theme(e, actor=b, theme_id=w.top_theme_id),
        "merge_themes": lambda: plans.merge_themes(e, actor=b, source_id=w.themes["Afval"],
                                                   target_id=w.top_theme_id),
        "move_plans into wijk A's theme": lambda: plans.move_plans(e, actor=b, cycle_id=w.cycle.id,
                                                                   plan_ids=[plan_id], theme_id=None),
        "plan_view": lambda: plans.plan_view(e, actor=b, plan_id=plan_id),
        "correct_plan": lambda: plans.correct_plan(e, actor=b, plan_id=plan_id, seen_revision=_plan(e, w).revision,
                                                   answers={"title": "Gekaapt"}),
        "approve_plan": lambda: plans.approve_plan(e, actor=b, plan_id=plan_id, seen_revision=_plan(e, w).revision),
        "teacher approves a plan of another class": lambda: plans.approve_plan(
            e, actor=teacher, plan_id=w.plans["playground"], seen_revision=0),
        "teacher starts a lesson in another class": lambda: lessons.start_run(
            e, actor=teacher, classroom_id=w.classes["b"].id, template_id=templates.latest_template(e).id,
            lesson_index=0),
        "create_poll": lambda: polls.create_poll(e, actor=b, cycle_id=w.cycle.id, title="Gekaapt"),
        "close_poll": lambda: polls.close_poll(e, actor=b, poll_id=w.poll_id),
        "poll results": lambda: results.results(e, actor=b, poll_id=w.poll_id),
        "start_runoff": lambda: results.start_runoff(e, actor=b, poll_id=w.poll_id),
        "issue_cards": lambda: ballots.issue_cards(e, actor=b, poll_id=w.poll_id, classroom_id=w.classes["a"].id,
                                                   count=3, base_url="http://test"),
        "enter_paper": lambda: ballots.enter_paper(e, actor=b, poll_id=w.poll_id, classroom_id=w.classes["b"].id,
                                                   papers=1, counts={}),
        "create_meeting": lambda: council.create_meeting(e, actor=b, cycle_id=w.cycle.id, held_on=date(2027, 3, 1)),
        "save_installation": lambda: council.save_installation(e, actor=b, cycle_id=w.cycle.id, venue="Gekaapt"),
        "update_work_item": lambda: council.update_work_item(e, actor=b, cycle_id=w.cycle.id,
                                                             theme_id=w.top_theme_id, organisation_id=None,
                                                             next_action="x", status="todo"),
        "council_of_cycle": lambda: council.council_of_cycle(e, actor=b, cycle_id=w.cycle.id),
        "create_school": lambda: neighbourhoods.create_school(e, actor=b, neighbourhood_id=w.wijk.id, name="Gekaapt"),
        "rename_school": lambda: neighbourhoods.rename_school(e, actor=b, school_id=w.schools["a"].id, name="Gekaapt"),
        "update_classroom": lambda: neighbourhoods.update_classroom(e, actor=b, classroom_id=w.classes["a"].id,
                                                                    name="Gekaapt", grade=7, pupil_count=1,
                                                                    teacher_ids=[]),
        "add_partner": lambda: neighbourhoods.add_partner(e, actor=b, cycle_id=w.cycle.id,
                                                          organisation_id=w.outsider.id),
        "class in wijk B's cycle with wijk A's school": lambda: neighbourhoods.create_classroom(
            e, actor=b, cycle_id=w.other_cycle.id, school_id=w.schools["a"].id, name="Gekaapt", grade=7,
            pupil_count=20),
        "feedback_sheet": lambda: feedback.feedback_sheet(e, actor=b, classroom_id=w.classes["a"].id),
        "record_shared": lambda: feedback.record_shared(e, actor=b, classroom_id=w.classes["a"].id),
        "access_export": lambda: access_requests.access_export(e, actor=b, classroom_id=w.classes["a"].id,
                                                               first_name="Emma"),
    }
    problems = []
    for label, call in calls.items():
        before = snapshot(engine, TOUCHED)
        try:
            result = call()
        except (NotAllowed, NotFound) as error:
            problem = message_problem(error)
            after = snapshot(engine, TOUCHED)
            # A refusal to look at children's data is itself written to the audit log.
            if after != before and {k: v for k, v in after[0].items() if k != "auditentry"} != \
                    {k: v for k, v in before[0].items() if k != "auditentry"}:
                problem = f"refused with {error.key} but the database changed"
            if problem:
                problems.append(f"{label}: {problem}")
            continue
        except KwrError as error:  # an input refusal is fine too, if it names no foreign data
            if message_problem(error) or snapshot(engine, TOUCHED) != before:
                problems.append(f"{label}: {error!r}")
            continue
        except Exception as exc:  # noqa: BLE001
            problems.append(f"{label}: crashed: {type(exc).__name__}: {str(exc)[:160]}")
            continue
        if snapshot(engine, TOUCHED) != before or result:
            problems.append(f"{label}: not refused ({result!r:.80})")
    assert not problems, "\n".join(problems)


# --- the pages show stored hostile text as text --------------------------------------------------

from tests.test_pages import USERNAMES, app_as, database_url, demo_database, page_path  # noqa: E402, F401

HOSTILE = "<script>alert(1)</script> <img src=x onerror=alert(1)> [klik](javascript:alert(1)) ![x](http://evil.example/x.png) **vet** :red[rood]"  # noqa: E501
# Markdown or HTML that was not escaped by ui.format.plain (which puts a backslash before it).
RAW_MARKUP = re.compile(r"(?<!\\)<script>|(?<!\\)<img |(?<!\\)\]\(javascript|(?<!\\)!\[x|\*\*vet\*\*|(?<!\\):red\[")


def _markdown_shown(at) -> list[str]:
    """Every value Streamlit renders as markdown: texts, messages, and widget and expander labels."""
    values = [str(e.value) for kind in ("title", "header", "subheader", "markdown", "caption", "info", "error",
                                        "warning", "success") for e in getattr(at, kind)]
    for kind in ("expander", "checkbox", "button", "number_input", "text_input", "text_area", "radio",
                 "selectbox", "toggle", "tabs"):
        values += [str(getattr(e, "label", "")) for e in getattr(at, kind)]
    return values


def _assert_shown_as_text(at) -> None:
    assert not at.exception, at.exception
    shown = _markdown_shown(at)
    leaks = [value[:160] for value in shown if RAW_MARKUP.search(value)]
    assert not leaks, leaks
    assert any(plain("<script>alert(1)</script>") in value for value in shown), "the hostile text is not shown"


@pytest.fixture
def hostile_demo(database_url):  # noqa: F811 - the fixture imported from test_pages
    """The demo wijk with hostile text typed into a theme name, a plan, a poll, a proposal and its
    answer; an open poll over the themes with a voting card, and a reply link."""
    from kinderwijkraad import db

    engine = db.make_engine(database_url)
    facilitator = accounts.session_actor(engine, username=USERNAMES[Role.FACILITATOR])
    cycle_id = plans.managed_cycles(engine, actor=facilitator)[0].id  # the one the pages open first
    cycle_plans = plans.cycle_plans(engine, actor=facilitator, cycle_id=cycle_id)
    theme_id = plans.create_theme(engine, actor=facilitator, cycle_id=cycle_id, name=HOSTILE[:80])
    plan = cycle_plans[0]
    plans.move_plans(engine, actor=facilitator, cycle_id=cycle_id, plan_ids=[plan.id], theme_id=theme_id)
    plans.correct_plan(engine, actor=facilitator, plan_id=plan.id,
                       seen_revision=plans.plan_view(engine, actor=facilitator, plan_id=plan.id).revision,
                       answers={"title": HOSTILE[:80], "problem": HOSTILE})
    poll_id = polls.create_poll(engine, actor=facilitator, cycle_id=cycle_id, title=HOSTILE[:120])
    polls.open_poll(engine, actor=facilitator, poll_id=poll_id)
    classroom_id = plans.plan_view(engine, actor=facilitator, plan_id=plan.id).run_id
    with engine.connect() as connection:
        classroom_id = connection.execute(select(LessonRun.classroom_id).where(LessonRun.id == classroom_id)).scalar()
    card = ballots.issue_cards(engine, actor=facilitator, poll_id=poll_id, classroom_id=classroom_id, count=2,
                               base_url="http://test").cards[0].code
    partner = proposals.partner_choices(engine, actor=facilitator, cycle_id=cycle_id)[0]
    proposal_id = proposals.create_proposal(
        engine, actor=facilitator, cycle_id=cycle_id, theme_id=theme_id, plan_ids=[plan.id],
        fields={"title": HOSTILE[:120], "problem": HOSTILE, "idea": HOSTILE, "ask": HOSTILE},
        recipients=[(partner.organisation_id, None)])
    recipient_id = proposals.get_proposal(engine, actor=facilitator, proposal_id=proposal_id).recipients[0].id
    proposals.move_recipient(engine, actor=facilitator, recipient_id=recipient_id, to=RecipientStatus.SENT)
    answers.enter_answer(engine, actor=facilitator, recipient_id=recipient_id, seen_revision=0,
                         answer=pf.an_answer(Decision.PARTLY, HOSTILE), answered_by=HOSTILE[:100])
    token = answers.create_reply_link(engine, actor=facilitator, recipient_id=recipient_id)
    engine.dispose()
    return SimpleNamespace(card=card, token=token, proposal_id=proposal_id)


def test_pages_show_stored_hostile_text_escaped(hostile_demo):
    from kinderwijkraad.ui import navigation

    for role, spec in ((Role.FACILITATOR, navigation.THEMES), (Role.FACILITATOR, navigation.PROPOSALS),
                       (Role.FACILITATOR, navigation.POLLS)):
        at = app_as(role).run()
        at.switch_page(page_path(spec)).run()
        _assert_shown_as_text(at)

    reply = app_as(None)
    reply.switch_page(page_path(navigation.REPLY))
    reply.query_params["link"] = hostile_demo.token
    _assert_shown_as_text(reply.run())

    ballot = app_as(None)
    ballot.switch_page(page_path(navigation.VOTE))
    ballot.query_params["kaart"] = hostile_demo.card
    ballot.run()
    assert not ballot.exception
    assert any(plain(HOSTILE[:20]) in label for label in _markdown_shown(ballot)), _markdown_shown(ballot)
    assert not [value for value in _markdown_shown(ballot) if RAW_MARKUP.search(value)]

