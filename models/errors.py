"""Domain errors: a stable code and its parameters, never wording.

The words a person reads are written in `handlers/ui/errors.py` (one catalogue, per language);
the CLI renders the same errors without Slack markup. A code names the rule that refused, e.g.
`group.not_found`, and `params` carry what the sentence needs (`handle="data-ethics"`).
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A refusal or an invalid request. Safe to show, once rendered by the catalogue."""

    def __init__(self, code: str, **params: Any):
        super().__init__(code)
        self.code = code
        self.params = params

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.code!r}, **{self.params!r})"


class NotFound(DomainError):
    pass


class Forbidden(DomainError):
    pass


class Invalid(DomainError):
    pass


class Conflict(DomainError):
    pass


class Unavailable(DomainError):
    """The database (or another dependency) cannot be reached right now."""

    def __init__(self, code: str = "unavailable.database", **params: Any):
        super().__init__(code, **params)
