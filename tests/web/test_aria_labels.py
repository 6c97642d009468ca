"""``aria-label`` sits only on elements that may carry one: a plain ``span`` or ``div``
(no role) may not, and the HTML validator flags it (the unread badge did, on every page)."""

from html.parser import HTMLParser

import httpx

from palace.services.core import clock
from palace.services.messages import notifications
from tests.helpers import log_in, make_hall, make_member

GENERIC = {"span", "div", "p", "b", "i", "small", "strong", "em"}


class _Finder(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.misplaced: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        if tag in GENERIC and "aria-label" in named and "role" not in named:
            self.misplaced.append(self.get_starttag_text() or tag)


def _misplaced(html: str) -> list[str]:
    finder = _Finder()
    finder.feed(html)
    return finder.misplaced


async def test_no_aria_label_on_a_plain_span(client: httpx.AsyncClient) -> None:
    hall = await make_hall()
    member = await make_member()
    await notifications.notify(member_id=member.id, kind="suspension_lifted")
    await log_in(client, member)
    today = clock.today().isoformat()
    for path in ("/", "/account", "/inbox", f"/book/{hall.code}?day={today}"):
        page = await client.get(path)
        assert page.status_code == 200, path
        assert _misplaced(page.text) == [], path
    # The badge says how many, to a screen reader too.
    assert 'role="img" aria-label="1 条未读消息"' in (await client.get("/")).text
