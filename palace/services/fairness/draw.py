"""The one draw: a seeded, weighted random order that anyone can recompute.

Ballots, the opening queue and competition draws all order their entrants here.
The procedure, published step by step so that nobody (staff included) can steer it:

1. When entries open, a random secret is drawn and only its commitment,
   ``sha256(secret)``, is published with ``ALGORITHM``.
2. When entries close, the entry list (a pseudonym per entrant, their choices and
   weights) is published in canonical JSON with its sha256 (``entry_hash``).
3. The seed is ``sha256(secret || entry_hash)`` (and a public beacon's value, when one
   is mixed in): the secret was fixed before the entries were known, the entries
   before the secret was revealed, so neither side can be chosen to suit the other.
4. Each entrant's key is ``log(u) / weight`` with ``u`` uniform in (0, 1) from
   ``HMAC-SHA256(seed, pseudonym)`` (Efraimidis–Spirakis): sorting by key, highest
   first, is a weighted random order in which an entrant of weight 2 is ahead of one
   of weight 1 twice as often as behind.
5. After the draw the secret is revealed; ``order`` recomputes everything.
"""

import hashlib
import hmac
import json
import math
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

ALGORITHM = (
    "palace-draw/1: seed = sha256(secret || entry_hash [|| beacon]); "
    "key = ln(u) / weight, u from HMAC-SHA256(seed, pseudonym); highest key first"
)
_U_BITS = 64


@dataclass(frozen=True)
class Entrant:
    """One entry as published: who (a pseudonym), how heavily, and what they asked for."""

    pseudonym: str
    weight: float
    choices: tuple[str, ...] = ()


def new_secret() -> str:
    """A fresh secret, as hex (kept private until the draw is done)."""
    return secrets.token_hex(32)


def commitment(secret: str) -> str:
    return hashlib.sha256(bytes.fromhex(secret)).hexdigest()


def pseudonym(key: bytes, draw_id: str, member_id: int) -> str:
    """A member's name in one draw: the same member reads differently in every draw, and
    only the palace (holding ``key``) can tell who is who; the member is shown theirs."""
    digest = hmac.new(key, f"{draw_id}:{member_id}".encode(), hashlib.sha256).hexdigest()
    return digest[:12]


def canonical(entrants: Iterable[Entrant]) -> bytes:
    """The entry list as published: sorted by pseudonym, compact, UTF-8."""
    rows = [
        {"pseudonym": e.pseudonym, "weight": e.weight, "choices": list(e.choices)}
        for e in sorted(entrants, key=lambda e: e.pseudonym)
    ]
    return json.dumps(rows, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def entry_hash(entrants: Iterable[Entrant]) -> str:
    return hashlib.sha256(canonical(entrants)).hexdigest()


def seed(secret: str, entries_hash: str, beacon: str | None = None) -> str:
    material = bytes.fromhex(secret) + entries_hash.encode()
    if beacon:
        material += beacon.encode()
    return hashlib.sha256(material).hexdigest()


def uniform(seed_hex: str, name: str) -> float:
    """A number in (0, 1) from the seed and a name, never exactly 0 or 1."""
    digest = hmac.new(bytes.fromhex(seed_hex), name.encode(), hashlib.sha256).digest()
    n = int.from_bytes(digest[: _U_BITS // 8], "big")
    return (n + 0.5) / float(1 << _U_BITS)


def key(seed_hex: str, entrant: Entrant) -> float:
    if entrant.weight <= 0:
        raise ValueError("weights are positive")
    return math.log(uniform(seed_hex, entrant.pseudonym)) / entrant.weight


def order(seed_hex: str, entrants: Sequence[Entrant]) -> list[Entrant]:
    """The entrants in drawn order, first first (ties, vanishingly rare, by pseudonym)."""
    return sorted(entrants, key=lambda e: (-key(seed_hex, e), e.pseudonym))


@dataclass(frozen=True)
class Allocation:
    """What the drawn order gave: each pseudonym's place (a choice) or None."""

    order: list[str]
    won: dict[str, str | None]


def allocate(
    seed_hex: str,
    entrants: Sequence[Entrant],
    places: Mapping[str, int],
    refused: Mapping[str, Iterable[str]] | None = None,
) -> Allocation:
    """In drawn order, each entrant gets their highest-ranked choice that still has a
    place and that was not refused to them (``refused``: choices a cap, a quota or a
    suspension ruled out at the draw, published with the results); a lower choice is
    used only when every higher one is gone or refused."""
    left = dict(places)
    barred = {name: set(choices) for name, choices in (refused or {}).items()}
    won: dict[str, str | None] = {}
    drawn = order(seed_hex, entrants)
    for entrant in drawn:
        no = barred.get(entrant.pseudonym, set())
        choice = next((c for c in entrant.choices if left.get(c, 0) > 0 and c not in no), None)
        if choice is not None:
            left[choice] -= 1
        won[entrant.pseudonym] = choice
    return Allocation([e.pseudonym for e in drawn], won)
