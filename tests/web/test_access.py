"""Each page declares who may see it; the wrong role gets 403, nobody gets sent to log in."""

import httpx
import pytest
from starlette.applications import Starlette
from starlette.routing import Route

from palace.models import Booking, Facility, Member, Role
from palace.services import bookings
from palace.web.auth import ACCESS_ATTR
from tests.helpers import court, log_in, make_hall, make_member, slot_at

# Every page with who may see it; test_every_page_is_listed keeps this complete.
PAGES: dict[str, set[Role] | None] = {
    "/": None,
    "/login": None,
    "/register": None,
    "/healthz": None,
    "/account": set(Role),
    "/account/password": set(Role),
    "/desk": {Role.DESK, Role.ADMIN},
    "/staff": {Role.STAFF, Role.ADMIN},
    "/admin/members": {Role.ADMIN},
}
# Pages with an id in the path, checked with ids that exist (see path_ids).
STAFF = {Role.STAFF, Role.ADMIN}
ID_PAGES: dict[str, set[Role]] = {
    "/desk/members/{member_id}/password": {Role.DESK, Role.ADMIN},
    "/staff/facilities/{facility_id}/rules": STAFF,
    "/staff/facilities/{facility_id}/closures": STAFF,
    "/staff/facilities/{facility_id}/bookings": STAFF,
    "/staff/bookings/{booking_id}": STAFF,
}


async def path_ids(member: Member) -> dict[str, int]:
    """Ids that exist for every ID_PAGES placeholder: the member, a hall, their booking."""
    hall = await Facility.get_or_none(code="access-hall") or await make_hall(code="access-hall")
    booking = await Booking.filter(member_id=member.id, facility_id=hall.id).first()
    if booking is None:
        resource = await court(hall)
        booking = await bookings.book(
            member_id=member.id, resource_id=resource.id, starts_at=slot_at()
        )
    return {"member_id": member.id, "facility_id": hall.id, "booking_id": booking.id}


def test_every_endpoint_declares_its_access(app: Starlette) -> None:
    undeclared = [
        route.path
        for route in app.routes
        if isinstance(route, Route) and not hasattr(route.endpoint, ACCESS_ATTR)
    ]
    assert undeclared == []


def test_every_page_is_listed(app: Starlette) -> None:
    pages = {
        route.path
        for route in app.routes
        if isinstance(route, Route) and "GET" in (route.methods or ())
    }
    assert pages == set(PAGES) | set(ID_PAGES)


@pytest.mark.parametrize("role", list(Role))
async def test_role_matrix(client: httpx.AsyncClient, role: Role) -> None:
    await log_in(client, await make_member(role=role))
    for path, allowed in PAGES.items():
        response = await client.get(path)
        expected = 200 if allowed is None or role in allowed else 403
        if path in ("/login", "/register") and expected == 200:
            expected = 303  # already logged in: sent on
        assert response.status_code == expected, (role, path)
        if expected == 403:
            assert "您无权访问此页面。" in response.text
    ids = await path_ids(await make_member())
    for template, allowed_roles in ID_PAGES.items():
        response = await client.get(template.format(**ids))
        assert response.status_code == (200 if role in allowed_roles else 403), (role, template)


async def test_anonymous_visitor_is_sent_to_log_in(client: httpx.AsyncClient) -> None:
    for path, allowed in PAGES.items():
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
