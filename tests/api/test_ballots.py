"""Ballots through the API: entering, changing and withdrawing as the entry page does, the
same refusals, nobody else's entry, the outcome after the draw, and the public draw file
checked by /verify-draw."""

import copy
import json
from typing import Any

import httpx
import msgspec

from palace.api.ballots import DRAW_FILE_MAX, DrawFile
from palace.api.operations import BODY_MAX
from palace.models import Ballot, BallotEntry
from palace.services.fairness import ballots
from tests.api.helpers import API, call, token_for
from tests.fairness_helpers import close_now, draw_now, enter, key, make_ballot
from tests.helpers import make_hall, make_member, make_members

EN = {"Accept-Language": "en"}


async def _entry(ballot: Ballot, member_id: int) -> BallotEntry | None:
    return await BallotEntry.get_or_none(ballot_id=ballot.id, member_id=member_id,
                                         withdrawn_at=None)  # fmt: skip


async def _put(client: httpx.AsyncClient, ballot_id: int, secret: str, **body: Any) -> Any:
    return await call(client, "PUT", f"/ballots/{ballot_id}/entry", secret, json=body,
                      headers=EN)  # fmt: skip


async def test_a_member_enters_changes_and_withdraws(client: httpx.AsyncClient) -> None:
    hall = await make_hall(partners_allowed=True)
    ballot = await make_ballot(hall, weekdays=(1, 3))
    member, partner = await make_member(), await make_member()
    secret = await token_for(member)
    listed = (await call(client, "GET", "/ballots", secret)).json()
    assert [(b["id"], b["state"], b["entrants"]) for b in listed] == [(ballot.id, "open", 0)]
    assert [(d["entries"], d["places"]) for d in listed[0]["demand"]] == [(0, 2), (0, 2)]
    shown = (await call(client, "GET", f"/ballots/{ballot.id}", secret)).json()
    assert (shown["open"], shown["weight"], shown["entry"]) == (True, 1, None)
    assert shown["hall"]["en"] == "Badminton hall" and shown["timeline"]["closes_at"]
    any_court = ballots.any_court_key(key(ballot))
    assert {key(ballot, 2), any_court} <= {o["key"] for o in shown["options"]}

    choices = [key(ballot, 2), any_court]
    entered = await _put(client, ballot.id, secret, choices=choices,
                         partners=[partner.card_no], any_other_time=True)  # fmt: skip
    assert entered.status_code == 200, entered.text
    mine = entered.json()["entry"]
    assert (mine["choices"], mine["partners"], mine["any_other_time"]) == (
        choices, [partner.card_no], True)  # fmt: skip
    stored = await _entry(ballot, member.id)
    assert stored is not None and stored.choices == choices and stored.any_other_time
    listed = (await call(client, "GET", "/ballots", secret)).json()
    assert listed[0]["entrants"] == 1
    assert [d["entries"] for d in listed[0]["demand"]] == [1, 1]  # Tuesday (any court), Thursday

    changed = await _put(client, ballot.id, secret, choices=[key(ballot, 3)])
    assert changed.status_code == 200, changed.text
    assert changed.json()["entry"]["choices"] == [key(ballot, 3)]
    assert changed.json()["entry"]["partners"] == []
    assert await BallotEntry.filter(ballot_id=ballot.id).count() == 1

    withdrawn = await call(client, "DELETE", f"/ballots/{ballot.id}/entry", secret)
    assert withdrawn.status_code == 204
    assert await _entry(ballot, member.id) is None
    shown = (await call(client, "GET", f"/ballots/{ballot.id}", secret)).json()
    assert shown["entry"] is None
    again = await call(client, "DELETE", f"/ballots/{ballot.id}/entry", secret, headers=EN)
    assert again.status_code == 404 and again.json()["code"] == "unknown_ballot_entry"


async def test_refusals_have_the_pages_codes_and_change_nothing(
    client: httpx.AsyncClient,
) -> None:
    hall = await make_hall(courts=2)
    ballot = await make_ballot(hall, weekdays=(1, 3))
    member = await make_member()
    secret = await token_for(member)
    await enter(ballot, member.id, key(ballot))
    refusals = [
        ({"choices": [key(ballot, n) for n in range(4)]}, 400, "ballot_too_many_choices",
         "Choose at most 3 times."),
        ({"choices": ["nowhere/c1"]}, 400, "ballot_choice_invalid",
         "That time is not one of this ballot's places."),
        ({"choices": ["  "]}, 400, "ballot_no_choice", "Choose at least one time."),
        ({"choices": [key(ballot, 1)], "partners": [member.card_no]}, 400, "partner_is_self",
         None),
    ]  # fmt: skip
    for body, status, code, words in refusals:
        refused = await _put(client, ballot.id, secret, **body)
        assert (refused.status_code, refused.json()["code"]) == (status, code), refused.text
        assert words is None or refused.json()["detail"] == words
    zh = await call(client, "PUT", f"/ballots/{ballot.id}/entry", secret,
                    json={"choices": ["nowhere/c1"]})  # fmt: skip
    assert zh.json()["detail"] == "该时段不在本次抽签范围内。"
    too_long = await _put(client, ballot.id, secret, choices=["x" * 61])
    assert too_long.status_code == 400 and list(too_long.json()["fields"]) == ["choices"]
    missing = await _put(client, 99999, secret, choices=[key(ballot)])
    assert missing.status_code == 404 and missing.json()["code"] == "unknown_ballot"

    await close_now(ballot)
    closed = await _put(client, ballot.id, secret, choices=[key(ballot, 1)])
    assert closed.status_code == 400
    assert closed.json() == {"code": "ballot_not_open",
                             "detail": "This ballot is not taking entries now."}  # fmt: skip
    gone = await call(client, "DELETE", f"/ballots/{ballot.id}/entry", secret)
    assert gone.status_code == 400 and gone.json()["code"] == "ballot_not_open"
    stored = await _entry(ballot, member.id)
    assert stored is not None and stored.choices == [key(ballot)] and stored.partner_cards == []


async def test_another_members_entry_is_not_visible(client: httpx.AsyncClient) -> None:
    hall = await make_hall()
    ballot = await make_ballot(hall)
    owner, other = await make_member(), await make_member()
    await enter(ballot, owner.id, key(ballot), any_other_time=True)
    theirs = await token_for(other)
    shown = (await call(client, "GET", f"/ballots/{ballot.id}", theirs)).json()
    assert shown["entry"] is None and shown["open"]
    assert key(ballot) not in json.dumps({k: v for k, v in shown.items() if k != "options"})
    refused = await call(client, "DELETE", f"/ballots/{ballot.id}/entry", theirs)
    assert refused.status_code == 404 and refused.json()["code"] == "unknown_ballot_entry"
    # Their own entry is theirs alone: the owner's stays as it was.
    entered = await _put(client, ballot.id, theirs, choices=[key(ballot, 1)])
    assert entered.status_code == 200 and entered.json()["entry"]["choices"] == [key(ballot, 1)]
    kept = await _entry(ballot, owner.id)
    assert kept is not None and kept.choices == [key(ballot)] and kept.any_other_time
    owners = (await call(client, "GET", f"/ballots/{ballot.id}", await token_for(owner))).json()
    assert owners["entry"]["choices"] == [key(ballot)]


async def _drawn(client: httpx.AsyncClient) -> tuple[Ballot, list[str]]:
    """A ballot of one place drawn between two members who entered through the API."""
    hall = await make_hall(courts=1)
    ballot = await make_ballot(hall)
    secrets = [await token_for(m) for m in await make_members(2)]
    for secret in secrets:
        assert (await _put(client, ballot.id, secret, choices=[key(ballot)])).status_code == 200
    return await draw_now(ballot), secrets


async def test_after_the_draw_members_see_their_outcome(client: httpx.AsyncClient) -> None:
    ballot, secrets = await _drawn(client)
    pages = [(await call(client, "GET", f"/ballots/{ballot.id}", s)).json() for s in secrets]
    assert sorted(p["entry"]["outcome"] for p in pages) == ["lost", "won"]
    won = next(p for p in pages if p["entry"]["outcome"] == "won")
    lost = next(p for p in pages if p["entry"]["outcome"] == "lost")
    assert won["entry"]["won_key"] == key(ballot) and won["entry"]["booking_id"]
    assert (lost["entry"]["won_key"], lost["entry"]["booking_id"]) == (None, None)
    assert not won["open"] and won["state"] == "drawn"
    winner, loser = secrets if won is pages[0] else reversed(secrets)
    booked = f"/bookings/{won['entry']['booking_id']}"
    assert (await call(client, "GET", booked, winner)).json()["state"] == "confirmed"
    assert (await call(client, "GET", booked, loser)).status_code == 404
    listed = (await call(client, "GET", "/ballots", secrets[0])).json()
    assert [(b["id"], b["state"], b["entrants"], b["winners"]) for b in listed] == [
        (ballot.id, "drawn", 2, 1)]  # fmt: skip
    # Each member finds their own pseudonym in the published entry list.
    published = (await client.get(f"{API}/ballots/{ballot.id}/draw")).json()
    names = {e["pseudonym"] for e in published["entries"]}
    assert {p["entry"]["pseudonym"] for p in pages} == names and len(names) == 2


async def test_the_public_draw_file_verifies_and_a_changed_weight_fails(
    client: httpx.AsyncClient,
) -> None:
    ballot, _secrets = await _drawn(client)
    served = await client.get(f"{API}/ballots/{ballot.id}/draw")  # no token
    assert served.status_code == 200
    page_file = await client.get(f"/ballots/{ballot.id}/draw.json")
    assert served.content == page_file.content
    doc = msgspec.json.decode(served.content, type=DrawFile)  # as the schema declares it
    assert doc.secret == ballot.secret and doc.results is not None
    verdict = await client.post(f"{API}/verify-draw", content=served.content, headers=EN)
    assert verdict.status_code == 200
    assert verdict.json() == {"matches": True, "drawn": True, "reasons": []}
    changed = copy.deepcopy(served.json())
    changed["entries"][0]["weight"] += 1
    refused = await client.post(f"{API}/verify-draw", json=changed, headers=EN)
    assert refused.status_code == 200 and refused.json()["matches"] is False
    reasons = refused.json()["reasons"]
    assert "verify_entry_hash_mismatch" in [r["code"] for r in reasons]
    assert "an entry or a weight was changed" in reasons[0]["detail"]
    missing = await client.get(f"{API}/ballots/99999/draw", headers=EN)
    assert missing.status_code == 404 and missing.json()["code"] == "unknown_ballot"


async def test_an_open_ballots_file_shows_no_secret_and_verifies(
    client: httpx.AsyncClient,
) -> None:
    hall = await make_hall()
    ballot = await make_ballot(hall)
    served = await client.get(f"{API}/ballots/{ballot.id}/draw")
    assert served.status_code == 200 and ballot.secret not in served.text
    doc = msgspec.json.decode(served.content, type=DrawFile)
    assert doc.commitment == ballot.commitment and doc.entries is None
    verdict = (await client.post(f"{API}/verify-draw", content=served.content)).json()
    assert (verdict["matches"], verdict["drawn"]) == (True, False)


async def test_verify_draw_refuses_what_is_not_a_file_and_too_much(
    client: httpx.AsyncClient,
) -> None:
    url = f"{API}/verify-draw"
    other = await client.post(url, json={"format": "something else"}, headers=EN)
    assert other.status_code == 200
    invalid = {"code": "draw_file_invalid", "detail": "That is not a published ballot file.",
               "params": {}}  # fmt: skip
    assert other.json() == {"matches": False, "drawn": False, "reasons": [invalid]}
    for body in (b"{not json", b'{"format": "\xff"}'):
        bad = await client.post(url, content=body)
        assert bad.status_code == 400 and bad.json()["code"] == "request_invalid", body
    huge = b'{"format": "' + b"x" * DRAW_FILE_MAX + b'"}'
    refused = await client.post(url, content=huge, headers=EN)
    assert refused.status_code == 413 and refused.json()["code"] == "request_too_large"
    assert refused.json()["detail"].startswith("What you sent is too large: at most 4096 KB.")

    async def chunks() -> Any:  # no Content-Length: refused while it is read
        for _ in range(5):
            yield b" " * (DRAW_FILE_MAX // 4)

    streamed = await client.post(url, content=chunks())
    assert streamed.status_code == 413


async def test_an_entry_larger_than_the_apis_limit_is_refused(client: httpx.AsyncClient) -> None:
    ballot = await make_ballot(await make_hall())
    member = await make_member()
    secret = await token_for(member)
    body = json.dumps({"choices": [key(ballot)], "padding": " " * BODY_MAX}).encode()
    refused = await call(client, "PUT", f"/ballots/{ballot.id}/entry", secret, content=body)
    assert refused.status_code == 413 and refused.json()["code"] == "request_too_large"
    assert await _entry(ballot, member.id) is None
