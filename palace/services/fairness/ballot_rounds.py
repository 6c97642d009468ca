"""A ballot's two rounds as pure functions of what is published: the draw recomputed.

The worker books each winner through the booking core in drawn order
(services/fairness/ballot_draw); these functions say what that order must give, from
the published entry list, places, seed and refusals alone, so the verifier (``palace
verify-draw``, the public verify page) and the tests recompute it without the database.

Choices are place keys ("2026-11-20T19:00/c1"); "…T19:00/*" is any court at that
time, taken in the published place order; "any-other-time", last in an entry, asks for
the second round: among those who asked and won nothing, in the same drawn order, each
gets the earliest place left after the first round that was not refused to them.
"""

from collections.abc import Iterable, Mapping, Sequence

from palace.services.fairness import draw
from palace.services.fairness.draw import Allocation, Entrant

ANY_COURT = "*"
ANY_OTHER_TIME = "any-other-time"


def expand(choices: Iterable[str], place_keys: Sequence[str]) -> tuple[str, ...]:
    """The places an entry's choices name, in its order ("any court" as every court)."""
    found: list[str] = []
    for choice in choices:
        if choice == ANY_OTHER_TIME:
            continue
        if choice.endswith("/" + ANY_COURT):
            prefix = choice[: -len(ANY_COURT)]
            found += [k for k in place_keys if k.startswith(prefix)]
        else:
            found.append(choice)
    return tuple(dict.fromkeys(found))


def first_round_entrants(entrants: Iterable[Entrant], place_keys: Sequence[str]) -> list[Entrant]:
    return [Entrant(e.pseudonym, e.weight, expand(e.choices, place_keys)) for e in entrants]


def first_round(
    seed: str,
    entrants: Sequence[Entrant],
    places: Mapping[str, int],
    refused: Mapping[str, Iterable[str]] | None = None,
) -> Allocation:
    return draw.allocate(seed, first_round_entrants(entrants, list(places)), places, refused)


def leftovers(places: Mapping[str, int], won: Mapping[str, str | None]) -> dict[str, int]:
    """The places the first round left, in place order."""
    left = dict(places)
    for key in won.values():
        if key is not None and key in left:
            left[key] -= 1
    return {key: n for key, n in left.items() if n > 0}


def second_round_entrants(
    entrants: Iterable[Entrant], left: Mapping[str, int], first_won: Mapping[str, str | None]
) -> list[Entrant]:
    keys = tuple(left)
    return [
        Entrant(e.pseudonym, e.weight, keys)
        for e in entrants
        if ANY_OTHER_TIME in e.choices and first_won.get(e.pseudonym) is None
    ]


def second_round(
    seed: str,
    entrants: Sequence[Entrant],
    places: Mapping[str, int],
    first_won: Mapping[str, str | None],
    refused: Mapping[str, Iterable[str]] | None = None,
) -> Allocation:
    left = leftovers(places, first_won)
    return draw.allocate(seed, second_round_entrants(entrants, left, first_won), left, refused)
