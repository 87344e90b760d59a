"""Staff accounts: login with throttling, the acting user per run, and user administration.

Passwords are bcrypt hashes in the format streamlit-authenticator's Hasher makes and checks
(a test holds the two together); bcrypt is called directly so that services need not import
Streamlit through that library. Failed logins are throttled
per username and per client with a delay that grows and then forgets, so nobody can be locked
out for good by someone else guessing.
"""

from __future__ import annotations

import math
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

import bcrypt
from sqlalchemy import Engine, case, delete
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from kinderwijkraad.db import read_session, write_session
from kinderwijkraad.errors import InvalidInput, NotAllowed, NotFound, TooManyAttempts
from kinderwijkraad.models import (
    Classroom,
    ClassroomTeacher,
    FacilitatorNeighbourhood,
    LoginThrottle,
    Neighbourhood,
    Organisation,
    Role,
    User,
    UserCreate,
    UserUpdate,
)
from kinderwijkraad.models.common import as_utc, utcnow
from kinderwijkraad.services import audit
from kinderwijkraad.services.common import Actor, clean_text, refused_as, require_role, validated

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 72  # bcrypt only looks at the first 72 bytes
BCRYPT_ROUNDS = 12  # Hasher's cost; tests lower it to 4

# Throttling: the first few failures are free (typos), then each one doubles the wait, up to a
# cap; after a quiet period the count starts again. A school shares one public address, so the
# per-client allowance is larger than the per-username one.
FREE_FAILURES_PER_USER = 3
FREE_FAILURES_PER_CLIENT = 20
MAX_DELAY = timedelta(minutes=5)
USERNAME_MAX_LENGTH = 40  # as UserCreate.username
FORGET_AFTER = timedelta(minutes=30)

# Checked when the username is unknown, so a wrong username costs as long as a wrong password.
@lru_cache(maxsize=1)
def _unknown_user_hash() -> str:
    return hash_password(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt(BCRYPT_ROUNDS)).decode()


def _password_matches(password: str, password_hash: str) -> bool:
    try:
        return bcrypt.checkpw(password.encode(), password_hash.encode())
    except ValueError:  # a malformed hash never matches
        return False


def _check_new_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput("validation.password_too_short", field="password", min=MIN_PASSWORD_LENGTH)
    if len(password.encode()) > MAX_PASSWORD_LENGTH:
        raise InvalidInput("validation.password_too_long", field="password", max=MAX_PASSWORD_LENGTH)
    if not password.strip():
        raise InvalidInput("validation.required", field="password")


# --- login ---------------------------------------------------------------------------------

def throttle_delay(failures: int, free: int) -> timedelta:
    """How long to wait after `failures` consecutive failures (pure, for tests and the UI)."""
    if failures < free:
        return timedelta(0)
    return min(timedelta(seconds=2 ** (failures - free)), MAX_DELAY)


def _throttle_keys(username: str, client: str) -> dict[str, int]:
    return {f"user:{username}": FREE_FAILURES_PER_USER, f"client:{client}": FREE_FAILURES_PER_CLIENT}


def throttle_wait_seconds(session: Session, keys: dict[str, int], now: datetime) -> int:
    rows = session.exec(select(LoginThrottle).where(col(LoginThrottle.key).in_(keys))).all()
    wait = timedelta(0)
    for row in rows:
        last = as_utc(row.last_failure_at)
        if now - last >= FORGET_AFTER:
            continue
        wait = max(wait, last + throttle_delay(row.failures, keys[row.key]) - now)
    return math.ceil(wait.total_seconds())


def record_throttle_failure(session: Session, keys: Iterable[str], now: datetime) -> None:
    """Count a failure with one upsert per key, so concurrent failures are all counted."""
    insert = postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    table = LoginThrottle.__table__
    for key in keys:
        statement = insert(table).values(key=key, failures=1, last_failure_at=now)
        statement = statement.on_conflict_do_update(
            index_elements=[table.c.key],
            set_={
                "failures": case((table.c.last_failure_at < now - FORGET_AFTER, 1), else_=table.c.failures + 1),
                "last_failure_at": now,
            },
        )
        session.execute(statement)


def authenticate(
    engine: Engine, *, username: str, password: str, client: str, now: datetime | None = None
) -> Actor:
    """Check a username and password. TooManyAttempts while throttled (the password is then not
    even checked); NotAllowed("login.failed") for a wrong or inactive account, without saying which."""
    now = now or utcnow()
    # Cleaned (a NUL would crash the query on PostgreSQL) and cut one past the longest username,
    # so a pasted page cannot overflow the throttle key and still matches no account.
    username = clean_text(username).lower()[:USERNAME_MAX_LENGTH + 1]
    keys = _throttle_keys(username, client)
    with read_session(engine) as session:
        wait = throttle_wait_seconds(session, keys, now)
        if wait > 0:
            raise TooManyAttempts("login.throttled", count=wait)
        user = session.exec(select(User).where(User.username == username)).first()
    # bcrypt takes ~0.3 s: do it outside any transaction.
    matches = _password_matches(password, user.password_hash if user else _unknown_user_hash())
    if user is None or not user.active or not matches or not password:
        with write_session(engine) as session:
            record_throttle_failure(session, keys, now)
            # A typed name is kept only when it is an account's: a password typed into the name
            # field must never land in the log.
            audit.record(session, actor=None, actor_label=user.username if user else "?", action="login.failed",
                         subject="user", subject_id=user.id if user else None, cycle_id=None,
                         detail={"client": str(client)[:64]})
        raise NotAllowed("login.failed")
    with write_session(engine) as session:
        session.exec(delete(LoginThrottle).where(col(LoginThrottle.key) == f"user:{username}"))
        stored = session.get(User, user.id)
        stored.last_login_at = now
        actor = _actor(session, stored)
        audit.record(session, actor=actor, action="login", subject="user", subject_id=user.id, cycle_id=None,
                     detail={"client": str(client)[:64]})
        return actor


def session_actor(
    engine: Engine, *, username: str | None, cookie_issued_at: datetime | None = None
) -> Actor | None:
    """The acting user for this run, or None when the account is gone or deactivated — checked on
    every run. `cookie_issued_at` is given when the login comes from a cookie: a cookie issued
    before the user last logged out or changed password no longer logs in."""
    if not username:
        return None
    with read_session(engine) as session:
        user = session.exec(select(User).where(User.username == username)).first()
        if user is None or not user.active:
            return None
        revoked_before = user.cookies_valid_after
        if cookie_issued_at is not None and revoked_before is not None and cookie_issued_at <= as_utc(revoked_before):
            return None
        return _actor(session, user)


def revoke_cookies(engine: Engine, *, user_id: int, now: datetime | None = None) -> None:
    """Logging out: every login cookie of this user issued until now stops working, on this
    tablet and on any other, even if the browser never got to delete it."""
    with write_session(engine) as session:
        user = session.get(User, user_id)
        if user is not None:
            user.cookies_valid_after = now or utcnow()


def _actor(session: Session, user: User) -> Actor:
    neighbourhood_ids: frozenset[int] = frozenset()
    classroom_ids: frozenset[int] = frozenset()
    if user.role == Role.FACILITATOR:
        neighbourhood_ids = frozenset(session.exec(
            select(FacilitatorNeighbourhood.neighbourhood_id).where(FacilitatorNeighbourhood.user_id == user.id)
        ))
    if user.role == Role.TEACHER:
        classroom_ids = frozenset(session.exec(
            select(ClassroomTeacher.classroom_id).where(ClassroomTeacher.user_id == user.id)
        ))
    return Actor(
        user_id=user.id, username=user.username, display_name=user.display_name, role=Role(user.role),
        must_change_password=user.must_change_password, neighbourhood_ids=neighbourhood_ids,
        classroom_ids=classroom_ids, organisation_id=user.organisation_id,
    )


def change_password(engine: Engine, *, actor: Actor, current_password: str, new_password: str) -> None:
    """Every user changes their own password; the current one is required, the new one has at
    least 10 characters (spaces welcome) and differs from the current one."""
    _check_new_password(new_password)
    with read_session(engine) as session:
        user = session.get(User, actor.user_id)
    if user is None or not _password_matches(current_password, user.password_hash):
        raise InvalidInput("account.current_password_wrong", field="current_password")
    if new_password == current_password:
        raise InvalidInput("account.password_unchanged", field="new_password")
    new_hash = hash_password(new_password)
    with write_session(engine) as session:
        stored = session.get(User, actor.user_id)
        stored.password_hash = new_hash
        stored.must_change_password = False
        stored.cookies_valid_after = utcnow()  # other devices log in again; the UI renews this one's cookie


# --- administration ------------------------------------------------------------------------

@dataclass(frozen=True)
class UserRow:
    id: int
    username: str
    display_name: str
    email: str
    role: Role
    active: bool
    must_change_password: bool
    last_login_at: datetime | None
    scope: tuple[str, ...]
    neighbourhood_ids: tuple[int, ...]
    classroom_ids: tuple[int, ...]
    organisation_id: int | None


def list_users(engine: Engine, *, actor: Actor) -> list[UserRow]:
    """All accounts with their scope in words; admins only."""
    require_role(actor, Role.ADMIN)
    with read_session(engine) as session:
        users = session.exec(select(User).order_by(User.role, User.display_name)).all()
        wijken: dict[int, list[tuple[int, str]]] = {}
        for link, wijk in session.exec(
            select(FacilitatorNeighbourhood, Neighbourhood)
            .join(Neighbourhood, col(Neighbourhood.id) == FacilitatorNeighbourhood.neighbourhood_id)
            .order_by(Neighbourhood.name)
        ):
            wijken.setdefault(link.user_id, []).append((wijk.id, wijk.name))
        classes: dict[int, list[tuple[int, str]]] = {}
        for link, classroom in session.exec(
            select(ClassroomTeacher, Classroom)
            .join(Classroom, col(Classroom.id) == ClassroomTeacher.classroom_id)
            .order_by(Classroom.name)
        ):
            classes.setdefault(link.user_id, []).append((classroom.id, classroom.name))
        organisations = dict(session.exec(select(Organisation.id, Organisation.name)).all())
    rows = []
    for user in users:
        scope = [name for _, name in wijken.get(user.id, []) + classes.get(user.id, [])]
        if user.organisation_id:
            scope.append(organisations.get(user.organisation_id, ""))
        rows.append(UserRow(
            id=user.id, username=user.username, display_name=user.display_name, email=user.email,
            role=Role(user.role), active=user.active, must_change_password=user.must_change_password,
            last_login_at=user.last_login_at, scope=tuple(scope),
            neighbourhood_ids=tuple(i for i, _ in wijken.get(user.id, [])),
            classroom_ids=tuple(i for i, _ in classes.get(user.id, [])),
            organisation_id=user.organisation_id,
        ))
    return rows


def create_user(
    engine: Engine, *, actor: Actor, username: str, display_name: str, email: str, role: str,
    one_time_password: str, neighbourhood_ids: Iterable[int] = (), organisation_id: int | None = None,
    must_change_password: bool = True,
) -> User:
    """A new staff account with a one-time password to change at first login. Admins only;
    Conflict when the username is taken."""
    require_role(actor, Role.ADMIN)
    data = validated(UserCreate, username=username.lower(), display_name=display_name, email=email, role=role)
    _check_new_password(one_time_password)
    password_hash = hash_password(one_time_password)
    with write_session(engine) as session:
        user = User.model_validate(data, update={
            "password_hash": password_hash, "must_change_password": must_change_password,
        })
        session.add(user)
        with refused_as("error.duplicate.username", username=data.username):
            session.flush()
        _set_scope(session, user, neighbourhood_ids, organisation_id)
        return user


def update_user(
    engine: Engine, *, actor: Actor, user_id: int, display_name: str, email: str,
    neighbourhood_ids: Iterable[int] = (), organisation_id: int | None = None,
) -> User:
    """Edit an account's name, e-mail and scope (a facilitator's wijken, an official's
    organisation). A teacher's classes are set on the class itself."""
    require_role(actor, Role.ADMIN)
    data = validated(UserUpdate, display_name=display_name, email=email)
    with write_session(engine) as session:
        user = session.get(User, user_id)
        if user is None:
            raise NotFound("error.not_found.user")
        user.sqlmodel_update(data.model_dump())
        _set_scope(session, user, neighbourhood_ids, organisation_id)
        return user


def _set_scope(
    session: Session, user: User, neighbourhood_ids: Iterable[int], organisation_id: int | None
) -> None:
    wanted = set(neighbourhood_ids) if user.role == Role.FACILITATOR else set()
    found = session.exec(select(Neighbourhood.id).where(col(Neighbourhood.id).in_(wanted))).all() if wanted else []
    if len(found) != len(wanted):
        raise NotFound("error.not_found.neighbourhood")
    for link in session.exec(select(FacilitatorNeighbourhood).where(FacilitatorNeighbourhood.user_id == user.id)):
        if link.neighbourhood_id not in wanted:
            session.delete(link)
        wanted.discard(link.neighbourhood_id)
    session.add_all(FacilitatorNeighbourhood(user_id=user.id, neighbourhood_id=n) for n in sorted(wanted))
    if user.role == Role.OFFICIAL:
        if organisation_id is None:
            raise InvalidInput("error.official_needs_organisation", field="organisation_id")
        if session.get(Organisation, organisation_id) is None:
            raise NotFound("error.not_found.organisation")
        user.organisation_id = organisation_id
    else:
        user.organisation_id = None


def set_user_active(engine: Engine, *, actor: Actor, user_id: int, active: bool) -> None:
    """Deactivate or reactivate an account; a deactivated user's cookie stops working on the next
    run. Admins cannot deactivate themselves (someone must be left to undo it)."""
    require_role(actor, Role.ADMIN)
    if user_id == actor.user_id and not active:
        raise NotAllowed("error.cannot_deactivate_self")
    with write_session(engine) as session:
        user = session.get(User, user_id)
        if user is None:
            raise NotFound("error.not_found.user")
        user.active = active
        if not active:  # reactivating later must not bring old cookies back to life
            user.cookies_valid_after = utcnow()


def new_one_time_password() -> str:
    """For a new account or a reset. Four groups of six characters are easy to read aloud and type
    on a tablet, and 96 random bits are plenty for a password that must be changed at first login."""
    return "-".join(secrets.token_hex(3) for _ in range(4))


def reset_password(engine: Engine, *, actor: Actor, user_id: int, one_time_password: str) -> None:
    """Give a user a new one-time password, to be changed at their next login. Admins only."""
    require_role(actor, Role.ADMIN)
    _check_new_password(one_time_password)
    password_hash = hash_password(one_time_password)
    with write_session(engine) as session:
        user = session.get(User, user_id)
        if user is None:
            raise NotFound("error.not_found.user")
        user.password_hash = password_hash
        user.must_change_password = True
        user.cookies_valid_after = utcnow()
