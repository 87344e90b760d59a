"""Touch-friendly styling: big targets and readable text on a 10" classroom tablet.

The CSS is a constant of ours; no user text ever goes through unsafe HTML. The base font size
(18 px) and the colours are in .streamlit/config.toml.
"""

from __future__ import annotations

import streamlit as st

TOUCH_CSS = """
<style>
[data-testid="stMainBlockContainer"] { padding-top: 4rem; padding-left: 1.5rem; padding-right: 1.5rem; }
.stButton button, .stFormSubmitButton button, .stDownloadButton button, .stLinkButton a,
[data-testid="stPageLink-NavLink"] { min-height: 48px; }
.stButton button, .stFormSubmitButton button { padding-left: 1.25rem; padding-right: 1.25rem; }
[data-testid="stSidebarNav"] a { min-height: 44px; }
/* The box at the top of the app (this style and the login cookie components) shows nothing;
   keep it out of the layout. The child selectors make sure only that box matches. */
[data-testid="stLayoutWrapper"]:has(> [data-testid="stVerticalBlock"] > [data-testid="stElementContainer"]
                                    iframe[title*="cookie_manager"]) { display: none; }
</style>
"""


def apply_touch_style() -> None:
    st.markdown(TOUCH_CSS, unsafe_allow_html=True)


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
# A joined children's tablet: no menu to wander off into (the tablet's token is in its address).
TABLET_CSS = f"<style>{NO_MENU_CSS}</style>"


def apply_board_style() -> None:
    st.markdown(BOARD_CSS, unsafe_allow_html=True)


def apply_tablet_style() -> None:
    st.markdown(TABLET_CSS, unsafe_allow_html=True)


# The ballot: big option buttons a child of 8 cannot miss, and a big "Stem!".
BALLOT_CSS = """
<style>
.st-key-ballot_options button { min-height: 76px; font-size: 1.35rem; width: 100%; }
.st-key-ballot_options button p { font-size: 1.35rem; }
.st-key-ballot_submit button { min-height: 64px; font-size: 1.4rem; }
</style>
"""


def apply_ballot_style() -> None:
    st.markdown(BALLOT_CSS, unsafe_allow_html=True)
