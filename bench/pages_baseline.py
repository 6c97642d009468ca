"""The stack's limit for Palace's pages: bare Starlette, one hand-written query, the real template.

``/hello`` answers a constant. ``/book/{code}``, ``/bookings`` and ``/classes`` each run
ONE SQL query (asyncpg, or one aiosqlite connection per process as Tortoise keeps) and
render the same template file from templates/ with Palace's own Jinja environment
(``palace.web.templating.templates_for``: same filters, Babel formats, translations).
No ORM, no middleware, no session: the member is named by an ``X-Bench-Member`` header
(Palace reads its cookie and ignores the header). Context is simplified where a page
needs more than one query (no partners, invitations, waitlists or calendar feed; the
court hall's rules and hours are read once per process, as Palace caches them).

    BENCH_DATABASE_URL=… python -m uvicorn bench.pages_baseline:create_app --factory
"""

import os
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Any

import aiosqlite
import asyncpg
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import Route

from palace.services.core import clock
from palace.web.templating import templates_for

DATABASE_ENV = "BENCH_DATABASE_URL"
POOL_ENV = "BENCH_POOL_SIZE"
MEMBER_HEADER = "x-bench-member"
LANG = "zh-CN"
HISTORY_PAGE = 20
CSRF = "b" * 43
NAV = [("/", "Home"), ("/book", "Book"), ("/classes", "Classes"), ("/bookings", "My bookings"),
       ("/inbox", "Messages"), ("/account", "My account")]  # fmt: skip
Fetch = Callable[[str, Sequence[Any]], Awaitable[list[dict[str, Any]]]]

HALL = "SELECT id, code, name_zh, name_en, kind FROM facilities WHERE code = $1"
COURTS = """
SELECT r.id, r.name_zh, r.name_en, r.capacity FROM resources r
WHERE r.facility_id = $1 AND r.active ORDER BY r.sort_order, r.id
"""
RULES = """
SELECT slot_minutes, days_ahead, max_active, max_minutes_per_day
FROM booking_rules WHERE facility_id = $1
"""
HOURS = "SELECT weekday, opens_minute, closes_minute FROM opening_hours WHERE facility_id = $1"
# The one query per page:
DAY = """
SELECT s.id, s.resource_id, s.starts_at, s.capacity, s.taken, s.held,
       (SELECT b.id FROM bookings b WHERE b.slot_id = s.id AND b.member_id = $1
        AND b.status = 'confirmed') AS mine
FROM slots s JOIN resources r ON r.id = s.resource_id
WHERE r.facility_id = $2 AND s.starts_at >= $3 AND s.starts_at < $4
"""
MINE = """
SELECT b.id, b.starts_at, b.ends_at, b.status, b.checked_in_at,
       f.name_zh AS f_zh, f.name_en AS f_en, r.name_zh AS r_zh, r.name_en AS r_en,
       ct.name_zh AS c_zh, ct.name_en AS c_en, i.name AS instructor,
       cs.status AS s_status, cs.cancel_reason
FROM bookings b
JOIN facilities f ON f.id = b.facility_id JOIN resources r ON r.id = b.resource_id
LEFT JOIN class_sessions cs ON cs.slot_id = b.slot_id
LEFT JOIN class_types ct ON ct.id = cs.class_type_id
LEFT JOIN instructors i ON i.id = cs.instructor_id
WHERE b.member_id = $1 AND b.guest_name IS NULL
ORDER BY b.starts_at DESC, b.id DESC LIMIT 200
"""
WEEK = """
SELECT cs.id, cs.starts_at, cs.ends_at, cs.status, cs.cancel_reason, cs.slot_id,
       ct.name_zh AS c_zh, ct.name_en AS c_en, ct.level, ct.for_children,
       i.name AS instructor, r.name_zh AS r_zh, r.name_en AS r_en,
       s.capacity, s.taken, s.held, s.opens_at,
       (SELECT b.id FROM bookings b WHERE b.slot_id = cs.slot_id AND b.member_id = $1
        AND b.status = 'confirmed') AS mine
FROM class_sessions cs
JOIN class_types ct ON ct.id = cs.class_type_id JOIN instructors i ON i.id = cs.instructor_id
JOIN resources r ON r.id = cs.room_id JOIN slots s ON s.id = cs.slot_id
WHERE cs.starts_at >= $2 AND cs.starts_at < $3 ORDER BY cs.starts_at, cs.id
"""


class Value(str):
    """A string with ``.value``, where templates read an enum's value."""

    @property
    def value(self) -> str:
        return str(self)


@dataclass(frozen=True)
class Named:
    id: int
    name_zh: str
    name_en: str
    capacity: int = 1
    code: str = ""

    def name(self, lang: str) -> str:
        return self.name_zh if lang.startswith("zh") else self.name_en


@dataclass(frozen=True)
class Hall:
    facility: Named
    courts: list[Named]
    slot_minutes: int
    days_ahead: int
    quota: dict[str, int]
    hours: dict[int, tuple[int, int]]  # weekday: (opens, closes) minutes


def _dt(value: Any) -> datetime:
    """asyncpg gives aware datetimes; SQLite gives Tortoise's text."""
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


def _param(value: Any, sqlite: bool) -> Any:
    if sqlite and isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S+00:00")
    return value


def _ns(**values: Any) -> Any:
    return type("Context", (), values)()


def _page(request: Request, name: str, context: dict[str, Any]) -> Response:
    base = {
        "member": True, "unread": 0, "suspension": None, "csrf_token": CSRF, "flashes": [],
        "nav": [_ns(path=p, label=label, current=request.url.path == p) for p, label in NAV],
        "current_path": request.url.path, "current_url": str(request.url.path),
    }  # fmt: skip
    template = templates_for(LANG).env.get_template(name)
    return HTMLResponse(template.render({**base, **context}))


def _member(request: Request) -> int:
    return int(request.headers.get(MEMBER_HEADER, "0"))


async def hello(request: Request) -> Response:
    return PlainTextResponse("hello")


async def healthz(request: Request) -> Response:
    await request.app.state.fetch("SELECT 1 AS one", ())
    return PlainTextResponse("ok")


async def day_page(request: Request) -> Response:
    hall: Hall = request.app.state.hall
    shown = clock.parse_day(request.query_params.get("day", "")) or clock.today()
    start, end = clock.day_bounds(shown)
    rows = await request.app.state.fetch(DAY, (_member(request), hall.facility.id, start, end))
    return _page(request, "bookings/timetable.html", _timetable(hall, shown, rows))


class Cell(StrEnum):
    FREE = "free"
    MINE = "mine"
    TAKEN = "taken"
    PAST = "past"


def _timetable(hall: Hall, shown: date, found: list[dict[str, Any]]) -> dict[str, Any]:
    by_cell = {(r["resource_id"], _dt(r["starts_at"])): r for r in found}
    opens, closes = hall.hours.get(shown.weekday(), (0, 0))
    step, now = hall.slot_minutes, clock.now()
    rows, mine = [], 0
    for minute in range(opens, closes - step + 1, step):
        start = clock.at(shown, minute)
        cells = []
        for court in hall.courts:
            row = by_cell.get((court.id, start))
            left = court.capacity - (row["taken"] + row["held"] if row else 0)
            state = Cell.PAST if start <= now else Cell.FREE if left > 0 else Cell.TAKEN
            if row and row["mine"]:
                state, mine = Cell.MINE, mine + 1
            cells.append(_ns(resource=court, starts_at=start, state=state, places_left=left,
                             booking_id=row and row["mine"], slot_id=row and row["id"],
                             waiting=False, late=False))  # fmt: skip
        rows.append(_ns(starts_at=start, ends_at=start + timedelta(minutes=step), cells=cells))
    days = [clock.today() + timedelta(days=n) for n in range(hall.days_ahead)]
    quota = _ns(active=mine, minutes_today=mine * step, **hall.quota)
    t = _ns(facility=hall.facility, day=shown, days=days, quota=quota, is_open=True, opens_at=now,
            rows=rows, resources=hall.courts, is_court=True, has_hours=bool(rows),
            any_free=any(c.state == Cell.FREE for r in rows for c in r.cells),
            any_full=any(c.state == Cell.TAKEN for r in rows for c in r.cells))  # fmt: skip
    return {"t": t, "today": clock.today(), "blocked": None, "code": hall.facility.code}


@dataclass
class View:
    booking: Any
    title_zh: str
    title_en: str
    state: str
    session: Any = None
    child: None = None
    mine: bool = True
    partners: list[Any] = field(default_factory=list)
    cancelled: bool = False
    palace_reason: None = None
    owner_name: str = ""
    partner_names: list[str] = field(default_factory=list)
    resource: Any = None

    @property
    def id(self) -> int:
        return int(self.booking.id)

    @property
    def starts_at(self) -> datetime:
        return self.booking.starts_at  # type: ignore[no-any-return]

    @property
    def ends_at(self) -> datetime:
        return self.booking.ends_at  # type: ignore[no-any-return]

    @property
    def instructor_name(self) -> str:
        return str(self.session.instructor.name) if self.session else ""

    @property
    def class_cancelled(self) -> bool:
        return bool(self.session and self.session.status == "cancelled")

    def title(self, lang: str) -> str:
        return self.title_zh if lang.startswith("zh") else self.title_en


def _view(row: dict[str, Any], now: datetime) -> View:
    status = Value(row["status"])
    ends_at, checked = _dt(row["ends_at"]), row["checked_in_at"]
    booking = _ns(id=row["id"], starts_at=_dt(row["starts_at"]), ends_at=ends_at, status=status)
    if status != "confirmed":
        state = status
    else:
        state = "checked_in" if checked else "over" if ends_at <= now else "confirmed"
    where = (row["c_zh"], row["c_en"]) if row["c_zh"] else (row["f_zh"], row["f_en"])
    session = None
    if row["s_status"]:
        session = _ns(instructor=_ns(name=row["instructor"]), status=Value(row["s_status"]),
                      cancel_reason=row["cancel_reason"])  # fmt: skip
    zh, en = row["r_zh"], row["r_en"]
    resource = _ns(name=staticmethod(lambda lang: zh if lang.startswith("zh") else en))
    return View(booking, f"{where[0]} · {zh}", f"{where[1]} · {en}", state,
                session, cancelled=status != "confirmed", resource=resource)  # fmt: skip


async def mine_page(request: Request) -> Response:
    found = await request.app.state.fetch(MINE, (_member(request),))
    now = clock.now()
    views = [_view(row, now) for row in found]
    upcoming = [v for v in reversed(views) if v.state == "confirmed"]
    rest = [v for v in views if v.state != "confirmed"]
    b = _ns(invitations=[], upcoming=upcoming, history=rest[:HISTORY_PAGE], history_page=1,
            more=len(rest) > HISTORY_PAGE)  # fmt: skip
    context = {"b": b, "lines": [], "feed": None, "feed_url": None}
    return _page(request, "bookings/mine.html", context)


class Session(StrEnum):
    OPEN = "open"
    MINE = "mine"
    FULL = "full"
    NOT_YET_OPEN = "not_yet_open"
    CANCELLED = "cancelled"
    PAST = "past"


def _card(row: dict[str, Any], now: datetime) -> Any:
    starts_at, opens_at = _dt(row["starts_at"]), _dt(row["opens_at"])
    left = max(row["capacity"] - row["taken"] - row["held"], 0)
    if row["status"] == "cancelled":
        state = Session.CANCELLED
    elif row["mine"]:
        state = Session.MINE
    elif starts_at <= now:
        state = Session.PAST
    elif now < opens_at:
        state = Session.NOT_YET_OPEN
    else:
        state = Session.OPEN if left > 0 else Session.FULL
    kind = _ns(level=Value(row["level"]), for_children=bool(row["for_children"]),
               name=Named(0, row["c_zh"], row["c_en"]).name)  # fmt: skip
    session = _ns(id=row["id"], starts_at=starts_at, ends_at=_dt(row["ends_at"]),
                  class_type=kind, room=Named(0, row["r_zh"], row["r_en"]),
                  instructor=_ns(name=row["instructor"]), slot_id=row["slot_id"],
                  cancel_reason=row["cancel_reason"])  # fmt: skip
    mine = [_ns(id=row["mine"])] if row["mine"] else []
    return _ns(session=session, state=state, places_left=left, opens_at=opens_at, mine=mine,
               late=False, waiting=False)  # fmt: skip


async def week_page(request: Request) -> Response:
    today = clock.today()
    this_week = today - timedelta(days=today.weekday())
    asked = clock.parse_day(request.query_params.get("week", ""))
    first = asked - timedelta(days=asked.weekday()) if asked else this_week
    days = [d for d in (first + timedelta(days=n) for n in range(7)) if d >= today]
    start, end = clock.day_bounds(days[0])[0], clock.day_bounds(first + timedelta(days=6))[1]
    found = await request.app.state.fetch(WEEK, (_member(request), start, end))
    now = clock.now()
    cards = [(clock.local_day(_dt(row["starts_at"])), _card(row, now)) for row in found]
    by_day = [(d, [c for day, c in cards if day == d]) for d in days]
    week = timedelta(weeks=1)
    w = _ns(first=first, days=by_day, children=[], can_go_back=first > this_week,
            can_go_on=True, previous=first - week, next=first + week)  # fmt: skip
    return _page(request, "classes/week.html", {"w": w, "today": today, "blocked": None})


async def _load_hall(fetch: Fetch, code: str) -> Hall:
    """The court hall, its courts, rules and hours: once per process."""
    (hall,) = await fetch(HALL, (code,))
    courts = [Named(r["id"], r["name_zh"], r["name_en"], r["capacity"])
              for r in await fetch(COURTS, (hall["id"],))]  # fmt: skip
    (rules,) = await fetch(RULES, (hall["id"],))
    hours = {h["weekday"]: (h["opens_minute"], h["closes_minute"])
             for h in await fetch(HOURS, (hall["id"],))}  # fmt: skip
    quota = {"max_active": rules["max_active"], "max_minutes": rules["max_minutes_per_day"]}
    facility = Named(hall["id"], hall["name_zh"], hall["name_en"], code=hall["code"])
    return Hall(facility, courts, rules["slot_minutes"], rules["days_ahead"], quota, hours)


@asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    url = os.environ[DATABASE_ENV]
    if url.startswith("sqlite://"):
        async with aiosqlite.connect(url.removeprefix("sqlite://")) as conn:
            conn.row_factory = aiosqlite.Row

            async def fetch_sqlite(query: str, args: Sequence[Any]) -> list[dict[str, Any]]:
                sql = re.sub(r"\$\d+", "?", query)
                async with conn.execute(sql, [_param(a, True) for a in args]) as cursor:
                    return [dict(row) for row in await cursor.fetchall()]

            app.state.fetch = fetch_sqlite
            app.state.hall = await _load_hall(fetch_sqlite, app.state.code)
            yield
        return
    size = int(os.environ.get(POOL_ENV, "5"))
    async with asyncpg.create_pool(url, min_size=1, max_size=size) as pool:

        async def fetch(query: str, args: Sequence[Any]) -> list[dict[str, Any]]:
            return [dict(row) for row in await pool.fetch(query, *args)]

        app.state.fetch = fetch
        app.state.hall = await _load_hall(fetch, app.state.code)
        yield


def create_app() -> Starlette:
    routes = [
        Route("/hello", hello),
        Route("/healthz", healthz),
        Route("/book/{code}", day_page),
        Route("/bookings", mine_page),
        Route("/classes", week_page),
    ]
    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.code = os.environ.get("BENCH_HALL", "badminton")
    return app
