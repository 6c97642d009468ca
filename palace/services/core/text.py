"""Text as members type it: identifiers normalised, prose kept, control characters never.

NFKC folds full-width letters and digits (１２３ → 123), which is right for card
numbers and phones typed on a Chinese keyboard, and wrong for prose: it also turns
Chinese punctuation into ASCII (场地维修：更换地胶 → 场地维修:更换地胶).
"""

import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

# Characters nobody types on purpose: controls (NUL, which PostgreSQL refuses in text,
# among them), unassigned and private-use code points, and lone surrogates.
_INVISIBLE = ("Cc", "Cf", "Cs", "Co", "Cn")


ZERO_WIDTH_JOINER = "\u200d"  # holds emoji sequences together (👨‍👩‍👧): kept


def _invisible(char: str) -> bool:
    return char != ZERO_WIDTH_JOINER and unicodedata.category(char) in _INVISIBLE


def printable(raw: str) -> str:
    """``raw`` without control and other invisible characters."""
    return "".join(c for c in raw if not _invisible(c))


_ASCII_SPACE = re.compile(r"[ \t\n\r\f\v]+")


def line(raw: str) -> str:
    """One line of prose (a name, a reason) as typed: invisible characters dropped, runs
    of ASCII spaces and line breaks made one space; punctuation and full-width spaces kept."""
    return printable(_ASCII_SPACE.sub(" ", raw)).strip()


def identifier(raw: str, *, drop: str = r"[\s-]") -> str:
    """A card number or phone as the database keeps it: full-width folded, no spaces."""
    return re.sub(drop, "", unicodedata.normalize("NFKC", printable(raw)))


# Numbers staff type (full-width digits too): whole numbers, and hours as 2 or 1.5.


def number(raw: str) -> Decimal | None:
    try:
        found = Decimal(unicodedata.normalize("NFKC", raw).strip())
    except InvalidOperation:
        return None
    return found if found.is_finite() and abs(found) <= 10**12 else None


def whole(raw: str, low: int | None = None, high: int | None = None) -> int | None:
    """A whole number typed as text, within [low, high] when given; else None."""
    found = number(raw)
    if found is None or found != found.to_integral_value():
        return None
    if (low is not None and found < low) or (high is not None and found > high):
        return None
    return int(found)


def minutes_from_hours(raw: str, low: Decimal | int = 0, high: int | None = None) -> int | None:
    """Hours typed as 2 or 1.5, in whole minutes; within [low, high] hours when given."""
    found = number(raw)
    if found is None or found < low or (high is not None and found > high):
        return None
    return int((found * 60).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def hours_text(minutes: int) -> str:
    """Minutes as the hours staff type: 90 → "1.5"."""
    return f"{Decimal(minutes) / 60:.4f}".rstrip("0").rstrip(".")
