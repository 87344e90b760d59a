"""Streamlit's own English: the texts its frontend writes by itself, which must not show on a Dutch
screen (ui/style.py STREAMLIT_TEXTS replaces them from the catalogue).

For a browser test or an explorer that checks a Dutch screen:

    from tests.streamlit_english import english_on
    assert not english_on(page)

STREAMLIT_ENGLISH are phrases no Dutch text holds: each is looked for, case-sensitive and as whole
words, in every visible text and in the aria-label, placeholder and title of every visible element.
STREAMLIT_ENGLISH_LABELS are short words a Dutch text may hold too ("Open"
is Dutch): only a whole aria-label equal to one of them counts.
"""

from __future__ import annotations

import re

STREAMLIT_ENGLISH = [
    # the keyboard hint under a text box (st.text_area / st.text_input, in a form or not)
    "Press Ctrl+Enter", "Press ⌘+Enter", "Press Enter", "to submit form", "to apply",
    # st.file_uploader: button, limits, drop zone, refusals (1.67 says "Upload"; older ones "Browse files")
    "Upload", "Browse files", "Drag and drop", "per file", "or smaller", "files are not allowed",
    "Add files", "file upload", "Remove", "add icon", "Error:", "Click to retry",
    # selectbox / multiselect without a placeholder
    "Choose options", "Choose an option", "Choose or add", "No options to select", "Add options", "Add an option",
    # the sidebar menu (st.navigation) and a help tooltip's label
    *(f"View {n} more" for n in range(1, 30)), "View less",
    "App pages", "Collapse sidebar", "Expand sidebar", "Help for",
    # other screen-reader labels
    "Choose date", "Clear date", "Fullscreen", "Close fullscreen", "Download as CSV",
    "Add row", "Delete row(s)", "Show/hide columns", "Clear selection",
    "Skip to main content", "Clear value", "Clear all", "Main menu", "Running...",
    "Show password", "Hide password", "Page not found", "Running the app's main page",
    "outside the allowed range",
]
STREAMLIT_ENGLISH_LABELS = ["Sidebar", "Open", "Close", "Help", "Increment", "Decrement", "progress", "Notifications"]


def _phrase(text: str) -> str:
    return (r"(?<!\w)" if text[0].isalnum() else "") + re.escape(text) + (r"(?!\w)" if text[-1].isalnum() else "")


ENGLISH_RE = re.compile("|".join(_phrase(text) for text in STREAMLIT_ENGLISH))


def english_in(text: str) -> list[str]:
    """The phrases of STREAMLIT_ENGLISH in `text`."""
    return ENGLISH_RE.findall(text)


# Every visible element's own text, and its aria-label, placeholder and title (as
# [kind, value, data-testid of the nearest element that has one]), as the next frame paints them.
# ui/style.py's script rewrites Streamlit's English in the animation frame after a redraw, before
# it is painted; until then its `pending` is set. So the page is read inside a frame callback once
# no rewrite is pending: every redraw so far is rewritten, and no redraw can come in between (a
# redraw is a task of its own). A table's toolbar, for one, can be drawn after the run, just before
# the check. A page that redraws in every frame is read after 5 s as it is.
_SHOWN = """() => new Promise(resolve => {
  let done = false;
  const read = () => {
    if (done) return;
    done = true;
    const found = [];
    for (const element of document.body.querySelectorAll('*')) {
      if (['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE'].includes(element.tagName)) continue;
      if (!element.checkVisibility({visibilityProperty: true, opacityProperty: false})) continue;
      const where = element.closest('[data-testid]')?.getAttribute('data-testid') || element.tagName;
      const own = [...element.childNodes].filter(node => node.nodeType === Node.TEXT_NODE)
        .map(node => node.nodeValue.trim()).filter(Boolean).join(' ');
      if (own) found.push(['text', own, where]);
      for (const name of ['aria-label', 'placeholder', 'title']) {
        const value = element.getAttribute(name);
        if (value) found.push([name, value, where]);
      }
    }
    resolve(found);
  };
  const deadline = performance.now() + 5000;
  const inFrame = () => {
    if (window.kwrStreamlitTexts?.pending && performance.now() < deadline) requestAnimationFrame(inFrame);
    else read();
  };
  requestAnimationFrame(inFrame);
  setTimeout(read, 6000);  // frames that stop altogether
})"""


def english_on(page) -> list[str]:
    """Streamlit's English shown on `page` (a Playwright page), each as "where: kind 'value'"."""
    problems = []
    for kind, value, where in page.evaluate(_SHOWN):
        if english_in(value) or (kind == "aria-label" and value.strip() in STREAMLIT_ENGLISH_LABELS):
            problems.append(f"{where}: {kind} {value!r}")
    return problems
