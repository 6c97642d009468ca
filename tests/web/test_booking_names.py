"""One place names a booking everywhere (services/booking/booking_names): a court by its hall
and court, a class by its name and the child it is for, never the room twice."""

from datetime import datetime

import httpx
import pytest

from palace.models import Booking, Child, ClassSession, Facility, Notification, Resource, Role
from palace.services.booking import releases
from palace.services.classes import class_sessions, classes
from palace.services.messages import inbox
from palace.services.waitlist import promotions, waitlists
from tests.class_helpers import freeze, make_class_type, make_room, make_schedule
from tests.helpers import log_in, make_member, visible_text

TWICE = "多功能厅 · 多功能厅"


@pytest.fixture(autouse=True)
def monday_morning(monkeypatch: pytest.MonkeyPatch) -> None:
    freeze(monkeypatch, datetime(2026, 11, 23, 10, 0))


async def _session_in_a_room_named_like_its_hall(**values: object) -> ClassSession:
    """A class in 多功能厅 (the room) of 多功能厅 (the hall), as at the palace."""
    room = await make_room()
    await Facility.filter(id=room.facility_id).update(name_zh="多功能厅", name_en="Function hall")
    await Resource.filter(id=room.id).update(name_zh="多功能厅", name_en="Function hall")
    schedule = await make_schedule(room, **values)
    session = await ClassSession.filter(schedule_id=schedule.id).order_by("starts_at").first()
    assert session is not None
    return session


async def test_the_desk_names_a_class_booking_by_its_class(client: httpx.AsyncClient) -> None:
    session = await _session_in_a_room_named_like_its_hall()
    member = await make_member()
    await classes.book(member_id=member.id, session_id=session.id)
    await log_in(client, await make_member(role=Role.DESK))
    page = visible_text((await client.get(f"/desk/members/{member.id}")).text)
    assert "19:30–20:30 已确认 瑜伽" in page
    assert TWICE not in page


async def test_a_line_and_an_offer_are_named_by_the_class_on_every_page(
    client: httpx.AsyncClient,
) -> None:
    session = await _session_in_a_room_named_like_its_hall(capacity="1")
    holder = await make_member()
    held = await classes.book(member_id=holder.id, session_id=session.id)
    member = await make_member()
    await waitlists.join(member_id=member.id, slot_id=session.slot_id, mode="ask")
    await log_in(client, member)
    line = visible_text((await client.get(f"/waitlist/{session.slot_id}")).text)
    mine = visible_text((await client.get("/bookings")).text)
    assert "瑜伽" in line and "瑜伽" in mine
    await releases.cancel(member_id=holder.id, booking_id=held.id)
    await promotions.promote(slot_id=session.slot_id)  # "ask me first": an offer
    offer = visible_text((await client.get("/bookings")).text)
    assert "瑜伽" in offer and "接受名额" in offer
    for page in (line, mine, offer):
        assert TWICE not in page


async def test_messages_about_a_childs_class_name_the_child() -> None:
    club = await make_class_type(code="club", name_zh="少儿托管", name_en="Kids club",
                                 children=True)  # fmt: skip
    session = await _session_in_a_room_named_like_its_hall(class_type=club)
    parent = await make_member()
    child = await Child.create(parent_id=parent.id, name="<b>小明 50%</b>", birth_year=2018)
    booking = await classes.book(member_id=parent.id, session_id=session.id, child_id=child.id)
    staff = await make_member(role=Role.STAFF)
    await class_sessions.cancel_session(actor_id=staff.id, session_id=session.id, reason="停电")
    note = await Notification.get(member_id=parent.id, kind="class_cancelled")
    assert note.booking_id == booking.id
    for lang, name in (("zh-CN", "少儿托管"), ("en", "Kids club")):
        shown = (await inbox.items(member_id=parent.id, lang=lang))[0]
        # The child's name as typed, beside the class; the room is not the name.
        assert f"{name} · <b>小明 50%</b>" in shown.text, shown.text
        assert TWICE not in shown.text
    assert await Booking.filter(child_id=child.id).count() == 1


async def test_a_class_ticket_scanned_and_its_no_show_are_named_by_the_class(
    client: httpx.AsyncClient,
) -> None:
    from palace.services.booking import tickets
    from palace.services.desk import strikes

    session = await _session_in_a_room_named_like_its_hall()
    member = await make_member()
    booking = await classes.book(member_id=member.id, session_id=session.id)
    await log_in(client, await make_member(role=Role.DESK))
    scanned = visible_text(
        (await client.get(f"/desk/scan?code={tickets.token_for(booking.id)}")).text
    )
    assert "瑜伽" in scanned and TWICE not in scanned
    await strikes.record(booking)
    desk_page = visible_text((await client.get(f"/desk/members/{member.id}")).text)
    assert desk_page.count("瑜伽") >= 2 and TWICE not in desk_page
    client.cookies.clear()
    await log_in(client, await make_member(role=Role.STAFF))
    for address in ("/staff/strikes", f"/staff/members/{member.id}/strikes"):
        page = visible_text((await client.get(address)).text)
        assert "瑜伽" in page and TWICE not in page, address
