"""An offer lasts at least as long as the member's channel takes to reach them."""

from datetime import timedelta

import pytest

from palace.models import Booking, BookingStatus, Member, Slot, WaitlistEntry
from palace.services.booking import bookings, releases
from palace.services.core import clock
from palace.services.messages import channels, contacts, deliveries
from palace.services.waitlist import promotions, waitlists
from tests.helpers import court, make_hall, make_member, slot_at
from tests.outbound_servers import WEBHOOK_SECRET, fresh_outbound, outbound_env

__all__ = ["fresh_outbound"]


@pytest.fixture(autouse=True)
def channels_set_up(monkeypatch: pytest.MonkeyPatch) -> None:
    # Nothing is sent in these tests: the channels only need to exist to be picked.
    outbound_env(
        monkeypatch, sms_secret_id="AKID", sms_secret_key="k", sms_app_id="1", sms_sign_name="s",
        webhook_url="http://127.0.0.1:9/", webhook_secret=WEBHOOK_SECRET,
        delivery_minutes="sms=3",
    )  # fmt: skip


async def _wants_offers_by(member: Member, *picked: str) -> None:
    await channels.choose(member_id=member.id, kinds=["waitlist_offer"])
    await contacts.save(
        member_id=member.id, email="", channels=list(picked), quiet_start="", quiet_end=""
    )


async def test_the_reach_time_is_the_slowest_chosen_channels() -> None:
    member = await make_member()
    assert await deliveries.reach_time(member_id=member.id, kind="waitlist_offer") == timedelta(0)
    await _wants_offers_by(member, "webhook")
    assert await deliveries.reach_time(member_id=member.id, kind="waitlist_offer") == timedelta(0)
    await _wants_offers_by(member, "webhook", "sms")
    reach = await deliveries.reach_time(member_id=member.id, kind="waitlist_offer")
    assert reach == timedelta(minutes=3)
    # Not asked for outside the app: only the inbox, at once.
    assert await deliveries.reach_time(member_id=member.id, kind="reminder") == timedelta(0)


async def _offered(member: Member) -> timedelta:
    """Offer ``member`` a freed place; how long the offer lasts."""
    hall = await make_hall(code=f"r{member.id}", offer_minutes=20)
    holder = await make_member()
    booking = await bookings.book(
        member_id=holder.id, resource_id=(await court(hall)).id, starts_at=slot_at(days=2)
    )
    entry = await waitlists.join(member_id=member.id, slot_id=booking.slot_id, mode="ask")
    await releases.cancel(member_id=holder.id, booking_id=booking.id)
    assert (await Booking.get(id=booking.id)).status == BookingStatus.CANCELLED
    await promotions.promote(slot_id=(await Slot.get(id=booking.slot_id)).id)
    offered = await WaitlistEntry.get(id=entry.id)
    assert offered.offer_expires_at is not None
    return clock.utc(offered.offer_expires_at) - clock.now()


async def test_an_offer_by_sms_lasts_its_time_plus_the_time_to_reach_the_member() -> None:
    by_sms, in_app = await make_member(), await make_member()
    await _wants_offers_by(by_sms, "sms")
    assert timedelta(minutes=22) < await _offered(by_sms) <= timedelta(minutes=23)
    assert timedelta(minutes=19) < await _offered(in_app) <= timedelta(minutes=20)
