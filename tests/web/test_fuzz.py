"""Every form field, query value and path parameter of every route, with hostile values:
no 5xx, no unescaped echo, and nothing changed in the database when the answer is an error.

The routes come from the application itself; the fields come from FORMS and QUERIES,
which test_every_form_field_is_fuzzed keeps complete by reading the forms on the pages.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from html.parser import HTMLParser
from itertools import count
from typing import Any
from urllib.parse import quote, urlsplit

import httpx
import pytest
from markupsafe import escape
from starlette.applications import Starlette
from starlette.routing import Match, Route
from tortoise import Tortoise

from palace.models import ClassSession, Closure, Facility, Member, Role, Schedule
from palace.services.booking import bookings, calendars
from palace.services.classes import schedules
from palace.services.core import clock
from palace.services.fairness import opening_queue
from tests.class_helpers import make_schedule
from tests.fairness_helpers import key, make_ballot
from tests.helpers import PASSWORD, court, csrf_from, log_in, make_hall, make_member, slot_at
from tests.queue_helpers import Clock, queue_times
from tests.queue_helpers import join as join_queue
from tests.queue_helpers import key as queue_key
from tests.web.test_access import template
from tests.web.test_rules import valid_form

MARKUP = '<i data-fuzz="1">"\'&amp;</i><script>alert(1)</script>'
# Text values, and one that is not text at all (invalid UTF-8, sent as raw bytes).
VALUES: dict[str, str | bytes] = {
    "long": "长" * 3000 + "X" * 3000,
    "nul": "a\x00b",
    "emoji": "👩\u200d👩\u200d👧🏸",
    "markup": MARKUP,
    "invalid-utf8": b"\xff\xfe\xc3",
}
ECHO = '<i data-fuzz="1">'
ESCAPED = str(escape(ECHO))  # what a page that shows the value safely carries
_serial = count(1)


@dataclass
class World:
    ids: dict[str, str]
    forms: dict[tuple[str, str], Callable[[], dict[str, str]]]


def _register_form() -> dict[str, str]:
    n = next(_serial)
    return {"card_no": f"F{n:07d}", "name": "新会员", "phone": f"137{n:08d}", "password": "x" * 12}


def _schedule_form(schedule: Schedule) -> dict[str, str]:
    values = {k: v for k, v in schedules.form_values(schedule).items() if isinstance(v, str)}
    return {**values, "days": "2", "skip_days": "1", "confirmed": ""}


def _ballot_settings_form() -> dict[str, str]:
    numbers = {"opens_days_ahead": "14", "window_hours": "72", "draw_after_minutes": "60",
               "release_after_hours": "24", "max_weight": "4", "max_wins_per_week": "2",
               "max_wins_per_branch_day": "0"}  # fmt: skip
    rows = {f"{name}_{n}": "" for n in range(1, 6) for name in ("weekday", "from", "to")}
    return {**numbers, **rows, "weekday_0": "1", "from_0": "19:00", "to_0": "21:00"}


async def _world(admin: Member) -> World:
    hall = await make_hall(partners_allowed=True)
    other = await make_member(name="钱多多")
    booking = await bookings.book(
        member_id=admin.id, resource_id=(await court(hall)).id, starts_at=slot_at()
    )
    feed = await calendars.create_or_reset_feed(member_id=admin.id)
    closure = await Closure.create(
        facility=hall, starts_at=slot_at(days=3), ends_at=slot_at(days=3, hour=12), reason="维修"
    )
    schedule = await make_schedule()
    session = await ClassSession.filter(schedule_id=schedule.id).order_by("id").first()
    assert session is not None
    tomorrow = (clock.today() + timedelta(days=1)).isoformat()
    ballot = await make_ballot(hall)
    queue = await opening_queue.queue_for(hall.id, await queue_times(hall))
    entry = {"choice1": key(ballot), "choice2": "", "choice3": "", "partner1": other.card_no,
             "partner2": "", "partner3": "", "any_other_time": "1"}  # fmt: skip
    ids = {
        "session_id": str(session.id),
        "schedule_id": str(schedule.id),
        "type_id": str(schedule.class_type_id),
        "instructor_id": str(schedule.instructor_id),
        "action": "capacity",
        # Rows the fuzz does not make: their paths are tried, their forms answer 404.
        **dict.fromkeys(
            (
                "child_id",
                "demand_id",
                "day_id",
                "strike_id",
                "entry_id",
                "notification_id",
                "invitation_id",
                "delivery_id",
                "token_id",
            ),
            "999999",
        ),
        "slot_id": str(booking.slot_id),
        "member_id": str(other.id),
        "code": hall.code,
        "booking_id": str(booking.id),
        "token": feed.token,
        "facility_id": str(hall.id),
        "closure_id": str(closure.id),
        "ballot_id": str(ballot.id),
        "day": queue.day.isoformat(),
        "queue_id": str(queue.id),
    }
    forms: dict[tuple[str, str], Callable[[], dict[str, str]]] = {
        ("POST", "/register"): _register_form,
        ("POST", "/login"): lambda: {"login": admin.card_no, "password": "wrong", "next": "/"},
        ("POST", "/logout"): dict,
        ("POST", "/language"): lambda: {"lang": "zh-CN", "next": "/"},
        ("POST", "/account/password"): lambda: {
            "current_password": PASSWORD,
            "new_password": PASSWORD,
            "confirm_password": PASSWORD,
        },
        ("POST", "/account/close"): lambda: {"password": "not-the-password"},
        ("POST", "/book/{code}"): lambda: {
            "resource": str(booking.resource_id),
            "start": str(int(slot_at(days=2).timestamp())),
        },
        ("POST", "/bookings/{booking_id}/cancel"): dict,
        ("POST", "/bookings/{booking_id}/partners"): lambda: {"card": other.card_no},
        ("POST", "/bookings/{booking_id}/invitation"): lambda: {"answer": "accept"},
        ("POST", "/bookings/{booking_id}/leave"): dict,
        ("POST", "/bookings/{booking_id}/invitations/{invitation_id}/withdraw"): dict,
        ("POST", "/calendar/feed"): dict,
        ("POST", "/calendar/feed/revoke"): dict,
        ("POST", "/desk/members/{member_id}/password"): dict,
        ("POST", "/staff/facilities/{facility_id}/rules"): valid_form,
        ("POST", "/staff/facilities/{facility_id}/closures"): lambda: {
            "resource_id": "",
            "start_day": tomorrow,
            "start_time": "09:00",
            "end_day": tomorrow,
            "end_time": "10:00",
            "reason": "比赛",
            "confirmed": "",
        },
        ("POST", "/staff/closures/{closure_id}/delete"): dict,
        ("POST", "/admin/members/{member_id}"): lambda: {
            "field": "status",
            "value": "suspended",
            "reason": "欠费",
            "until": tomorrow,
            "confirmed": "",
        },
        ("POST", "/classes/sessions/{session_id}/book"): lambda: {"child": ""},
        ("POST", "/account/children"): lambda: {"child_name": "小明", "birth_year": "2018"},
        ("POST", "/account/children/{child_id}/delete"): dict,
        ("POST", "/account/tokens/{token_id}/revoke"): dict,
        ("POST", "/staff/devices"): lambda: {"label": "前台"},
        ("POST", "/staff/devices/{token_id}/revoke"): dict,
        ("POST", "/classes/want"): lambda: {
            "class_type_id": str(session.class_type_id),
            "day_part": "evening",
            "days": "1",
        },
        ("POST", "/classes/want/{demand_id}/delete"): dict,
        ("POST", "/desk/bookings/{booking_id}/cancel"): lambda: {
            "member": str(other.id),
            "reason": "会员改期",
        },
        ("POST", "/staff/bookings/{booking_id}/cancel"): lambda: {"reason": "场地维修"},
        ("POST", "/desk/bookings/{booking_id}/checkin"): lambda: {"hall": "", "member": ""},
        ("POST", "/desk/scan"): lambda: {"hall": "", "code": "x"},
        ("POST", "/desk/walk-in"): lambda: {"place": "", "hall": "", "card": "", "guest": ""},
        ("POST", "/staff/classes/holiday-years"): lambda: {"year": "2031"},
        ("POST", "/staff/classes/instructors"): lambda: {"name": "王教练"},
        ("POST", "/staff/classes/instructors/{instructor_id}"): lambda: {
            "name": "陈静",
            "active": "1",
        },
        ("POST", "/staff/classes/types/{type_id}"): lambda: {
            "name_zh": "瑜伽",
            "name_en": "Yoga",
            "description": "",
            "level": "all",
            "for_children": "",
            "active": "1",
        },
        ("POST", "/staff/classes/no-class-days"): lambda: {
            "day": tomorrow,
            "reason": "停电",
            "confirmed": "",
        },
        ("POST", "/staff/classes/no-class-days/{day_id}/delete"): dict,
        ("POST", "/staff/classes/types"): lambda: {
            "name_zh": "太极",
            "name_en": "Tai chi",
            "description": "",
            "level": "",
            "for_children": "",
        },
        ("POST", "/staff/strikes/{strike_id}/waive"): lambda: {"reason": "生病"},
        ("POST", "/waitlist/{slot_id}"): lambda: {"mode": "auto"},
        ("POST", "/waitlist/entries/{entry_id}/leave"): dict,
        ("POST", "/offers/{entry_id}/accept"): dict,
        ("POST", "/offers/{entry_id}/decline"): dict,
        ("POST", "/inbox/read"): dict,
        ("POST", "/inbox/{notification_id}/read"): dict,
        ("POST", "/inbox/settings"): lambda: {"kind": "booked"},
        ("POST", "/inbox/settings/contact"): lambda: {
            "email": "member@example.com",
            "quiet_start": "22:00",
            "quiet_end": "07:00",
        },
        ("POST", "/staff/deliveries/{delivery_id}/retry"): dict,
        ("POST", "/staff/classes/schedules"): lambda: _schedule_form(schedule),
        ("POST", "/staff/classes/schedules/{schedule_id}"): lambda: _schedule_form(schedule),
        ("POST", "/staff/classes/sessions/{session_id}/{action}"): lambda: {
            "reason": "教练生病",
            "value": "12",
            "scope": "one",
        },
        ("POST", "/ballots/{ballot_id}/entry"): lambda: dict(entry),
        ("POST", "/ballots/{ballot_id}/withdraw"): dict,
        ("POST", "/desk/ballots/{ballot_id}"): lambda: {**entry, "card": other.card_no},
        ("POST", "/staff/ballots/{facility_id}"): _ballot_settings_form,
        ("POST", "/staff/ballots/branch"): lambda: {"card": other.card_no, "branch": "机务段工会"},
        ("POST", "/verify"): lambda: {"file_text": '{"format": "palace-ballot/1"}'},
        ("POST", "/halls/{code}/queue/{day}"): lambda: {
            "choice1": queue_key(queue.day, 10),
            "choice2": queue_key(queue.day, 11, "*"),
            "choice3": "",
        },
        ("POST", "/halls/{code}/queue/{day}/leave"): dict,
        # Query values of pages.
        ("GET", "/login"): lambda: {"next": "/"},
        ("GET", "/desk"): lambda: {"q": other.card_no},
        ("GET", "/admin/members"): lambda: {"q": "钱"},
        ("GET", "/staff/audit"): lambda: {
            "member": other.card_no,
            "hall": str(hall.id),
            "kind": "booking",
            "from": tomorrow,
            "to": tomorrow,
        },
        ("GET", "/desk/scan"): lambda: {"code": "x", "hall": ""},
        ("GET", "/book/{code}"): lambda: {"day": tomorrow},
        ("GET", "/bookings"): lambda: {"history": "2"},
        ("GET", "/classes"): lambda: {"week": tomorrow},
        ("GET", "/staff/classes"): lambda: {"week": tomorrow},
        ("GET", "/staff/facilities/{facility_id}/bookings"): lambda: {"day": tomorrow},
        ("GET", "/staff/ballots"): lambda: {"hall": str(hall.id)},
    }
    return World(ids, forms)


# Routes anybody may use without logging in; the rest are tried as an administrator,
# who may use every page.
ANONYMOUS = {"/register", "/login", "/logout", "/language", "/calendar/{token}.ics", "/verify"}


def _routes(app: Starlette) -> Iterator[tuple[str, str, list[str]]]:
    for route in app.routes:
        if isinstance(route, Route):
            for method in sorted((route.methods or set()) - {"HEAD"}):
                yield method, template(route.path), list(route.param_convertors)


def _encode(value: str | bytes) -> str:
    return quote(value if isinstance(value, bytes) else value.encode(), safe="")


def _body(fields: dict[str, str], name: str | None, value: str | bytes) -> str:
    pairs = [f"{_encode(k)}={_encode(v)}" for k, v in fields.items() if k != name]
    if name is not None:
        pairs.append(f"{_encode(name)}={_encode(value)}")
    return "&".join(pairs)


async def _snapshot() -> dict[str, list[dict[str, Any]]]:
    found = {}
    for model in Tortoise.apps.get_models_iterable():  # type: ignore[union-attr]
        rows = await model.all().values()
        found[model.__name__] = sorted(rows, key=repr)
    return found


class Fuzzer:
    def __init__(self, anonymous: httpx.AsyncClient, admin: httpx.AsyncClient) -> None:
        self.clients = {True: anonymous, False: admin}
        self.problems: list[str] = []
        self.tried = 0
        self.escaped = 0  # answers that showed the markup, escaped: the echo check bites

    async def send(
        self, method: str, path: str, query: str, body: str | None, *, anonymous: bool
    ) -> None:
        client = self.clients[anonymous]
        headers = {"Origin": "http://testserver"}
        if anonymous:
            client.cookies.clear()  # a registration or log-in must not carry over
        if method == "POST":
            token = csrf_from((await client.get("/login" if anonymous else "/account")).text)
            body = (body + "&" if body else "") + f"csrf_token={token}"
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        before = await _snapshot()
        url = path + (f"?{query}" if query else "")
        response = await client.request(method, url, content=body, headers=headers)
        self.tried += 1
        where = f"{method} {url[:120]} {(body or '')[:120]}"
        if response.status_code >= 500:
            self.problems.append(f"{response.status_code}: {where}")
        if ECHO in response.text:
            self.problems.append(f"unescaped echo: {where}")
        self.escaped += ESCAPED in response.text
        if response.status_code >= 400 and await _snapshot() != before:
            self.problems.append(f"changed on {response.status_code}: {where}")


def _path(path: str, ids: dict[str, str], name: str | None = None, raw: str = "") -> str:
    values = {k: quote(v, safe="") for k, v in ids.items()}
    if name is not None:
        values[name] = raw
    return path.format(**values)


async def test_hostile_values_in_every_field_and_path(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    admin = await make_member(role=Role.ADMIN)
    world = await _world(admin)
    transport = httpx.ASGITransport(app=app)
    anonymous = httpx.AsyncClient(transport=transport, base_url="http://testserver")
    await log_in(client, admin)
    fuzzer = Fuzzer(anonymous, client)
    for method, path, params in _routes(app):
        anonymous_only = path in ANONYMOUS
        baseline = world.forms.get((method, path), dict)
        for value in VALUES.values():
            for name in params:
                url = _path(path, world.ids, name, _encode(value))
                form = baseline()
                body = _body(form, None, "") if method == "POST" else None
                query = "" if method == "POST" else _body(form, None, "")
                await fuzzer.send(method, url, query, body, anonymous=anonymous_only)
            for name in baseline():
                form = baseline()
                encoded = _body(form, name, value)
                url = _path(path, world.ids)
                if method == "POST":
                    await fuzzer.send(method, url, "", encoded, anonymous=anonymous_only)
                else:
                    await fuzzer.send(method, url, encoded, None, anonymous=anonymous_only)
    await anonymous.aclose()
    assert fuzzer.tried > 300 and fuzzer.escaped > 0
    assert fuzzer.problems == [], "\n".join(fuzzer.problems)


class _Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, str, set[str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "form":
            method = (found.get("method") or "get").upper()
            self.forms.append((method, found.get("action") or "", set()))
        elif tag in ("input", "select", "textarea", "button") and found.get("name") and self.forms:
            self.forms[-1][2].add(str(found["name"]))


async def test_every_form_field_is_fuzzed(
    app: Starlette, client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    admin = await make_member(role=Role.ADMIN)
    world = await _world(admin)
    await log_in(client, admin)
    ids = world.ids
    routes = list(_routes(app))
    posts = {path for method, path, _ in routes if method == "POST"}
    assert posts <= {path for method, path in world.forms if method == "POST"}
    assert {name for *_, params in routes for name in params} <= set(world.ids)
    pages = [
        "/",
        "/classes",
        "/account",
        "/account/password",
        "/account/close",
        f"/book/{ids['code']}",
        f"/bookings/{ids['booking_id']}",
        "/bookings",
        f"/desk?q={ids['member_id']}",
        "/desk/scan",
        f"/desk/members/{ids['member_id']}/password",
        "/staff",
        f"/staff/facilities/{ids['facility_id']}/rules",
        f"/staff/facilities/{ids['facility_id']}/closures",
        f"/staff/facilities/{ids['facility_id']}/bookings",
        "/staff/classes",
        "/staff/classes/schedules/new",
        f"/staff/classes/schedules/{ids['schedule_id']}",
        f"/staff/classes/sessions/{ids['session_id']}",
        "/admin/members",
        f"/admin/members/{ids['member_id']}",
        "/staff/audit",
        "/account/tokens",
        "/staff/devices",
    ]
    parser = _Forms()
    for page in pages:
        parser.feed((await client.get(page)).text)
    # The queue's forms (join or change, leave) are on its page while it takes joins.
    hall = await Facility.get(code=ids["code"])
    Clock(monkeypatch, (await queue_times(hall)).opens_at - timedelta(minutes=5))
    await join_queue(hall, admin.id, queue_key(date.fromisoformat(ids["day"]), 10))
    parser.feed((await client.get(f"/halls/{ids['code']}/queue/{ids['day']}")).text)
    client.cookies.clear()
    for page in ("/login", "/register"):
        parser.feed((await client.get(page)).text)
    missing = []
    for method, action, names in parser.forms:
        path = urlsplit(action).path
        route = next(
            r
            for r in app.routes
            if isinstance(r, Route)
            and r.matches({"type": "http", "path": path, "method": method})[0] == Match.FULL
        )
        listed = set(world.forms.get((method, template(route.path)), dict)())
        extra = names - listed - {"csrf_token"}
        if extra:
            missing.append(f"{method} {template(route.path)}: {sorted(extra)}")
    assert missing == []
