"""The desk's pages: the scan field, the Now board's fragment, walk-ins, desk cancels."""

from collections.abc import Callable
from datetime import datetime, timedelta

import httpx
import pytest

from palace.models import (
    AuditEvent,
    Booking,
    BookingRules,
    BookingSource,
    BookingStatus,
    FacilityKind,
    Notification,
    Role,
    Slot,
    Strike,
)
from palace.services.booking import bookings, tickets
from palace.services.core import clock
from tests.helpers import (
    add_partners,
    court,
    log_in,
    make_hall,
    make_member,
    make_session_slot,
    post_form,
    slot_at,
    visible_text,
)

Move = Callable[[datetime], None]


@pytest.fixture
def move_to(monkeypatch: pytest.MonkeyPatch) -> Move:
    def move(instant: datetime) -> None:
        monkeypatch.setattr(clock, "now", lambda: instant)

    return move


HTMX = {"HX-Request": "true"}


async def _scan(client: httpx.AsyncClient, typed: str, hall: str = "") -> httpx.Response:
    token = (await client.get("/desk/scan")).text.split('name="csrf-token" content="')[1]
    headers = {**HTMX, "Origin": "http://testserver", "X-CSRF-Token": token.split('"')[0]}
    return await client.post("/desk/scan", data={"code": typed, "hall": hall}, headers=headers)


async def test_a_scan_answers_with_the_result_and_refreshes_the_board(
    client: httpx.AsyncClient, move_to: Move
) -> None:
    hall = await make_hall()
    member = await make_member(name="周立")
    booking = await bookings.book(
        member_id=member.id, resource_id=(await court(hall)).id, starts_at=slot_at()
    )
    start = slot_at()
    await log_in(client, await make_member(role=Role.DESK))
    move_to(start - timedelta(minutes=10))
    done = await _scan(client, tickets.token_for(booking.id), str(hall.id))
    assert done.status_code == 200 and done.headers["hx-trigger"] == "checkedIn"
    assert done.text.lstrip().startswith('<section id="scan-result"')
    assert "签到成功：周立。" in done.text
    again = await _scan(client, tickets.token_for(booking.id))
    assert again.status_code == 200 and "hx-trigger" not in again.headers
    assert "已签到过：周立" in again.text
    by_card = await _scan(client, member.card_no)
    assert "已签到过：周立" in by_card.text


async def test_warnings_and_forged_codes_check_nothing_in(
    client: httpx.AsyncClient, move_to: Move
) -> None:
    hall, gym = await make_hall(), await make_hall(code="gym")
    member = await make_member(name="周立")
    booking = await bookings.book(
        member_id=member.id, resource_id=(await court(hall)).id, starts_at=slot_at(2)
    )
    await log_in(client, await make_member(role=Role.DESK))
    move_to(slot_at(1))
    other_day = await _scan(client, tickets.token_for(booking.id))
    assert other_day.status_code == 409 and "此预约不是今天的" in other_day.text
    assert "周立" in other_day.text  # who and where, to explain it
    other_hall = await _scan(client, tickets.token_for(booking.id), str(gym.id))
    assert other_hall.status_code == 409 and "此预约属于其他场馆" in other_hall.text
    for forged in ("forged.code", tickets.token_for(booking.id)[:-2], "<script>x</script>"):
        refused = await _scan(client, forged)
        assert refused.status_code == 400 and "这不是有效的文化宫预约码。" in refused.text
        assert "<script>x" not in refused.text
    assert (await Booking.get(id=booking.id)).checked_in_at is None


async def test_the_board_stops_asking_when_nothing_more_is_on(
    client: httpx.AsyncClient, move_to: Move
) -> None:
    room = await make_hall(code="yoga", kind=FacilityKind.CLASSROOM, courts=1)
    from tests.helpers import make_session_slot

    seven = slot_at(1, 19)
    await make_session_slot(await court(room), seven)
    await log_in(client, await make_member(role=Role.DESK))
    move_to(seven - timedelta(hours=1))
    live = await client.get(f"/desk/board?hall={room.id}", headers=HTMX)
    assert live.status_code == 200 and 'hx-trigger="every 30s' in live.text
    assert 'hx-sync="this:replace"' in live.text
    move_to(seven + timedelta(hours=1))
    over = await client.get(f"/desk/board?hall={room.id}", headers=HTMX)
    assert over.status_code == 286 and "hx-trigger" not in over.text
    assert "今天没有更多场次了" in over.text
    assert (await client.get("/desk/board?hall=99999", headers=HTMX)).status_code == 404


async def test_a_walk_in_from_the_board(client: httpx.AsyncClient, move_to: Move) -> None:
    gym = await make_hall(code="gym", kind=FacilityKind.CAPACITY, courts=1, capacity=3)
    await BookingRules.filter(facility_id=gym.id).update(guests_allowed=True)
    desk, member = await make_member(role=Role.DESK), await make_member(name="李雷")
    start = slot_at(1, 10)
    await log_in(client, desk)
    move_to(start + timedelta(minutes=5))
    places = await client.get(f"/desk/walk-in?hall={gym.id}")
    resource = await court(gym)
    place = f"g:{resource.id}:{int(start.timestamp())}"
    assert place in places.text
    form = await client.get(f"/desk/walk-in?place={place}&hall={gym.id}")
    assert "访客姓名" in form.text
    bad = await post_form(
        client, "/desk/walk-in", {"place": place, "card": "NOPE1234"}, page="/desk"
    )
    assert bad.status_code == 400 and "没有卡号为 NOPE1234 的会员" in bad.text
    done = await post_form(
        client,
        "/desk/walk-in",
        {"place": place, "card": member.card_no, "hall": str(gym.id)},
        page="/desk",
    )
    assert done.status_code == 303 and done.headers["location"] == f"/desk/scan?hall={gym.id}"
    booking = await Booking.get(member_id=member.id)
    assert booking.checked_in_at is not None
    for forged in ("g:1", "s:x", "g:1:99999999999999", "zz"):
        assert (await client.get(f"/desk/walk-in?place={forged}")).status_code == 404


async def test_the_desk_cancels_a_booking_for_a_member(client: httpx.AsyncClient) -> None:
    hall = await make_hall()
    desk, member = await make_member(role=Role.DESK), await make_member(name="孙丽")
    booking = await bookings.book(
        member_id=member.id, resource_id=(await court(hall)).id, starts_at=slot_at(2)
    )
    await log_in(client, desk)
    found = await client.get("/desk", params={"q": member.card_no[-4:]})  # part of the card
    assert f"/desk/members/{member.id}" in found.text
    page = await client.get(f"/desk/members/{member.id}")
    assert f"/desk/bookings/{booking.id}/cancel" in page.text
    form = {"member": str(member.id), "reason": "会员生病"}
    done = await post_form(client, f"/desk/bookings/{booking.id}/cancel", form, page="/desk")
    assert done.status_code == 303
    assert (await Booking.get(id=booking.id)).status == BookingStatus.CANCELLED_BY_PALACE
    event = await AuditEvent.get(entity_id=booking.id, action="desk_cancel")
    assert event.actor_id == desk.id
    stranger = await make_member()
    forged = await post_form(
        client, f"/desk/bookings/{booking.id}/cancel", {**form, "member": str(stranger.id)},
        page="/desk",
    )  # fmt: skip
    assert forged.status_code == 404


async def test_a_desk_cancel_is_the_palaces_not_a_late_cancel_on_the_member(
    client: httpx.AsyncClient, move_to: Move
) -> None:
    """Checked in, then cancelled at the desk after the cut-off: the palace's cancel, with
    a reason (asked for, and warned about first), and the member is told it."""
    hall = await make_hall()
    desk, member = await make_member(role=Role.DESK), await make_member(name="孙丽")
    start = slot_at()
    booking = await bookings.book(
        member_id=member.id, resource_id=(await court(hall)).id, starts_at=start
    )
    await log_in(client, desk)
    move_to(start - timedelta(minutes=20))  # after the 2-hour cut-off, check-in open
    assert "签到成功" in (await _scan(client, tickets.token_for(booking.id))).text
    page = await client.get(f"/desk/members/{member.id}")
    cancel_form = page.text.split(f'action="/desk/bookings/{booking.id}/cancel"')[1]
    cancel_form = cancel_form.split("</form>")[0]
    assert 'name="reason" required' in cancel_form
    assert "已签到" in cancel_form and "不计入会员" in cancel_form  # the confirmation warns
    url = f"/desk/bookings/{booking.id}/cancel"
    without = await post_form(client, url, {"member": str(member.id)}, page="/desk")
    assert without.status_code == 303
    assert "请填写取消原因" in visible_text((await client.get(without.headers["location"])).text)
    assert (await Booking.get(id=booking.id)).status == BookingStatus.CONFIRMED
    reason = "<b>场地漏水</b> 50%"
    form = {"member": str(member.id), "reason": reason}
    assert (await post_form(client, url, form, page="/desk")).status_code == 303
    stored = await Booking.get(id=booking.id)
    assert stored.status == BookingStatus.CANCELLED_BY_PALACE
    event = await AuditEvent.get(entity_id=booking.id, action="desk_cancel")
    assert event.actor_id == desk.id and event.detail == {"reason": reason}
    told = await Notification.get(member_id=member.id, kind="booking_cancelled_by_palace")
    assert told.booking_id == booking.id and told.detail["reason"] == reason
    assert not await Strike.exists(member_id=member.id)
    await post_form(client, "/logout", {}, page="/desk")
    await log_in(client, member)
    inbox = await client.get("/inbox")
    assert "&lt;b&gt;场地漏水&lt;/b&gt; 50%" in inbox.text and "<b>场地漏水" not in inbox.text


async def test_a_forged_walk_in_place_is_a_clear_not_found(client: httpx.AsyncClient) -> None:
    await log_in(client, await make_member(role=Role.DESK))
    forged = ["g:1:999999999999", "g:1:4102444801", "s:99999999999", "s:2147483648",
              "g:99999999999:0", "g:2147483648:1700000000", "s:0"]  # fmt: skip
    for place in forged:
        response = await client.get(f"/desk/walk-in?place={place}")
        assert response.status_code == 404, place
        assert "这个场次不在时间表上" in visible_text(response.text), place
        posted = await post_form(client, "/desk/walk-in", {"place": place}, page="/desk")
        assert posted.status_code == 404, place


async def test_a_place_held_for_the_waitlist_is_not_offered_for_a_walk_in(
    client: httpx.AsyncClient, move_to: Move
) -> None:
    room = await make_hall(code="yoga", kind=FacilityKind.CLASSROOM, courts=1)
    seven = slot_at(1, 19)
    slot = await make_session_slot(await court(room), seven, capacity=2)
    member = await make_member()
    await bookings.take(member_id=member.id, slot_id=slot.id, actor_id=member.id,
                        source=BookingSource.MEMBER)  # fmt: skip
    await Slot.filter(id=slot.id).update(held=1)  # the other place waits for the line
    await log_in(client, await make_member(role=Role.DESK))
    move_to(seven - timedelta(minutes=10))
    board = await client.get(f"/desk/board?hall={room.id}", headers=HTMX)
    assert board.status_code == 200 and f"place=s:{slot.id}" not in board.text
    places = await client.get(f"/desk/walk-in?hall={room.id}")
    assert f"place=s:{slot.id}" not in places.text and "现在没有空位。" in places.text
    form = await client.get(f"/desk/walk-in?place=s:{slot.id}")
    assert "空余 0 个名额" in visible_text(form.text)


async def test_a_card_with_nothing_due_says_so_and_offers_a_walk_in(
    client: httpx.AsyncClient,
) -> None:
    hall = await make_hall()
    member = await make_member(name="王<b>50%</b>")
    await log_in(client, await make_member(role=Role.DESK))
    answer = await _scan(client, member.card_no, str(hall.id))
    assert answer.status_code == 409
    assert "王&lt;b&gt;50%&lt;/b&gt; 现在没有可签到的预约。" in answer.text
    assert "<b>50%</b>" not in answer.text
    offer = answer.text.split('id="walk-in-offer"')[1].split("</p>")[0]
    assert f"/desk/walk-in?card={member.card_no}" in offer
    places = await client.get(f"/desk/walk-in?card={member.card_no}&hall={hall.id}")
    assert places.status_code == 200
    # Without HTMX the whole page answers too, with the same offer.
    token = (await client.get("/desk/scan")).text.split('name="csrf-token" content="')[1]
    headers = {"Origin": "http://testserver", "X-CSRF-Token": token.split('"')[0]}
    page = await client.post("/desk/scan", data={"code": member.card_no}, headers=headers)
    assert page.status_code == 409 and 'id="walk-in-offer"' in page.text


async def test_the_code_of_a_cancelled_booking_shows_everyone_on_it_as_cancelled(
    client: httpx.AsyncClient, move_to: Move
) -> None:
    """Whatever the day: the code of a booking cancelled for later in the week names each
    person on it as cancelled, not with no state at all."""
    hall = await make_hall(partners_allowed=True)
    owner, partner = await make_member(name="周立"), await make_member(name="李娜")
    booking = await bookings.book(
        member_id=owner.id, resource_id=(await court(hall)).id, starts_at=slot_at(3)
    )
    await add_partners(owner.id, booking.id, [partner])
    await bookings.cancel(member_id=owner.id, booking_id=booking.id)
    await log_in(client, await make_member(role=Role.DESK))
    move_to(slot_at(1))
    for answer in (
        await _scan(client, tickets.token_for(booking.id)),
        await client.get("/desk/scan", params={"code": tickets.token_for(booking.id)}),
    ):
        assert "此预约已取消" in answer.text
        people = answer.text.split('<ul class="people">')[1].split("</ul>")[0]
        rows = [visible_text(li) for li in people.split("<li>")[1:]]
        assert len(rows) == 2 and all(row.endswith("已取消") for row in rows), rows


def _scan_result(page: str) -> str:
    return page.split('<section id="scan-result"')[1].split("</section>")[0]


async def test_the_board_a_scan_and_the_member_page_offer_check_in_by_one_rule(
    client: httpx.AsyncClient, move_to: Move
) -> None:
    hall, gym = await make_hall(partners_allowed=True), await make_hall(code="gym")
    booker, partner = await make_member(name="周立"), await make_member(name="吴东")
    start = slot_at()
    booking = await bookings.book(
        member_id=booker.id, resource_id=(await court(hall)).id, starts_at=start
    )
    await add_partners(booker.id, booking.id, [partner])
    await log_in(client, await make_member(role=Role.DESK))
    button = f'action="/desk/bookings/{booking.id}/checkin"'
    code = tickets.token_for(booking.id)
    # Before check-in opens (30 minutes before the start) neither offers the button.
    move_to(start - timedelta(minutes=40))
    board = (await client.get(f"/desk/board?hall={hall.id}")).text
    assert "周立" in board and button not in board
    member_page = (await client.get(f"/desk/members/{booker.id}")).text
    assert f'id="booking-{booking.id}"' in member_page and button not in member_page
    early = await client.get(f"/desk/scan?code={code}&hall={hall.id}")
    assert "周立" in _scan_result(early.text) and button not in _scan_result(early.text)
    # Once it opens, both offer it for each person not yet in.
    move_to(start - timedelta(minutes=10))
    board = (await client.get(f"/desk/board?hall={hall.id}")).text
    assert board.count(button) == 2
    ready = await client.get(f"/desk/scan?code={code}&hall={hall.id}")
    assert _scan_result(ready.text).count(button) == 2
    assert button in (await client.get(f"/desk/members/{booker.id}")).text
    # The partner checked in by card: only the booker is left, on both.
    done = await _scan(client, partner.card_no, str(hall.id))
    assert _scan_result(done.text).count(button) == 1
    assert (await client.get(f"/desk/board?hall={hall.id}")).text.count(button) == 1
    # Another hall's booking is a warning: nothing to check in from there.
    elsewhere = await client.get(f"/desk/scan?code={code}&hall={gym.id}")
    assert "周立" in _scan_result(elsewhere.text) and button not in _scan_result(elsewhere.text)
