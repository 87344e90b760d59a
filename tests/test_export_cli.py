"""`kinderwijkraad export proposals [--cycle CYCLE_ID] DIR`: every proposal's dossier, one PDF per
recipient, from the demo's database; clear refusals for an unknown cycle or an empty database."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlmodel import select

from kinderwijkraad import db
from kinderwijkraad.cli import main
from kinderwijkraad.config import get_settings
from kinderwijkraad.db import read_session
from kinderwijkraad.i18n import t
from kinderwijkraad.models import Cycle, Recipient
from kinderwijkraad.services import demo


@pytest.fixture(scope="module")
def seeded_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo, migrated and seeded once for the module (seconds); tests get a copy."""
    data = tmp_path_factory.mktemp("seeded") / "data"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("KWR_DATA_DIR", str(data))
        get_settings.cache_clear()
        settings = get_settings()
        settings.data_dir.mkdir(parents=True)
        db.upgrade(settings.effective_database_url)
        engine = db.make_engine(settings.effective_database_url)
        demo.seed_demo(engine, photos_dir=settings.photos_dir)
        engine.dispose()
    get_settings.cache_clear()
    return data


@pytest.fixture
def demo_data(seeded_data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(seeded_data_dir, tmp_path / "data")
    monkeypatch.setenv("KWR_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    return tmp_path


def _cycles_and_recipients() -> tuple[dict[str, int], int]:
    engine = db.make_engine(get_settings().effective_database_url)
    with read_session(engine) as session:
        cycles = {c.school_year: c.id for c in session.exec(select(Cycle)).all()}
        recipients = len(session.exec(select(Recipient)).all())
    engine.dispose()
    return cycles, recipients


def test_export_writes_one_pdf_per_recipient_of_every_cycle(demo_data, capsys):
    _, recipients = _cycles_and_recipients()
    code = main(["export", "proposals", str(demo_data / "archief")])
    out, err = capsys.readouterr()
    assert code == 0, err
    files = sorted((demo_data / "archief").glob("*.pdf"))
    assert len(files) == recipients == 4  # three of last year, one of this year
    assert [str(f) for f in files] == sorted(out.split())
    assert all(f.read_bytes().startswith(b"%PDF-") for f in files)
    assert not list((demo_data / "archief").glob("*.part"))


def test_export_of_one_cycle(demo_data, capsys):
    cycles, _ = _cycles_and_recipients()
    assert main(["export", "proposals", "--cycle", str(cycles["2025-2026"]), str(demo_data / "a")]) == 0
    names = sorted(p.name for p in (demo_data / "a").glob("*.pdf"))
    assert len(names) == 3 and all(name.startswith("voorstel-") for name in names)
    assert {"gemeente-rivierstad", "woonstichting-rivierthuis"} == {n.split("-", 3)[3][:-4] for n in names}


def test_an_unknown_cycle_is_refused_in_words(demo_data, capsys):
    assert main(["export", "proposals", "--cycle", "999", str(demo_data / "b")]) == 2
    assert t("error.not_found.cycle", language="en") in capsys.readouterr().err


def test_an_empty_database_is_refused_without_creating_one(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("KWR_DATA_DIR", str(tmp_path / "leeg"))
    get_settings.cache_clear()
    assert main(["export", "proposals", str(tmp_path / "out")]) == 2
    assert "empty" in capsys.readouterr().err
    assert not (tmp_path / "leeg" / "kinderwijkraad.db").exists()
