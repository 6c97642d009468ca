from palace.models.audit import AuditEvent
from palace.models.facilities import Facility, FacilityKind, OpeningHours, Resource
from palace.models.members import Member, MemberStatus, Role
from palace.models.sessions import LoginSession

__all__ = [
    "AuditEvent",
    "Facility",
    "FacilityKind",
    "LoginSession",
    "Member",
    "MemberStatus",
    "OpeningHours",
    "Resource",
    "Role",
]
