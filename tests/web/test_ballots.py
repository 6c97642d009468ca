"""Ballot pages: entering on a phone, the desk entering for a member, staff settings, the
timetable's balloted cells, and the public draw, verify and fairness pages."""

import json
from datetime import timedelta

import httpx

from palace.models import Ballot, BallotEntry, BallotSettings, BallotWeight, Member, Role
from palace.services.booking import timetable
from palace.services.fairness import ballot_draw, ballots
from tests.fairness_helpers import draw_now, enter, key, make_ballot
from tests.helpers import log_in, make_hall, make_member, make_members, post_form, visible_text


async def test_a_member_enters_with_two_choices_and_a_partner(client: httpx.AsyncClient) -> None:
    hall = await make_hall(partners_allowed=True)
    ballot = await make_ballot(hall, weekdays=(1, 3))
    member, partner = await make_member(), await make_member()
    await log_in(client, member)
    page = await client.get(f"/ballots/{ballot.id}")
    assert page.status_code == 200 and "您的权重：1" in visible_text(page.text)
    form = {"choice1": key(ballot, 2), "choice2": ballots.any_court_key(key(ballot)),
            "choice3": "", "partner1": partner.card_no, "any_other_time": "1"}  # fmt: skip
    here = f"/ballots/{ballot.id}"
    saved = await post_form(client, f"{here}/entry", form, page=here)
    assert saved.status_code == 303
    entry = await BallotEntry.get(ballot_id=ballot.id, member_id=member.id)
    assert entry.choices == [form["choice1"], form["choice2"]]
    assert (entry.partner_cards, entry.any_other_time) == ([partner.card_no], True)
    # The same form again changes the entry: still one.
    again = await post_form(client, f"/ballots/{ballot.id}/entry", {**form, "choice2": ""},
                            page=f"/ballots/{ballot.id}")  # fmt: skip
    assert again.status_code == 303
    assert await BallotEntry.filter(ballot_id=ballot.id).count() == 1
    shown = visible_text((await client.get(f"/ballots/{ballot.id}")).text)
    assert "您已报名" in shown


async def test_a_bad_choice_is_refused_with_its_message(client: httpx.AsyncClient) -> None:
    hall = await make_hall()
    ballot = await make_ballot(hall)
    await log_in(client, await make_member())
    refused = await post_form(client, f"/ballots/{ballot.id}/entry", {"choice1": "nowhere/c1"},
                              page=f"/ballots/{ballot.id}")  # fmt: skip
    assert refused.status_code == 303
    shown = visible_text((await client.get(refused.headers["location"])).text)
    assert "该时段不在本次抽签范围内" in shown
    assert not await BallotEntry.exists(ballot_id=ballot.id)


async def test_the_desk_enters_for_a_member_by_card(client: httpx.AsyncClient) -> None:
    hall = await make_hall()
    ballot = await make_ballot(hall)
    clerk, member = await make_member(role=Role.DESK), await make_member()
    await log_in(client, clerk)
    form = {"card": member.card_no, "choice1": key(ballot)}
    saved = await post_form(client, f"/desk/ballots/{ballot.id}", form,
                            page=f"/desk/ballots/{ballot.id}")  # fmt: skip
    assert saved.status_code == 303
    entry = await BallotEntry.get(ballot_id=ballot.id)
    assert (entry.member_id, entry.entered_by_id) == (member.id, clerk.id)


async def test_staff_set_balloted_times_and_a_branch(client: httpx.AsyncClient) -> None:
    hall = await make_hall()
    member = await make_member()
    await log_in(client, await make_member(role=Role.STAFF))
    form = {"opens_days_ahead": "14", "window_hours": "48", "draw_after_minutes": "30",
            "release_after_hours": "12", "max_weight": "5", "max_wins_per_week": "1",
            "max_wins_per_branch_day": "2", "weekday_0": "5", "from_0": "09:00",
            "to_0": "12:00"}  # fmt: skip
    saved = await post_form(client, f"/staff/ballots/{hall.id}", form, page="/staff/ballots")
    assert saved.status_code == 303
    stored = await BallotSettings.get(facility_id=hall.id)
    assert (stored.window_hours, stored.max_wins_per_branch_day) == (48, 2)
    shown = (await client.get(f"/staff/ballots?hall={hall.id}")).text
    assert 'value="09:00"' in shown and 'value="12:00"' in shown
    short = await post_form(client, f"/staff/ballots/{hall.id}", {**form, "window_hours": "47"},
                            page="/staff/ballots")  # fmt: skip
    assert short.status_code == 303
    assert (await BallotSettings.get(facility_id=hall.id)).window_hours == 48
    branch = {"card": member.card_no, "branch": "机务段工会"}
    saved = await post_form(client, "/staff/ballots/branch", branch, page="/staff/ballots")
    assert saved.status_code == 303
    assert (await Member.get(id=member.id)).union_branch == "机务段工会"


async def test_the_timetable_shows_balloted_cells_with_the_entry_link() -> None:
    hall = await make_hall(courts=2, days_ahead=30)
    ballot = await make_ballot(hall)
    member = await make_member()
    tuesday = ballot.week_start + timedelta(days=1)
    shown = await timetable.day(member_id=member.id, code=hall.code, day=tuesday)
    balloted = [c for row in shown.rows for c in row.cells if c.state == "balloted"]
    assert len(balloted) == 2 and {c.ballot_id for c in balloted} == {ballot.id}


async def test_the_draw_is_public_and_its_file_verifies(client: httpx.AsyncClient) -> None:
    hall = await make_hall(courts=1)
    ballot = await make_ballot(hall)
    for member in await make_members(3):
        await enter(ballot, member.id, key(ballot))
    before = await client.get(f"/ballots/{ballot.id}/draw")
    assert before.status_code == 200 and ballot.commitment in before.text
    assert ballot.secret not in before.text
    ballot = await draw_now(ballot)
    page = await client.get(f"/ballots/{ballot.id}/draw")
    assert ballot.secret in page.text and str(ballot.seed) in page.text
    download = await client.get(f"/ballots/{ballot.id}/draw.json")
    assert download.headers["content-type"].startswith("application/json")
    doc = download.json()
    checked = await post_form(client, "/verify", {"file_text": download.text}, page="/verify")
    assert checked.status_code == 200 and "一致" in visible_text(checked.text)
    doc["entries"][0]["weight"] = 9
    tampered = await post_form(client, "/verify", {"file_text": json.dumps(doc)}, page="/verify")
    assert tampered.status_code == 422 and "不一致" in visible_text(tampered.text)


async def test_the_fairness_page_shows_the_odds_and_the_draws(client: httpx.AsyncClient) -> None:
    hall = await make_hall(courts=1)
    drawn = await make_ballot(hall)
    members = await make_members(4)
    for member in members:
        await enter(drawn, member.id, key(drawn))
    await draw_now(drawn)
    other = await make_hall(code="tt", courts=2)
    open_ = await make_ballot(other)
    for member in members[:3]:
        await enter(open_, member.id, ballots.any_court_key(key(open_)))
    shown = visible_text((await client.get("/fairness")).text)
    assert "3 / 2" in shown  # three entries for two places
    assert "中签率：4 份报名中 1 份中签（25%）" in shown
    assert "权重 1：4 人" in shown


async def test_my_bookings_lists_entries_and_a_losers_new_weight(
    client: httpx.AsyncClient,
) -> None:
    hall = await make_hall(courts=1)
    ballot = await make_ballot(hall)
    members = await make_members(2)
    for member in members:
        await enter(ballot, member.id, key(ballot))
    ballot = await draw_now(ballot)
    await ballot_draw.run_second_round(ballot_id=ballot.id)
    loser = await BallotEntry.get(ballot_id=ballot.id, outcome="lost")
    await log_in(client, await Member.get(id=loser.member_id))
    shown = visible_text((await client.get("/bookings")).text)
    assert "本次未中签。您在本场馆下次抽签的权重：2。" in shown
    assert (await Ballot.get(id=ballot.id)).state == "drawn"


async def test_a_loser_at_the_weight_cap_is_told_the_capped_weight(
    client: httpx.AsyncClient,
) -> None:
    hall = await make_hall(courts=1)
    ballot = await make_ballot(hall, max_weight=2)
    members = await make_members(3)
    for member in members:
        await BallotWeight.create(member=member, facility=hall, losses=5)
        await enter(ballot, member.id, key(ballot))
    ballot = await draw_now(ballot)
    loser = await BallotEntry.filter(ballot_id=ballot.id, outcome="lost").first()
    assert loser is not None and loser.weight == 2
    await log_in(client, await Member.get(id=loser.member_id))
    shown = visible_text((await client.get(f"/ballots/{ballot.id}")).text)
    assert "您在本场馆下次抽签的权重：2。" in shown
    assert "权重：3" not in shown
