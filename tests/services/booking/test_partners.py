"""Partners agree: named partners are invited, see the booking once they accept, may
decline or leave; an unknown card is answered exactly like a member's."""

import pytest

from palace.models import AuditEvent, BookingPartner, InvitationStatus, Notification
from palace.services.booking import booking_views, bookings, calendars, partners, timetable
from palace.services.booking.bookings import BookingError
from palace.services.core import clock
from palace.services.messages import inbox
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
    accepted = partners.ANSWERED[InvitationStatus.ACCEPTED]
    assert await Notification.filter(member_id=owner_id, kind=accepted).count() == 1

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


MARKUP_BOOKER = "<i>李</i> 50%"
MARKUP_PARTNER = "<b>孙</b> 100%"


async def _texts(member_id: int) -> dict[str, list[str]]:
    """Each message the member has, newest first, as title and text in both languages."""
    found = {}
    for lang in ("zh-CN", "en"):
        items = await inbox.items(member_id=member_id, lang=lang)
        found[lang] = [f"{i.title}: {i.text}" for i in items]
    return found


async def test_every_partner_message_says_who_invited_whom_to_what() -> None:
    hall = await make_hall(partners_allowed=True)
    owner = await make_member(name=MARKUP_BOOKER)
    booking = await bookings.book(
        member_id=owner.id, resource_id=(await court(hall)).id, starts_at=slot_at()
    )
    partner = await make_member(name=MARKUP_PARTNER)
    other = await make_member()
    cards = [partner.card_no, other.card_no]
    await partners.set_partners(member_id=owner.id, booking_id=booking.id, card_nos=cards)
    invited = await _texts(partner.id)
    [zh] = invited["zh-CN"]
    assert zh.startswith(f"同伴邀请: {MARKUP_BOOKER} 邀请您作为同伴一起打球：羽毛球馆 · 1号场，")
    assert zh.endswith(" 10:00。请打开邀请选择接受或谢绝；接受后您才加入这个预约。")
    assert invited["en"][0].startswith(
        f"Invitation to play as a partner: {MARKUP_BOOKER} invites you to play as a partner: "
        "Badminton hall · Court 1, "
    )
    note = await Notification.get(member_id=partner.id)
    assert note.kind == partners.INVITED
    assert (await inbox.items(member_id=partner.id, lang="en"))[0].link == (
        f"/bookings/{booking.id}/invitation",
        "See the invitation",
    )

    await partners.answer(member_id=partner.id, booking_id=booking.id, accept=True)
    await partners.answer(member_id=other.id, booking_id=booking.id, accept=False)
    await partners.leave(member_id=partner.id, booking_id=booking.id)
    told = await _texts(owner.id)
    left, declined, accepted = told["zh-CN"][:3]  # the last is the booking itself
    assert accepted.startswith(
        f"同伴已接受: <**（卡号 {partner.card_no}）已接受您的邀请，"
        "成为这个预约的同伴：羽毛球馆 · 1号场，"
    )
    assert declined.startswith(
        f"同伴已谢绝: 卡号 {other.card_no} 的持卡人谢绝了您的邀请：羽毛球馆 · 1号场，"
    )
    assert left.startswith(f"同伴已退出: <**（卡号 {partner.card_no}）已退出您的预约：羽毛球馆")
    assert all(MARKUP_PARTNER not in t and "孙" not in t for t in told["zh-CN"] + told["en"])
    left, declined, accepted = told["en"][:3]
    assert accepted.startswith(
        f"Partner accepted: <** (card {partner.card_no}) accepted your invitation and is now "
        "a partner on Badminton hall · Court 1, "
    )
    assert declined.startswith(f"Partner declined: The holder of card {other.card_no} declined")
    assert left.startswith(f"Partner left: <** (card {partner.card_no}) left your booking")
    links = [i.link for i in await inbox.items(member_id=owner.id, lang="en")]
    assert links[:3] == [(f"/bookings/{booking.id}", "See the booking")] * 3


async def test_a_message_written_before_kinds_had_words_reads_from_its_booking() -> None:
    """Rows written before the messages said anything hold only a name or an answer."""
    hall = await make_hall(partners_allowed=True)
    owner = await make_member(name=MARKUP_BOOKER)
    booking = await bookings.book(
        member_id=owner.id, resource_id=(await court(hall)).id, starts_at=slot_at()
    )
    partner = await make_member()
    detail = {"invitation_id": 1, "from": MARKUP_BOOKER}
    await Notification.create(
        member_id=partner.id, kind=partners.INVITED, booking_id=booking.id, detail=detail
    )
    answer = {"card": partner.card_no, "answer": "accepted"}
    await Notification.create(
        member_id=owner.id, kind="partner_answer", booking_id=booking.id, detail=answer
    )
    invited = (await _texts(partner.id))["zh-CN"][0]
    assert invited.startswith(
        f"同伴邀请: {MARKUP_BOOKER} 邀请您作为同伴一起打球：羽毛球馆 · 1号场，"
    )
    accepted = (await _texts(owner.id))["zh-CN"][0]
    assert accepted.startswith(f"同伴已接受: {partner.card_no}（卡号 {partner.card_no}）已接受")


async def test_the_booker_withdraws_an_unanswered_invitation_only() -> None:
    owner_id, booking_id, _hall = await _booked()
    member = await make_member()
    invited = await partners.set_partners(
        member_id=owner_id, booking_id=booking_id, card_nos=["99999999", member.card_no]
    )
    wrong, right = invited
    await partners.answer(member_id=member.id, booking_id=booking_id, accept=True)
    for who, invitation, code in [
        (member.id, wrong, "unknown_booking"),  # not the booker
        (owner_id, right, "unknown_invitation"),  # answered already
    ]:
        with pytest.raises(BookingError) as caught:
            await partners.withdraw(
                member_id=who, booking_id=booking_id, invitation_id=invitation.id
            )
        assert caught.value.code == code
    await partners.withdraw(member_id=owner_id, booking_id=booking_id, invitation_id=wrong.id)
    owners = await booking_views.booking_view(member_id=owner_id, booking_id=booking_id)
    assert owners.invitations == [] and [p.id for p in owners.partners] == [member.id]
    event = await AuditEvent.get(entity_id=booking_id, action="partner_withdrawn")
    assert (event.actor_id, event.detail) == (owner_id, {"card": "99999999"})


async def test_the_invited_member_finds_their_invitation_in_any_state() -> None:
    owner_id, booking_id, _hall = await _booked()
    member = await make_member()
    assert await partners.invitation_of(member_id=member.id, booking_id=booking_id) is None
    await partners.set_partners(
        member_id=owner_id, booking_id=booking_id, card_nos=[member.card_no]
    )
    found = await partners.invitation_of(member_id=member.id, booking_id=booking_id)
    assert found is not None and found.open and found.booking.member.id == owner_id
    await partners.answer(member_id=member.id, booking_id=booking_id, accept=False)
    found = await partners.invitation_of(member_id=member.id, booking_id=booking_id)
    assert found is not None and not found.open
    assert found.invitation.status == InvitationStatus.DECLINED
