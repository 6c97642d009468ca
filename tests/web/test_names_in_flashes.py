"""Names in one-time messages (flashes) and notifications are shown as typed: markup is
escaped, ``%`` is text, and a waiting message never breaks the next page."""

import base64
import json
from datetime import datetime, timedelta

import httpx
import pytest
from itsdangerous import TimestampSigner

from palace.models import BookingRules, FacilityKind, Role
from palace.services.core import clock
from palace.services.messages import notifications
from palace.settings import get_settings
from palace.web.session import COOKIE
from tests.helpers import court, log_in, make_hall, make_member, post_form, slot_at

# Names a member registers with or a clerk types for a guest.
NAMES = ["<img src=x onerror=alert(1)>", "Group 50%", "%(x)s", "<b>%d 100%</b>"]


@pytest.fixture
def at_ten(monkeypatch: pytest.MonkeyPatch) -> datetime:
    """Five minutes into tomorrow's 10:00, so that hour is on now for walk-ins."""
    start = slot_at(1, 10)
    monkeypatch.setattr(clock, "now", lambda: start + timedelta(minutes=5))
    return start


def _shown_once(page: httpx.Response, name: str) -> None:
    assert page.status_code == 200, page.text
    assert "<img src=x" not in page.text and "<b>%d" not in page.text
    escaped = name.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    assert escaped in page.text


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
async def test_a_walk_in_names_the_member_or_guest_as_typed(
    client: httpx.AsyncClient, at_ten: datetime, lang: str
) -> None:
    gym = await make_hall(code="gym", kind=FacilityKind.CAPACITY, courts=1, capacity=20)
    await BookingRules.filter(facility_id=gym.id).update(guests_allowed=True)
    await log_in(client, await make_member(role=Role.DESK, language=lang))
    place = f"g:{(await court(gym)).id}:{int(at_ten.timestamp())}"
    for name in NAMES:
        member = await make_member(name=name)
        for form in ({"card": member.card_no}, {"guest": name}):
            done = await post_form(client, "/desk/walk-in", {"place": place, **form}, page="/desk")
            assert done.status_code == 303, done.text
            _shown_once(await client.get(done.headers["location"]), name)
            # Shown once, and the pages after it are whole.
            after = await client.get("/desk/scan")
            assert after.status_code == 200 and "flash-success" not in after.text


async def test_a_card_with_nothing_due_names_the_member_as_typed(
    client: httpx.AsyncClient,
) -> None:
    await make_hall()
    await log_in(client, await make_member(role=Role.DESK))
    for name in NAMES:
        member = await make_member(name=name)
        page = await post_form(client, "/desk/scan", {"code": member.card_no}, page="/desk")
        assert page.status_code == 409, page.text  # nothing to check in
        assert "<img src=x" not in page.text and "<b>%d" not in page.text
        assert name.replace("<", "&lt;").replace(">", "&gt;") in page.text


def _session_cookie(data: dict[str, object]) -> str:
    payload = base64.b64encode(json.dumps(data).encode())
    return TimestampSigner(get_settings().secret_key).sign(payload).decode()


@pytest.mark.parametrize("waiting", [["success", "Group 50%"], ["error", "%(x)s <b>"]])
async def test_text_left_in_a_session_by_an_older_release_does_not_break_pages(
    client: httpx.AsyncClient, waiting: list[str]
) -> None:
    """Before message ids, the session kept rendered text; such a cookie is let go."""
    client.cookies.set(COOKIE, _session_cookie({"flash": [waiting]}))
    assert (await client.get("/login")).status_code == 200
    assert (await client.get("/login")).status_code == 200


async def test_notifications_name_places_and_reasons_as_typed(client: httpx.AsyncClient) -> None:
    hall = await make_hall()
    resource = await court(hall)
    resource.name_zh = resource.name_en = NAMES[0]
    await resource.save()
    member = await make_member()
    await notifications.notify(
        member_id=member.id,
        kind="booking_cancelled_by_palace",
        detail={
            "resource_id": resource.id,
            "starts_at": slot_at().isoformat(),
            "reason": NAMES[3] + " " + NAMES[2],
        },
    )
    await log_in(client, member)
    page = await client.get("/inbox")
    _shown_once(page, NAMES[0])
    _shown_once(page, NAMES[3] + " " + NAMES[2])
