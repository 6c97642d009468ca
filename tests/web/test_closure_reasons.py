"""Members see why the palace closed something: on the cancelled booking, on the closed
cell of the timetable (a tap opens the reason), and in the message, which names the
courts that were free at the same time."""

from datetime import timedelta

import httpx
import pytest

from palace.models import Booking, BookingStatus, Notification, Role
from palace.services.booking import bookings
from palace.services.core import clock
from palace.services.facilities import closures
from palace.services.messages import notices
from tests.helpers import court, log_in, make_hall, make_member, slot_at

REASON = "羽毛球比赛：<b>50%</b> 场地"  # as staff typed it, markup and % included


async def _close(hall_id: int, resource_id: int | None, hour: int) -> None:
    staff = await make_member(role=Role.STAFF)
    await closures.close(
        actor_id=staff.id,
        facility_id=hall_id,
        resource_id=resource_id,
        starts_at=slot_at(1, hour),
        ends_at=slot_at(1, hour) + timedelta(hours=1),
        reason=REASON,
    )


def _escaped(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
async def test_the_cancelled_booking_says_why(client: httpx.AsyncClient, lang: str) -> None:
    hall = await make_hall(courts=3)
    member = await make_member(language=lang)
    booking = await bookings.book(
        member_id=member.id, resource_id=(await court(hall)).id, starts_at=slot_at(1, 10)
    )
    await _close(hall.id, (await court(hall)).id, 10)
    assert (await Booking.get(id=booking.id)).status == BookingStatus.CANCELLED_BY_PALACE
    await log_in(client, member)
    said = {"zh-CN": "文化宫已取消：", "en": "Cancelled by the palace: "}[lang]
    for path in (f"/bookings/{booking.id}", "/bookings"):
        page = await client.get(path)
        assert page.status_code == 200
        assert said + _escaped(REASON) in page.text, path
        assert "<b>50%" not in page.text


async def test_a_closed_cell_opens_its_reason_on_a_tap(client: httpx.AsyncClient) -> None:
    hall = await make_hall(courts=2)
    await _close(hall.id, (await court(hall, 2)).id, 10)
    await log_in(client, await make_member())
    day = (clock.today() + timedelta(days=1)).isoformat()
    page = await client.get(f"/book/{hall.code}?day={day}")
    cell = page.text.split(
        f'id="cell-{(await court(hall, 2)).id}-{int(slot_at(1, 10).timestamp())}"'
    )[1]
    cell = cell.split("</td>")[0]
    assert '<details class="closed-why"><summary>关闭</summary>' in cell
    assert f"<p>{_escaped(REASON)}</p>" in cell


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
async def test_the_message_names_the_reason_and_the_free_courts(lang: str) -> None:
    hall = await make_hall(courts=3)
    c1, c2 = await court(hall, 1), await court(hall, 2)
    member, rival = await make_member(language=lang), await make_member()
    booking = await bookings.book(member_id=member.id, resource_id=c1.id, starts_at=slot_at(1, 10))
    await bookings.book(member_id=rival.id, resource_id=c2.id, starts_at=slot_at(1, 10))
    await _close(hall.id, c1.id, 10)
    told = await Notification.get(
        member_id=member.id, booking_id=booking.id, kind=closures.CANCELLED_KIND
    )
    text = notices.text(told, lang, await notices.places_for([told]))
    assert REASON in text
    free = {"zh-CN": "3号场", "en": "Court 3"}[lang]
    taken = {"zh-CN": "2号场", "en": "Court 2"}[lang]
    assert free in text.split(REASON)[0] and taken not in text.split(REASON)[0]
    if lang == "en":
        assert "Free at the same time when it was cancelled: Court 3." in text


async def test_with_the_whole_hall_closed_no_court_is_offered() -> None:
    hall = await make_hall(courts=2)
    member = await make_member(language="en")
    booking = await bookings.book(
        member_id=member.id, resource_id=(await court(hall)).id, starts_at=slot_at(1, 10)
    )
    await _close(hall.id, None, 10)
    told = await Notification.get(
        member_id=member.id, booking_id=booking.id, kind=closures.CANCELLED_KIND
    )
    text = notices.text(told, "en", await notices.places_for([told]))
    assert "Free at the same time" not in text and text.endswith(f"Reason: {REASON}")
