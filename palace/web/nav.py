"""The main navigation. Who sees a tab is read from the page's own declaration
(``@page(roles…)`` or ``@public``), so the menu never offers a page that says 403."""

from dataclasses import dataclass

from starlette.requests import Request
from starlette.routing import Match, Route

from palace.i18n import N_
from palace.models import Member, Role
from palace.web.auth import ACCESS_ATTR

TABS = [
    ("/", N_("Home")),
    ("/book", N_("Book")),
    ("/classes", N_("Classes")),
    ("/bookings", N_("My bookings")),
    ("/inbox", N_("Messages")),
    ("/desk", N_("Front desk")),
    ("/staff", N_("Planning")),
    ("/admin/members", N_("Accounts")),
    ("/account", N_("My account")),
]
# Where each role lands after logging in when no page was asked for: the desk clerk's
# day starts at the scan field, not at the member's home page.
START_PAGES = {
    Role.MEMBER: "/",
    Role.DESK: "/desk/scan",
    Role.STAFF: "/staff",
    Role.ADMIN: "/admin/members",
}
# Only for visitors: a member who is logged in is sent on from these.
VISITOR_TABS = [("/login", N_("Log in")), ("/register", N_("Register"))]


def start_page(role: Role) -> str:
    return START_PAGES.get(role, "/")


@dataclass(frozen=True)
class Tab:
    path: str
    label: str  # a message id
    current: bool


def _access(request: Request, path: str) -> object:
    # The app's routes do not change once it is made: each tab's page is looked up once
    # (its declaration is read each time).
    known: dict[str, object] | None = getattr(request.app.state, "nav_pages", None)
    if known is None:
        known = request.app.state.nav_pages = {}
    if path not in known:
        known[path] = _endpoint(request, path)
    return getattr(known[path], ACCESS_ATTR, None)


def _endpoint(request: Request, path: str) -> object:
    scope = {"type": "http", "path": path, "method": "GET"}
    for route in request.app.routes:
        if isinstance(route, Route) and route.matches(scope)[0] == Match.FULL:
            return route.endpoint
    return None


def _may_open(request: Request, member: Member | None, path: str) -> bool:
    access = _access(request, path)
    if access == "public":
        return True
    return member is not None and isinstance(access, frozenset) and member.role in access


def _current(here: str, path: str) -> bool:
    return here == path or (path != "/" and here.startswith(path + "/"))


def tabs(request: Request) -> list[Tab]:
    member: Member | None = getattr(request.state, "member", None)
    here = request.url.path
    wanted = TABS if member else TABS[:1] + VISITOR_TABS
    return [
        Tab(path, label, _current(here, path))
        for path, label in wanted
        if _may_open(request, member, path)
    ]
