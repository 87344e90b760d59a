"""The year report for the partners: read back as text (as a reader or a screen reader gets it),
with every section, every class and every number; the empty cycle; a big cycle that flows over
pages; PDF/A; and hostile text in every field."""

from __future__ import annotations

import dataclasses
import io
import logging

import pytest

from kinderwijkraad.exports.pdf import Bar
from kinderwijkraad.exports.year_report import (
    BOTTOM,
    ClassFigures,
    RecipientFigures,
    SchoolFigures,
    SelfCheckFigures,
    YearReport,
    percent,
    render_year_report_pdf,
)
from kinderwijkraad.i18n import current_language, set_language, t
from tests.test_exports_proposals import HOSTILE, flat
from tests.test_exports_voting import needs_text_extraction, pages_text

pypdf = pytest.importorskip("pypdf")

SCHOOLS = ["De Regenboog", "Het Kompas"]
CLASSES = [
    ClassFigures("Groep 5", "De Regenboog", 24, 6, 4, 21),
    ClassFigures("Groep 6", "De Regenboog", 27, 6, 5, 25),
    ClassFigures("Groep 7/8", "De Regenboog", 30, 5, 6, 24),
    ClassFigures("Groep 6a", "Het Kompas", 22, 6, 3, 22),
    ClassFigures("Groep 7 Ëlla", "Het Kompas", 25, 4, 4, 19),
    ClassFigures("Groep 8b", "Het Kompas", 28, 6, 5, 0),  # did not vote: 0%
]
THEMES = [
    Bar("Veilig oversteken", 87, True),
    Bar("Meer speelplekken", 74, True),
    Bar("Minder zwerfafval", 61, True),
    Bar("Groen en bomen", 45),
    Bar("Een café voor tieners", 18),
]
PROPOSALS = [
    RecipientFigures("Een veilige oversteek bij de Merelstraat", "Gemeente Utrecht", "beantwoord: toegezegd", None),
    RecipientFigures("Een speelplek op het plein", "Woningcorporatie Mitros", "beantwoord: deels toegezegd", None),
    RecipientFigures("Meer prullenbakken", "Gemeente Utrecht", "verstuurd, wacht op antwoord", 23),
    RecipientFigures("Bomen in de Lijsterlaan", "Stichting Groen Ĳsselstein", "beantwoord: uitgevoerd", None),
]
SELF_CHECK = [
    SelfCheckFigures("Ruimte", 4, 4, []),
    SelfCheckFigures("Stem", 3, 4, ["Konden kinderen hun mening ook op een andere manier geven dan praten?"]),
    SelfCheckFigures("Publiek", 2, 3, ["Weten de kinderen aan wie hun voorstel is gestuurd?"]),
    SelfCheckFigures("Invloed", 1, 3, ["Is er uitgelegd wat er met hun mening is gedaan?",
                                       "Hebben de kinderen een reactie gekregen binnen een maand?"]),
]


def year_report(**changes: object) -> YearReport:
    base: dict[str, object] = {
        "council_name": "Kinderwijkraad De Vogelbuurt",
        "neighbourhood": "Vogelbuurt-Zuid",
        "municipality": "Utrecht",
        "school_year": "2026-2027",
        "phase_label": "Terugkoppelen",
        "date_text": "27 juni 2027",
        "classes": CLASSES,
        "schools": [
            SchoolFigures("De Regenboog", 3, 81, 70),
            SchoolFigures("Het Kompas", 3, 75, 41),
        ],
        "plans_written": 27,
        "themes": 5,
        "poll_title": "Wijkstemming Vogelbuurt: wat wordt één van onze drie voorstellen?",
        "theme_bars": THEMES,
        "proposals": PROPOSALS,
        "share_answered_pct": 75.0,
        "share_realised_pct": 25.0,
        "share_fed_back_pct": 66.66,
        "self_check": SELF_CHECK,
    }
    base.update(changes)
    return YearReport(**base)  # type: ignore[arg-type]


def big_report() -> YearReport:
    classes = [ClassFigures(f"Groep {5 + i % 4}{chr(97 + i // 4)}", f"School {i % 8 + 1} één", 20 + i % 9, i % 7,
                            i % 5, 12 + i % 9) for i in range(40)]
    schools = [SchoolFigures(f"School {s + 1} één", 5, sum(c.pupils for c in classes[s::8]),
                             sum(c.ballots for c in classes[s::8])) for s in range(8)]
    proposals = [RecipientFigures(f"Voorstel {i + 1}: een plek om te spelen", f"Organisatie {i % 4 + 1}",
                                  "verstuurd, wacht op antwoord" if i % 3 else "beantwoord: toegezegd",
                                  i if i % 3 else None) for i in range(30)]
    themes = [Bar(f"Thema {i + 1}", 100 - 3 * i, i < 3) for i in range(18)]
    return year_report(classes=classes, schools=schools, proposals=proposals, theme_bars=themes, themes=18,
                       plans_written=sum(c.plans for c in classes))


# -- reading the PDF back --------------------------------------------------------------------------


def text_positions(data: bytes) -> list[list[tuple[str, float]]]:
    """Per page: each shown text with the height of its baseline above the page's bottom edge, in mm."""
    pages: list[list[tuple[str, float]]] = []
    for page in pypdf.PdfReader(io.BytesIO(data)).pages:
        found: list[tuple[str, float]] = []

        def visit(text, cm, tm, font_dict, font_size, found=found):
            if text.strip():
                found.append((text, (tm[5] * cm[3] + cm[5]) / 72 * 25.4))

        page.extract_text(visitor_text=visit)
        pages.append(found)
    return pages


def headings() -> list[str]:
    return [t(f"pdf.year.heading.{key}") for key in ("figures", "lessons", "vote", "proposals", "participation")]


@pytest.fixture(scope="module")
def report_pdf() -> bytes:
    return render_year_report_pdf(year_report())


@pytest.fixture(scope="module")
def report_text(report_pdf, tmp_path_factory) -> str:
    return flat("\n".join(pages_text(report_pdf, tmp_path_factory.mktemp("year"))))


# -- the full report -------------------------------------------------------------------------------


@needs_text_extraction
def test_every_section_heading_comes_in_order_after_the_title(report_text):
    positions = [report_text.index(heading) for heading in headings()]
    assert positions == sorted(positions)
    first = report_text[: positions[0]]
    for part in ("Kinderwijkraad De Vogelbuurt", "Vogelbuurt-Zuid", "Utrecht", "2026-2027", "Terugkoppelen",
                 "27 juni 2027"):
        assert part in first


@needs_text_extraction
def test_every_class_school_theme_and_proposal_is_printed(report_text):
    for c in CLASSES:
        assert c.label in report_text
    for school in SCHOOLS:
        assert school in report_text
    for bar in THEMES:
        assert bar.label in report_text
    for p in PROPOSALS:
        assert p.proposal in report_text and p.organisation in report_text and p.status_label in report_text
    assert "Wijkstemming Vogelbuurt: wat wordt één van onze drie voorstellen?" in report_text
    for d in SELF_CHECK:
        assert d.dimension_label in report_text
        for point in d.missing:
            assert point in report_text


@needs_text_extraction
def test_the_key_figures_and_the_tables_print_the_numbers(report_text):
    pupils, ballots = sum(c.pupils for c in CLASSES), sum(c.ballots for c in CLASSES)  # 156, 111
    assert t("pdf.year.turnout_line", ballots=t("count.ballots", count=ballots), pupils=t("count.pupils", count=pupils),
             turnout="71%") in report_text
    for value, key in ((6, "classes"), (156, "pupils"), (27, "plans"), (5, "themes"), (111, "ballots"),
                       ("71%", "turnout"), (4, "proposals"), ("75%", "answered"), ("25%", "realised"),
                       ("67%", "fed_back")):
        assert f"{value} {t(f'pdf.year.tile.{key}')}" in report_text, key
    # per class: turnout as "88% (21 van 24)", 0% for the class that did not vote
    assert f"88% ({t('pdf.year.of', part=21, whole=24)})" in report_text
    assert f"0% ({t('pdf.year.of', part=0, whole=28)})" in report_text
    # per school: classes, pupils, ballots, turnout; and the total row
    assert "De Regenboog 3 81 70 86%" in report_text
    assert "Het Kompas 3 75 41 55%" in report_text
    assert f"{t('pdf.year.total')} 6 156 111 71%" in report_text
    # lessons per class and their total
    assert "De Regenboog Groep 7/8 30 5 6" in report_text
    assert f"{t('pdf.year.total')} 156 33 27" in report_text
    # theme votes beside the bars, days waiting and the Lundy counts
    for bar in THEMES:
        assert f"{bar.label} {int(bar.value)}" in report_text
    assert f"verstuurd, wacht op antwoord {t('pdf.year.days', count=23)}" in report_text
    assert t("pdf.year.of", part=1, whole=3) in report_text


@needs_text_extraction
def test_dutch_characters_survive(report_text):
    for word in ("één", "Ëlla", "Ĳsselstein", "café"):
        assert word in report_text


def test_the_report_is_pdfa_2b_with_its_language_and_title(report_pdf):
    assert report_pdf.startswith(b"%PDF-1.7")
    assert f"/Lang ({current_language()})".encode() in report_pdf
    assert b"/OutputIntents" in report_pdf and b"/GTS_PDFA1" in report_pdf
    xmp = report_pdf[report_pdf.index(b"<x:xmpmeta"):report_pdf.index(b"</x:xmpmeta>")].decode("utf-8")
    assert "<pdfaid:part>2</pdfaid:part>" in xmp and "<pdfaid:conformance>B</pdfaid:conformance>" in xmp
    assert t("pdf.year.doc_title", council="Kinderwijkraad De Vogelbuurt", school_year="2026-2027") in xmp


def test_percentages_are_whole_numbers_with_a_percent_sign():
    assert [percent(v) for v in (0, 66.66, 87.5, 100)] == ["0%", "67%", "88%", "100%"]


def test_the_report_helpers_sum_the_classes():
    report = year_report()
    assert (report.pupils, report.ballots, round(report.turnout_pct)) == (156, 111, 71)
    assert report.proposal_count == 4
    assert year_report(proposals=[*PROPOSALS, dataclasses.replace(PROPOSALS[0], organisation="Provincie")]
                       ).proposal_count == 4


# -- empty cases -----------------------------------------------------------------------------------


@needs_text_extraction
def test_a_cycle_without_vote_proposals_or_self_check_prints_a_line_for_each(tmp_path):
    data = render_year_report_pdf(year_report(poll_title="", theme_bars=[], proposals=[], self_check=[],
                                              share_answered_pct=0, share_realised_pct=0, share_fed_back_pct=0))
    text = flat("\n".join(pages_text(data, tmp_path)))
    for heading in headings():
        assert heading in text
    for key in ("no_vote", "no_proposals", "no_self_check"):
        assert t(f"pdf.year.{key}") in text
    assert t("pdf.year.chart.themes") not in text and t("pdf.year.chart.shares") not in text
    assert f"– {t('pdf.year.tile.turnout')}" in text and f"– {t('pdf.year.tile.answered')}" in text


@needs_text_extraction
def test_a_vote_without_result_and_a_cycle_without_classes(tmp_path):
    text = flat("\n".join(pages_text(render_year_report_pdf(year_report(theme_bars=[])), tmp_path)))
    assert t("pdf.year.no_results") in text
    empty = year_report(classes=[], schools=[], plans_written=0, themes=0, poll_title="", theme_bars=[],
                        proposals=[], self_check=[])
    data = render_year_report_pdf(empty)
    text = flat("\n".join(pages_text(data, tmp_path)))
    assert t("pdf.year.no_classes") in text
    assert len(pypdf.PdfReader(io.BytesIO(data)).pages) == 1


@needs_text_extraction
def test_a_self_check_without_missing_points_says_so(tmp_path):
    done = [SelfCheckFigures(d.dimension_label, d.questions, d.questions, []) for d in SELF_CHECK]
    text = flat("\n".join(pages_text(render_year_report_pdf(year_report(self_check=done)), tmp_path)))
    assert t("pdf.year.all_done") in text and t("pdf.year.missing") not in text


# -- a big cycle -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def big_pdf() -> bytes:
    return render_year_report_pdf(big_report())


@needs_text_extraction
def test_a_big_report_flows_over_pages_with_repeated_table_headers(big_pdf, tmp_path):
    pages = pages_text(big_pdf, tmp_path)
    assert 4 <= len(pages) <= 8
    text = flat("\n".join(pages))
    report = big_report()
    for c in report.classes:
        assert f"{c.school} {c.label}" in text
    for p in report.proposals:
        assert p.proposal in text
    header = f"{t('pdf.year.col.proposal')} {t('pdf.year.col.organisation')}"
    assert sum(header in flat(page) for page in pages) >= 2  # the proposals' table continues under its header
    for number, page in enumerate(pages, start=1):
        assert t("pdf.page", page=number, pages=len(pages)) in page
        if number > 1:
            assert t("pdf.year.header", school_year="2026-2027") in page


def test_no_text_runs_below_the_bottom_margin(big_pdf, report_pdf):
    footer = t("pdf.page", page=1, pages=1).split()[0]
    for data in (big_pdf, report_pdf):
        for page in text_positions(data):
            body = [(text, y) for text, y in page if not text.strip().startswith(footer)]
            assert body
            lowest = min(y for _, y in body)
            assert lowest >= 297 - BOTTOM, [text for text, y in body if y == lowest]


# -- hostile text ----------------------------------------------------------------------------------


def hostile_report(value: str) -> YearReport:
    """`value` in every string field of every dataclass, with many rows."""
    strings = {f.name: value for f in dataclasses.fields(YearReport) if f.type in ("str", str)}
    return year_report(
        **strings,
        classes=[ClassFigures(value, value, 20, 3, 2, 10)] * 12,
        schools=[SchoolFigures(value, 3, 60, 30)] * 4,
        theme_bars=[Bar(value, 30, True), *(Bar(f"{value} {i}", i) for i in range(30))],
        proposals=[RecipientFigures(value, value, value, 4)] * 12,
        self_check=[SelfCheckFigures(value, 1, 4, [value] * 3)] * 4,
    )


@needs_text_extraction
def test_hostile_text_in_every_field_renders_as_plain_text(tmp_path, caplog):
    with caplog.at_level(logging.WARNING, logger="kinderwijkraad.exports.pdf"):
        data = render_year_report_pdf(hostile_report(HOSTILE))
    pages = pages_text(data, tmp_path)
    assert len(pages) <= 12
    text = "\n".join(pages)
    assert "□" in text and any("U+1F389" in r.getMessage() for r in caplog.records)
    assert not {"\x00", "\x07", "\x1b"} & set(text)
    assert "<b onclick=alert(1)>&amp;</b>" in text  # printed, never interpreted
    for number, page in enumerate(pages, start=1):
        assert t("pdf.page", page=number, pages=len(pages)) in page
    for page in text_positions(data):
        footer = t("pdf.page", page=1, pages=1).split()[0]
        assert min(y for text, y in page if not text.strip().startswith(footer)) >= 297 - BOTTOM


@pytest.mark.parametrize("value", ["", " ", "W" * 10_000], ids=["empty", "blank", "10k-word"])
def test_odd_strings_in_every_field_render(value):
    assert render_year_report_pdf(hostile_report(value)).startswith(b"%PDF")


@needs_text_extraction
def test_the_report_speaks_the_chosen_language(tmp_path):
    set_language("en")
    try:
        data = render_year_report_pdf(year_report())
    finally:
        set_language("nl")
    text = flat("\n".join(pages_text(data, tmp_path)))
    assert b"/Lang (en)" in data
    for key in ("figures", "lessons", "vote", "proposals", "participation"):
        assert t(f"pdf.year.heading.{key}", language="en") in text
    assert t("pdf.year.days", language="en", count=23) in text
