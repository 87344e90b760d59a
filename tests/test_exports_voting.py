"""The printed vote: voting cards, paper ballots, the one-page result and the results CSV.

PDF text is read back with pypdf when installed, else with poppler's `pdftotext`, so the tests
check what a reader (or a screen reader) gets, not what we meant to draw.
"""

from __future__ import annotations

import csv
import io
import logging
import shutil
import subprocess
from pathlib import Path

import pytest
from fpdf.errors import FPDFException

from kinderwijkraad.exports.pdf import KwrPDF
from kinderwijkraad.exports.tables import csv_bytes, neutralise_cell, render_results_csv
from kinderwijkraad.exports.voting import (
    BallotPaper,
    CardPrint,
    CardSheet,
    ResultRow,
    ResultsReport,
    TurnoutRow,
    render_ballot_papers_pdf,
    render_results_pdf,
    render_voting_cards_pdf,
)
from kinderwijkraad.i18n import current_language, t

try:
    import pypdf
except ImportError:  # not a dependency of the app; poppler-utils is the fallback
    pypdf = None

needs_text_extraction = pytest.mark.skipif(
    pypdf is None and shutil.which("pdftotext") is None,
    reason="neither pypdf nor poppler's pdftotext is installed: cannot read PDF text back",
)

DUTCH = "Wijkstemming Zuidwijk 2026: één café, ĳsjes en België"
HOSTILE = "<b onclick=alert(1)>&amp;</b> 🎉 עברית \x00\x07 =cmd|' /C calc'!A0 " + "W" * 10_000
CODES = [f"K{index:02d}M-4TXP" for index in range(23)]


def pages_text(data: bytes, tmp_path: Path) -> list[str]:
    """The text of each page, in order."""
    if pypdf is not None:
        return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages]
    path = tmp_path / "doc.pdf"
    path.write_bytes(data)
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True)
    return out.stdout.decode("utf-8").split("\f")[:-1]  # every page ends with a form feed


def images_per_page(data: bytes, tmp_path: Path) -> dict[int, int]:
    if shutil.which("pdfimages") is None:
        pytest.skip("poppler's pdfimages is not installed")
    path = tmp_path / "images.pdf"
    path.write_bytes(data)
    out = subprocess.run(["pdfimages", "-list", str(path)], capture_output=True, check=True, text=True)
    counts: dict[int, int] = {}
    for line in out.stdout.splitlines()[2:]:  # two header lines
        page = int(line.split()[0])
        counts[page] = counts.get(page, 0) + 1
    return counts


def report(options: int = 15, classes: int = 12, **changes: object) -> ResultsReport:
    """A wijk result with distinct numbers everywhere, so a missing one is noticed."""
    rows = [
        ResultRow(
            option=f"Thema {chr(65 + i)} één",
            electronic=100 + i,
            paper=200 + i,
            total=300 + 2 * i,
            place=i + 1,
            top=i < 3,
        )
        for i in range(options)
    ]
    turnout = [
        TurnoutRow(label=f"School {i} · groep {5 + i % 4}", ballots=400 + i, pupils=500 + i, shown=i != 0)
        for i in range(classes)
    ]
    base: dict[str, object] = {
        "title": DUTCH,
        "scope_label": "Wijk Zuidwijk",
        "method_label": "Goedkeuringsstemming (kies er 3)",
        "closed_at": "27 november 2026, 10:42",
        "ballots": 321,
        "rows": rows,
        "turnout": turnout,
        "winners_note": "Gelijke stand op plaats 3: Speeltuin en Verkeer.",
        "footnote": "Stemmen zijn geheim. Klassen met minder dan 5 stemmen staan alleen in het wijktotaal.",
    }
    base.update(changes)
    return ResultsReport(**base)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def cards_pdf() -> bytes:
    sheet = CardSheet(
        poll_title=DUTCH,
        class_label="De Vlinder · groep 7",
        instructions="Scan de code of typ hem over op de tablet. Je kaart werkt één keer.",
        cards=[CardPrint(code, f"http://kwr.example.nl/stemmen?kaart={code}") for code in CODES],
    )
    return render_voting_cards_pdf(sheet)


OPTIONS = ["Speeltuin", "Verkeer", "Groen en bomen", "Zwerfafval", "Een veilige oversteek bij de school"]


@pytest.fixture(scope="module")
def ballots_pdf() -> bytes:
    paper = BallotPaper(
        poll_title=DUTCH,
        class_label="De Vlinder · groep 7",
        question="Welke thema's vind jij het belangrijkst?",
        instruction="Zet een kruisje bij 3 thema's.",
        options=OPTIONS,
        copies=5,
    )
    return render_ballot_papers_pdf(paper)


# -- voting cards --------------------------------------------------------------------------------------


@needs_text_extraction
def test_23_cards_take_3_pages_and_every_code_is_printed(cards_pdf, tmp_path):
    pages = pages_text(cards_pdf, tmp_path)
    assert len(pages) == 3
    text = "\n".join(pages)
    assert [code for code in CODES if code not in text] == []
    for number, page in enumerate(pages, start=1):
        assert t("pdf.page", page=number, pages=3) in page
        assert "De Vlinder · groep 7" in page
        assert t("pdf.cards.count", count=23) in page


def test_every_card_page_embeds_its_qr_codes_as_images(cards_pdf, tmp_path):
    assert images_per_page(cards_pdf, tmp_path) == {1: 10, 2: 10, 3: 3}


@needs_text_extraction
def test_dutch_characters_survive_on_cards_and_ballots(cards_pdf, ballots_pdf, tmp_path):
    for data in (cards_pdf, ballots_pdf):
        text = "\n".join(pages_text(data, tmp_path))
        assert "één café" in text
        assert "ĳsjes" in text
        assert "België" in text


def test_the_document_says_what_it_is(cards_pdf):
    # The catalogue and info dictionary are not compressed by fpdf2.
    assert f"/Lang ({current_language()})".encode() in cards_pdf
    assert b"/Title " in cards_pdf
    assert b"/Author " in cards_pdf


def test_an_empty_card_sheet_is_refused():
    with pytest.raises(ValueError):
        render_voting_cards_pdf(CardSheet("Stemming", "groep 7", "Scan de code.", []))


# -- paper ballots -------------------------------------------------------------------------------------


@needs_text_extraction
def test_five_ballot_papers_take_3_pages_with_every_option(ballots_pdf, tmp_path):
    pages = pages_text(ballots_pdf, tmp_path)
    assert len(pages) == 3
    for page in pages:
        for option in OPTIONS:
            assert option in page
        assert t("pdf.ballots.secret") in page
        assert "Welke thema's vind jij het belangrijkst?" in page
    assert pages[0].count(t("pdf.ballots.secret")) == 2
    assert pages[2].count(t("pdf.ballots.secret")) == 1  # the fifth paper alone on the last sheet


@needs_text_extraction
def test_many_options_go_into_two_columns_on_one_paper(tmp_path):
    options = [f"Keuze nummer {i}" for i in range(26)]
    data = render_ballot_papers_pdf(BallotPaper("Stemming", "groep 7", "Welke?", "Zet 1, 2, 3.", options, 2))
    pages = pages_text(data, tmp_path)
    assert len(pages) == 1
    assert all(option in pages[0] for option in options)


def test_more_options_than_fit_with_8_mm_boxes_are_refused():
    options = [f"Keuze {i}" for i in range(60)]
    with pytest.raises(ValueError, match="do not fit"):
        render_ballot_papers_pdf(BallotPaper("Stemming", "groep 7", "Welke?", "Kies.", options, 1))


# -- results -------------------------------------------------------------------------------------------


@needs_text_extraction
def test_results_with_15_options_and_12_classes_fit_one_page_with_every_number(tmp_path):
    data = render_results_pdf(report())
    pages = pages_text(data, tmp_path)
    assert len(pages) == 1
    text = pages[0]
    words = set(text.split())
    assert t("pdf.results.chart") in text  # the bar chart is still there
    for i in range(15):
        assert text.count(f"Thema {chr(65 + i)} één") == 2  # chart label and table row
        assert {str(100 + i), str(200 + i), str(300 + 2 * i)} <= words
    for i in range(12):
        assert f"School {i} · groep {5 + i % 4}" in text
        assert {str(400 + i), str(500 + i)} <= words
    assert t("pdf.results.shown_no") in text  # the hidden class is still in the turnout
    assert "Gelijke stand op plaats 3" in text
    assert "Stemmen zijn geheim." in text


@needs_text_extraction
def test_hostile_and_overlong_text_renders_on_one_page_with_visible_boxes(tmp_path, caplog):
    long_name = ("Een hele lange naam voor een thema " * 8)[:200]
    rows = [ResultRow(HOSTILE, 1, 2, 3, 1, True), ResultRow(long_name, 0, 1, 1, 2, True), *report().rows[2:]]
    turnout = [TurnoutRow(HOSTILE, 1, 0, False)] * 12
    hostile = report(title=HOSTILE, scope_label=HOSTILE, method_label=HOSTILE, closed_at=HOSTILE,
                     winners_note=HOSTILE, footnote=HOSTILE, rows=rows, turnout=turnout)
    with caplog.at_level(logging.WARNING, logger="kinderwijkraad.exports.pdf"):
        data = render_results_pdf(hostile)
    pages = pages_text(data, tmp_path)
    assert len(pages) == 1
    assert "□" in pages[0]  # the emoji the font lacks is shown as a box, not silently dropped
    assert "\x00" not in pages[0] and "\x07" not in pages[0]
    assert "<b onclick=alert(1)>" in pages[0]  # printed as text, never interpreted
    assert "Een hele lange naam" in pages[0]
    assert any("U+1F389" in record.getMessage() for record in caplog.records)


def test_hostile_text_on_cards_and_ballots_renders(tmp_path):
    cards = render_voting_cards_pdf(CardSheet(HOSTILE, HOSTILE, HOSTILE,
                                              [CardPrint(HOSTILE[:40], "http://x/?k=" + "A" * 80)]))
    papers = render_ballot_papers_pdf(BallotPaper(HOSTILE, HOSTILE, HOSTILE, HOSTILE, [HOSTILE, "ok"], 1))
    assert cards.startswith(b"%PDF") and papers.startswith(b"%PDF")


@needs_text_extraction
def test_very_many_rows_continue_on_a_second_page_rather_than_run_off(tmp_path):
    pages = pages_text(render_results_pdf(report(options=45, classes=30)), tmp_path)
    assert len(pages) == 2
    text = "\n".join(pages)
    assert all(f"School {i} ·" in text for i in range(30))


def test_rendering_never_reads_a_file_or_url():
    pdf = KwrPDF(title="x")
    pdf.add_page()
    with pytest.raises(FPDFException):
        pdf.image("/etc/hostname")
    with pytest.raises(FPDFException):
        pdf.image("http://127.0.0.1/logo.png")


# -- CSV -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["=1+1", "+31", "-5", "@SUM(A1)", "\t=1", "\r=1", "  =1+1"])
def test_text_that_a_spreadsheet_would_run_gets_an_apostrophe(value):
    assert neutralise_cell(value) == "'" + value


@pytest.mark.parametrize(("value", "expected"), [(5, "5"), (-5, "-5"), (2.5, "2.5"), (0, "0"), (None, "")])
def test_numbers_stay_numbers(value, expected):
    assert neutralise_cell(value) == expected


def test_plain_text_is_left_alone():
    assert neutralise_cell("Speeltuin, één") == "Speeltuin, één"
    assert neutralise_cell("3 thema's") == "3 thema's"


def test_results_csv_parses_back_with_a_bom_translated_header_and_neutralised_cells():
    rows = [ResultRow("=HYPERLINK(\"x\")", 3, 1, 4, 1, True), ResultRow('Groen, "bomen"\nen meer', 1, 0, 1, 2, False)]
    data = render_results_csv(report(rows=rows))
    assert data.startswith(b"\xef\xbb\xbf")
    parsed = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert parsed[0] == [t("csv.results.place"), t("csv.results.option"), t("csv.results.electronic"),
                         t("csv.results.paper"), t("csv.results.total"), t("csv.results.top3")]
    assert parsed[1] == ["1", "'=HYPERLINK(\"x\")", "3", "1", "4", t("csv.yes")]
    assert parsed[2] == ["2", 'Groen, "bomen"\nen meer', "1", "0", "1", t("csv.no")]


def test_csv_bytes_neutralises_the_header_too():
    parsed = list(csv.reader(io.StringIO(csv_bytes(["=x", "naam"], [[-1, "-1"]]).decode("utf-8-sig"))))
    assert parsed == [["'=x", "naam"], ["-1", "'-1"]]
