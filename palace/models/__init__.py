from palace.models.api_tokens import ApiToken, TokenScope
from palace.models.audit import AuditEvent
from palace.models.ballots import (
    Ballot,
    BallotEntry,
    BallotRange,
    BallotSettings,
    BallotState,
    BallotWeight,
    EntryOutcome,
)
from palace.models.bookings import (
    Booking,
    BookingPartner,
    BookingSource,
    BookingStatus,
    Slot,
    SlotKind,
)
from palace.models.calendars import CalendarFeed
from palace.models.children import Child
from palace.models.classes import (
    ClassDemand,
    ClassLevel,
    ClassSession,
    ClassType,
    DayPart,
    HolidayYear,
    Instructor,
    NoClassDay,
    Schedule,
    SessionStatus,
)
from palace.models.closures import Closure
from palace.models.deliveries import Delivery, DeliveryStatus
from palace.models.facilities import BookingRules, Facility, FacilityKind, OpeningHours, Resource
from palace.models.logins import LoginSession
from palace.models.members import DESK_ROLES, STAFF_ROLES, Member, MemberStatus, Role
from palace.models.notifications import Notification, OutboundChoice
from palace.models.opening_queues import OpeningQueue, QueueEntry, QueueOutcome, QueueState
from palace.models.partners import InvitationStatus, PartnerInvitation
from palace.models.rooms import RoomBlock
from palace.models.strikes import Strike, Suspension
from palace.models.waitlists import WaitlistEntry, WaitMode, WaitStatus

__all__ = [
    "DESK_ROLES",
    "STAFF_ROLES",
    "ApiToken",
    "AuditEvent",
    "Ballot",
    "BallotEntry",
    "BallotRange",
    "BallotSettings",
    "BallotState",
    "BallotWeight",
    "Booking",
    "BookingPartner",
    "BookingRules",
    "BookingSource",
    "BookingStatus",
    "CalendarFeed",
    "Child",
    "ClassDemand",
    "ClassLevel",
    "ClassSession",
    "ClassType",
    "Closure",
    "DayPart",
    "Delivery",
    "DeliveryStatus",
    "EntryOutcome",
    "Facility",
    "FacilityKind",
    "HolidayYear",
    "Instructor",
    "InvitationStatus",
    "LoginSession",
    "Member",
    "MemberStatus",
    "NoClassDay",
    "Notification",
    "OpeningHours",
    "OpeningQueue",
    "OutboundChoice",
    "PartnerInvitation",
    "QueueEntry",
    "QueueOutcome",
    "QueueState",
    "Resource",
    "Role",
    "RoomBlock",
    "Schedule",
    "SessionStatus",
    "Slot",
    "SlotKind",
    "Strike",
    "Suspension",
    "TokenScope",
    "WaitMode",
    "WaitStatus",
    "WaitlistEntry",
]
