from palace.models.audit import AuditEvent
from palace.models.facilities import Facility, FacilityKind, OpeningHours, Resource
from palace.models.members import Member, MemberStatus, Role

__all__ = [
    "AuditEvent",
    "Facility",
    "FacilityKind",
    "Member",
    "MemberStatus",
    "OpeningHours",
    "Resource",
    "Role",
]
