"""The council's certificates and installation programme, read back as text."""

from __future__ import annotations

import logging

import pytest

from kinderwijkraad.exports.council import (
    Certificate,
    InstallationProgramme,
    ProgrammeItem,
    render_certificates_pdf,
    render_installation_programme_pdf,
)
from kinderwijkraad.i18n import current_language, t
from tests.test_exports_proposals import HOSTILE, flat
from tests.test_exports_voting import needs_text_extraction, pages_text

KIDS = [("Sanne", "voorzitter", "groep 8", "De Vlinder"), ("Ömer", "notulist", "groep 7/8", "De Regenboog"),
        ("Ĳsbrand", "lid", "groep 6", "Het Kompas")]


def certificate(first_name: str = "Sanne", **changes: str) -> Certificate:
    base = {
        "first_name": first_name, "class_label": "groep 8", "school": "De Vlinder", "role_label": "voorzitter",
        "council_name": "Kinderwijkraad Vogelbuurt", "school_year": "2026-2027", "date_text": "27 november 2026",
        "alderman_name": "Jeroen van Dijk", "alderman_title": "wethouder Jeugd",
    }
    base.update(changes)
    return Certificate(**base)


CERTIFICATES = [certificate(name, role_label=role, class_label=cls, school=school) for name, role, cls, school in KIDS]

ITEMS = [ProgrammeItem("14:00", "Welkom door de burgemeester"),
         ProgrammeItem("14:15", "De kinderen stellen zich voor"),
         ProgrammeItem("14:40", "Installatie door de wethouder en uitreiking van de certificaten"),
         ProgrammeItem("", "Limonade en taart")]
MEMBERS = ["Sanne (voorzitter), groep 8, De Vlinder", "Ömer (notulist), groep 7/8, De Regenboog",
           "Ĳsbrand (lid), groep 6, Het Kompas"]


def programme(**changes: object) -> InstallationProgramme:
    base: dict[str, object] = {
        "council_name": "Kinderwijkraad Vogelbuurt", "school_year": "2026-2027",
        "date_text": "woensdag 27 november 2026", "venue": "Stadhuis Utrecht, raadzaal",
        "alderman_name": "Jeroen van Dijk", "alderman_title": "wethouder Jeugd", "items": ITEMS, "members": MEMBERS,
    }
    base.update(changes)
    return InstallationProgramme(**base)  # type: ignore[arg-type]


# -- certificates ----------------------------------------------------------------------------------


@needs_text_extraction
def test_one_landscape_certificate_per_member_with_everything_on_it(tmp_path):
    data = render_certificates_pdf(CERTIFICATES)
    pages = pages_text(data, tmp_path)
    assert len(pages) == 3
    assert b"/MediaBox [0 0 841.89 595.28]" in data  # A4 landscape, set once on the page tree
    for page, (name, role, cls, school) in zip(pages, KIDS, strict=True):
        text = flat(page)
        assert t("pdf.certificate.title") in text
        assert name in text
        assert t("pdf.certificate.role", role=role, council="Kinderwijkraad Vogelbuurt") in text
        assert f"{cls} · {school}" in text
        assert t("pdf.certificate.school_year", school_year="2026-2027") in text
        assert "27 november 2026" in text
        assert "Jeroen van Dijk" in text and "wethouder Jeugd" in text
    assert f"/Lang ({current_language()})".encode() in data


@needs_text_extraction
def test_a_certificate_without_date_or_alderman_has_lines_to_fill_in(tmp_path):
    pages = pages_text(render_certificates_pdf([certificate(date_text="", alderman_name="", alderman_title="")]),
                       tmp_path)
    text = flat(pages[0])
    assert t("pdf.certificate.date") in text and t("pdf.certificate.signature") in text


def test_no_certificates_is_refused():
    with pytest.raises(ValueError):
        render_certificates_pdf([])


@needs_text_extraction
def test_hostile_certificates_stay_one_page_each_with_visible_boxes(tmp_path, caplog):
    hostile = Certificate(*([HOSTILE] * 9))
    with caplog.at_level(logging.WARNING, logger="kinderwijkraad.exports.pdf"):
        pages = pages_text(render_certificates_pdf([hostile, certificate()]), tmp_path)
    assert len(pages) == 2
    assert "□" in pages[0] and "\x00" not in pages[0]
    assert "<b onclick=alert(1)>" in pages[0]
    assert "Sanne" in pages[1]
    assert any("U+1F389" in record.getMessage() for record in caplog.records)


@needs_text_extraction
def test_a_very_long_name_prints_smaller_and_still_whole(tmp_path):
    name = "Anne-Sophie Maximiliaan"
    pages = pages_text(render_certificates_pdf([certificate(name)]), tmp_path)
    assert name in pages[0]


# -- programme -------------------------------------------------------------------------------------


@needs_text_extraction
def test_the_programme_has_title_date_venue_items_members_and_alderman(tmp_path):
    pages = pages_text(render_installation_programme_pdf(programme()), tmp_path)
    assert len(pages) == 1
    text = flat(pages[0])
    assert t("pdf.programme.title", council="Kinderwijkraad Vogelbuurt") in text
    for value in ("woensdag 27 november 2026", "Stadhuis Utrecht, raadzaal", "2026-2027"):
        assert value in text
    for item in ITEMS:
        assert f"{item.time} {item.text}".strip() in text
    for member in MEMBERS:
        assert member in text
    assert t("pdf.programme.installed_by", alderman="Jeroen van Dijk, wethouder Jeugd") in text
    assert text.index(ITEMS[0].text) < text.index(ITEMS[-1].text) < text.index(MEMBERS[0])


@needs_text_extraction
def test_a_long_programme_flows_over_pages_with_every_item(tmp_path):
    items = [ProgrammeItem(f"{14 + i // 4}:{i % 4 * 15:02d}", f"Onderdeel nummer {i} van de middag") for i in range(45)]
    members = [f"Kind {i} (lid), groep 8, School {i % 3}" for i in range(40)]
    pages = pages_text(render_installation_programme_pdf(programme(items=items, members=members)), tmp_path)
    assert 2 <= len(pages) <= 4
    text = flat("\n".join(pages))
    assert all(item.text in text for item in items)
    assert all(member in text for member in members)
    for number, page in enumerate(pages, start=1):
        assert t("pdf.page", page=number, pages=len(pages)) in page


@needs_text_extraction
def test_an_empty_programme_says_so(tmp_path):
    text = flat(pages_text(render_installation_programme_pdf(programme(items=[], members=[], alderman_name="",
                                                                    alderman_title="")), tmp_path)[0])
    assert t("pdf.programme.no_items") in text and t("pdf.programme.no_members") in text


@needs_text_extraction
def test_hostile_programme_renders_within_a_few_pages(tmp_path):
    hostile = programme(council_name=HOSTILE, school_year=HOSTILE, date_text=HOSTILE, venue=HOSTILE,
                        alderman_name=HOSTILE, alderman_title=HOSTILE, items=[ProgrammeItem(HOSTILE, HOSTILE)] * 10,
                        members=[HOSTILE] * 20)
    pages = pages_text(render_installation_programme_pdf(hostile), tmp_path)
    assert len(pages) <= 4
    assert "□" in "\n".join(pages)
