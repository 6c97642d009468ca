"""Attendance: who came to what on a day, and no-show rates per member and per class.

A booking counts once its check-in has closed or it was checked in: attended (checked
in), or a no-show. Bookings made before check-in existed are left out of the rates.
"""

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from babel.dates import format_date
from tortoise.expressions import Q

from palace.i18n import BABEL_LOCALES
from palace.models import (
    Booking,
    BookingSource,
    BookingStatus,
    ClassSession,
    Facility,
    Member,
    Resource,
    SlotKind,
)
from palace.services.booking import booking_states
from palace.services.core import clock

RATE_DAYS = 30


@dataclass
class Tally:
    booked: int = 0  # places taken, whatever became of them (not cancellations)
    checked_in: int = 0
    no_show: int = 0
    walk_ins: int = 0

    def add(self, booking: Booking) -> None:
        self.booked += 1
        self.checked_in += booking.checked_in_at is not None
        self.no_show += booking.status == BookingStatus.NO_SHOW
        self.walk_ins += booking.source == BookingSource.DESK

    @property
    def rate(self) -> float | None:
        """No-shows among bookings whose outcome is known."""
        known = self.checked_in + self.no_show
        return self.no_show / known if known else None


@dataclass
class SlotAttendance:
    resource: Resource
    starts_at: datetime
    ends_at: datetime
    is_session: bool
    session: ClassSession | None = None  # the class session, for a session slot
    tally: Tally = field(default_factory=Tally)


@dataclass
class HallDay:
    facility: Facility
    slots: list[SlotAttendance]
    tally: Tally


@dataclass(frozen=True)
class DayAttendance:
    day: date
    halls: list[HallDay]
    bookings: list[Booking]  # with facility, resource and member loaded, for the CSV


def _held(query: Q) -> Q:
    """Bookings that held a place at their time: not cancelled."""
    return query & (Q(status=BookingStatus.CONFIRMED) | Q(status=BookingStatus.NO_SHOW))


async def day_attendance(*, day: date) -> DayAttendance:
    day_from, day_to = clock.day_bounds(day)
    found = (
        await Booking.filter(_held(Q(starts_at__gte=day_from, starts_at__lt=day_to)))
        .select_related("facility", "resource", "member", "slot")
        .order_by("facility__sort_order", "facility_id", "starts_at", "resource__sort_order", "id")
    )
    sessions = await _sessions(found)
    halls: dict[int, HallDay] = {}
    slots: dict[tuple[int, datetime], SlotAttendance] = {}
    for booking in found:
        hall = halls.setdefault(booking.facility_id, HallDay(booking.facility, [], Tally()))
        key = (booking.slot_id, clock.utc(booking.starts_at))
        if key not in slots:
            slots[key] = SlotAttendance(
                booking.resource,
                clock.utc(booking.starts_at),
                clock.utc(booking.ends_at),
                booking.slot.kind == SlotKind.SESSION,
                sessions.get(booking.slot_id),
            )
            hall.slots.append(slots[key])
        slots[key].tally.add(booking)
        hall.tally.add(booking)
    return DayAttendance(day, list(halls.values()), found)


async def _sessions(found: list[Booking]) -> dict[int, ClassSession]:
    """The classes behind session bookings, by slot id."""
    ids = {b.slot_id for b in found if b.slot.kind == SlotKind.SESSION}
    rows = await ClassSession.filter(slot_id__in=ids).select_related("class_type")
    return {row.slot_id: row for row in rows}


@dataclass(frozen=True)
class RateRow:
    label: str  # a member's name, or a class's room and weekly time
    detail: str  # card number, or the hall
    tally: Tally


@dataclass(frozen=True)
class Rates:
    since: datetime
    members: list[RateRow]
    classes: list[RateRow]


async def rates(*, days: int = RATE_DAYS, lang: str = "zh-CN", limit: int = 50) -> Rates:
    """No-show rates over the last ``days`` days: members with the most no-shows first,
    and each weekly class (a room at a weekday and time)."""
    now = clock.now()
    since = now - timedelta(days=days)
    found = await Booking.filter(
        _held(Q(starts_at__gte=since, starts_at__lt=now, checkin_expected=True)),
        guest_name__isnull=True,
    ).select_related("member", "resource", "facility", "slot")
    sessions = await _sessions(found)
    per_member: dict[int, tuple[Member, Tally]] = {}
    per_class: dict[tuple[int, int, str], tuple[str, str, Tally]] = {}
    for booking in found:
        per_member.setdefault(booking.member_id, (booking.member, Tally()))[1].add(booking)
        if booking.slot.kind == SlotKind.SESSION:
            key, label = _weekly_class(booking, sessions.get(booking.slot_id), lang)
            per_class.setdefault(key, (label, booking.facility.name(lang), Tally()))[2].add(booking)
    members = [RateRow(m.name, m.card_no, t) for m, t in per_member.values() if t.no_show]
    members.sort(key=lambda r: (-r.tally.no_show, -(r.tally.rate or 0), r.detail))
    classes = [RateRow(label, hall, t) for _, (label, hall, t) in sorted(per_class.items())]
    return Rates(since, members[:limit], classes)


def _weekly_class(
    booking: Booking, session: ClassSession | None, lang: str
) -> tuple[tuple[int, int, str], str]:
    """A class as it recurs: its kind (or room), weekday and time of day."""
    local = clock.utc(booking.starts_at).astimezone(clock.zone())
    hhmm = local.strftime("%H:%M")
    what = session.class_type.name(lang) if session else booking.resource.name(lang)
    key = (session.class_type_id if session else -booking.resource_id, local.weekday(), hhmm)
    weekday = format_date(local.date(), "EEE", locale=BABEL_LOCALES[lang])
    return key, f"{what} · {weekday} {hhmm}"


CSV_BOM = "\ufeff"  # Excel reads a CSV as UTF-8 (Chinese names intact) only with a BOM


@dataclass(frozen=True)
class CsvWords:
    """What the CSV says, in the reader's language."""

    lang: str
    header: list[str]
    states: dict[str, str]  # a shown state's value -> its words
    yes: str


def day_csv(found: DayAttendance, words: CsvWords) -> str:
    """The day's bookings as CSV that Excel opens with Chinese names intact."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(words.header)
    for booking in found.bookings:
        writer.writerow(_csv_row(booking, words))
    return CSV_BOM + out.getvalue()


def _csv_row(booking: Booking, words: CsvWords) -> list[str]:
    local = clock.utc(booking.starts_at).astimezone(clock.zone())
    checked = booking.checked_in_at
    shown = booking_states.shown(booking).value
    return [
        local.date().isoformat(),
        local.strftime("%H:%M"),
        _safe(booking.facility.name(words.lang)),
        _safe(booking.resource.name(words.lang)),
        _safe(booking.guest_name or booking.member.name),
        "" if booking.guest_name else booking.member.card_no,
        words.states.get(shown, shown),
        clock.utc(checked).astimezone(clock.zone()).strftime("%H:%M") if checked else "",
        words.yes if booking.source == BookingSource.DESK else "",
    ]


def _safe(text: str) -> str:
    """A cell Excel will not run as a formula (a name typed as "=1+1")."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text
