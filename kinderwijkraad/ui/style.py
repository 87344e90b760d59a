"""Touch-friendly styling: big targets and readable text on a 10" classroom tablet.

The CSS is a constant of ours; no user text ever goes through unsafe HTML. The base font size
(18 px) and the colours are in .streamlit/config.toml. What is checked, and what Streamlit does
that we cannot change, is in docs/accessibility.md (tests/test_browser_a11y.py checks it).
"""

from __future__ import annotations

import json
from collections.abc import Callable

import streamlit as st

from kinderwijkraad.i18n import LANGUAGES, current_language, t
from kinderwijkraad.ui import speech

# Streamlit draws captions (and image captions, placeholders) in the text colour at 60% opacity:
# 4.4:1 on white, under WCAG AA's 4.5:1. This grey is 5.9:1 on white and 5.4:1 on the theme's
# secondary background. The plan form puts its help in the placeholder, where a child looks.
MUTED_TEXT = "#5f656c"
HEAD_BOX_KEY = "kwr_head"  # app.py draws the style and the cookie components in this box

TOUCH_CSS = f"""
<style>
[data-testid="stMainBlockContainer"] {{ padding-top: 4rem; padding-left: 1.5rem; padding-right: 1.5rem; }}
/* Every touch target at least 48 x 48 CSS px (docs/accessibility.md). */
.stButton button, .stFormSubmitButton button, .stDownloadButton button, .stLinkButton a, .stPopover button,
.stFileUploader button, [data-testid="stPageLink-NavLink"], [data-testid="stSidebarNav"] a,
[data-testid="stExpander"] summary, [data-testid="stSelectbox"] [role="group"],
[data-testid="stTextInputRootElement"], [data-testid="stNumberInputContainer"],
[data-testid="stRadioOption"], [data-testid="stCheckbox"] label {{ min-height: 48px; }}
.stButton button, .stFormSubmitButton button {{ padding-left: 1.25rem; padding-right: 1.25rem; }}
[data-testid="stRadioOption"], [data-testid="stCheckbox"] label {{ align-items: center; }}
[data-testid="stTextInputRootElement"] input {{ align-self: stretch; }}  /* the whole box takes the tap */
[data-testid="stExpandSidebarButton"], [data-testid="stSidebarCollapseButton"] button {{
    min-width: 48px; min-height: 48px; }}
/* The anchor links Streamlit puts beside every heading: an 18 px target nobody here needs. */
[data-testid="stHeaderActionElements"] {{ display: none; }}
[data-testid="stCaptionContainer"], [data-testid="stImageCaption"] {{ color: {MUTED_TEXT}; opacity: 1; }}
input::placeholder, textarea::placeholder {{ color: {MUTED_TEXT}; opacity: 1; }}
/* The box at the top of the app (this style, the language script, and a login cookie component
   while one is written) shows nothing: keep it out of the layout. Hidden, its style still applies
   and the component still runs. */
[data-testid="stLayoutWrapper"]:has(> .st-key-{HEAD_BOX_KEY}), .st-key-{HEAD_BOX_KEY} {{ display: none; }}
</style>
"""
# Streamlit serves <html lang="en"> whatever the app's language; a screen reader then reads Dutch
# with English pronunciation. The language code comes from our own table, never from user input.
LANG_SCRIPT = "<script>document.documentElement.lang = {language!r};</script>"

# Streamlit's frontend writes some English of its own that no parameter changes: the keyboard hint
# under a text box in a form ("Press Ctrl+Enter to submit form"), the file uploader's button, limit
# and refusal, the "Help for ..." of a help tooltip, a select's default placeholder, and the labels
# a screen reader reads on the sidebar and buttons. Each rule says where (a CSS selector on
# Streamlit's data-testid, so a child's text elsewhere is never touched), which attribute (None: the
# text), the whole English text as a JavaScript pattern, and its catalogue text with "$1", "$2" for
# the pattern's groups. Checked in Chromium by tests/test_browser_streamlit_texts.py against
# tests/streamlit_english.py.
UPLOADER = '[data-testid="stFileUploader"]'
TOOLTIPS = '[data-testid="stTooltipErrorContent"], [data-testid="stTooltipContent"]'
SELECTS = '[data-testid="stSelectbox"], [data-testid="stMultiSelect"]'
SELECT_PARTS = '[data-testid="stSelectbox"] [aria-label], [data-testid="stMultiSelect"] [aria-label]'
StreamlitText = tuple[str, str | None, str, Callable[[], str]]
TOOLBAR = '[data-testid="stElementToolbarButton"]'
NUMBERS = '[data-testid="stNumberInputContainer"], [data-testid="stNumberInput"]'
# The buttons over an image, a chart or a table (as patterns: "Delete row(s)" holds brackets); a data
# editor adds its own.
TOOLBAR_BUTTONS = ((r"Fullscreen", "streamlit.fullscreen"), (r"Close fullscreen", "streamlit.close_fullscreen"),
                   (r"Download as CSV", "streamlit.download_csv"), (r"Search", "streamlit.search"),
                   (r"Add row", "streamlit.add_row"), (r"Delete row\(s\)", "streamlit.delete_rows"),
                   (r"Show/hide columns", "streamlit.show_hide_columns"),
                   (r"Clear selection", "streamlit.clear_selection"))
STREAMLIT_TEXTS: tuple[StreamlitText, ...] = (
    ('[data-testid="InputInstructions"] span', None, r"^Press (Ctrl|⌘)\+Enter to submit form$",
     lambda: t("streamlit.press_keys_enter_submit", keys="$1")),
    ('[data-testid="InputInstructions"] span', None, r"^Press (Ctrl|⌘)\+Enter to apply$",
     lambda: t("streamlit.press_keys_enter_apply", keys="$1")),
    ('[data-testid="InputInstructions"] span', None, r"^Press Enter to submit form$",
     lambda: t("streamlit.press_enter_submit")),
    ('[data-testid="InputInstructions"] span', None, r"^Press Enter to apply$",
     lambda: t("streamlit.press_enter_apply")),
    (f"{UPLOADER} button p", None, r"^Upload$", lambda: t("streamlit.upload")),
    (f"{UPLOADER} button p", None, r"^Browse files$", lambda: t("streamlit.browse_files")),
    ('[data-testid="stFileUploaderDropzoneInstructions"] span', None, r"^(\S+) per file • (.+)$",
     lambda: t("streamlit.upload_limit_types", size="$1", types="$2")),
    ('[data-testid="stFileUploaderDropzoneInstructions"] span', None, r"^(?:Limit )?(\S+) per file$",
     lambda: t("streamlit.upload_limit", size="$1")),
    (UPLOADER, None, r"^Drag and drop (?:a )?file here$", lambda: t("streamlit.drop_file")),
    (UPLOADER, None, r"^Drag and drop files here$", lambda: t("streamlit.drop_files")),
    (f"{UPLOADER} input", "aria-label", r"^file upload$", lambda: t("streamlit.file_input")),
    (f"{UPLOADER} button", "aria-label", r"^Add files$", lambda: t("streamlit.add_files")),
    (f"{UPLOADER} button span", None, r"^add icon$", lambda: t("streamlit.add_files")),
    (f"{UPLOADER} button", "aria-label", r"^Remove (.+)$", lambda: t("streamlit.remove_file", name="$1")),
    (f'{UPLOADER} [role="alert"]', None, r"^Error:$", lambda: t("streamlit.error_label")),
    (f'{UPLOADER} [role="alert"]', None, r"^File must be (.+) or smaller\.?$",
     lambda: t("streamlit.file_too_large", size="$1")),
    (f'{UPLOADER} [role="alert"]', None, r"^(.+) files are not allowed\.?$",
     lambda: t("streamlit.file_type_refused", kind="$1")),
    ('[data-testid="stFileChip"]', "title", r"^Click to retry upload$", lambda: t("streamlit.retry_upload")),
    (f'{UPLOADER} [role="alert"]', None, r"^Error: File must be (.+) or smaller\.?$",
     lambda: t("streamlit.error", message=t("streamlit.file_too_large", size="$1"))),
    (f'{UPLOADER} [role="alert"]', None, r"^Error: (.+) files are not allowed\.?$",
     lambda: t("streamlit.error", message=t("streamlit.file_type_refused", kind="$1"))),
    (TOOLTIPS, None, r"^File must be (.+) or smaller\.?$",
     lambda: t("streamlit.file_too_large", size="$1")),
    (TOOLTIPS, None, r"^(.+) files are not allowed\.?$",
     lambda: t("streamlit.file_type_refused", kind="$1")),
    ('[data-testid="stTooltipIcon"], [data-testid="stTooltipIcon"] *', "aria-label", r"^Help for (.+)$",
     lambda: t("streamlit.help_for", label="$1")),
    ('[data-testid="stTooltipIcon"], [data-testid="stTooltipIcon"] *', "aria-label", r"^Help$",
     lambda: t("streamlit.help")),
    ('[data-testid="stTooltipIcon"] *', None, r"^Help for (.+)$", lambda: t("streamlit.help_for", label="$1")),
    ('[data-testid="stTooltipIcon"] *', None, r"^Help$", lambda: t("streamlit.help")),
    (SELECTS, None, r"^Choose an option$", lambda: t("streamlit.choose_option")),
    (SELECTS, None, r"^Choose options$", lambda: t("streamlit.choose_options")),
    (SELECTS, None, r"^No options to select$", lambda: t("streamlit.no_options")),
    ('[data-testid="stSelectbox"] input, [data-testid="stMultiSelect"] input', "placeholder", r"^Choose an option$",
     lambda: t("streamlit.choose_option")),
    ('[data-testid="stMultiSelect"] input', "placeholder", r"^Choose options$", lambda: t("streamlit.choose_options")),
    (SELECT_PARTS, "aria-label", r"^Open$", lambda: t("streamlit.open")),
    (SELECT_PARTS, "aria-label", r"^Close$", lambda: t("streamlit.close")),
    (SELECT_PARTS, "aria-label", r"^Clear value$", lambda: t("streamlit.clear_value")),
    (SELECT_PARTS, "aria-label", r"^Clear all$", lambda: t("streamlit.clear_all")),
    ('[data-testid="stMultiSelect"] [aria-label]', "aria-label", r"^Remove (.+)$",
     lambda: t("streamlit.remove_option", option="$1")),
    ('a[href="#stMain"]', None, r"^Skip to main content$", lambda: t("streamlit.skip_to_main")),
    ('[data-testid="stSidebarNavViewButton"]', None, r"^View (\d+) more$", lambda: t("streamlit.view_more", n="$1")),
    ('[data-testid="stSidebarNavViewButton"]', None, r"^View less$", lambda: t("streamlit.view_less")),
    ('[data-testid="stSidebar"]', "aria-label", r"^Sidebar$", lambda: t("streamlit.sidebar")),
    ('[data-testid="stSidebarNav"]', "aria-label", r"^App pages$", lambda: t("streamlit.app_pages")),
    ('[data-testid="stSidebarCollapseButton"] button', "aria-label", r"^Collapse sidebar$",
     lambda: t("streamlit.collapse_sidebar")),
    ('[data-testid="stExpandSidebarButton"]', "aria-label", r"^Expand sidebar$", lambda: t("streamlit.expand_sidebar")),
    ('[data-testid="stDateInput"] [aria-label]', "aria-label", r"^Choose date$", lambda: t("streamlit.choose_date")),
    ('[data-testid="stDateInput"] [aria-label]', "aria-label", r"^Clear date$", lambda: t("streamlit.clear_date")),
    # The toolbar over an image or a table ("Fullscreen: <label>") and its buttons' tooltips.
    *((f'{TOOLBAR} button', "aria-label", rf"^{english}(: .+)?$", lambda key=key: t(key) + "$1")
      for english, key in TOOLBAR_BUTTONS),
    *((TOOLTIPS, None, rf"^{english}$", lambda key=key: t(key)) for english, key in TOOLBAR_BUTTONS),
    ('[data-testid="stNumberInput"] button', "aria-label", r"^Increment$", lambda: t("streamlit.increment")),
    ('[data-testid="stNumberInput"] button', "aria-label", r"^Decrement$", lambda: t("streamlit.decrement")),
    ('[data-testid="stProgress"] [aria-label]', "aria-label", r"^progress$", lambda: t("streamlit.progress")),
    ('[data-testid="stToolbar"] [aria-label], [data-testid="stMainMenu"] [aria-label]', "aria-label",
     r"^Main menu$", lambda: t("streamlit.main_menu")),
    ('[data-testid="stStatusWidget"], [data-testid="stStatusWidget"] *', None, r"^Running\.\.\.$",
     lambda: t("streamlit.running")),
    ('[data-testid="stToastContainer"], [data-testid="stToastContainer"] [aria-label]', "aria-label",
     r"^Notifications$", lambda: t("streamlit.notifications")),
    ('[data-testid="stTextInput"] button', "aria-label", r"^Show password$", lambda: t("streamlit.show_password")),
    ('[data-testid="stTextInput"] button', "aria-label", r"^Hide password$", lambda: t("streamlit.hide_password")),
    # An address the app does not have (the app's own pages all have one, see app.py _stand_ins).
    ('[role="dialog"] h2', None, r"^Page not found$", lambda: t("streamlit.page_not_found")),
    ('[role="dialog"]', None, r"^(?:The page that you have requested does not seem to exist|You have requested page "
     r"/.*, but no corresponding file was found in the app's pages/ directory)\. Running the app's main page\.$",
     lambda: t("streamlit.page_not_found_message")),
    ('[role="dialog"] button', "aria-label", r"^Close$", lambda: t("streamlit.close")),
    # A number typed outside a number box's bounds (found by the explorer: 999 days on Wijken).
    (NUMBERS, None, r"^Error: Number is outside the allowed range\. Please enter a value between (\S+) and (\S+)\.$",
     lambda: t("streamlit.error", message=t("streamlit.number_out_of_range", low="$1", high="$2"))),
    (NUMBERS, None, r"^Number is outside the allowed range\. Please enter a value between (\S+) and (\S+)\.$",
     lambda: t("streamlit.number_out_of_range", low="$1", high="$2")),
    (NUMBERS, None, r"^Error:$", lambda: t("streamlit.error_label")),
)
# Runs once per language (Streamlit redraws this element only when its text changes) and then watches
# the page: Streamlit draws its English again whenever React redraws a widget. Each text or attribute
# remembers the English it came from, so a switch of language translates from the original, and a
# value that is already right is not written again (a write is itself a change the watcher sees).
TEXTS_SCRIPT = """<script>(() => {
const kwr = window.kwrStreamlitTexts = window.kwrStreamlitTexts || {memo: new WeakMap()};
kwr.groups = new Map();  // "where|attribute": the rules for one place, tried in order
for (const [where, attribute, pattern, text] of RULES) {
  const name = where + "|" + attribute;
  if (!kwr.groups.has(name)) kwr.groups.set(name, {name, where, attribute, rules: []});
  kwr.groups.get(name).rules.push([new RegExp(pattern), text]);
}
const translate = (node, group, current, write) => {
  const memos = kwr.memo.get(node) || new Map();
  const memo = memos.get(group.name);
  const source = memo && memo[1] === current ? memo[0] : current;
  const [, before, words, after] = source.match(/^(\\s*)([\\s\\S]*?)(\\s*)$/);
  const rule = group.rules.find(([pattern]) => pattern.test(words));
  const result = rule ? before + words.replace(rule[0], rule[1]) + after : source;
  memos.set(group.name, [source, result]);
  kwr.memo.set(node, memos);
  if (result !== current) write(result);
};
kwr.fix = () => {
  kwr.pending = false;
  for (const group of kwr.groups.values()) {
    for (const element of document.querySelectorAll(group.where)) {
      if (group.attribute) {
        const value = element.getAttribute(group.attribute);
        if (value) translate(element, group, value, text => element.setAttribute(group.attribute, text));
      } else {
        const texts = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
        for (let node = texts.nextNode(); node; node = texts.nextNode()) {
          const text = node;
          if (text.nodeValue.trim()) translate(text, group, text.nodeValue, value => { text.nodeValue = value; });
        }
      }
    }
  }
};
kwr.fix();
if (!kwr.watcher) {
  // Once per frame at most, before it is painted: a burst of redraws costs one pass. `pending` also
  // tells a browser test that a rewrite is still to come (tests/streamlit_english.py).
  kwr.watcher = new MutationObserver(() => {
    if (!kwr.pending) { kwr.pending = true; requestAnimationFrame(() => kwr.fix()); }
  });
  kwr.watcher.observe(document.body, {subtree: true, childList: true, characterData: true, attributes: true,
                                      attributeFilter: ["aria-label", "placeholder", "title"]});
}
})();</script>"""


def streamlit_texts_script() -> str:
    """The translating script for the current language (tests/test_streamlit_texts.py)."""
    rules = [[where, attribute, pattern, text()] for where, attribute, pattern, text in STREAMLIT_TEXTS]
    # Our own constants and catalogue texts; "</" escaped so no text can close the script element.
    return TEXTS_SCRIPT.replace("RULES", json.dumps(rules, ensure_ascii=False).replace("</", "<\\/"))


def apply_touch_style() -> None:
    st.markdown(TOUCH_CSS, unsafe_allow_html=True)
    language = current_language()
    if language in LANGUAGES:
        st.html(LANG_SCRIPT.format(language=language) + streamlit_texts_script(), unsafe_allow_javascript=True)


NO_MENU_CSS = """[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
[data-testid="stExpandSidebarButton"] { display: none; }"""
# The smartboard: no menu, and the children's text readable from the back of the classroom.
BOARD_CSS = f"""
<style>
{NO_MENU_CSS}
[data-testid="stMainBlockContainer"] {{ max-width: 100%; }}
[data-testid="stMain"] h1 {{ font-size: 4rem; }}
[data-testid="stMain"] h3 {{ font-size: 2.6rem; line-height: 1.25; }}
</style>
"""
# The ballot: big option buttons a child of 8 cannot miss, two per row, each with its speaker
# (ui/speech.py), and a big "Stem!". Rows by CSS grid rather than st.columns or a row container per
# option: fewer blocks for the server to send on every tap. A dots ballot has its own box per option.
BALLOT_RULES = """
.st-key-ballot_options { display: grid; grid-template-columns: 1fr auto 1fr auto; align-items: center; }
.st-key-ballot_dots { display: grid; grid-template-columns: 1fr 1fr; }
OPTIONS button { min-height: 76px; font-size: 1.35rem; width: 100%; }
/* A picture beside an option or a plan question (ui/pictures.py): Streamlit keeps an image in a
   label to the text's height; a child's picture is 48 px. */
OPTIONS button img, [data-testid="stWidgetLabel"] img { max-height: 48px !important; margin-right: 0.4rem; }
/* An option's words are never cut off with "…": a long name wraps beside its picture. */
OPTIONS button :is([data-testid="stMarkdownContainer"], .stMarkdownEllipsis) {
    white-space: normal; overflow: visible; text-overflow: clip; }
OPTIONS button p { font-size: 1.35rem; display: flex; align-items: center; gap: 0.4rem; text-align: left;
    white-space: normal; overflow: visible; text-overflow: clip; line-height: 1.25; }
.st-key-ballot_submit { display: grid; grid-template-columns: 1fr 2fr; }
.st-key-ballot_submit button { min-height: 64px; font-size: 1.4rem; }
""".replace("OPTIONS", ":is(.st-key-ballot_options, .st-key-ballot_dots)")
# A children's tablet (joined to a lesson, voting, the booth): no menu to wander off into (the
# tablet's token is in its address), and the ballot's style, drawn once outside the ballot so a
# tap that redraws only the ballot does not send it again.
TABLET_CSS = f"<style>{NO_MENU_CSS}{BALLOT_RULES}</style>"


# The display mode a children's tablet chose (ui/display.py): the switch's own layout, bigger text
# and high contrast. Our constants; the booleans only pick which.
DISPLAY_SWITCH_KEY = "display_switch"
DISPLAY_SWITCH_RULES = f"""
.st-key-{DISPLAY_SWITCH_KEY} {{ display: flex; flex-flow: row wrap; gap: 0 2rem; }}
.st-key-{DISPLAY_SWITCH_KEY} > div {{ width: auto; flex: 0 0 auto; }}
.st-key-{DISPLAY_SWITCH_KEY} > div:has(style) {{ display: none; }}  /* this style's own box takes no room */
.st-key-{DISPLAY_SWITCH_KEY} [data-testid="stCheckbox"] label {{ min-height: 48px; min-width: 48px; }}
.st-key-{DISPLAY_SWITCH_KEY} [data-testid="stWidgetLabel"] p {{ font-size: 1rem; font-weight: 600; }}
/* Streamlit's off track is a pale grey a child can miss: a dark frame shows there is a switch. */
.st-key-{DISPLAY_SWITCH_KEY} [data-testid="stCheckbox"] label > span + div {{ box-shadow: 0 0 0 2px #17202a; }}
"""
# In either mode a button's label wraps instead of ending in "…" (Streamlit cuts it to one line).
WRAPPED_LABELS = """
.stApp button .stMarkdownEllipsis, .stApp button .stMarkdownEllipsis p {
    white-space: normal; overflow: visible; text-overflow: clip; }
"""
# Bigger text: Streamlit sizes text, fields and buttons in rem, so a bigger root scales them all.
# The page's side padding does not grow with it: at 768 px wide the text keeps its room.
LARGE_TEXT_RULES = """
html { font-size: 24.3px; }  /* the theme's 18 px x 1.35 */
.stApp { --kwr-large-text: 1; }  /* the mode, for a script (tests) to read */
[data-testid="stMainBlockContainer"] { padding-left: 1rem; padding-right: 1rem; }
[data-testid="stWidgetLabel"] p, [data-testid="stCaptionContainer"] { font-size: 1rem; }
[data-testid="stMain"] h1 { font-size: 2.2rem; }
.st-key-ballot_options { grid-template-columns: 1fr auto; }  /* one option a row: whole theme names */
.st-key-ballot_dots { grid-template-columns: 1fr; }
[data-testid="stMain"] :is(p, li, label, button, input, textarea) { overflow-wrap: anywhere; }
"""
# High contrast: black on white, white on black for the main buttons, thick borders on every
# control, a thick focus ring, underlined links; no grey text and no coloured tints.
HIGH_CONTRAST_RULES = """
.stApp { --kwr-high-contrast: 1; }  /* the mode, for a script (tests) to read */
.stApp, .stApp [data-testid="stHeader"], .stApp [data-testid="stSidebar"] { background-color: #fff; }
.stApp [data-testid="stMain"], .stApp [data-testid="stSidebar"] { color: #000; }
.stApp :is([data-testid="stMain"], [data-testid="stSidebar"]) :is(p, li, h1, h2, h3, h4, h5, h6, label, span,
    summary, small, code, input, textarea, [data-testid="stCaptionContainer"], [data-testid="stMarkdownContainer"]) {
    color: #000; opacity: 1; }
.stApp code { background-color: #fff; border: 2px solid #000; }
.stApp input::placeholder, .stApp textarea::placeholder { color: #333; opacity: 1; }
.stApp :is([data-testid="stTextInputRootElement"], [data-testid="stTextAreaRootElement"], [data-baseweb="input"],
    [data-testid="stNumberInputContainer"], [data-baseweb="select"] > div) {
    background-color: #fff; border: 3px solid #000; }
.stApp :is(input, textarea) { background-color: #fff; }
.stApp button { background-color: #fff; color: #000; border: 3px solid #000; opacity: 1; }
.stApp button:is([kind="primary"], [kind="primaryFormSubmit"], [data-testid="stBaseButton-primary"],
    [data-testid="stBaseButton-primaryFormSubmit"]) { background-color: #000; color: #fff; }
.stApp button:not(:disabled) :is(p, span, div, [data-testid="stMarkdownContainer"]) { color: inherit !important; }
.stApp button.kwr-speak, .stApp .st-key-ballot_options button.kwr-speak {  /* ui/speech.py: keep its icon */
    border: 3px solid #000; background-color: #fff; }
.stApp button:hover:not(:disabled) { text-decoration: underline; }
.stApp button:disabled { background-color: #fff; color: #3d3d3d; border: 3px dashed #3d3d3d; }
.stApp :is(a, a *, [data-testid="stPageLink-NavLink"] *) { color: #000; text-decoration: underline; }
.stApp [data-testid="stPageLink-NavLink"] { border: 3px solid #000; }
.stApp :is([data-testid="stAlertContainer"], [data-testid="stForm"], [data-testid="stExpander"] details,
    [data-testid="stVerticalBlockBorderWrapper"]) { background-color: #fff; border: 3px solid #000; color: #000; }
.stApp [data-testid="stAlertContainer"] * { color: #000; }
.stApp *:focus-visible, .stApp [data-testid="stTextInputRootElement"]:focus-within,
.stApp [data-testid="stTextAreaRootElement"]:focus-within {
    outline: 4px solid #000 !important; outline-offset: 3px; box-shadow: 0 0 0 7px #fff; }
/* The switches themselves and radio circles: a black frame, filled black when on. */
.stApp [data-testid="stCheckbox"] label > span + div { background-color: #fff; border: 2px solid #000; }
.stApp [data-testid="stCheckbox"] label > span + div > div { background-color: #000; }
.stApp [data-testid="stCheckbox"] label:has(input:checked) > span + div { background-color: #000; }
.stApp [data-testid="stCheckbox"] label:has(input:checked) > span + div > div { background-color: #fff; }
.stApp [data-testid="stCheckbox"] label:has(input:focus-visible) { outline: 4px solid #000; outline-offset: 3px; }
.stApp [data-testid="stRadio"] label > div:first-of-type { border: 2px solid #000; }
.stApp [data-testid="stRadio"] label:has(input:checked) > div:first-of-type { background-color: #000; }
"""


def apply_display_mode(*, large_text: bool, high_contrast: bool) -> None:
    """The display switch's layout and the tablet's mode (ui/display.py)."""
    rules = DISPLAY_SWITCH_RULES + (LARGE_TEXT_RULES if large_text else "")
    rules += (HIGH_CONTRAST_RULES if high_contrast else "") + (WRAPPED_LABELS if large_text or high_contrast else "")
    st.markdown(f"<style>{rules}</style>", unsafe_allow_html=True)


def apply_board_style() -> None:
    st.markdown(BOARD_CSS, unsafe_allow_html=True)


def apply_tablet_style() -> None:
    st.markdown(TABLET_CSS, unsafe_allow_html=True)
    speech.install()  # every children's page has speakers
