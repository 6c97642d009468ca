"""A member's data: a copy of all of it and nothing of anyone else's; closing the account
gives places back, keeps the bookings and the audit trail, and leaves no personal field."""

import json

import pytest
from tortoise import Tortoise

from palace.models import (
    AuditEvent,
    Booking,
    BookingStatus,
    Child,
    Member,
    MemberStatus,
    Notification,
    OutboundChoice,
    PartnerInvitation,
    Role,
    Slot,
    Strike,
    WaitlistEntry,
    WaitStatus,
)
from palace.services.accounts import accounts, children, data_rights
from palace.services.booking import bookings, calendars, partners
from palace.services.core.errors import AccountError, NotAllowed
from palace.services.waitlist import waitlists
from tests.helpers import PASSWORD, add_partners, court, make_hall, make_member, slot_at

NAME, PHONE, CARD = "欧阳注销", "13912345678", "CLOSE9876"
CHILD = "欧阳小宝"


async def _closing_member() -> Member:
    member = await accounts.register(card_no=CARD, name=NAME, phone=PHONE, password=PASSWORD)
    await children.add(member_id=member.id, name=CHILD, birth_year="2017")
    return member


async def _life(member: Member, other: Member) -> dict[str, int]:
    """Bookings, a child's place, a partner place, a line and a strike, beside another's."""
    hall = await make_hall()
    c1, c2 = await court(hall, 1), await court(hall, 2)
    mine = await bookings.book(member_id=member.id, resource_id=c1.id, starts_at=slot_at(1, 10))
    theirs = await bookings.book(member_id=other.id, resource_id=c2.id, starts_at=slot_at(1, 10))
    # The member is the other's partner; the other is named on the member's booking.
    partnered = await bookings.book(member_id=other.id, resource_id=c1.id, starts_at=slot_at(1, 12))
    await add_partners(other.id, partnered.id, [member])
    await partners.set_partners(member_id=member.id, booking_id=mine.id, card_nos=[other.card_no])
    # The member waits for a court a third member holds.
    third = await make_member()
    full = await bookings.book(member_id=third.id, resource_id=c2.id, starts_at=slot_at(2, 9))
    await waitlists.join(member_id=member.id, slot_id=full.slot_id, mode="auto")
    await Strike.create(member_id=member.id, booking_id=mine.id, at=slot_at(1, 10))
    await OutboundChoice.create(member_id=member.id, kind="booked")
    await calendars.create_or_reset_feed(member_id=member.id)
    return {"mine": mine.id, "theirs": theirs.id, "partnered": partnered.id, "full": full.slot_id}


async def test_the_export_holds_the_members_data_and_nothing_of_another_members() -> None:
    member, other = await _closing_member(), await make_member(name="别人家的会员")
    ids = await _life(member, other)
    data = await data_rights.export(member_id=member.id)
    text = json.dumps(data, ensure_ascii=False)
    assert data["profile"]["name"] == NAME and data["profile"]["card_no"] == CARD
    assert [c["name"] for c in data["children"]] == [CHILD]
    assert [b["id"] for b in data["bookings"]] == [ids["mine"]]
    assert [i["booking_id"] for i in data["partner_invitations"]["received"]] == [ids["partnered"]]
    assert [i["booking_id"] for i in data["partner_invitations"]["sent"]] == [ids["mine"]]
    assert [e["slot_id"] for e in data["waitlist_entries"]] == [ids["full"]]
    assert data["messages"] and all(m["kind"] for m in data["messages"])
    assert [s["booking_id"] for s in data["strikes"]["strikes"]] == [ids["mine"]]
    about = {(e["entity"], e["entity_id"], e["action"]) for e in data["audit_events"]}
    assert ("booking", ids["mine"], "book") in about
    assert ("booking", ids["theirs"], "book") not in about
    # Nothing of the other member's: not their bookings, name, card or phone.
    for theirs in (other.name, other.card_no, other.phone):
        assert theirs not in text, theirs
    assert all(b["id"] != ids["theirs"] for b in data["bookings"])


async def _every_row() -> str:
    """The whole database as text, to search for what must be gone."""
    rows = []
    for model in Tortoise.apps.get_models_iterable():  # type: ignore[union-attr]
        rows.extend(str(row) for row in await model.all().values())
    return "\n".join(rows)


async def test_closing_frees_places_keeps_the_trail_and_no_personal_field_survives() -> None:
    member, other = await _closing_member(), await make_member()
    ids = await _life(member, other)
    assert NAME in await _every_row() and CARD in await _every_row()
    events_before = await AuditEvent.all().count()
    kept = await Booking.filter(member_id=member.id).count()
    await data_rights.close(member_id=member.id, password=PASSWORD)
    # The place is everyone's again, through the booking core's release.
    mine = await Booking.get(id=ids["mine"])
    assert mine.status == BookingStatus.CANCELLED_BY_PALACE
    assert (await Slot.get(id=mine.slot_id)).taken == 0
    assert await Booking.filter(member_id=member.id).count() == kept
    entry = await WaitlistEntry.get(member_id=member.id)
    assert entry.status == WaitStatus.LEFT
    # Kept: every audit event, and one more saying the account was closed.
    assert await AuditEvent.all().count() > events_before
    assert await AuditEvent.exists(entity="member", entity_id=member.id, action="account_closed")
    # No personal field left anywhere in the database.
    everything = await _every_row()
    for personal in (NAME, PHONE, CARD, CHILD):
        assert personal not in everything, personal
    closed = await Member.get(id=member.id)
    assert closed.name == f"已注销会员 #{member.id}" and closed.status == MemberStatus.DISABLED
    assert await Child.filter(parent_id=member.id, active=True).count() == 0
    assert not await OutboundChoice.exists(member_id=member.id)
    assert await PartnerInvitation.filter(member_id=member.id).count() == 1  # the row stays
    # Nobody can log in with the old card, phone or password.
    for login in (CARD, PHONE, f"closed-{member.id}"):
        with pytest.raises(AccountError):
            await accounts.authenticate(login=login, password=PASSWORD, address="192.0.2.1")


async def test_closing_needs_the_password_and_is_for_members_only() -> None:
    member = await _closing_member()
    with pytest.raises(AccountError) as refused:
        await data_rights.close(member_id=member.id, password="not-my-password")
    assert refused.value.fields == {"password": "wrong_password"}
    assert (await Member.get(id=member.id)).name == NAME
    clerk = await make_member(role=Role.DESK)
    with pytest.raises(NotAllowed):
        await data_rights.close(member_id=clerk.id, password=PASSWORD)
    assert not await Notification.filter(member_id=member.id, kind="account_closed").exists()
    assert (await Member.get(id=clerk.id)).status == MemberStatus.ACTIVE
