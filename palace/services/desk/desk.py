"""What the front desk looks up: members by card (in part), phone or name, and one
member with their upcoming bookings, strikes and any suspension."""

from dataclasses import dataclass

from palace.models import Member, MemberStatus
from palace.services.accounts import accounts
from palace.services.booking import booking_views, bookings
from palace.services.booking.booking_states import Shown
from palace.services.booking.booking_views import BookingView
from palace.services.core import clock, text
from palace.services.core.errors import AccountNotFound
from palace.services.desk import checkin, strikes
from palace.services.facilities import rules

PARTIAL_CARD_MIN = 3


async def find_members(*, query: str, limit: int = 20) -> list[Member]:
    """``accounts.search``, and members whose card number contains what was typed: a
    member often knows only the last digits of their card."""
    found = await accounts.search(query=query, limit=limit)
    card = accounts.normalize_card(query)
    if len(card) < PARTIAL_CARD_MIN or not accounts.CARD_RE.fullmatch(card.rjust(4, "0")):
        return found
    known = {m.id for m in found}
    partial = await Member.filter(card_no__contains=card).order_by("card_no").limit(limit)
    return [*found, *(m for m in partial if m.id not in known)][:limit]


def standing_of(member: Member) -> MemberStatus:
    """The member's standing as the desk shows it: suspended while they may not book (an
    account suspension, or a no-show suspension in force), whatever else the row says."""
    if member.status == MemberStatus.DISABLED:
        return MemberStatus.DISABLED
    suspended = bookings.member_refusal(member) is not None
    return MemberStatus.SUSPENDED if suspended else MemberStatus.ACTIVE


@dataclass(frozen=True)
class Found:
    """A member the front desk found, and whether the desk may reset their password."""

    member: Member
    resettable: bool

    @property
    def status(self) -> MemberStatus:
        return standing_of(self.member)


async def search(*, actor: Member, query: str, limit: int = 20) -> list[Found]:
    """What the desk's search box shows: nothing until something is typed."""
    if not text.line(query):
        return []
    found = await find_members(query=query, limit=limit)
    return [Found(m, accounts.reset_refusal(actor, m) is None) for m in found]


@dataclass(frozen=True)
class MemberAtDesk:
    member: Member
    upcoming: list[BookingView]  # their own and those naming them, soonest first
    standing: strikes.Standing
    checkable: frozenset[int] = frozenset()  # bookings whose check-in is open now

    def can_check_in(self, view: BookingView) -> bool:
        """Whether the desk may check this booking in now (checkin.open_now's rule)."""
        return view.booking.id in self.checkable

    @property
    def status(self) -> MemberStatus:
        return standing_of(self.member)


async def member_at_desk(*, member_id: int) -> MemberAtDesk:
    member = await Member.get_or_none(id=member_id)
    if member is None:
        raise AccountNotFound("unknown_member")
    found = await booking_views.upcoming(member_id=member_id)
    standing = await strikes.standing(member_id=member_id)
    return MemberAtDesk(member, found, standing, await _checkable(found))


async def _checkable(views: list[BookingView]) -> frozenset[int]:
    now = clock.now()
    checkable = set()
    for view in views:
        facility_rules = await rules.rules_for(view.booking.facility)
        if view.state == Shown.CONFIRMED and checkin.open_now(
            facility_rules, view.booking.starts_at, now
        ):
            checkable.add(view.booking.id)
    return frozenset(checkable)
