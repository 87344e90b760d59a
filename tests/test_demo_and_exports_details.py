"""Details of the demo, the access export, restored photos and the Dutch texts: a demo whose council
members signed up before they met, two children's access files that cannot overwrite each other,
restored photos as private as uploaded ones, and the self-check's Dutch grammar."""

from __future__ import annotations

import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import SQLModel, col, select

from kinderwijkraad import backup, db
from kinderwijkraad.db import read_session
from kinderwijkraad.exports.access import file_stem, render_access_json
from kinderwijkraad.i18n import t
from kinderwijkraad.models import Attendance, Candidate, Classroom, CouncilMember, Cycle, Meeting
from kinderwijkraad.models.common import as_utc
from kinderwijkraad.services import access_requests, accounts, demo, demo_year, images


@pytest.fixture(scope="module")
def demo_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """The seeded demo, once for the module (seeding takes a few seconds)."""
    engine = db.make_engine(f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}")
    SQLModel.metadata.create_all(engine)
    demo.seed_demo(engine)
    yield engine
    engine.dispose()


def test_every_demo_members_sign_up_and_member_since_dates_precede_every_meeting_they_attended(demo_engine):
    with read_session(demo_engine) as session:
        rows = session.exec(
            select(Candidate.first_name, Candidate.created_at, Candidate.consent_recorded_at, CouncilMember.created_at,
                   Meeting.held_on)
            .join(CouncilMember, col(CouncilMember.candidate_id) == Candidate.id)
            .join(Attendance, col(Attendance.member_id) == CouncilMember.id)
            .join(Meeting, col(Meeting.id) == Attendance.meeting_id)).all()
    assert len(rows) >= 7  # four members at the first meeting, three at the second
    for name, signed_up, consent, member_since, held_on in rows:
        assert as_utc(signed_up).date() < held_on, f"{name} signed up on {signed_up}, after the meeting of {held_on}"
        assert as_utc(consent).date() < held_on, f"{name}'s consent came on {consent}, after {held_on}"
        assert as_utc(member_since).date() < held_on, f"{name} a member since {member_since}, after {held_on}"


def test_the_demo_children_signed_up_in_les_3_after_the_vote_and_became_members_before_the_installation(
        demo_engine):
    with read_session(demo_engine) as session:
        cycle_id = session.exec(select(Cycle.id).where(Cycle.school_year == demo_year.YEAR)).one()
        classes = select(Classroom.id).where(Classroom.cycle_id == cycle_id)
        signed_up = session.exec(select(Candidate.created_at).where(col(Candidate.classroom_id).in_(classes))).all()
        since = session.exec(select(CouncilMember.created_at).where(CouncilMember.cycle_id == cycle_id)).all()
    assert {as_utc(moment).date() for moment in signed_up} == {demo_year.LES_3}
    assert {as_utc(moment).date() for moment in since} == {demo_year.CONSENT_IN}


def test_two_children_of_one_class_get_two_access_files_that_name_neither_child(demo_engine):
    admin = accounts.session_actor(demo_engine, username="demo-admin")
    with read_session(demo_engine) as session:
        cycle_id = session.exec(select(Cycle.id).where(Cycle.school_year == demo_year.YEAR)).one()
        classroom_id = session.exec(select(Candidate.classroom_id).join(Classroom)
                                    .where(Classroom.cycle_id == cycle_id, Candidate.first_name == "Noor")).one()
    noor, daan = (access_requests.access_export(demo_engine, actor=admin, classroom_id=classroom_id, first_name=name)
                  for name in ("Noor", "Daan"))
    assert file_stem(noor) != file_stem(daan)
    for export in (noor, daan):
        stem = file_stem(export)
        assert export.first_name.casefold() not in stem
        assert stem.startswith("inzage-obs-de-regenboog-groep-8-2025-2026-kind-")
        assert stem.endswith(export.reference) and export.reference in render_access_json(export).decode()


def _database(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE t (x)")
    return path


def test_a_restored_photo_is_as_private_as_one_the_app_stored(tmp_path):
    photos = tmp_path / "data" / "photos"
    name = images.store_photo(photos, b"\xff\xd8\xff\xe0 a cleaned photo")
    made = backup.backup_sqlite(_database(tmp_path / "data" / "kinderwijkraad.db"), tmp_path / "backups",
                                photos_dir=photos).path
    target = tmp_path / "restored"
    backup.restore_sqlite(made, database=target / "kinderwijkraad.db", photos_dir=target / "photos")
    mode = stat.S_IMODE((target / "photos" / name).stat().st_mode)
    assert mode == stat.S_IMODE((photos / name).stat().st_mode) == 0o600, oct(mode)


def test_the_self_check_asks_in_good_dutch_whether_the_children_were_asked():
    question = t("selfcheck.q.space.asked", language="nl")
    assert not question.startswith("De kinderen is ")
    assert question.startswith("Aan de kinderen is ")
