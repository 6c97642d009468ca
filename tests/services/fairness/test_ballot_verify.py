"""The published ballot file: the secret only after the draw, and a verifier that passes on
the file as published and fails when one entry, one weight or the seed is changed."""

import copy
import json
from pathlib import Path
from typing import Any

from palace.services.fairness import ballot_draw, ballot_publish, ballot_verify
from tests.fairness_helpers import close_now, draw_now, enter, key, make_ballot
from tests.helpers import make_hall, make_members
from tests.processes import palace


async def _drawn_file() -> dict[str, Any]:
    hall = await make_hall(courts=2)
    ballot = await make_ballot(hall, weekdays=(1, 3))
    members = await make_members(7)
    for n, member in enumerate(members):
        await enter(
            ballot, member.id, key(ballot, n % 2), key(ballot, 2), any_other_time=n % 3 == 0
        )
    ballot = await draw_now(ballot)
    await ballot_draw.run_second_round(ballot_id=ballot.id)
    doc = await ballot_publish.published(ballot_id=ballot.id)
    return dict(json.loads(ballot_publish.as_file(doc)))


def _codes(doc: object) -> list[str]:
    return [r.code for r in ballot_verify.verify(doc).reasons]


async def test_the_secret_is_published_only_after_the_draw() -> None:
    hall = await make_hall()
    ballot = await make_ballot(hall)
    (member,) = await make_members(1)
    await enter(ballot, member.id, key(ballot))
    opened = await ballot_publish.published(ballot_id=ballot.id)
    assert ballot.secret not in json.dumps(opened)
    assert opened["commitment"] == ballot.commitment and "entries" not in opened
    closed = await ballot_publish.published(ballot_id=(await close_now(ballot)).id)
    assert ballot.secret not in json.dumps(closed) and "seed" not in closed
    assert closed["entry_hash"] and len(closed["entries"]) == 1
    assert ballot_verify.verify(json.loads(ballot_publish.as_file(closed))).matches


async def test_the_published_file_verifies() -> None:
    doc = await _drawn_file()
    verdict = ballot_verify.verify(doc)
    assert verdict.matches and verdict.drawn, verdict.reasons
    assert "second_round" in doc["results"]


async def test_changing_one_entry_one_weight_or_the_seed_fails() -> None:
    doc = await _drawn_file()
    entry = copy.deepcopy(doc)
    entry["entries"][0]["choices"] = list(reversed(entry["entries"][0]["choices"]))
    assert "verify_entry_hash_mismatch" in _codes(entry)
    weight = copy.deepcopy(doc)
    weight["entries"][3]["weight"] += 1
    assert "verify_entry_hash_mismatch" in _codes(weight)
    seed = copy.deepcopy(doc)
    seed["seed"] = "0" * 64
    assert _codes(seed) == ["verify_seed_mismatch"]
    secret = copy.deepcopy(doc)
    secret["secret"] = "ab" * 32
    assert {"verify_commitment_mismatch", "verify_seed_mismatch"} <= set(_codes(secret))
    result = copy.deepcopy(doc)
    loser = next(name for name, won in result["results"]["won"].items() if won is None)
    result["results"]["won"][loser] = key_of(doc)
    assert "verify_result_mismatch" in _codes(result)


def key_of(doc: dict[str, Any]) -> str:
    return str(doc["places"][0]["key"])


async def test_anything_else_is_not_a_ballot_file() -> None:
    doc = await _drawn_file()
    broken = copy.deepcopy(doc)
    broken["entries"][0]["weight"] = 0
    for bad in (
        None,
        [],
        {"format": "x"},
        {**doc, "entries": "x"},
        broken,
        {**doc, "secret": "zz"},
    ):
        assert _codes(bad) == ["draw_file_invalid"]


async def test_palace_verify_draw_says_whether_the_file_matches(tmp_path: Path) -> None:
    doc = await _drawn_file()
    good, bad = tmp_path / "good.json", tmp_path / "bad.json"
    good.write_text(json.dumps(doc))
    doc["entries"][1]["weight"] += 1
    bad.write_text(json.dumps(doc))
    passed = palace("verify-draw", str(good))
    assert passed.returncode == 0 and passed.stdout.strip() == "matches", passed.stderr
    failed = palace("verify-draw", str(bad))
    assert failed.returncode == 1 and "does not match" in failed.stdout
    assert "an entry or a weight was changed" in failed.stdout
