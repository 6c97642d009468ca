"""Checking a published ballot file: anyone recomputes the draw and compares.

Pure: no database, so ``palace verify-draw FILE`` and the public verify page give the
same answer for the same file, and so would anyone's own program following the README.
Every step that fails is named (with the code the catalog words), not just the first.
"""

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from palace.services.fairness import ballot_rounds, draw
from palace.services.fairness.draw import Entrant

FORMAT = "palace-ballot/1"


@dataclass(frozen=True)
class Reason:
    code: str
    params: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Verdict:
    matches: bool
    reasons: list[Reason]
    drawn: bool = False  # the file holds the results (else only what is published so far)


def _entrants(rows: Any) -> list[Entrant]:
    if not isinstance(rows, list):
        raise ValueError("entries")
    found = []
    for row in rows:
        weight, choices = row["weight"], row["choices"]
        if not isinstance(weight, int | float) or isinstance(weight, bool) or weight <= 0:
            raise ValueError("weight")
        if not isinstance(choices, list) or not all(isinstance(c, str) for c in choices):
            raise ValueError("choices")
        found.append(Entrant(str(row["pseudonym"]), weight, tuple(choices)))
    return found


def _places(rows: Any) -> dict[str, int]:
    if not isinstance(rows, list):
        raise ValueError("places")
    return {str(r["key"]): int(r["places"]) for r in rows}


def _refused(rows: Any) -> dict[str, list[str]]:
    if not isinstance(rows, dict):
        raise ValueError("refused")
    return {str(name): [str(r[0]) for r in refusals] for name, refusals in rows.items()}


def verify_text(text: str) -> Verdict:
    """``verify`` of a file as pasted or uploaded (anything that is not JSON is invalid)."""
    try:
        doc = json.loads(text)
    except ValueError:
        return Verdict(False, [Reason("draw_file_invalid")])
    return verify(doc)


def verify(doc: object) -> Verdict:
    """Whether the file's commitment, entry hash, seed and results all hold."""
    try:
        return _verify(doc)
    except (KeyError, IndexError, TypeError, ValueError, AttributeError):
        return Verdict(False, [Reason("draw_file_invalid")])


def _verify(doc: object) -> Verdict:
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise ValueError("format")
    reasons: list[Reason] = []
    entrants = _entrants(doc["entries"]) if "entries" in doc else None
    if entrants is not None and draw.entry_hash(entrants) != doc["entry_hash"]:
        reasons.append(Reason("verify_entry_hash_mismatch"))
    secret = doc.get("secret")
    if secret is None:
        return Verdict(not reasons, reasons)  # not drawn yet: nothing more to check
    if entrants is None:
        raise ValueError("entries")
    if hashlib.sha256(bytes.fromhex(str(secret))).hexdigest() != doc["commitment"]:
        reasons.append(Reason("verify_commitment_mismatch"))
    seed = draw.seed(str(secret), str(doc["entry_hash"]), doc.get("beacon"))
    if seed != doc["seed"]:
        reasons.append(Reason("verify_seed_mismatch"))
    reasons += _results(seed, entrants, _places(doc["places"]), doc["results"])
    return Verdict(not reasons, reasons, drawn=True)


def _results(
    seed: str, entrants: list[Entrant], places: dict[str, int], results: Mapping[str, Any]
) -> list[Reason]:
    """The rounds recomputed from the seed (the one the secret and entries give, so a
    changed seed shows here too), against the published order and places won."""
    reasons = []
    first = ballot_rounds.first_round(seed, entrants, places, _refused(results["refused"]))
    if first.order != list(results["order"]):
        reasons.append(Reason("verify_order_mismatch"))
    reasons += _differences("verify_result_mismatch", first.won, results["won"])
    second = results.get("second_round")
    if second is not None:
        again = ballot_rounds.second_round(
            seed, entrants, places, first.won, _refused(second["refused"])
        )
        reasons += _differences("verify_second_round_mismatch", again.won, second["won"])
    return reasons


def _differences(code: str, recomputed: Mapping[str, object], published: Any) -> list[Reason]:
    if not isinstance(published, dict):
        raise ValueError("won")
    names = sorted(set(recomputed) | set(published))
    wrong = [n for n in names if recomputed.get(n) != published.get(n)]
    return [Reason(code, {"pseudonym": n}) for n in wrong[:10]]
