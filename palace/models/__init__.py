from palace.models.audit import AuditEvent
from palace.models.bookings import Booking, BookingPartner, BookingStatus, Slot
from palace.models.calendars import CalendarFeed
from palace.models.closures import Closure
from palace.models.facilities import BookingRules, Facility, FacilityKind, OpeningHours, Resource
from palace.models.members import Member, MemberStatus, Role
from palace.models.notifications import Notification
from palace.models.sessions import LoginSession

__all__ = [
    "AuditEvent",
    "Booking",
    "BookingPartner",
    "BookingRules",
    "BookingStatus",
    "CalendarFeed",
    "Closure",
    "Facility",
    "FacilityKind",
    "LoginSession",
    "Member",
    "MemberStatus",
    "Notification",
    "OpeningHours",
    "Resource",
    "Role",
    "Slot",
]
