"""Rebuild the built-in pictogram set (assets/pictograms/) from the OpenMoji npm package.

The app never downloads anything at run time: this script is run by hand when the set changes,
and its output is committed. It takes the colour SVGs of the emojis listed in CURATED below from
the npm package `openmoji` (CC BY-SA 4.0), names each file after our pictogram name, and writes
the manifest (pictograms.json), the licence text (LICENSE.txt) and ATTRIBUTION.md beside them.

    python scripts/build_pictograms.py                    # fetches openmoji@VERSION with `npm pack`
    python scripts/build_pictograms.py --package DIR      # an unpacked package (DIR/color/svg/...)

To add a pictogram: add a line to CURATED (name, emoji, Dutch label, English label), run the
script, look at the SVG, commit. Names are what a theme or template stores: never rename one.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

PACKAGE = "openmoji"
VERSION = "17.0.0"
OUT = Path(__file__).resolve().parent.parent / "assets" / "pictograms"

# name, emoji, Dutch label, English label. Chosen for a children's neighbourhood council: the places
# and things children write plans about, the people, and the steps of a lesson and a plan.
CURATED: tuple[tuple[str, str, str, str], ...] = (
    # places and play
    ("playground", "🛝", "Speeltuin", "Playground"),
    ("park", "🏞️", "Park", "Park"),
    ("tree", "🌳", "Boom, groen", "Tree, green"),
    ("flower", "🌷", "Bloemen", "Flowers"),
    ("garden", "🌱", "Tuin, planten", "Garden, plants"),
    ("bench", "🪑", "Bankje, zitplek", "Bench, seat"),
    ("football", "⚽", "Voetbal", "Football"),
    ("skate", "🛹", "Skaten", "Skating"),
    ("swimming", "🏊", "Zwemmen", "Swimming"),
    ("sports", "🏅", "Sport", "Sports"),
    ("games", "🎲", "Spelletjes", "Games"),
    ("music", "🎵", "Muziek", "Music"),
    ("art", "🎨", "Kunst, tekenen", "Art, drawing"),
    ("party", "🎉", "Feest", "Party"),
    ("food", "🍎", "Eten, gezond", "Food, healthy"),
    # streets and traffic
    ("bicycle", "🚲", "Fiets", "Bicycle"),
    ("bus", "🚌", "Bus", "Bus"),
    ("car", "🚗", "Auto", "Car"),
    ("parking", "🅿️", "Parkeren", "Parking"),
    ("traffic_light", "🚦", "Verkeerslicht", "Traffic light"),
    ("crossing", "🚸", "Oversteken", "Crossing"),
    ("walking", "🚶", "Lopen, stoep", "Walking, pavement"),
    ("roadworks", "🚧", "Werk aan de weg", "Roadworks"),
    ("light", "🔦", "Licht", "Light"),
    ("dark", "🌙", "Donker, 's avonds", "Dark, evening"),
    # clean and safe
    ("rubbish_bin", "🗑️", "Prullenbak", "Rubbish bin"),
    ("litter", "🚮", "Afval in de bak", "Litter in the bin"),
    ("recycling", "♻️", "Recyclen", "Recycling"),
    ("dog", "🐕", "Hond", "Dog"),
    ("dog_poo", "💩", "Hondenpoep", "Dog poo"),
    ("safety", "🦺", "Veiligheid", "Safety"),
    ("police", "👮", "Politie", "Police"),
    ("no_smoking", "🚭", "Niet roken", "No smoking"),
    ("water", "💧", "Water", "Water"),
    ("sun", "☀️", "Zon", "Sun"),
    ("repair", "🛠️", "Maken, repareren", "Making, repairing"),
    # buildings
    ("house", "🏠", "Huis", "House"),
    ("houses", "🏘️", "Huizen, buurt", "Houses, neighbourhood"),
    ("flats", "🏢", "Flat", "Block of flats"),
    ("school", "🏫", "School", "School"),
    ("shop", "🏪", "Winkel", "Shop"),
    ("town_hall", "🏛️", "Gemeente", "Town hall"),
    ("library", "📚", "Bibliotheek, boeken", "Library, books"),
    # people
    ("people", "🧑‍🤝‍🧑", "Mensen samen", "People together"),
    ("children", "🧒", "Kinderen", "Children"),
    ("elderly", "🧓", "Ouderen", "Older people"),
    ("family", "👪", "Gezin", "Family"),
    ("accessible", "♿", "Voor iedereen te gebruiken", "Accessible for everyone"),
    ("teacher", "🧑‍🏫", "Juf of meester", "Teacher"),
    # taking part: lesson steps and plan questions
    ("meeting", "🤝", "Samenwerken", "Working together"),
    ("vote", "🗳️", "Stemmen", "Voting"),
    ("idea", "💡", "Idee", "Idea"),
    ("question", "❓", "Vraag", "Question"),
    ("speech", "💬", "Praten", "Talking"),
    ("announce", "📣", "Aan iedereen vertellen", "Telling everyone"),
    ("raise_hand", "🙋", "Meedoen, aanmelden", "Taking part, signing up"),
    ("listen", "👂", "Luisteren", "Listening"),
    ("read", "📖", "Uitleg, lezen", "Explaining, reading"),
    ("write", "📝", "Schrijven", "Writing"),
    ("name_tag", "🏷️", "Naam", "Name"),
    ("place", "📍", "Plek", "Place"),
    ("photo", "📷", "Foto", "Photo"),
    ("money", "💶", "Geld", "Money"),
    ("strong", "💪", "Zelf doen", "Doing it ourselves"),
    ("fair", "⚖️", "Eerlijk", "Fair"),
    ("time", "⏰", "Tijd", "Time"),
    ("letter", "✉️", "Brief", "Letter"),
    ("done", "✅", "Klaar", "Done"),
    ("good", "👍", "Goed", "Good"),
    ("star", "⭐", "Ster, de beste", "Star, the best"),
    ("happy", "😀", "Blij", "Happy"),
    ("sad", "😢", "Verdrietig", "Sad"),
)


def fetch(version: str, into: Path) -> Path:
    """`npm pack` the package into `into` and unpack it; the unpacked package folder."""
    subprocess.run(["npm", "pack", f"{PACKAGE}@{version}", "--silent"], cwd=into, check=True,
                   stdout=subprocess.DEVNULL)
    (tarball,) = into.glob(f"{PACKAGE}-*.tgz")
    with tarfile.open(tarball) as archive:
        archive.extractall(into, filter="data")
    return into / "package"


def build(package: Path, out: Path = OUT) -> list[dict[str, str]]:
    meta = json.loads((package / "package.json").read_text(encoding="utf-8"))
    by_emoji = {entry["emoji"]: entry for entry in json.loads((package / "data" / "openmoji.json").read_text("utf-8"))}
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    entries = []
    for name, emoji, nl, en in CURATED:
        entry = by_emoji.get(emoji) or by_emoji.get(emoji.replace("\ufe0f", "")) or by_emoji.get(emoji + "\ufe0f")
        if entry is None:
            raise SystemExit(f"{emoji} ({name}) is not in {PACKAGE} {meta['version']}")
        source = package / "color" / "svg" / f"{entry['hexcode']}.svg"
        shutil.copyfile(source, out / f"{name}.svg")
        entries.append({"name": name, "file": f"{name}.svg", "emoji": emoji, "nl": nl, "en": en,
                        "codepoint": entry["hexcode"], "openmoji": entry["annotation"]})
    manifest = {"source": f"{PACKAGE} {meta['version']} (npm), color/svg", "licence": meta.get("license", ""),
                "pictograms": entries}
    (out / "pictograms.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", "utf-8")
    shutil.copyfile(package / "LICENSE.txt", out / "LICENSE.txt")
    (out / "ATTRIBUTION.md").write_text(attribution(meta["version"], meta.get("license", "")), "utf-8")
    return entries


def attribution(version: str, licence: str) -> str:
    return f"""# Pictograms: attribution

All pictograms in this folder are emojis designed by **OpenMoji** – the open-source emoji and icon
project (https://openmoji.org/). Licence: **{licence}** (Creative Commons Attribution-ShareAlike 4.0
International; the full text is in `LICENSE.txt` beside this file).

- What: {len(CURATED)} colour SVGs (`color/svg/<codepoint>.svg`), unchanged, saved under our own
  pictogram names (`tree.svg` is OpenMoji's U+1F333). `pictograms.json` lists for each one its name,
  file, Dutch and English label, the emoji it stands for and OpenMoji's codepoint and name.
- From where: the npm package `{PACKAGE}`, version {version} (https://www.npmjs.com/package/{PACKAGE}).
- How: `python scripts/build_pictograms.py` fetches that version with `npm pack` and rebuilds this
  folder (the list of pictograms and their labels is in the script). The app never downloads.
- ShareAlike: the SVGs are shared under the same licence; the rest of the Kinderwijkraad app is not
  an adaptation of them. The feedback sheet and results PDFs that draw pictograms carry the credit
  "Plaatjes: OpenMoji (openmoji.org), CC BY-SA 4.0" (i18n key pictogram.credit).
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--package", type=Path, help="an unpacked openmoji package folder")
    parser.add_argument("--version", default=VERSION)
    args = parser.parse_args(argv)
    if args.package:
        entries = build(args.package)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            entries = build(fetch(args.version, Path(tmp)))
    print(f"{len(entries)} pictograms in {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
