"""The rules that replace Streamlit's own English (ui/style.py), without a browser: each turns the
English it names into the catalogue's text in either language, and the script they go out in
cannot be closed early by a text. In Chromium: tests/test_browser_streamlit_texts.py."""

from __future__ import annotations

import json
import re

import pytest

from kinderwijkraad.i18n import set_language
from kinderwijkraad.ui import style
from tests.streamlit_english import english_in

# What Streamlit 1.67 writes, one example per rule (same order as STREAMLIT_TEXTS).
EXAMPLES = [
    "Press Ctrl+Enter to submit form", "Press ⌘+Enter to apply", "Press Enter to submit form", "Press Enter to apply",
    "Upload", "Browse files", "5MB per file • JPG, PNG", "200MB per file", "Drag and drop a file here",
    "Drag and drop files here", "file upload", "Add files", "add icon", "Remove foto.jpg", "Error:",
    "File must be 5.0MB or smaller.", "HEIC files are not allowed.", "Click to retry upload",
    "Error: File must be 5.0MB or smaller.", "Error: HEIC files are not allowed.", "File must be 5.0MB or smaller.",
    "HEIC files are not allowed.", "Help for Bewaartermijn", "Help", "Help for Bewaartermijn", "Help",
    "Choose an option", "Choose options", "No options to select", "Choose an option", "Choose options", "Open",
    "Close", "Clear value", "Clear all", "Remove Noor", "Skip to main content", "View 6 more", "View less",
    "Sidebar", "App pages", "Collapse sidebar", "Expand sidebar", "Choose date", "Clear date",
    "Fullscreen: Foto", "Close fullscreen", "Download as CSV: Uitslag", "Search", "Add row", "Delete row(s)",
    "Show/hide columns: Stappen", "Clear selection", "Fullscreen", "Close fullscreen", "Download as CSV", "Search",
    "Add row", "Delete row(s)", "Show/hide columns", "Clear selection", "Increment",
    "Decrement", "progress", "Main menu", "Running...", "Notifications", "Show password", "Hide password",
    "Page not found", "You have requested page /bestaat-niet, but no corresponding file was found in the app's pages/ "
    "directory. Running the app's main page.", "Close",
    "Error: Number is outside the allowed range. Please enter a value between 1 and 365.",
    "Number is outside the allowed range. Please enter a value between 1 and 365.", "Error:",
]


# Not given back word for word in English: the "+" button's hidden text reads as its label, "Add
# files"; Streamlit's "Page not found" message speaks of a pages/ directory, not of the app.
REWORDED = {"add icon", next(e for e in EXAMPLES if e.startswith("You have requested page"))}


def _apply(pattern: str, text: str, example: str) -> str:
    """What the browser script does with a rule ($1, $2 for the groups)."""
    return re.sub(pattern, lambda m: re.sub(r"\$(\d)", lambda g: m.group(int(g.group(1))) or "", text), example)


@pytest.fixture(autouse=True)
def _dutch():
    set_language("nl")
    yield
    set_language("nl")


def test_every_rule_turns_its_english_into_dutch_and_back_into_english():
    assert len(EXAMPLES) == len(style.STREAMLIT_TEXTS)
    for (where, _attribute, pattern, text), example in zip(style.STREAMLIT_TEXTS, EXAMPLES, strict=True):
        assert re.fullmatch(pattern, example), (where, pattern, example)
        set_language("nl")
        dutch = _apply(pattern, text(), example)
        set_language("en")
        english = _apply(pattern, text(), example)
        assert dutch != example and not english_in(dutch), (example, dutch)
        assert not re.fullmatch(pattern, dutch), f"{dutch!r} would be translated again"
        if example not in REWORDED:
            assert english == example, (english, example)


def test_the_script_holds_the_rules_of_the_current_language_and_no_text_can_end_it(monkeypatch):
    rules = json.loads(style.streamlit_texts_script().split("for (const [where, attribute, pattern, text] of ", 1)[1]
                       .split(") {\n", 1)[0])
    assert ["[data-testid=\"stSidebarNavViewButton\"]", None, r"^View (\d+) more$", "Nog $1 tonen"] in rules
    monkeypatch.setattr(style, "STREAMLIT_TEXTS", ((".x", None, "^a$", lambda: "</script><script>alert(1)"),))
    script = style.streamlit_texts_script()
    assert script.count("</script>") == 1 and script.endswith("</script>")
