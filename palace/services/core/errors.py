"""Coded errors raised by services; the web layer turns codes into messages."""

from typing import Any


class ServiceError(Exception):
    """A rule said no. ``code`` names the rule; ``fields`` maps form fields to codes."""

    def __init__(self, code: str, *, fields: dict[str, str] | None = None, **params: Any):
        super().__init__(code)
        self.code = code
        self.fields = fields or {}
        self.params = params


class NotFound(ServiceError):
    """The id names nothing the asker may see (someone else's booking looks the same as
    no booking): the web answers 404, whichever service said it."""


class AccountError(ServiceError):
    pass


class AccountNotFound(AccountError, NotFound):
    pass


class NotAllowed(ServiceError):
    pass


class AccountNotAllowed(AccountError, NotAllowed):
    pass


class Throttled(ServiceError):
    def __init__(self, code: str, *, retry_after: int):
        super().__init__(code, retry_after=retry_after)
        self.retry_after = retry_after
