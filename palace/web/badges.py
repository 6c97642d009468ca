"""A state as a badge: a booking's, a member's, an audit event's (decided elsewhere)."""

from enum import Enum
from functools import lru_cache

from markupsafe import Markup, escape

from palace.i18n import N_, gettext_for

# state → the badge's classes and its words. Anything else is shown as it is.
BADGES = {
    "confirmed": ("badge ok", N_("Confirmed")),
    "checked_in": ("badge ok checked-in", N_("Checked in")),
    "over": ("badge", N_("Over")),
    "due": ("badge due", N_("Due")),
    "late": ("badge warn", N_("Late")),
    "no_show": ("badge bad", N_("No-show")),
    "cancelled": ("badge warn", N_("Cancelled")),
    "late_cancelled": ("badge warn", N_("Late cancel")),
    "cancelled_by_palace": ("badge bad", N_("Cancelled by the palace")),
}


def badge(status: object, lang: str) -> Markup:
    key = status.value if isinstance(status, Enum) else status
    if isinstance(key, str) and key in BADGES:
        return _known(key, lang)
    return escape(status)


@lru_cache(maxsize=64)
def _known(key: str, lang: str) -> Markup:
    classes, words = BADGES[key]
    return Markup('<span class="{}">{}</span>').format(classes, gettext_for(lang, words))
