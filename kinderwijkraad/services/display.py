"""How a children's tablet shows its pages: bigger text and high contrast.

A tablet keeps its choice under its own token, the one in its address: a team tablet's (`Device`,
`?tablet=` on Meedoen and Stemmen) or a booth's (`Booth`, `?hokje=` on Stemhokje). Only the token's
hash is stored (the same SHA-256 as `Device.token_hash` and `Booth.token_hash`), with two booleans:
nothing about a child. A token that is not a tablet's stores nothing. The rows go when their
tablet's token goes: with the lesson data of a cleaned cycle, and as orphans in every retention
run (services/retention.py).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from sqlalchemy import Engine, exists, or_
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, delete, select

from kinderwijkraad.db import read_session, write_session
from kinderwijkraad.models import Booth, Device, DisplayPreference
from kinderwijkraad.models.common import utcnow
from kinderwijkraad.services.common import link_token_hash

# What is stored of a tablet's token: the SHA-256 that services/lessons.py (`_hash_token`) and
# services/ballots.py (`_hash`) store for a device and a booth; common.link_token_hash is that
# function, public.
token_hash = link_token_hash


@dataclass(frozen=True)
class Display:
    """A tablet's display mode; the default is the app's normal look."""

    large_text: bool = False
    high_contrast: bool = False


NORMAL = Display()


def display_preference(engine: Engine, token: str | None) -> Display | None:
    """The mode stored for the tablet with this token; None when none was stored or the token is
    not a tablet's (the page then keeps the session's own choice)."""
    if not token:
        return None
    with read_session(engine) as session:
        row = session.get(DisplayPreference, token_hash(token))
        return Display(row.large_text, row.high_contrast) if row is not None else None


def _is_tablet(session: Session, hashed: str) -> bool:
    return bool(session.exec(select(or_(exists().where(col(Device.token_hash) == hashed),
                                        exists().where(col(Booth.token_hash) == hashed)))).one())


def set_display_preference(engine: Engine, *, token: str | None, large_text: bool | None = None,
                           high_contrast: bool | None = None) -> Display | None:
    """Store one or both switches for the tablet with this token and return its mode now; a switch
    left None keeps its stored value. One INSERT … ON CONFLICT DO UPDATE: two taps at once (two
    tabs of one tablet) both land, each on its own column, and the database decides the order. A
    token that is not a tablet's (none, mistyped, a tablet whose lesson data was removed) stores
    nothing and returns None: the switch then lasts only for the session, no error."""
    if not token:
        return None
    hashed = token_hash(token)
    changes = {name: value for name, value in (("large_text", large_text), ("high_contrast", high_contrast))
               if value is not None}
    with write_session(engine) as session:
        if not _is_tablet(session, hashed):
            return None
        now = utcnow()
        dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
        insert = dialect.insert(DisplayPreference).values(token_hash=hashed, updated_at=now,
                                                          **{**asdict(NORMAL), **changes})
        statement = insert.on_conflict_do_update(index_elements=["token_hash"],
                                                 set_={**changes, "updated_at": now})
        returning = statement.returning(col(DisplayPreference.large_text), col(DisplayPreference.high_contrast))
        stored_large, stored_contrast = session.execute(returning).one()
    return Display(bool(stored_large), bool(stored_contrast))


def remove_orphaned_preferences(session: Session) -> int:
    """Delete the modes whose tablet token is gone (its lesson data removed, a booth paired anew);
    how many. Runs inside the caller's transaction (services/retention.py)."""
    devices = select(Device.token_hash)
    booths = select(Booth.token_hash).where(col(Booth.token_hash).is_not(None))
    result = session.exec(delete(DisplayPreference).where(col(DisplayPreference.token_hash).not_in(devices),
                                                          col(DisplayPreference.token_hash).not_in(booths)))
    return int(result.rowcount or 0)
