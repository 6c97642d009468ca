"""What each service error code says to a member on a page: palace/catalog's texts,
with parameters made readable in the member's language (dates, times) first."""

from collections.abc import Mapping

from palace import catalog
from palace.services.accounts import passwords
from palace.services.core.errors import ServiceError
from palace.web import formats

MESSAGES = catalog.ERRORS
GENERIC = catalog.GENERIC


def message(lang: str, code: str, /, **params: object) -> str:
    """The code's text in ``lang`` with ``params`` put in (positional-only, so a param
    named ``lang`` or ``code`` cannot collide)."""
    return fill(lang, MESSAGES.get(code, GENERIC), params)


def fill(lang: str, message_id: str, params: Mapping[str, object]) -> str:
    """``message_id`` translated into ``lang``, then ``params`` put in as they are: plain
    text, which the page escapes as a whole; never translated again."""
    given = {name: formats.param(value, lang) for name, value in params.items()}
    values = {"min": passwords.MIN_LENGTH, "max": passwords.MAX_LENGTH, **given}
    return catalog.fill(lang, message_id, values)


def field_messages(lang: str, error: ServiceError) -> dict[str, str]:
    return {name: message(lang, code, **error.params) for name, code in error.fields.items()}
