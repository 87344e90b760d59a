"""What all services share: the acting user, input validation, and turning database refusals
into domain errors."""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

from email_validator import EmailNotValidError, validate_email
from pydantic import BaseModel, ValidationError
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from kinderwijkraad.errors import Conflict, InvalidInput, NotAllowed, NotFound
from kinderwijkraad.models import Cycle, Role

ModelT = TypeVar("ModelT", bound=BaseModel)


@dataclass(frozen=True)
class Actor:
    """The logged-in staff member and the scope they may act in, read fresh on every run."""

    user_id: int
    username: str
    display_name: str
    role: Role
    must_change_password: bool = False
    neighbourhood_ids: frozenset[int] = field(default_factory=frozenset)
    classroom_ids: frozenset[int] = field(default_factory=frozenset)
    organisation_id: int | None = None

    def manages(self, neighbourhood_id: int) -> bool:
        """Admins manage every wijk; facilitators the wijken they were given."""
        return self.role == Role.ADMIN or (
            self.role == Role.FACILITATOR and neighbourhood_id in self.neighbourhood_ids
        )


def managed_cycle(session: Session, actor: Actor, cycle_id: int, *, lock: bool = False) -> Cycle:
    """The cycle, if this actor manages its wijk (admins, and the wijk's facilitators). `lock`
    holds its row until the transaction ends (FOR UPDATE on PostgreSQL; SQLite's write
    transactions already hold the database), so first saves of one cycle follow each other."""
    query = select(Cycle).where(Cycle.id == cycle_id)
    cycle = session.exec(query.with_for_update() if lock else query).first()
    if cycle is None:
        raise NotFound("error.not_found.cycle")
    if not actor.manages(cycle.neighbourhood_id):
        raise NotAllowed("error.not_allowed")
    return cycle


def require_role(actor: Actor, *roles: Role) -> None:
    if actor.role not in roles:
        raise NotAllowed("error.not_allowed")


# Characters nobody types on purpose and that cannot be stored as they are: the C0 and C1 control
# characters except tab and newline (a pasted NUL is refused by PostgreSQL's text columns with a
# psycopg DataError, a crash, where SQLite would store it), and lone surrogates (not UTF-8 at all:
# both drivers crash on encoding them).
_UNTYPEABLE = dict.fromkeys([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0x7F, 0xA0),
                             *range(0xD800, 0xE000)])
# Spaces and invisible characters at either end pad a text and nothing else; inside it they stay
# (a zero-width joiner builds emoji such as 👩‍👩‍👧), so a name of only zero-width spaces is empty.
# (str.strip with a set, not a regex: "[\s]+$" would be quadratic on a long run of inner spaces.)
_PADDING = "".join(chr(code) for code in range(0x3000 + 1) if chr(code).isspace()) + "\u200b\u200c\u200d\u2060\ufeff"


def clean_text(text: str) -> str:
    """Free text as a user typed or pasted it, made storable on both engines and trimmed: line
    ends become newlines, the untypeable characters above go, the rest is kept (HTML, markdown,
    emoji, right-to-left text: the pages escape what they show), in Unicode NFC so "é" typed two
    ways is one text. Every service storing typed text passes it through here."""
    text = str(text).replace("\r\n", "\n").replace("\r", "\n").translate(_UNTYPEABLE)
    return unicodedata.normalize("NFC", text).strip(_PADDING)


def link_token_hash(token: str) -> str:
    """What is stored of a reply link's token (services/answers.py, services/mail.py): its SHA-256.
    "surrogatepass": a token that is not UTF-8 (it never is one of ours) hashes to a miss, not a crash."""
    return hashlib.sha256(token.encode(errors="surrogatepass")).hexdigest()


MAIL_FIELDS = frozenset({"email", "contact_email"})  # every typed e-mail address goes through mail_address


def mail_address(text: str, *, field: str = "email") -> str:
    """A typed e-mail address, checked where it is typed so mail never goes nowhere: empty stays
    empty; otherwise the address in its normal form, or an InvalidInput that says what is wrong
    with it (a space, no @, nothing after it, …) in the user's language. email-validator decides
    what is valid; the reasons are ours, because its messages are English only."""
    address = text.strip()
    if not address:
        return ""
    local, at, domain = address.rpartition("@")
    if any(ch.isspace() for ch in address):
        problem = "mail.problem.space"
    elif not at:
        problem = "mail.problem.no_at"
    elif "@" in local:
        problem = "mail.problem.two_at"
    elif not local:
        problem = "mail.problem.nothing_before"
    elif "." not in domain.strip("."):
        problem = "mail.problem.no_domain"
    elif not local.isascii():
        problem = "mail.problem.local_not_ascii"
    else:
        try:
            return validate_email(address, check_deliverability=False, allow_smtputf8=False).normalized
        except EmailNotValidError:
            problem = "mail.problem.other"
    raise InvalidInput("validation.mail_address", field=field, problem_key=problem)


def validated(model: type[ModelT], **data: Any) -> ModelT:
    """Validate input with the model's field rules (texts cleaned first, see `clean_text`); the
    first problem becomes an InvalidInput naming the field, in words a user can act on."""
    cleaned = {k: clean_text(v) if isinstance(v, str) else v for k, v in data.items()}
    for name in MAIL_FIELDS & cleaned.keys():
        cleaned[name] = mail_address(cleaned[name], field=name)
    try:
        return model.model_validate(cleaned)
    except ValidationError as exc:
        error = exc.errors()[0]
        field_name = str(error["loc"][0]) if error["loc"] else ""
        context = error.get("ctx", {})
        kind = error["type"]
        params = {"field": field_name}
        if kind == "missing" or (kind == "string_too_short" and not cleaned.get(field_name)):
            raise InvalidInput("validation.required", **params) from None
        if kind == "string_too_short":
            raise InvalidInput("validation.too_short", min=context["min_length"], **params) from None
        if kind == "string_too_long":
            # How much too long, so a person knows what to cut (the text stays in the box).
            excess = len(cleaned.get(field_name) or "") - context["max_length"]
            raise InvalidInput("validation.too_long_by", max=context["max_length"], count=excess, **params) from None
        if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
            bounds = model.model_fields[field_name].metadata
            low = next((m.ge for m in bounds if getattr(m, "ge", None) is not None), "")
            high = next((m.le for m in bounds if getattr(m, "le", None) is not None), "")
            raise InvalidInput("validation.out_of_range", low=low, high=high, **params) from None
        if kind == "string_pattern_mismatch":
            raise InvalidInput(f"validation.pattern.{field_name}", **params) from None
        raise InvalidInput("validation.invalid", **params) from None


@contextmanager
def refused_as(key: str, **params: object) -> Iterator[None]:
    """The database decides uniqueness; its refusal becomes a Conflict with a clear key."""
    try:
        yield
    except IntegrityError as exc:
        raise Conflict(key, **params) from exc
