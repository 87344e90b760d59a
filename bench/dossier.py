"""How fast a proposal dossier renders: 10 plan quotes and 10 tablet photos.

The dossier (`render_proposal_pdf`: PDF/A-2B, wrapped and measured text, quotes, the bar chart,
photos two per row, the answer sheet) is timed against a FLOOR measured in the same run: a bare
`fpdf.FPDF` document with the same fonts from assets/fonts, the same texts as one `multi_cell`
per section and the same JPEGs, nothing else. These machines are shared and absolute figures
wander, so the ratio dossier/floor is the figure; the issue's target is "well under a second".
The two take turns, each run after a warm-up; the median of `--runs` counts.

The photos are generated with Pillow at 1600×1200 (a tablet photo after cleaning) and go through
`services.images.clean_photo` as an upload does: JPEGs without metadata. fpdf2 embeds JPEG bytes as they
are (DCTDecode, no re-encoding); the script checks that every photo went in byte for byte.

The last line printed is one JSON object: `dossier_ms`, `floor_ms`, `ratio`, `pages`,
`no_photos_ms` (the same dossier without photos), `floor_pages`, `bytes`, `photo_bytes`,
`jpeg_passthrough`.

    .venv/bin/python bench/dossier.py            # median of 5
    .venv/bin/python bench/dossier.py --runs 1   # the test's quick check
    .venv/bin/python bench/dossier.py --profile  # + cProfile of one dossier
"""

from __future__ import annotations

import argparse
import cProfile
import dataclasses
import io
import json
import logging
import os
import pstats
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from PIL import Image, ImageDraw, ImageFilter  # noqa: E402

from kinderwijkraad.exports.pdf import FONT_DIR, FONT_FILES, SANS, Bar  # noqa: E402
from kinderwijkraad.exports.proposals import (  # noqa: E402
    Dossier,
    DossierPhoto,
    PlanQuote,
    Support,
    render_proposal_pdf,
)

SEED = 20261127
QUOTES = 10
PHOTOS = 10

# -- the dossier: realistic Dutch texts ------------------------------------------------------------

PLACES = ["de Merelstraat", "het Vogelpark", "de speeltuin aan de Lijsterlaan", "het schoolplein van De Vlinder",
          "de brug over de Vaartsche Rijn", "het winkelcentrum", "de oversteek bij de bibliotheek",
          "het grasveld achter de flat", "de fietsenstalling bij het station", "de stoep bij de bakker"]
PROBLEMS = [
    "Als we naar school fietsen moeten we {place} over. De auto's rijden heel hard en stoppen niet. Mijn broertje "
    "is vorige week bijna aangereden en nu durft hij niet meer alleen.",
    "Bij {place} ligt altijd veel afval: blikjes, chipszakken en soms glas. Als we daar spelen snijden we ons en het "
    "stinkt in de zomer. De prullenbakken zijn te klein en altijd vol.",
    "Er is bij {place} niets om te spelen voor kinderen van onze leeftijd. De schommels zijn kapot en het klimrek is "
    "al twee jaar afgezet met een lint. We moeten nu op straat voetballen.",
    "'s Avonds is het bij {place} heel donker, want twee lantaarnpalen doen het niet. Als ik van voetbaltraining "
    "kom ben ik bang, en mijn moeder wil dat ik dan om fiets.",
]
IDEAS = [
    "Een zebrapad met aan beide kanten een drempel, en een bord 'Let op, kinderen!' dat wij zelf ontwerpen.",
    "Grotere prullenbakken met een deksel, en één keer per maand een opruimochtend met de hele klas en de buurt.",
    "Nieuwe schommels, een kabelbaan en een klein voetbalveldje met doeltjes, en bankjes voor de ouders.",
    "De lantaarnpalen repareren en er twee bij zetten, en een app-groep waarin je kunt melden wat er kapot is.",
]
SCHOOLS = ["De Regenboog", "De Vlinder", "Het Kompas", "De Wereldboom"]


def tablet_photos(rng: random.Random, count: int) -> list[bytes]:
    """1600×1200 'camera' JPEGs with grain and shapes, cleaned as an upload is (re-encoded, no metadata)."""
    from kinderwijkraad.services.images import clean_photo

    size = (1600, 1200)
    grain = Image.effect_noise(size, 60).convert("RGB")  # once: the slow part
    photos = []
    for _ in range(count):
        sky = tuple(rng.randint(90, 200) for _ in range(3))
        image = Image.blend(Image.new("RGB", size, sky), grain, 0.3)
        draw = ImageDraw.Draw(image)
        draw.rectangle([0, 720, 1600, 1200], fill=(70 + rng.randint(0, 40), 120, 60))
        for _ in range(6):
            x, y = rng.randint(0, 1400), rng.randint(250, 1000)
            draw.rectangle([x, y, x + rng.randint(60, 320), y + rng.randint(60, 320)],
                           fill=tuple(rng.randint(30, 230) for _ in range(3)))
        image = image.filter(ImageFilter.BoxBlur(1))
        raw = io.BytesIO()
        image.save(raw, "JPEG", quality=92)
        photos.append(clean_photo(raw.getvalue()))
    return photos


def bench_dossier(rng: random.Random) -> Dossier:
    quotes = []
    for i in range(QUOTES):
        place = PLACES[i % len(PLACES)]
        quotes.append(PlanQuote(
            title=f"Plan {i + 1}: iets doen aan {place}",
            class_label=f"groep {6 + i % 3}, {SCHOOLS[i % len(SCHOOLS)]}",
            problem=PROBLEMS[i % len(PROBLEMS)].format(place=place),
            idea=IDEAS[i % len(IDEAS)],
        ))
    photos = [DossierPhoto(data, f"Foto {i + 1}: {PLACES[i]}, 's ochtends om 8 uur", f"Een foto van {PLACES[i]}")
              for i, data in enumerate(tablet_photos(rng, PHOTOS))]
    themes = ["Veilig oversteken", "Meer speelplekken", "Minder zwerfafval", "Groen en bomen", "Licht op straat",
              "Een hangplek", "Hondenpoep", "Fietsenstalling", "Bankjes", "Water spelen", "Schoolplein", "Kunst"]
    bars = [Bar(theme, 90 - 7 * i, i == 0) for i, theme in enumerate(themes)]
    return Dossier(
        reference="KWR-12-3", letter_date="27 november 2026", council_name="Kinderwijkraad Vogelbuurt",
        neighbourhood="Vogelbuurt", municipality="Utrecht", school_year="2026-2027",
        recipient_organisation="Gemeente Utrecht, afdeling Verkeer", recipient_contact="mevrouw J. de Vries",
        recipient_job_title="wethouder Verkeer en Jeugd", title="Een veilige oversteek bij de Merelstraat",
        theme="Verkeer en veiligheid",
        problem=" ".join(PROBLEMS[i].format(place=PLACES[0]) for i in range(4)),
        place="Merelstraat, ter hoogte van de speeltuin bij nummer 42 (hoek Lijsterlaan)", place_owner="",
        idea=" ".join(IDEAS), beneficiaries="Alle kinderen van De Regenboog, De Vlinder en Het Kompas (ongeveer 600), "
        "hun ouders en de ouderen van het verzorgingshuis aan de Lijsterlaan.",
        children_contribution="De kinderen ontwerpen de borden, tellen een week lang de auto's met de wijkagent, "
        "en groep 8 levert klaar-overs voor de ochtend.",
        ask="Wilt u vóór de zomervakantie van 2027 een zebrapad met drempels aanleggen bij de speeltuin aan de "
        "Merelstraat, en de kinderen uitnodigen om samen met uw verkeerskundige naar de plek te kijken?",
        cost_band="een beetje (€ 500 tot € 5.000)", contact_name="Fatima el Amrani",
        contact_role="begeleider kinderwijkraad", contact_email="f.elamrani@buurtwerk.example.nl",
        contact_phone="030 123 45 67", reply_by="15 januari 2027", quotes=quotes,
        support=Support("Wijkstemming Vogelbuurt 2026", "goedkeuring: kies er 3", 90, 212, 9, 3, 1, bars),
        photos=photos,
    )


# -- the floor: the same text and images in a bare fpdf2 document -----------------------------------


def floor_pdf(dossier: Dossier) -> bytes:
    """The least a PDF with this content costs: fonts, one multi_cell per section, the JPEGs."""
    from fpdf import FPDF

    pdf = FPDF(unit="mm", format="A4")
    for (family, style), name in FONT_FILES.items():
        if family == SANS:
            pdf.add_font(family, style, str(FONT_DIR / name))
    pdf.set_auto_page_break(True, margin=17)
    pdf.set_margins(20, 18, 20)
    pdf.add_page()
    sections = [dossier.council_name, dossier.recipient_organisation, dossier.title, dossier.problem]
    sections += [f"{q.title}, {q.class_label}: {q.problem} {q.idea}" for q in dossier.quotes]
    sections += [dossier.place, dossier.idea, dossier.beneficiaries, dossier.children_contribution, dossier.ask,
                 dossier.cost_band]
    if dossier.support is not None:
        sections += [f"{bar.label} {bar.value}" for bar in dossier.support.bars]
    sections += [dossier.contact_name, dossier.contact_email, dossier.reply_by]
    for text in sections:
        pdf.set_font(SANS, "B", 12.5)
        pdf.cell(0, 7, "Kop", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(SANS, "", 10.5)
        pdf.multi_cell(0, 5.2, text, new_x="LMARGIN", new_y="NEXT")
    for i, photo in enumerate(dossier.photos):
        if i % 2 == 0 and pdf.y + 62 > pdf.h - 17:
            pdf.add_page()
        y = pdf.y
        pdf.image(io.BytesIO(photo.data), x=20 + (i % 2) * 88, y=y, w=82)
        if i % 2 == 1:
            pdf.set_y(y + 66)
        pdf.set_xy(20 + (i % 2) * 88, y + 62)
    return bytes(pdf.output())


# -- timing ----------------------------------------------------------------------------------------


def timed(function: Callable[[], bytes]) -> tuple[float, bytes]:
    start = time.perf_counter()
    data = function()
    return (time.perf_counter() - start) * 1000, data


def pages_of(data: bytes) -> int:
    return data.count(b"/Type /Page\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each (median)")
    parser.add_argument("--profile", action="store_true", help="also cProfile one dossier")
    args = parser.parse_args(argv)
    runs = max(args.runs, 1)
    logging.basicConfig(level=logging.WARNING)

    started = time.perf_counter()
    dossier = bench_dossier(random.Random(SEED))
    bare = dataclasses.replace(dossier, photos=[])
    photo_bytes = sum(len(photo.data) for photo in dossier.photos)
    sizes = {Image.open(io.BytesIO(photo.data)).size for photo in dossier.photos}
    print(f"{QUOTES} quotes, {PHOTOS} photos {sorted(sizes)} ({photo_bytes / 1e6:.1f} MB of JPEG) made in "
          f"{time.perf_counter() - started:.1f} s; {os.cpu_count()} CPUs, Python {sys.version.split()[0]}")

    for function in (lambda: render_proposal_pdf(dossier), lambda: floor_pdf(dossier)):
        function()  # warm-up: imports, Pillow plugins, fontTools tables
    samples: dict[str, list[float]] = {"dossier": [], "floor": [], "no_photos": []}
    data = floor = b""
    for i in range(runs):
        order = [("dossier", lambda: render_proposal_pdf(dossier)), ("floor", lambda: floor_pdf(dossier)),
                 ("no_photos", lambda: render_proposal_pdf(bare))]
        for name, function in order if i % 2 == 0 else order[::-1]:
            ms, out = timed(function)
            samples[name].append(ms)
            if name == "dossier":
                data = out
            elif name == "floor":
                floor = out
    median = {name: statistics.median(values) for name, values in samples.items()}
    passthrough = data.count(b"/Filter /DCTDecode") == PHOTOS and all(p.data in data for p in dossier.photos)

    print(f"\n{'':28s}{'median ms':>10s}{'min ms':>9s}{'max ms':>9s}{'pages':>7s}{'MB':>7s}")
    rows = [("dossier (render_proposal_pdf)", "dossier", data), ("  same without photos", "no_photos", None),
            ("floor (bare FPDF)", "floor", floor)]
    for label, name, out in rows:
        values = samples[name]
        pages = f"{pages_of(out):7d}" if out else f"{'':7s}"
        size = f"{len(out) / 1e6:7.2f}" if out else f"{'':7s}"
        print(f"{label:28s}{median[name]:10.1f}{min(values):9.1f}{max(values):9.1f}{pages}{size}")
    ratio = median["dossier"] / median["floor"]
    print(f"\nratio dossier/floor: {ratio:.2f}×  (median of {runs}); photos: "
          f"{median['dossier'] - median['no_photos']:.1f} ms of the dossier; JPEG embedded as is (DCTDecode): "
          f"{'yes' if passthrough else 'NO'}")

    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        render_proposal_pdf(dossier)
        profiler.disable()
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(25)
        print("\n".join(line for line in out.getvalue().splitlines() if line.strip())[:6000])

    print(json.dumps({
        "dossier_ms": round(median["dossier"], 1), "floor_ms": round(median["floor"], 1), "ratio": round(ratio, 2),
        "pages": pages_of(data), "no_photos_ms": round(median["no_photos"], 1), "floor_pages": pages_of(floor),
        "bytes": len(data), "photo_bytes": photo_bytes, "jpeg_passthrough": passthrough, "runs": runs,
        "quotes": QUOTES, "photos": PHOTOS,
    }))
    return 0 if passthrough else 1


if __name__ == "__main__":
    sys.exit(main())
