"""One code → text catalog: errors, states, enum values and audit words, in Chinese and
English, for pages, notifications and the API alike.

``text`` says what a coded error means, with its parameters put in; ``label`` names a
state or enum value. Parameters are put in as they are given: callers make dates and
times readable in the reader's language first (web.formats, notices).
"""

from collections.abc import Mapping
from enum import Enum

from palace.catalog.errors import ERRORS, GENERIC
from palace.catalog.labels import ACTIONS, KINDS, LABELS, RULES, WEEKDAYS
from palace.i18n import gettext_for

__all__ = [
    "ACTIONS",
    "ERRORS",
    "GENERIC",
    "KINDS",
    "LABELS",
    "MISSING",
    "RULES",
    "WEEKDAYS",
    "fill",
    "label",
    "label_id",
    "text",
]

# Put in for a parameter the text names but nobody gave (a row stored before the
# parameter existed): the sentence still reads, and no "%(name)s" reaches a reader.
MISSING = "…"


class _Params(dict[str, object]):
    def __missing__(self, key: str) -> object:
        return MISSING


def fill(lang: str, message_id: str, params: Mapping[str, object]) -> str:
    """``message_id`` translated into ``lang``, then ``params`` put in as they are: plain
    text, which a page escapes as a whole; never translated again."""
    words = gettext_for(lang, message_id)
    return words % _Params(params) if "%(" in words else words


def text(lang: str, code: str, /, **params: object) -> str:
    """What the error ``code`` says in ``lang`` (positional-only, so a parameter named
    ``lang`` or ``code`` cannot collide)."""
    return fill(lang, ERRORS.get(code, GENERIC), params)


def label_id(value: object) -> str | None:
    """The message id naming a state or enum value; None for a value it does not know."""
    key = value.value if isinstance(value, Enum) else value
    return LABELS.get(key) if isinstance(key, str) else None


def label(lang: str, value: object) -> str:
    """A state or enum value in words; a value the catalog does not know, as it is."""
    found = label_id(value)
    if found is None:
        return str(value.value if isinstance(value, Enum) else value)
    return gettext_for(lang, found)
