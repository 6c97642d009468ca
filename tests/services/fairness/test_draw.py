"""The one draw: deterministic for a seed, weighted as published, checkable by anyone."""

import hashlib
from collections import Counter

import pytest

from palace.services.fairness import draw
from palace.services.fairness.draw import Entrant

SECRET = "11" * 32


def _seeds(count: int) -> list[str]:
    return [hashlib.sha256(f"fixed-{n}".encode()).hexdigest() for n in range(count)]


def test_the_same_seed_gives_the_same_order_and_another_seed_another() -> None:
    entrants = [Entrant(f"p{n}", 1 + n % 4) for n in range(50)]
    first, again, other = _seeds(1)[0], _seeds(1)[0], _seeds(2)[1]
    assert draw.order(first, entrants) == draw.order(again, entrants)
    assert draw.order(first, entrants) != draw.order(other, entrants)
    assert draw.order(first, list(reversed(entrants))) == draw.order(first, entrants)


def test_a_heavier_entrant_is_ahead_as_often_as_its_weight_says() -> None:
    """Weight 2 against weight 1: ahead in 2/3 of draws (3,000 seeds, within 4 sigma)."""
    pair = [Entrant("heavy", 2), Entrant("light", 1)]
    ahead = sum(draw.order(s, pair)[0].pseudonym == "heavy" for s in _seeds(3000))
    sigma = (2 / 3 * 1 / 3 / 3000) ** 0.5
    assert abs(ahead / 3000 - 2 / 3) < 4 * sigma


def test_who_comes_first_follows_the_weights() -> None:
    weights = {"a": 1, "b": 2, "c": 3, "d": 4}
    entrants = [Entrant(name, w) for name, w in weights.items()]
    runs = 4000
    firsts = Counter(draw.order(s, entrants)[0].pseudonym for s in _seeds(runs))
    total = sum(weights.values())
    for name, w in weights.items():
        p = w / total
        assert abs(firsts[name] / runs - p) < 4 * (p * (1 - p) / runs) ** 0.5, name


def test_the_seed_depends_on_the_secret_every_entry_and_every_weight() -> None:
    entrants = [Entrant("a", 1, ("x",)), Entrant("b", 2, ("x", "y"))]
    base = draw.seed(SECRET, draw.entry_hash(entrants))
    assert base == draw.seed(SECRET, draw.entry_hash(list(reversed(entrants))))
    changed = [
        [Entrant("a", 1, ("x",)), Entrant("b", 3, ("x", "y"))],
        [Entrant("a", 1, ("y",)), Entrant("b", 2, ("x", "y"))],
        [Entrant("a", 1, ("x",))],
    ]
    for other in changed:
        assert draw.seed(SECRET, draw.entry_hash(other)) != base
    assert draw.seed("22" * 32, draw.entry_hash(entrants)) != base
    assert draw.seed(SECRET, draw.entry_hash(entrants), beacon="round-1") != base
    assert draw.commitment(SECRET) == hashlib.sha256(bytes.fromhex(SECRET)).hexdigest()


def test_a_second_choice_is_used_only_when_the_first_is_gone() -> None:
    entrants = [Entrant(f"p{n}", 1, ("tue", "thu")) for n in range(3)]
    result = draw.allocate(_seeds(1)[0], entrants, {"tue": 1, "thu": 1})
    first, second, third = result.order
    assert result.won == {first: "tue", second: "thu", third: None}


def test_a_refused_choice_passes_to_the_next_in_order() -> None:
    entrants = [Entrant("a", 1, ("tue", "thu")), Entrant("b", 1, ("tue",))]
    seed = _seeds(1)[0]
    leader = draw.order(seed, entrants)[0].pseudonym
    refused = {leader: ["tue"]}
    result = draw.allocate(seed, entrants, {"tue": 1, "thu": 1}, refused)
    assert result.won["b"] == "tue"
    assert result.won["a"] == ("thu" if leader == "a" else None)


def test_pseudonyms_differ_per_draw_and_need_the_key() -> None:
    key = b"k" * 32
    assert draw.pseudonym(key, "ballot-1", 7) == draw.pseudonym(key, "ballot-1", 7)
    assert draw.pseudonym(key, "ballot-1", 7) != draw.pseudonym(key, "ballot-2", 7)
    assert draw.pseudonym(key, "ballot-1", 7) != draw.pseudonym(b"x" * 32, "ballot-1", 7)


def test_a_weight_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        draw.order(_seeds(1)[0], [Entrant("a", 0)])
