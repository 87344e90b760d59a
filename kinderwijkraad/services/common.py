"""What all services share: the acting user, input validation, and turning database refusals
into domain errors."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

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


def validated(model: type[ModelT], **data: Any) -> ModelT:
    """Validate input with the model's field rules; the first problem becomes an InvalidInput
    naming the field, in words a user can act on."""
    cleaned = {k: v.strip() if isinstance(v, str) else v for k, v in data.items()}
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
            raise InvalidInput("validation.too_long", max=context["max_length"], **params) from None
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
