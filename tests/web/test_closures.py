from datetime import timedelta

import httpx

from palace.models import Booking, BookingStatus, Closure, Notification, Role
from palace.services.booking import bookings
from palace.services.core import clock
from tests.helpers import court, log_in, make_hall, make_member, post_form, visible_text


def closure_form(**changes: str) -> dict[str, str]:
    tomorrow = (clock.today() + timedelta(days=1)).isoformat()
    values = {
        "resource_id": "",
        "start_day": tomorrow,
        "start_time": "09:00",
        "end_day": tomorrow,
        "end_time": "12:00",
        "reason": "Provincial tournament",
    }
    return {**values, **changes}


async def _booked_hall() -> tuple[int, list[Booking]]:
    hall = await make_hall(courts=2)
    made = []
    for n, hour in ((1, 10), (2, 11), (1, 15)):
        member = await make_member()
        starts_at = clock.at(clock.today() + timedelta(days=1), hour * 60)
        resource = await court(hall, n)
        made.append(
            await bookings.book(member_id=member.id, resource_id=resource.id, starts_at=starts_at)
        )
    return hall.id, made


async def test_staff_confirm_then_close_and_see_how_many_were_cancelled(
    client: httpx.AsyncClient,
) -> None:
    hall_id, (early, late, afternoon) = await _booked_hall()
    await log_in(client, await make_member(role=Role.STAFF, language="en"))
    path = f"/staff/facilities/{hall_id}/closures"
    preview = await post_form(client, path, closure_form(), page=path)
    assert preview.status_code == 200
    assert "Closing cancels the bookings in this period (2)." in visible_text(preview.text)
    assert await Closure.all().count() == 0
    response = await post_form(client, path, {**closure_form(), "confirmed": "1"}, page=path)
    assert response.status_code == 303
    page = await client.get(path)
    text = visible_text(page.text)
    assert "Closed. Bookings cancelled: 2; their members have been notified." in text
    assert "Provincial tournament" in text
    statuses = [(await Booking.get(id=b.id)).status for b in (early, late, afternoon)]
    assert statuses == [BookingStatus.CANCELLED_BY_PALACE] * 2 + [BookingStatus.CONFIRMED]
    assert await Notification.filter(kind="booking_cancelled_by_palace").count() == 2


async def test_closing_one_court_from_the_form(client: httpx.AsyncClient) -> None:
    hall_id, (early, late, _afternoon) = await _booked_hall()
    await log_in(client, await make_member(role=Role.STAFF, language="en"))
    path = f"/staff/facilities/{hall_id}/closures"
    values = {**closure_form(resource_id=str(early.resource_id)), "confirmed": "1"}
    assert (await post_form(client, path, values, page=path)).status_code == 303
    assert (await Booking.get(id=early.id)).status == BookingStatus.CANCELLED_BY_PALACE
    assert (await Booking.get(id=late.id)).status == BookingStatus.CONFIRMED
    closure = await Closure.get()
    assert closure.resource_id == early.resource_id
    assert closure.starts_at == clock.at(clock.today() + timedelta(days=1), 9 * 60)


async def test_bad_closures_are_explained_and_nothing_is_closed(
    client: httpx.AsyncClient,
) -> None:
    hall_id, made = await _booked_hall()
    await log_in(client, await make_member(role=Role.STAFF, language="en"))
    path = f"/staff/facilities/{hall_id}/closures"
    cases = [
        ({"end_time": "08:00"}, "The end must be after the start."),
        ({"start_day": "2026-02-30"}, "Enter a date and a time, e.g. 2026-11-20 and 08:00."),
        ({"reason": ""}, "Enter a reason; members are told it."),
        ({"resource_id": "999999"}, "Choose the whole hall or one of its courts or rooms."),
        ({"resource_id": "x"}, "Choose the whole hall or one of its courts or rooms."),
    ]
    for change, expected in cases:
        values = {**closure_form(**change), "confirmed": "1"}
        response = await post_form(client, path, values, page=path)
        assert response.status_code == 400, change
        text = visible_text(response.text)
        assert expected in text, change
        assert "Nothing was closed." in text
        if change.get("reason") != "":
            assert 'value="Provincial tournament"' in response.text  # the form keeps it
    assert await Closure.all().count() == 0
    assert all(b.status == BookingStatus.CONFIRMED for b in await Booking.all())
    assert len(made) == 3


async def test_reopen_from_the_list(client: httpx.AsyncClient) -> None:
    hall_id, _made = await _booked_hall()
    await log_in(client, await make_member(role=Role.STAFF, language="en"))
    path = f"/staff/facilities/{hall_id}/closures"
    await post_form(client, path, {**closure_form(), "confirmed": "1"}, page=path)
    closure = await Closure.get()
    page = await client.get(path)
    assert f'action="/staff/closures/{closure.id}/delete"' in page.text
    response = await post_form(client, f"/staff/closures/{closure.id}/delete", {}, page=path)
    assert response.status_code == 303
    assert response.headers["location"] == path
    text = visible_text((await client.get(path)).text)
    assert "Reopened. Bookings cancelled by the closure stay cancelled." in text
    assert "No upcoming closures." in text
    assert not await Closure.exists(id=closure.id)
    missing = await post_form(client, f"/staff/closures/{closure.id}/delete", {}, page=path)
    assert missing.status_code == 404


async def test_members_cannot_close_or_reopen(client: httpx.AsyncClient) -> None:
    hall_id, made = await _booked_hall()
    closure = await Closure.create(
        facility_id=hall_id,
        starts_at=clock.now() + timedelta(days=3),
        ends_at=clock.now() + timedelta(days=4),
        reason="比赛",
    )
    await log_in(client, await make_member())
    path = f"/staff/facilities/{hall_id}/closures"
    assert (await client.get(path)).status_code == 403
    values = {**closure_form(), "confirmed": "1"}
    assert (await post_form(client, path, values, page="/")).status_code == 403
    reopen = f"/staff/closures/{closure.id}/delete"
    assert (await post_form(client, reopen, {}, page="/")).status_code == 403
    assert await Closure.all().count() == 1
    assert all(b.status == BookingStatus.CONFIRMED for b in await Booking.all())
    assert len(made) == 3
