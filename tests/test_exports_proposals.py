"""The proposal dossier (and the feedback sheet that answers it): read back as text, as a reader or
a screen reader gets it, with hostile input in every field, and with an audit hook that sees every
file the renderer opens."""

from __future__ import annotations

import dataclasses
import io
import logging
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import fpdf
import pytest
from PIL import Image, ImageDraw

from kinderwijkraad.config import PROJECT_ROOT
from kinderwijkraad.exports.feedback import FeedbackAnswer, FeedbackPlan, FeedbackSheet, render_feedback_sheet_pdf
from kinderwijkraad.exports.pdf import Bar
from kinderwijkraad.exports.proposals import Dossier, DossierPhoto, PlanQuote, Support, render_proposal_pdf
from kinderwijkraad.i18n import current_language, t
from tests.test_exports_voting import images_per_page, needs_text_extraction, pages_text

# -- the corpus ------------------------------------------------------------------------------------

LONG_WORD = "W" * 10_000
LONG_TEXT = ("Een hele lange tekst met spaties, één ĳsje en € 5. " * 250)[:10_000]
HOSTILE_PARTS = [  # the long ones last: a cut text still shows the others
    "<b onclick=alert(1)>&amp;</b><script>x()</script>",
    "[link](javascript:x)",
    "![x](/etc/passwd)",
    "feest 🎉 gezin 👩‍👩‍👧",
    "עברית וערבית العربية",
    "bel\x00\x07\x1b[31m",
    "zero\u200bwidth\u200d\ufeff\u2066join",
    LONG_TEXT,
    LONG_WORD,
]
HOSTILE = " ".join(HOSTILE_PARTS)


def jpeg(width: int = 480, height: int = 360, colour: tuple[int, int, int] = (90, 140, 200)) -> bytes:
    image = Image.new("RGB", (width, height), colour)
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, height * 0.6, width, height], fill=(80, 130, 60))
    draw.ellipse([width * 0.2, height * 0.3, width * 0.5, height * 0.7], fill=(200, 160, 40))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()


QUOTES = [
    PlanQuote("Een veilige oversteek", "groep 7/8, De Regenboog",
              "De auto's rijden heel hard en stoppen niet bij de speeltuin.",
              "Een zebrapad met een drempel, en een klaar-over van groep 8."),
    PlanQuote("Drempels en een zebrapad", "groep 6, De Vlinder",
              "Ouders parkeren op de stoep, dus we moeten op de weg lopen.",
              "Een bord 'Let op, kinderen!' dat wij zelf ontwerpen."),
    PlanQuote("Langzamer rijden", "groep 8, Het Kompas",
              "Oma durft niet meer over te steken.",
              "Een snelheidsbord dat een smiley laat zien."),
]
BARS = [Bar("Veilig oversteken", 87, True), Bar("Meer speelplekken", 74), Bar("Minder zwerfafval", 61),
        Bar("Groen en bomen", 45)]
PHOTOS = [
    DossierPhoto(jpeg(), "De oversteek om 8 uur", "Een drukke straat bij een speeltuin"),
    DossierPhoto(jpeg(300, 400, (150, 60, 50)), "Auto's op de stoep", "Geparkeerde auto's op de stoep"),
    DossierPhoto(jpeg(640, 360, (60, 60, 90)), "De plek voor het zebrapad", "Een lege straat met een lantaarnpaal"),
]


def dossier(**changes: object) -> Dossier:
    """A realistic Dutch dossier with a distinct value in every field, so a missing one is noticed."""
    base: dict[str, object] = {
        "reference": "KWR-12-3",
        "letter_date": "27 november 2026",
        "council_name": "Kinderwijkraad Vogelbuurt",
        "neighbourhood": "Vogelbuurt",
        "municipality": "Utrecht",
        "school_year": "2026-2027",
        "recipient_organisation": "Gemeente Utrecht, afdeling Verkeer",
        "recipient_contact": "mevrouw J. de Vries-Ĳzerman",
        "recipient_job_title": "wethouder Verkeer en Jeugd",
        "title": "Een veilige oversteek bij de Merelstraat",
        "theme": "Verkeer en veiligheid",
        "problem": "Kinderen steken elke dag de Merelstraat over. Er is geen zebrapad en één kind is bijna aangereden.",
        "place": "Merelstraat bij de speeltuin, hoek Lijsterlaan",
        "place_owner": "Gemeente Utrecht, beheer openbare ruimte",
        "idea": "Een zebrapad met aan beide kanten een drempel, en borden die de kinderen zelf ontwerpen.",
        "beneficiaries": "Alle kinderen van De Regenboog, De Vlinder en Het Kompas, en de ouderen in het tehuis.",
        "children_contribution": "De kinderen tellen een week lang de auto's en groep 8 levert klaar-overs.",
        "ask": "Wilt u vóór de zomer van 2027 een zebrapad met drempels aanleggen bij de speeltuin?",
        "cost_band": "een beetje (€ 500 tot € 5.000)",
        "contact_name": "Fatima el Amrani",
        "contact_role": "begeleider kinderwijkraad",
        "contact_email": "f.elamrani@buurtwerk.example.nl",
        "contact_phone": "030 123 45 67",
        "reply_by": "15 januari 2027",
        "quotes": QUOTES,
        "support": Support("Wijkstemming Vogelbuurt 2026", "goedkeuring: kies er 3", 87, 212, 9, 3, 1, BARS),
        "photos": PHOTOS,
    }
    base.update(changes)
    return Dossier(**base)  # type: ignore[arg-type]


TEXT_FIELDS = [f.name for f in dataclasses.fields(Dossier) if f.type in ("str", str)]


def hostile_dossier(value: str) -> Dossier:
    """`value` in every text field, in ten quotes, in the support and in every photo's caption and
    alt text, with thirty bars."""
    bars = [Bar(value, 30, True), *(Bar(f"{value} {i}", i) for i in range(30))]
    return dossier(
        **{name: value for name in TEXT_FIELDS},
        quotes=[PlanQuote(value, value, value, value)] * 10,
        support=Support(value, value, 1.5, 3, 2, 1, None, bars),
        photos=[DossierPhoto(photo.data, value, value) for photo in PHOTOS],
    )


def flat(text: str) -> str:
    """Wrapped lines joined again: a value that was wrapped is still found."""
    return " ".join(text.split())


# -- audit hook: which files does rendering open? --------------------------------------------------

_opened: list[str] | None = None  # recording while a list; the hook stays installed for the session


def _audit(event: str, args: tuple) -> None:
    if event == "open" and _opened is not None and isinstance(args[0], (str, bytes, os.PathLike)):
        _opened.append(os.path.realpath(os.fsdecode(args[0])))


@pytest.fixture(scope="session")
def audit_opens():
    """Calls a function and returns the paths it opened. Installed once: hooks cannot be removed."""
    sys.addaudithook(_audit)

    def record(function, *args):
        global _opened
        _opened = []
        try:
            function(*args)
            return list(_opened)
        finally:
            _opened = None

    return record


# -- fixtures --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def dossier_pdf() -> bytes:
    return render_proposal_pdf(dossier())


@pytest.fixture(scope="module")
def dossier_pages(dossier_pdf, tmp_path_factory) -> list[str]:
    if shutil.which("pdftotext") is None:
        pytest.skip("poppler's pdftotext is not installed")
    return pages_text(dossier_pdf, tmp_path_factory.mktemp("dossier"))


# -- the dossier -----------------------------------------------------------------------------------


@needs_text_extraction
def test_every_section_heading_and_every_field_is_printed(dossier_pages):
    text = flat("\n".join(dossier_pages))
    headings = ["problem", "place", "idea", "beneficiaries", "contribution", "ask", "support", "photos", "contact"]
    for key in headings:
        assert t(f"pdf.dossier.heading.{key}") in text, key
    d = dossier()
    for name in TEXT_FIELDS:
        assert flat(getattr(d, name)) in text, name
    for quote in QUOTES:
        assert quote.title in text and quote.class_label in text
        assert f"“{quote.problem}”" in text and f"“{quote.idea}”" in text
    for photo in PHOTOS:
        assert photo.caption in text
    assert t("pdf.dossier.answer.title") in text
    for key in ("yes", "partly", "no", "reasons", "next_step", "contact", "date"):
        assert t(f"pdf.dossier.answer.{key}") in text


@needs_text_extraction
def test_dutch_characters_survive(dossier_pages):
    text = "\n".join(dossier_pages)
    for word in ("één", "Ĳzerman", "€ 500", "vóór"):
        assert word in text


@needs_text_extraction
def test_the_letter_starts_with_the_recipient_and_asks_for_a_reply_by_a_date(dossier_pages):
    first = flat(dossier_pages[0])
    assert "Gemeente Utrecht, afdeling Verkeer" in first
    assert "t.a.v. mevrouw J. de Vries-Ĳzerman" in first
    assert "27 november 2026" in first and "KWR-12-3" in first
    assert first.index("Kinderwijkraad Vogelbuurt") < first.index(t("pdf.dossier.heading.problem"))
    assert t("pdf.dossier.reply_by", date="15 januari 2027") in flat("\n".join(dossier_pages))
    # the sections come in the order of the letter
    text = flat("\n".join(dossier_pages))
    order = [t(f"pdf.dossier.heading.{key}") for key in
             ("problem", "place", "idea", "beneficiaries", "contribution", "ask", "support", "photos", "contact")]
    positions = [text.index(heading) for heading in order]
    assert positions == sorted(positions)
    assert text.index(t("pdf.dossier.reply_by", date="15 januari 2027")) < text.index(t("pdf.dossier.answer.title"))


@needs_text_extraction
def test_every_page_has_the_reference_and_its_number(dossier_pages):
    count = len(dossier_pages)
    assert 3 <= count <= 6
    for number, page in enumerate(dossier_pages, start=1):
        assert t("pdf.dossier.header_reference", reference="KWR-12-3") in page
        assert t("pdf.page", page=number, pages=count) in page
    assert t("pdf.dossier.answer.title") in dossier_pages[-1]  # the answer sheet is a page of its own


@needs_text_extraction
def test_the_chart_labels_and_numbers_are_text(dossier_pages):
    text = "\n".join(dossier_pages)
    words = set(text.split())
    for bar in BARS:
        assert bar.label in text
        assert str(int(bar.value)) in words
    for figure in ("212", "9", "3", t("pdf.dossier.support.rank_value", rank=1)):
        assert figure in text


def test_the_document_is_pdfa_2b_and_says_what_it_is(dossier_pdf):
    assert dossier_pdf.startswith(b"%PDF-1.7")
    assert f"/Lang ({current_language()})".encode() in dossier_pdf
    assert b"/OutputIntents" in dossier_pdf and b"/GTS_PDFA1" in dossier_pdf
    xmp = dossier_pdf[dossier_pdf.index(b"<x:xmpmeta"):dossier_pdf.index(b"</x:xmpmeta>")].decode("utf-8")
    assert "<pdfaid:part>2</pdfaid:part>" in xmp
    assert "<pdfaid:conformance>B</pdfaid:conformance>" in xmp
    assert t("pdf.dossier.doc_title", title="Een veilige oversteek bij de Merelstraat") in xmp  # dc:title
    assert "<dc:creator>" in xmp
    for photo in PHOTOS:
        assert b"/Alt (" + photo.alt_text.encode() + b")" in dossier_pdf  # ASCII: a literal string


def test_photos_are_embedded_as_jpeg_without_re_encoding(dossier_pdf, tmp_path):
    assert sum(images_per_page(dossier_pdf, tmp_path).values()) == len(PHOTOS)
    listing = subprocess.run(["pdfimages", "-list", "-"], input=dossier_pdf, capture_output=True, check=False)
    if listing.returncode != 0:  # older poppler: no stdin
        path = tmp_path / "d.pdf"
        path.write_bytes(dossier_pdf)
        listing = subprocess.run(["pdfimages", "-list", str(path)], capture_output=True, check=True)
    rows = [line.split() for line in listing.stdout.decode().splitlines()[2:]]
    assert [row[8] for row in rows] == ["jpeg"] * len(PHOTOS)  # the "enc" column: DCTDecode
    for photo in PHOTOS:
        assert photo.data in dossier_pdf  # byte for byte


@needs_text_extraction
def test_a_photo_that_cannot_be_decoded_prints_a_placeholder(tmp_path, caplog):
    broken = [PHOTOS[0], DossierPhoto(b"\xff\xd8\xff\xe0 not really a jpeg", "De kapotte foto", "kapot"),
              DossierPhoto(PHOTOS[1].data[: len(PHOTOS[1].data) // 2], "De halve foto", "half")]
    with caplog.at_level(logging.WARNING, logger="kinderwijkraad.exports.proposals"):
        data = render_proposal_pdf(dossier(photos=broken))
    text = flat("\n".join(pages_text(data, tmp_path)))
    assert text.count(t("pdf.dossier.photo_missing")) == 2
    assert "De kapotte foto" in text and "De halve foto" in text
    assert sum(images_per_page(data, tmp_path).values()) == 1
    assert len([r for r in caplog.records if "placeholder" in r.getMessage()]) == 2


@needs_text_extraction
def test_an_unknown_owner_and_an_empty_reply_date_still_read_well(tmp_path):
    data = render_proposal_pdf(dossier(place_owner="", reply_by="", recipient_contact="", support=None, photos=[],
                                       quotes=[]))
    text = flat("\n".join(pages_text(data, tmp_path)))
    assert f"{t('pdf.dossier.owner')} {t('pdf.dossier.owner_unknown')}" in text
    assert t("pdf.dossier.reply_soon") in text
    assert t("pdf.dossier.salutation_any") in text
    assert t("pdf.dossier.heading.support") not in text


@needs_text_extraction
@pytest.mark.parametrize("words", [40, 95, 150, 205, 260, 320])
def test_a_heading_never_stays_alone_at_the_bottom_of_a_page(words, tmp_path):
    """Problems of growing length push every later heading across the page end once."""
    problem = " ".join(f"woord{i}" for i in range(words))
    pages = pages_text(render_proposal_pdf(dossier(problem=problem, photos=[])), tmp_path)
    headings = {t(f"pdf.dossier.heading.{key}") for key in
                ("problem", "place", "idea", "beneficiaries", "contribution", "ask", "support", "contact")}
    for number, page in enumerate(pages, start=1):
        lines = [line.strip() for line in page.splitlines() if line.strip()]
        body = [line for line in lines if not line.startswith(t("pdf.page", page=number, pages=len(pages)))]
        assert body[-1] not in headings, (number, body[-3:])


# -- hostile input ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def hostile_render(tmp_path_factory):
    """The combined corpus in every field, rendered once with the warnings it logged."""
    logger = logging.getLogger("kinderwijkraad.exports.pdf")
    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append  # type: ignore[method-assign]
    logger.addHandler(handler)
    try:
        data = render_proposal_pdf(hostile_dossier(HOSTILE))
    finally:
        logger.removeHandler(handler)
    pages = pages_text(data, tmp_path_factory.mktemp("hostile")) if shutil.which("pdftotext") else []
    return data, pages, records


@needs_text_extraction
def test_hostile_text_in_every_field_renders_as_plain_text_with_visible_boxes(hostile_render):
    data, pages, records = hostile_render
    assert data.startswith(b"%PDF")
    assert len(pages) <= 16  # long texts are cut with a note, not printed as a book
    text = "\n".join(pages)
    assert "□" in text  # the emoji the font lacks is shown, not silently dropped
    assert any("U+1F389" in record.getMessage() for record in records)
    assert not {"\x00", "\x07", "\x1b"} & set(text)
    assert "<b onclick=alert(1)>&amp;</b><script>x()</script>" in text  # printed, never interpreted
    assert "[link](javascript:x)" in text and "![x](/etc/passwd)" in text
    assert set("עברית العربية") <= set(text)  # right-to-left letters are there (extractors differ in their order)
    assert t("pdf.dossier.cut") in text
    assert t("pdf.dossier.support.more", count=11) in flat(text)
    for number, page in enumerate(pages, start=1):
        assert t("pdf.page", page=number, pages=len(pages)) in page  # no text ran over the footer


@pytest.mark.parametrize("value", [LONG_WORD, LONG_TEXT], ids=["10k-word", "10k-text"])
def test_ten_thousand_characters_in_every_field_stay_a_reasonable_letter(value, tmp_path):
    data = render_proposal_pdf(hostile_dossier(value))
    pages = subprocess.run(["pdfinfo", "-"], input=data, capture_output=True, check=False).stdout.decode()
    match = re.search(r"Pages:\s+(\d+)", pages)
    if match is None:
        pytest.skip("poppler's pdfinfo is not installed")
    assert int(match.group(1)) <= 16


# -- no file is read but the fonts and fpdf2's colour profile ---------------------------------------


def test_rendering_opens_only_the_fonts_and_the_colour_profile(audit_opens):
    here = str(Path(__file__).resolve())
    paths = ["/etc/passwd", here, "file:///etc/passwd", "../../../../etc/hostname", str(PROJECT_ROOT / "README.md")]
    target = dossier(
        **{name: paths[i % len(paths)] for i, name in enumerate(TEXT_FIELDS)},
        photos=[DossierPhoto(photo.data, path, path) for photo, path in zip(PHOTOS, paths, strict=False)],
        quotes=[PlanQuote(path, path, path, path) for path in paths],
    )
    render_proposal_pdf(target)  # warm up: first use imports modules, which opens their files
    opened = audit_opens(render_proposal_pdf, target)
    fonts = os.path.realpath(PROJECT_ROOT / "assets" / "fonts")
    package = os.path.realpath(Path(fpdf.__file__).parent)
    assert opened  # the hook works: the fonts at least are opened
    assert [p for p in opened if not (p.startswith(fonts + os.sep) or p.startswith(package + os.sep))] == []
    assert not {os.path.realpath(p) for p in paths} & set(opened)


# -- the feedback sheet ----------------------------------------------------------------------------

FEEDBACK_PLANS = [
    FeedbackPlan("Een veilige oversteek", "Verkeer", "In de top-3 (plek 1)", "Een zebrapad bij de speeltuin.",
                 [FeedbackAnswer("Gemeente Utrecht", "accepted", "Ja, het gaat gebeuren!",
                                 "In april komt er een zebrapad met drempels.", "In maart kijken we samen.")]),
    FeedbackPlan("Meer speelplekken", "Spelen", "In de top-3 (plek 2)", "Een klimrek en een voetbalveldje.",
                 [FeedbackAnswer("Gemeente Utrecht", "partly", "Een deel gaat door",
                                 "Het voetbalveldje komt er, het klimrek niet.", "Volgend jaar opnieuw kijken."),
                  FeedbackAnswer("Woningcorporatie Mitros", "rejected", "Nee, dit gaat niet door",
                                 "Het grasveld is niet van Mitros.", "Mitros zoekt uit van wie het is.")]),
    FeedbackPlan("Minder zwerfafval", "", "In de top-3 (plek 3)", "Meer prullenbakken.",
                 [FeedbackAnswer("Gemeente Utrecht", "waiting", "We wachten nog", "", "")]),
    FeedbackPlan("Een hangplek", "Spelen", "Niet in de top-3", "", []),
]


def feedback_sheet(**changes: object) -> FeedbackSheet:
    base: dict[str, object] = {
        "class_label": "groep 7/8", "school": "De Regenboog", "council_name": "Kinderwijkraad Vogelbuurt",
        "school_year": "2026-2027", "date_text": "12 maart 2027", "plans": FEEDBACK_PLANS,
        "closing": "Bedankt voor al jullie goede ideeën!",
    }
    base.update(changes)
    return FeedbackSheet(**base)  # type: ignore[arg-type]


@needs_text_extraction
def test_the_feedback_sheet_shows_every_plan_answer_and_decision(tmp_path):
    data = render_feedback_sheet_pdf(feedback_sheet())
    pages = pages_text(data, tmp_path)
    text = flat("\n".join(pages))
    assert t("pdf.feedback.title") in flat(pages[0])
    assert "groep 7/8 · De Regenboog" in flat(pages[0])
    assert "Kinderwijkraad Vogelbuurt" in text and "12 maart 2027" in text
    for plan in FEEDBACK_PLANS:
        assert plan.title in text and plan.outcome in text
        for answer in plan.answers:
            for value in (answer.organisation, answer.decision_label, answer.answer, answer.next_step):
                assert flat(value) in text
    assert t("pdf.feedback.no_answer") in text  # the waiting answer without text
    assert "Bedankt voor al jullie goede ideeën!" in text
    assert len(pages) <= len(FEEDBACK_PLANS)  # one plan per page, or two short ones together
    assert b"/MediaBox [0 0 841.89 595.28]" in data  # A4 landscape


def test_the_feedback_body_text_is_large(tmp_path):
    """Every word between the running header and the page number is at least 16 pt."""
    if shutil.which("pdftotext") is None:
        pytest.skip("poppler's pdftotext is not installed")
    path = tmp_path / "feedback.pdf"
    path.write_bytes(render_feedback_sheet_pdf(feedback_sheet()))
    html = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True, check=True, text=True).stdout
    heights = [float(y2) - float(y1) for y1, y2 in
               re.findall(r'<word xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)"', html)
               if 45 < float(y1) < 595 - 45]
    assert heights and min(heights) >= 16 * 1.1  # DejaVu's box is ~1.16 × the font size


def test_a_feedback_sheet_without_plans_is_refused():
    with pytest.raises(ValueError):
        render_feedback_sheet_pdf(feedback_sheet(plans=[]))


@needs_text_extraction
def test_hostile_feedback_renders_with_boxes_and_a_reasonable_page_count(tmp_path, caplog):
    answer = FeedbackAnswer(HOSTILE, "accepted", HOSTILE, HOSTILE, HOSTILE)
    odd = FeedbackAnswer(HOSTILE, "<script>", HOSTILE, HOSTILE, HOSTILE)  # an unknown decision: the clock
    plans = [FeedbackPlan(HOSTILE, HOSTILE, HOSTILE, HOSTILE, [answer, odd, answer])] * 3
    sheet = feedback_sheet(class_label=HOSTILE, school=HOSTILE, council_name=HOSTILE, school_year=HOSTILE,
                           date_text=HOSTILE, plans=plans, closing=HOSTILE)
    with caplog.at_level(logging.WARNING, logger="kinderwijkraad.exports.pdf"):
        pages = pages_text(render_feedback_sheet_pdf(sheet), tmp_path)
    # the header, one page per answer (the first shares it with the plan's head), the closing
    assert len(pages) <= 2 + 3 * len(plans)
    text = "\n".join(pages)
    assert "□" in text and "\x00" not in text
    assert "<b onclick=alert(1)>" in text
    assert t("pdf.feedback.cut") in text
    assert any("U+1F389" in record.getMessage() for record in caplog.records)
