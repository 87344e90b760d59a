"""Touch-friendly styling: big targets and readable text on a 10" classroom tablet.

The CSS is a constant of ours; no user text ever goes through unsafe HTML. The base font size
(18 px) and the colours are in .streamlit/config.toml. What is checked, and what Streamlit does
that we cannot change, is in docs/accessibility.md (tests/test_browser_a11y.py checks it).
"""

from __future__ import annotations

import streamlit as st

from kinderwijkraad.i18n import LANGUAGES, current_language

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


def apply_touch_style() -> None:
    st.markdown(TOUCH_CSS, unsafe_allow_html=True)
    language = current_language()
    if language in LANGUAGES:
        st.html(LANG_SCRIPT.format(language=language), unsafe_allow_javascript=True)


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
# The ballot: big option buttons a child of 8 cannot miss, two per row, and a big "Stem!". Rows
# by CSS grid rather than st.columns: fewer blocks for the server to send on every tap.
BALLOT_RULES = """
.st-key-ballot_options { display: grid; grid-template-columns: 1fr 1fr; }
.st-key-ballot_options button { min-height: 76px; font-size: 1.35rem; width: 100%; }
.st-key-ballot_options button p { font-size: 1.35rem; }
.st-key-ballot_submit { display: grid; grid-template-columns: 1fr 2fr; }
.st-key-ballot_submit button { min-height: 64px; font-size: 1.4rem; }
"""
# A children's tablet (joined to a lesson, voting, the booth): no menu to wander off into (the
# tablet's token is in its address), and the ballot's style, drawn once outside the ballot so a
# tap that redraws only the ballot does not send it again.
TABLET_CSS = f"<style>{NO_MENU_CSS}{BALLOT_RULES}</style>"


def apply_board_style() -> None:
    st.markdown(BOARD_CSS, unsafe_allow_html=True)


def apply_tablet_style() -> None:
    st.markdown(TABLET_CSS, unsafe_allow_html=True)
