"""A state as a badge: a booking's, a member's, an audit event's (decided elsewhere).

The words are palace/catalog's; here only how each badge looks."""

from enum import Enum
from functools import lru_cache

from markupsafe import Markup, escape

from palace import catalog

# state → the badge's classes. Anything else is shown as it is.
BADGES = {
    "confirmed": "badge ok",
    "checked_in": "badge ok checked-in",
    "over": "badge",
    "due": "badge due",
    "late": "badge warn",
    "no_show": "badge bad",
    "cancelled": "badge warn",
    "late_cancelled": "badge warn",
    "cancelled_by_palace": "badge bad",
    # Accounts.
    "active": "badge ok",
    "suspended": "badge warn",
    "disabled": "badge bad",
}


def badge(status: object, lang: str) -> Markup:
    key = status.value if isinstance(status, Enum) else status
    if isinstance(key, str) and key in BADGES:
        return _known(key, lang)
    return escape(status)


@lru_cache(maxsize=64)
def _known(key: str, lang: str) -> Markup:
    return Markup('<span class="{}">{}</span>').format(BADGES[key], catalog.label(lang, key))
