"""The palace the rush runs against: one court hall, many members already logged in.

Runs in the bench's own process after Tortoise is opened on the scratch database.
"""

import base64
import json
import secrets
from dataclasses import dataclass
from datetime import timedelta

import itsdangerous
from tortoise import connections

from palace.models import (
    AuditEvent,
    Booking,
    Facility,
    FacilityKind,
    Member,
    OpeningHours,
    Resource,
    Slot,
)
from palace.services.accounts import logins, passwords
from palace.services.core import clock
from palace.services.facilities import rules
from palace.web.auth import SESSION_KEY
from palace.web.session import COOKIE

# palace.web.csrf.token() keeps the CSRF token under this session key.
CSRF_SESSION_KEY = "csrf"
HOURS_PER_COURT = 4
FIRST_HOUR = 18  # the evening hours everyone wants
OPENS, CLOSES = 8 * 60, 22 * 60


@dataclass(frozen=True)
class Target:
    """One court slot: what the booking form posts."""

    resource_id: int
    start: int  # epoch seconds, UTC


@dataclass(frozen=True)
class Login:
    cookie: str  # the signed session cookie's value
    csrf: str


@dataclass(frozen=True)
class Integrity:
    confirmed: int
    double_bookings: int  # confirmed bookings beyond a court's capacity at one time
    taken_mismatches: int  # slots whose ``taken`` differs from their confirmed bookings
    audit_mismatch: int  # confirmed bookings minus "book" audit events


async def make_hall(slots: int, code: str = "rush") -> list[Target]:
    """A hall of courts open tomorrow, ``HOURS_PER_COURT`` evening slots per court."""
    courts = -(-slots // HOURS_PER_COURT)
    facility = await Facility.create(
        code=code, name_zh="羽毛球馆", name_en="Badminton hall", kind=FacilityKind.COURT
    )
    resources = [await _court(facility, n) for n in range(1, courts + 1)]
    await OpeningHours.bulk_create(
        OpeningHours(facility=facility, weekday=d, opens_minute=OPENS, closes_minute=CLOSES)
        for d in range(7)
    )
    await rules.default_rules(facility).save()
    day = clock.today() + timedelta(days=1)
    targets = [
        Target(r.id, int(clock.at(day, (FIRST_HOUR + h) * 60).timestamp()))
        for r in resources
        for h in range(HOURS_PER_COURT)
    ]
    return targets[:slots]


async def _court(facility: Facility, n: int) -> Resource:
    return await Resource.create(
        facility=facility, code=f"c{n}", name_zh=f"{n}号场", name_en=f"Court {n}", sort_order=n
    )


async def make_members(count: int) -> list[int]:
    """``count`` active members sharing one password hash (argon2 per member is slow)."""
    password_hash = await passwords.hash_password(secrets.token_urlsafe(16))
    await Member.bulk_create(
        (
            Member(
                card_no=f"R{n:07d}",
                name=f"会员{n}",
                phone=f"138{n:08d}",
                password_hash=password_hash,
            )
            for n in range(count)
        ),
        batch_size=500,
    )
    return [member.id for member in await Member.all().order_by("id").only("id")]


async def log_in_all(member_ids: list[int], secret_key: str) -> list[Login]:
    """A live server-side session per member and the cookie a browser would hold for it."""
    signer = itsdangerous.TimestampSigner(secret_key)
    made = []
    for member_id in member_ids:
        token = await logins.start(member_id=member_id)
        csrf = secrets.token_urlsafe(32)
        cookie = signed_cookie(signer, {SESSION_KEY: token, CSRF_SESSION_KEY: csrf})
        made.append(Login(cookie=cookie, csrf=csrf))
    return made


def signed_cookie(signer: itsdangerous.TimestampSigner, session: dict[str, str]) -> str:
    """The value Starlette's SessionMiddleware would set for this session."""
    data = base64.b64encode(json.dumps(session).encode("utf-8"))
    return signer.sign(data).decode("utf-8")


def cookie_header(login: Login) -> str:
    return f"{COOKIE}={login.cookie}"


async def reset_bookings() -> None:
    await Booking.all().delete()
    await Slot.all().delete()
    await AuditEvent.filter(entity="booking").delete()


DOUBLE_BOOKINGS = """
SELECT COALESCE(SUM(n - capacity), 0) AS extra FROM (
    SELECT b.resource_id, b.starts_at, COUNT(*) AS n, MAX(r.capacity) AS capacity
    FROM bookings b JOIN resources r ON r.id = b.resource_id
    WHERE b.status = 'confirmed'
    GROUP BY b.resource_id, b.starts_at
) per_time WHERE n > capacity
"""
TAKEN_MISMATCHES = """
SELECT COUNT(*) AS n FROM slots s WHERE s.taken <> (
    SELECT COUNT(*) FROM bookings b WHERE b.slot_id = s.id AND b.status = 'confirmed'
)
"""


async def integrity() -> Integrity:
    """What the database says after a round: the truth, whatever the responses said."""
    conn = connections.get("default")
    confirmed = await Booking.filter(status="confirmed").count()
    extra = (await conn.execute_query_dict(DOUBLE_BOOKINGS))[0]["extra"]
    mismatches = (await conn.execute_query_dict(TAKEN_MISMATCHES))[0]["n"]
    audited = await AuditEvent.filter(entity="booking", action="book").count()
    return Integrity(confirmed, int(extra), int(mismatches), confirmed - audited)
