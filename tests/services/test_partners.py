"""Partners agree: named partners are invited, see the booking once they accept, may
decline or leave; an unknown card is answered exactly like a member's."""

import pytest

from palace.models import AuditEvent, BookingPartner, InvitationStatus, Notification
from palace.services import booking_views, bookings, calendars, clock, partners, timetable
from palace.services.bookings import BookingError
from tests.helpers import court, make_hall, make_member, slot_at


async def _booked() -> tuple[int, int, object]:
    hall = await make_hall(partners_allowed=True)
    owner = await make_member()
    booking = await bookings.book(
        member_id=owner.id, resource_id=(await court(hall)).id, starts_at=slot_at()
    )
    return owner.id, booking.id, hall


async def _sees(member_id: int, booking_id: int) -> bool:
    try:
        await booking_views.booking_view(member_id=member_id, booking_id=booking_id)
    except BookingError:
        return False
    return True


async def test_an_invited_partner_sees_nothing_until_they_accept() -> None:
    owner_id, booking_id, hall = await _booked()
    partner = await make_member()
    await partners.set_partners(
        member_id=owner_id, booking_id=booking_id, card_nos=[partner.card_no.lower(), ""]
    )
    note = await Notification.get(member_id=partner.id)
    assert (note.kind, note.booking_id) == (partners.INVITED, booking_id)
    assert not await _sees(partner.id, booking_id)
    assert (await booking_views.member_bookings(member_id=partner.id)).upcoming == []
    day = await timetable.day(member_id=partner.id, code=hall.code, day=clock.local_day(slot_at()))
    assert all(c.state != "mine" for row in day.rows for c in row.cells)
    feed = await calendars.create_or_reset_feed(member_id=partner.id)
    assert f"booking-{booking_id}@palace" not in await calendars.feed_ics(token=feed.token)
    waiting = await partners.invitations_for(member_id=partner.id)
    assert [i.booking.id for i in waiting] == [booking_id]
    owners = await booking_views.booking_view(member_id=owner_id, booking_id=booking_id)
    assert owners.partners == []
    assert [(i.card_no, i.status) for i in owners.invitations] == [
        (partner.card_no, InvitationStatus.PENDING)
    ]

    await partners.answer(member_id=partner.id, booking_id=booking_id, accept=True)
    assert await _sees(partner.id, booking_id)
    assert f"booking-{booking_id}@palace" in await calendars.feed_ics(token=feed.token)
    owners = await booking_views.booking_view(member_id=owner_id, booking_id=booking_id)
    assert [p.id for p in owners.partners] == [partner.id] and owners.invitations == []
    assert await Notification.filter(member_id=owner_id, kind=partners.ANSWERED).count() == 1

    await partners.leave(member_id=partner.id, booking_id=booking_id)
    assert not await _sees(partner.id, booking_id)
    assert not await BookingPartner.exists(booking_id=booking_id)
    actions = await AuditEvent.filter(entity_id=booking_id).values_list("action", flat=True)
    assert {"partners", "partner_accepted", "partner_left"} <= set(actions)


async def test_a_declined_invitation_shows_declined_to_the_booker_only() -> None:
    owner_id, booking_id, _hall = await _booked()
    partner = await make_member()
    await partners.set_partners(
        member_id=owner_id, booking_id=booking_id, card_nos=[partner.card_no]
    )
    await partners.answer(member_id=partner.id, booking_id=booking_id, accept=False)
    assert not await _sees(partner.id, booking_id)
    with pytest.raises(BookingError) as caught:
        await partners.answer(member_id=partner.id, booking_id=booking_id, accept=True)
    assert caught.value.code == "unknown_invitation"
    owners = await booking_views.booking_view(member_id=owner_id, booking_id=booking_id)
    assert [i.status for i in owners.invitations] == [InvitationStatus.DECLINED]


async def test_an_unknown_card_is_answered_like_a_members_card() -> None:
    owner_id, booking_id, _hall = await _booked()
    member = await make_member()
    invited = await partners.set_partners(
        member_id=owner_id, booking_id=booking_id, card_nos=[member.card_no, "NOPE1234"]
    )
    assert [i.card_no for i in invited] == [member.card_no, "NOPE1234"]
    owners = await booking_views.booking_view(member_id=owner_id, booking_id=booking_id)
    shown = [(i.card_no, i.status) for i in owners.invitations]
    assert shown == [(member.card_no, "pending"), ("NOPE1234", "pending")]


async def test_bad_partner_lists_are_refused_and_change_nothing() -> None:
    owner_id, booking_id, _hall = await _booked()
    owner = await booking_views.booking_view(member_id=owner_id, booking_id=booking_id)
    for cards, code in [
        ([owner.owner.card_no], "partner_is_self"),
        (["A1111", "A2222", "A3333", "A4444"], "too_many_partners"),
        (["X" * 40], "partner_card_invalid"),
        (["卡号一二三四"], "partner_card_invalid"),
        (["AB\x00CD12345678901234567"], "partner_card_invalid"),
    ]:
        with pytest.raises(BookingError) as caught:
            await partners.set_partners(member_id=owner_id, booking_id=booking_id, card_nos=cards)
        assert caught.value.code == code
        assert "\x00" not in str(caught.value.params.get("card", ""))
    assert await Notification.filter(kind=partners.INVITED).count() == 0


def test_names_are_masked_one_way() -> None:
    assert [partners.masked(n) for n in ("李", "李娜", "欧阳明月")] == ["李*", "李*", "欧**"]
