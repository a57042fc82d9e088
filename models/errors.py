"""Domain errors. Each carries the sentence the person who asked will read."""


class DomainError(Exception):
    """A refusal or invalid request; `message` is user-facing and safe to show."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


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
