"""Small helpers shared by the tests: make members, log in, post forms with a CSRF token."""

import re
from datetime import datetime, timedelta
from itertools import count
from typing import Any

import httpx

from palace.models import (
    Facility,
    FacilityKind,
    Member,
    OpeningHours,
    Resource,
    Role,
    Slot,
    SlotKind,
)
from palace.services.accounts import accounts, passwords
from palace.services.core import clock
from palace.services.facilities import rules

PASSWORD = "lotus-pond-42"
_serial = count(1)


async def make_member(
    *, role: Role = Role.MEMBER, name: str = "测试会员", language: str = "zh-CN"
) -> Member:
    n = next(_serial)
    return await accounts.register(
        card_no=f"T{n:07d}",
        name=name,
        phone=f"139{n:08d}",
        password=PASSWORD,
        role=role,
        language=language,
    )


def csrf_from(html: str) -> str:
    found = re.search(r'name="csrf-token" content="([^"]+)"', html)
    assert found, "page has no CSRF meta tag"
    return found.group(1)


async def csrf_token(client: httpx.AsyncClient, path: str = "/login") -> str:
    return csrf_from((await client.get(path)).text)


async def post_form(
    client: httpx.AsyncClient, path: str, data: dict[str, str], *, page: str = "/login"
) -> httpx.Response:
    """Post like a browser does: the token from a page of ours, our own Origin."""
    token = await csrf_token(client, page)
    headers = {"Origin": str(client.base_url).rstrip("/")}
    return await client.post(path, data={**data, "csrf_token": token}, headers=headers)


async def log_in(client: httpx.AsyncClient, member: Member, password: str = PASSWORD) -> None:
    response = await post_form(client, "/login", {"login": member.card_no, "password": password})
    assert response.status_code == 303, response.text


def visible_text(html: str) -> str:
    """Roughly what a person reads: no tags, scripts, styles or attribute values."""
    html = re.sub(r"(?is)<(script|style|head)\b.*?</\1>", " ", html)
    html = re.sub(r"(?s)<[^>]+>", " ", html)
    return re.sub(r"\s+", " ", html).strip()


async def make_hall(
    *,
    code: str = "badminton",
    kind: FacilityKind = FacilityKind.COURT,
    courts: int = 2,
    capacity: int = 1,
    **rule_values: Any,
) -> Facility:
    """A hall open round the clock every day, so any future hour is a slot."""
    facility = await Facility.create(
        code=code, name_zh="羽毛球馆", name_en="Badminton hall", kind=kind
    )
    for n in range(1, courts + 1):
        await Resource.create(
            facility=facility,
            code=f"c{n}",
            name_zh=f"{n}号场",
            name_en=f"Court {n}",
            capacity=capacity,
            sort_order=n,
        )
    for weekday in range(7):
        await OpeningHours.create(
            facility=facility, weekday=weekday, opens_minute=0, closes_minute=24 * 60
        )
    facility_rules = rules.default_rules(facility)
    for name, value in rule_values.items():
        setattr(facility_rules, name, value)
    await facility_rules.save()
    return facility


async def court(facility: Facility, n: int = 1) -> Resource:
    return await Resource.get(facility=facility, code=f"c{n}")


def slot_at(days: int = 1, hour: int = 10) -> datetime:
    """The UTC start of the local hour ``hour`` ``days`` from today."""
    return clock.at(clock.today() + timedelta(days=days), hour * 60)


async def make_members(count: int) -> list[Member]:
    """Many members at once, sharing one password hash (hashing is slow on purpose)."""
    hashed = await passwords.hash_password(PASSWORD)
    made = []
    for _ in range(count):
        n = next(_serial)
        made.append(
            await Member.create(
                card_no=f"T{n:07d}", name="测试会员", phone=f"139{n:08d}", password_hash=hashed
            )
        )
    return made


async def make_session_slot(
    resource: Resource,
    starts_at: datetime,
    *,
    minutes: int = 60,
    capacity: int = 10,
    opens_at: datetime | None = None,
    cancel_cutoff_minutes: int | None = None,
) -> Slot:
    """A class session's slot in a room, as class planning makes them."""
    return await Slot.create(
        resource=resource,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=minutes),
        capacity=capacity,
        kind=SlotKind.SESSION,
        opens_at=opens_at,
        cancel_cutoff_minutes=cancel_cutoff_minutes,
    )


async def add_partners(owner_id: int, booking_id: int, members: list[Member]) -> None:
    """Name partners on a booking and have each accept, as their invitations let them."""
    from palace.services.booking import partners

    cards = [m.card_no for m in members]
    await partners.set_partners(member_id=owner_id, booking_id=booking_id, card_nos=cards)
    for member in members:
        await partners.answer(member_id=member.id, booking_id=booking_id, accept=True)
