from datetime import timedelta

import httpx

from palace.models import Booking, BookingStatus, Role
from palace.services.booking import bookings
from palace.services.core import clock
from palace.services.facilities import closures
from tests.helpers import (
    add_partners,
    court,
    log_in,
    make_hall,
    make_member,
    post_form,
    slot_at,
    visible_text,
)


async def test_staff_list_a_days_bookings(client: httpx.AsyncClient) -> None:
    hall = await make_hall(partners_allowed=True)
    owner = await make_member(name="Zhao Hong")
    partner = await make_member(name="Qian Li")
    other_day = await make_member(name="Sun Mei")
    booking = await bookings.book(
        member_id=owner.id, resource_id=(await court(hall)).id, starts_at=slot_at(hour=19)
    )
    await add_partners(owner.id, booking.id, [partner])
    await bookings.book(
        member_id=other_day.id, resource_id=(await court(hall)).id, starts_at=slot_at(days=2)
    )
    await log_in(client, await make_member(role=Role.STAFF, language="en"))
    tomorrow = (clock.today() + timedelta(days=1)).isoformat()
    page = await client.get(f"/staff/facilities/{hall.id}/bookings", params={"day": tomorrow})
    assert page.status_code == 200
    row = page.text.split(f'id="booking-{booking.id}"')[1].split("</tr>")[0]
    assert "19:00–20:00" in visible_text(row)
    assert "Zhao Hong" in row and owner.card_no in row and "Court 1" in row
    assert "Confirmed" in row
    assert visible_text(row).endswith("1")  # one partner
    assert f'href="/staff/bookings/{booking.id}"' in row
    assert "Sun Mei" not in page.text
    today = await client.get(f"/staff/facilities/{hall.id}/bookings")
    assert "No bookings on this day." in visible_text(today.text)


async def test_a_bad_day_is_explained(client: httpx.AsyncClient) -> None:
    hall = await make_hall()
    await log_in(client, await make_member(role=Role.STAFF, language="en"))
    for day in ("2026-13-01", "tomorrow", "0001-01-01", "9999-12-31"):
        page = await client.get(f"/staff/facilities/{hall.id}/bookings", params={"day": day})
        assert page.status_code == 400, day
        assert "Enter a date as YYYY-MM-DD, e.g. 2026-11-20." in visible_text(page.text)
    assert (await client.get("/staff/facilities/999999/bookings")).status_code == 404


async def test_staff_read_a_bookings_history(client: httpx.AsyncClient) -> None:
    hall = await make_hall()
    owner = await make_member(name="Zhao Hong")
    staff = await make_member(role=Role.STAFF, name="Zhang Wei", language="en")
    booking = await bookings.book(
        member_id=owner.id, resource_id=(await court(hall)).id, starts_at=slot_at()
    )
    await closures.close(
        actor_id=staff.id,
        facility_id=hall.id,
        resource_id=None,
        starts_at=slot_at(hour=8),
        ends_at=slot_at(hour=18),
        reason="Tournament",
    )
    await log_in(client, staff)
    page = await client.get(f"/staff/bookings/{booking.id}")
    assert page.status_code == 200
    history = visible_text(page.text.split('id="history"')[1])
    booked, closed = history.split("Booked")[1], history.split("Cancelled for a closure")[1]
    assert history.index("Zhao Hong") < history.index("Booked") < history.index("Zhang Wei")
    assert "Confirmed" in booked.split("Zhang Wei")[0]
    assert closed.lstrip().startswith("Confirmed → Cancelled by the palace Reason: Tournament")
    assert "Cancelled by the palace" in visible_text(page.text.split('id="history"')[0])


async def test_members_cannot_look_up_bookings(client: httpx.AsyncClient) -> None:
    hall = await make_hall()
    member = await make_member()
    booking = await bookings.book(
        member_id=member.id, resource_id=(await court(hall)).id, starts_at=slot_at()
    )
    await log_in(client, member)
    assert (await client.get(f"/staff/facilities/{hall.id}/bookings")).status_code == 403
    # Not even their own booking, through the staff page.
    assert (await client.get(f"/staff/bookings/{booking.id}")).status_code == 403


async def test_staff_cancel_a_booking_with_a_reason(client: httpx.AsyncClient) -> None:
    hall = await make_hall()
    owner = await make_member(name="Zhao Hong")
    booking = await bookings.book(
        member_id=owner.id, resource_id=(await court(hall)).id, starts_at=slot_at()
    )
    await log_in(client, await make_member(role=Role.STAFF, language="en"))
    page = await client.get(f"/staff/bookings/{booking.id}")
    assert 'id="staff-cancel"' in page.text and "the member is told" in page.text
    url = f"/staff/bookings/{booking.id}/cancel"
    refused = await post_form(client, url, {"reason": ""}, page=f"/staff/bookings/{booking.id}")
    assert refused.status_code == 303
    after = visible_text((await client.get(refused.headers["location"])).text)
    assert "Enter a reason for cancelling" in after
    done = await post_form(client, url, {"reason": "Leak"}, page=f"/staff/bookings/{booking.id}")
    assert done.status_code == 303
    shown = await client.get(done.headers["location"])
    history = visible_text(shown.text.split('id="history"')[1])
    assert "Cancelled by staff" in history and "Reason: Leak" in history
    assert 'id="staff-cancel"' not in shown.text
    assert (await Booking.get(id=booking.id)).status == BookingStatus.CANCELLED_BY_PALACE
    assert (
        await post_form(client, "/staff/bookings/999999/cancel", {"reason": "x"}, page="/staff")
    ).status_code == 404
