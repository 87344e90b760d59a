"""The page registry: which pages exist, for which roles, in which order.

app.py builds `st.navigation` from this list; tests walk it so every page is tested for the roles
that may see it and refused to the others.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kinderwijkraad.models import Role

PAGES_DIR = Path(__file__).resolve().parent.parent / "pages"
ALL_ROLES = frozenset(Role)


@dataclass(frozen=True)
class PageSpec:
    file: str
    url_path: str
    title_key: str
    icon: str
    roles: frozenset[Role]
    # A children's voting tablet: the page hides the sidebar, so the app does not draw it (a child
    # taps here all day; every element drawn costs each tap server time, see docs/performance.md).
    kiosk: bool = False

    @property
    def path(self) -> Path:
        return PAGES_DIR / self.file


HOME = PageSpec("home.py", "home", "page.home", ":material/home:", ALL_ROLES)
DASHBOARD = PageSpec(
    "overzicht.py", "overzicht", "page.dashboard", ":material/monitoring:", frozenset({Role.ADMIN, Role.FACILITATOR}),
)
NEIGHBOURHOODS = PageSpec(
    "wijken.py", "wijken", "page.neighbourhoods", ":material/location_city:",
    frozenset({Role.ADMIN, Role.FACILITATOR}),
)
STAFF_WHO_MANAGE = frozenset({Role.ADMIN, Role.FACILITATOR})
LESSON = PageSpec(
    "les.py", "les", "page.lesson", ":material/co_present:", frozenset({Role.ADMIN, Role.FACILITATOR, Role.TEACHER}),
)
THEMES = PageSpec(
    "themas.py", "themas", "page.themes", ":material/category:", STAFF_WHO_MANAGE,
)
TEMPLATES = PageSpec(
    "sjablonen.py", "sjablonen", "page.templates", ":material/edit_document:", STAFF_WHO_MANAGE,
)
POLLS = PageSpec(
    "stemmingen.py", "stemmingen", "page.polls", ":material/how_to_vote:",
    frozenset({Role.ADMIN, Role.FACILITATOR, Role.TEACHER}),
)
COUNCIL = PageSpec("raad.py", "raad", "page.council", ":material/groups:", STAFF_WHO_MANAGE)
PROPOSALS = PageSpec(
    "voorstellen.py", "voorstellen", "page.proposals", ":material/mail:", STAFF_WHO_MANAGE,
)
REPLIES = PageSpec("reacties.py", "reacties", "page.replies", ":material/inbox:", frozenset({Role.OFFICIAL}))
USERS = PageSpec("gebruikers.py", "gebruikers", "page.users", ":material/group:", frozenset({Role.ADMIN}))
# Retention settings and runs for admins; the processing summary and access requests (scoped to
# their wijken) for facilitators too: they are who a school or a parent asks.
PRIVACY = PageSpec("privacy.py", "privacy", "page.privacy", ":material/shield_person:", STAFF_WHO_MANAGE)
# The audit log: every entry for admins (and the chain check), their wijken's for facilitators.
AUDIT = PageSpec("logboek.py", "logboek", "page.audit", ":material/history:", frozenset({Role.ADMIN, Role.FACILITATOR}))
ACCOUNT = PageSpec("account.py", "account", "page.account", ":material/person:", ALL_ROLES)
LOGIN = PageSpec("login.py", "login", "page.login", ":material/login:", frozenset())
# Children's tablets: no login. Open to everyone, logged in or not.
JOIN = PageSpec("meedoen.py", "meedoen", "page.join", ":material/tablet:", ALL_ROLES)
VOTE = PageSpec("stemmen.py", "stemmen", "page.vote", ":material/ballot:", ALL_ROLES, kiosk=True)
BOOTH = PageSpec("stemhokje.py", "stemhokje", "page.booth", ":material/how_to_reg:", ALL_ROLES, kiosk=True)
# An official without an account answers one proposal through a reply link.
REPLY = PageSpec("antwoord.py", "antwoord", "page.reply", ":material/reply:", ALL_ROLES)

PAGES: tuple[PageSpec, ...] = (
    HOME, DASHBOARD, LESSON, POLLS, COUNCIL, PROPOSALS, REPLIES, NEIGHBOURHOODS, THEMES, TEMPLATES, USERS, PRIVACY,
    AUDIT, ACCOUNT, JOIN, VOTE, BOOTH, REPLY,
)
PUBLIC_PAGES: tuple[PageSpec, ...] = (LOGIN, JOIN, VOTE, BOOTH, REPLY)


KIOSK_URL_PATHS = frozenset(page.url_path for page in PAGES if page.kiosk)


def pages_for(role: Role) -> list[PageSpec]:
    return [page for page in PAGES if role in page.roles]
