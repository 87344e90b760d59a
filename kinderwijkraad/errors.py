"""One error family: every error a user can cause carries an i18n key and its parameters.

The UI turns these into `t(error.key, **error.params)`; anything else is a bug and is not dressed
up as a user message.
"""

from __future__ import annotations


class KwrError(Exception):
    """A domain error a user can understand; `key` is looked up in the translation tables."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.key!r}, **{self.params!r})"


class NotFound(KwrError):
    """The object does not exist (or is archived where that matters)."""


class NotAllowed(KwrError):
    """The actor's role or scope does not reach this object or action."""


class InvalidInput(KwrError):
    """A field is missing, too long, out of range or otherwise not acceptable."""


class Conflict(KwrError):
    """The database refused the write: a duplicate name, or someone else changed it first."""


class TooManyAttempts(KwrError):
    """Login is throttled for this username or client for a little while."""


class ConfigError(KwrError, ValueError):
    """The settings are unsafe or inconsistent; the app refuses to start."""
