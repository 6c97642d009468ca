"""Each page declares who may see it; the wrong role gets 403, nobody gets sent to log in."""

import re

import httpx
import pytest
from starlette.applications import Starlette
from starlette.routing import Route

from palace.models import Member, Role
from palace.services.booking import bookings, calendars
from palace.services.fairness import opening_queue
from palace.web.auth import ACCESS_ATTR
from tests.class_helpers import plain_session
from tests.fairness_helpers import make_ballot
from tests.helpers import court, log_in, make_hall, make_member, slot_at
from tests.queue_helpers import queue_times

# Every page with who may see it; test_every_page_is_listed keeps this complete.
PAGES: dict[str, set[Role] | None] = {
    "/": None,
    "/login": None,
    "/register": None,
    "/healthz": None,
    "/readyz": None,
    # Public to the app's roles; its own guard is the address or a token (test_metrics).
    "/metrics": None,
    "/favicon.ico": None,
    "/account": set(Role),
    "/account/password": set(Role),
    "/account/tokens": set(Role),  # apps logged in to the JSON API
    "/staff/devices": {Role.STAFF, Role.ADMIN},  # desk scanners paired with the API
    "/account/data": set(Role),
    "/account/close": set(Role),
    "/book": set(Role),
    "/bookings": set(Role),
    "/inbox": set(Role),
    "/inbox/badge": set(Role),
    "/inbox/settings": set(Role),
    "/classes": set(Role),
    "/classes/want": set(Role),
    "/desk/scan": {Role.DESK, Role.ADMIN},
    "/desk": {Role.DESK, Role.ADMIN},
    "/desk/board": {Role.DESK, Role.ADMIN},
    "/desk/walk-in": {Role.DESK, Role.ADMIN},
    "/staff": {Role.STAFF, Role.ADMIN},
    "/staff/strikes": {Role.STAFF, Role.ADMIN},
    "/staff/attendance": {Role.STAFF, Role.ADMIN},
    "/staff/attendance.csv": {Role.STAFF, Role.ADMIN},
    "/staff/classes": {Role.STAFF, Role.ADMIN},
    "/staff/classes/schedules/new": {Role.STAFF, Role.ADMIN},
    "/staff/classes/setup": {Role.STAFF, Role.ADMIN},
    "/admin/members": {Role.ADMIN},
    "/staff/audit": {Role.STAFF, Role.ADMIN},
    "/ballots": set(Role),
    "/staff/ballots": {Role.STAFF, Role.ADMIN},
    # Anyone may read the fairness figures and check a draw, logged in or not.
    "/fairness": None,
    "/verify": None,
    "/staff/deliveries": {Role.STAFF, Role.ADMIN},
}
# Pages with an id in the path, checked with ids that exist (see path_ids).
STAFF = {Role.STAFF, Role.ADMIN}
ID_PAGES: dict[str, set[Role] | None] = {
    "/desk/members/{member_id}/password": {Role.DESK, Role.ADMIN},
    "/desk/members/{member_id}": {Role.DESK, Role.ADMIN},
    "/admin/members/{member_id}": {Role.ADMIN},
    "/staff/members/{member_id}/strikes": STAFF,
    "/book/{code}": set(Role),
    "/bookings/{booking_id}": set(Role),  # the member's own booking
    "/bookings/{booking_id}/booking.ics": set(Role),
    # An invitation to the booking, or word that none is open for this member.
    "/bookings/{booking_id}/invitation": set(Role),
    "/waitlist/{slot_id}": set(Role),  # any slot's line (full or not)
    # Calendar apps have no session: the secret address is the key.
    "/calendar/{token}.ics": None,
    "/staff/facilities/{facility_id}/rules": STAFF,
    "/staff/facilities/{facility_id}/closures": STAFF,
    "/staff/facilities/{facility_id}/bookings": STAFF,
    "/staff/bookings/{booking_id}": STAFF,
    "/staff/classes/schedules/{schedule_id}": STAFF,
    "/staff/classes/sessions/{session_id}": STAFF,
    "/staff/classes/sessions/{session_id}/roster": STAFF,
    "/ballots/{ballot_id}": set(Role),
    "/desk/ballots/{ballot_id}": {Role.DESK, Role.ADMIN},
    # A ballot's draw is published to everyone.
    "/ballots/{ballot_id}/draw": None,
    "/ballots/{ballot_id}/draw.json": None,
    # A hall's opening queue: the next day's, a day's, and the member's status in it.
    "/halls/{code}/queue": set(Role),
    "/halls/{code}/queue/{day}": set(Role),
    "/halls/{code}/queue/{day}/status": set(Role),
    # A queue's order and file are published to everyone, like a ballot's.
    "/queues/{queue_id}/draw": None,
    "/queues/{queue_id}/draw.json": None,
}
# Fragments that ask for themselves again while they may change, and answer 286 (stop
# asking) when they cannot: a member in no queue.
STOPPED = {"/halls/{code}/queue/{day}/status"}


@pytest.fixture(autouse=True)
async def worker_checked_in() -> None:
    """/healthz answers 200 only while a worker checks in."""
    from palace.services.core import health

    await health.record_worker_heartbeat()


async def path_ids(member: Member) -> dict[str, object]:
    """Values for ID_PAGES: another member, a hall, and ``member``'s booking and calendar."""
    hall = await make_hall()
    booking = await bookings.book(
        member_id=member.id, resource_id=(await court(hall)).id, starts_at=slot_at()
    )
    feed = await calendars.create_or_reset_feed(member_id=member.id)
    other = await make_member()
    session = await plain_session()
    ids = {"member_id": other.id, "code": hall.code, "booking_id": booking.id}
    ids["slot_id"] = booking.slot_id
    ids["ballot_id"] = (await make_ballot(hall)).id
    queue = await opening_queue.queue_for(hall.id, await queue_times(hall))
    ids |= {"day": queue.day.isoformat(), "queue_id": queue.id}
    classes = {"schedule_id": session.schedule_id, "session_id": session.id}
    return {**ids, "token": feed.token, "facility_id": hall.id, **classes}


def test_every_endpoint_declares_its_access(app: Starlette) -> None:
    undeclared = [
        route.path
        for route in app.routes
        if isinstance(route, Route) and not hasattr(route.endpoint, ACCESS_ATTR)
    ]
    assert undeclared == []


def template(path: str) -> str:
    """A route's path as a format string: "/book/{code:code}" → "/book/{code}"."""
    return re.sub(r"{(\w+):\w+}", r"{\1}", path)


def test_every_page_is_listed(app: Starlette) -> None:
    pages = {
        template(route.path)
        for route in app.routes
        if isinstance(route, Route) and "GET" in (route.methods or ())
    }
    assert pages == set(PAGES) | set(ID_PAGES)


@pytest.mark.parametrize("role", list(Role))
async def test_role_matrix(client: httpx.AsyncClient, role: Role) -> None:
    member = await make_member(role=role)
    await log_in(client, member)
    for path, allowed in PAGES.items():
        response = await client.get(path)
        expected = 200 if allowed is None or role in allowed else 403
        if path in ("/login", "/register") and expected == 200:
            expected = 303  # already logged in: sent on
        if path == "/desk/board" and expected == 200:
            expected = 286  # nothing is on today (no halls): the desk screen stops asking
        assert response.status_code == expected, (role, path)
        if expected == 403:
            assert "您无权访问此页面。" in response.text
    ids = await path_ids(member)
    for template, allowed_roles in ID_PAGES.items():
        response = await client.get(template.format(**ids))
        expected = 200 if allowed_roles is None or role in allowed_roles else 403
        if template in STOPPED and expected == 200:
            expected = 286
        assert response.status_code == expected, (role, template)


async def test_anonymous_visitor_is_sent_to_log_in(client: httpx.AsyncClient) -> None:
    ids = await path_ids(await make_member())
    id_pages = {template.format(**ids): allowed for template, allowed in ID_PAGES.items()}
    for path, allowed in {**PAGES, **id_pages}.items():
        response = await client.get(path)
        if allowed is None:
            assert response.status_code == 200, path
        else:
            assert response.status_code == 303, path
            assert response.headers["location"].startswith("/login?next=")


async def test_htmx_request_of_an_anonymous_visitor_redirects_the_page(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/desk?q=1", headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert response.headers["hx-redirect"] == "/login?next=%2Fdesk%3Fq%3D1"


async def test_member_cannot_post_to_admin(client: httpx.AsyncClient) -> None:
    from tests.helpers import post_form

    member = await make_member()
    other = await make_member()
    await log_in(client, member)
    response = await post_form(
        client, f"/admin/members/{other.id}", {"field": "role", "value": "admin"}, page="/"
    )
    assert response.status_code == 403
    from palace.models import Member

    assert (await Member.get(id=other.id)).role == Role.MEMBER


async def test_unknown_page_is_404_in_the_members_language(client: httpx.AsyncClient) -> None:
    response = await client.get("/no/such/page")
    assert response.status_code == 404
    assert "页面不存在。" in response.text
