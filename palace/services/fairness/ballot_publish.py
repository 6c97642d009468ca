"""What a ballot publishes, step by step, as one JSON file anyone can download and check.

While entries are open: the places, the commitment (sha256 of the secret) and the
algorithm. From the close: the anonymised entry list (pseudonyms, choices, weights),
its hash and the beacon round, if any. After the draw: the secret, the seed and the
results with every refusal. ``ballot_verify.verify`` recomputes the file.
"""

import json
from typing import Any

from palace.models import Ballot, BallotState
from palace.services.fairness.ballot_setup import BallotNotFound
from palace.services.fairness.ballot_verify import FORMAT

DRAWN = (BallotState.DRAWN, BallotState.RELEASED)


async def ballot(ballot_id: int) -> Ballot:
    """A ballot with its hall, for its public page."""
    found = await Ballot.get_or_none(id=ballot_id).select_related("facility")
    if found is None:
        raise BallotNotFound("unknown_ballot")
    return found


def document(found: Ballot) -> dict[str, Any]:
    """The ballot as published now (what its state allows, never the secret before)."""
    doc: dict[str, Any] = {
        "format": FORMAT,
        "ballot": {
            "id": found.id,
            "hall": found.facility.code,
            "week": found.week_start.isoformat(),
            "state": found.state.value,
        },
        "algorithm": found.algorithm,
        "commitment": found.commitment,
        "timeline": {
            name: getattr(found, name).isoformat()
            for name in ("opens_at", "closes_at", "draw_at", "release_at")
        },
        "places": [{"key": p["key"], "places": p["places"]} for p in found.places],
    }
    if found.state != BallotState.OPEN:
        doc |= {"entries": found.entry_list, "entry_hash": found.entry_hash}
        doc["beacon"] = found.beacon
    if found.state in DRAWN:
        doc |= {"secret": found.secret, "seed": found.seed, "results": found.results}
    return doc


def as_file(doc: dict[str, Any]) -> bytes:
    return json.dumps(doc, ensure_ascii=False, indent=1, sort_keys=True).encode()


async def published(*, ballot_id: int) -> dict[str, Any]:
    return document(await ballot(ballot_id))
