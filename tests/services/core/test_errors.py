"""Unknown ids are NotFound wherever they are asked for, and still the domain's error."""

import pytest

from palace.services.accounts import accounts
from palace.services.booking import bookings
from palace.services.booking.bookings import BookingError
from palace.services.classes import class_sessions
from palace.services.classes.class_sessions import ClassError
from palace.services.core.errors import AccountError, NotFound
from palace.services.facilities import closures, facilities
from palace.services.facilities.closures import ClosureError
from palace.services.waitlist import waitlists
from tests.helpers import make_member

MISSING = 999_999


async def test_unknown_ids_are_not_found_and_keep_their_domain() -> None:
    member = await make_member()
    asked = [
        (bookings.cancel(member_id=member.id, booking_id=MISSING), BookingError, "unknown_booking"),
        (class_sessions.scheduled(MISSING), ClassError, "unknown_session"),
        (closures.reopen(actor_id=member.id, closure_id=MISSING), ClosureError, "unknown_closure"),
        (accounts.get_member(member_id=MISSING), AccountError, "unknown_member"),
        (waitlists.leave(member_id=member.id, entry_id=MISSING), NotFound, "unknown_entry"),
        (facilities.get_facility(facility_id=MISSING), NotFound, "unknown_facility"),
    ]
    for call, domain, code in asked:
        with pytest.raises(NotFound) as caught:
            await call
        assert isinstance(caught.value, domain)
        assert caught.value.code == code
