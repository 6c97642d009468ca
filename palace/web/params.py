"""Path, query and form values a member can forge, parsed without ever raising a 500.

A value that cannot be what it names is a coded error (``day_invalid``), answered by
the one handler in ``web.errors`` like any refusal; an id in the path that is not one
is a 404.
"""

from datetime import date

from starlette.convertors import Convertor, register_url_convertor
from starlette.exceptions import HTTPException
from starlette.requests import Request

from palace.services.core import clock
from palace.services.core.errors import ServiceError

MAX_ID = 2**31 - 1


def parse_id(raw: str) -> int | None:
    """A database id typed or posted as text; None for anything else."""
    if not raw.isascii() or not raw.isdigit() or int(raw) > MAX_ID:
        return None
    return int(raw)


def path_id(request: Request, name: str) -> int:
    """A database id from the path; anything else is a 404, never a crash."""
    found = parse_id(str(request.path_params.get(name, "")))
    if found is None:
        raise HTTPException(404)
    return found


def optional_id(raw: object) -> int | None:
    """An id a form or query may leave out (the desk's hall): None when absent or forged."""
    return parse_id(str(raw or "")[:12])


def given_id(raw: object, code: str) -> int | None:
    """An id a form may leave out (a child); ServiceError(code) when given but not an id."""
    text = str(raw or "")[:20]
    found = parse_id(text) if text else None
    if text and found is None:
        raise ServiceError(code)
    return found


def query_day(request: Request, name: str = "day") -> date | None:
    """``?day=`` (or ``?name=``) as a date; None when absent, ``day_invalid`` when not one."""
    raw = request.query_params.get(name, "")[:40]
    if not raw:
        return None
    day = clock.parse_day(raw)
    if day is None:
        raise ServiceError("day_invalid")
    return day


def day_or_today(request: Request) -> tuple[date, ServiceError | None]:
    """``?day=``, or today with the ``day_invalid`` error for a page that says so itself."""
    try:
        return query_day(request) or clock.today(), None
    except ServiceError as error:
        return clock.today(), error


class CodeConvertor(Convertor[str]):
    """A hall's code in a path: what Facility.code can hold, so anything else is a 404."""

    regex = "[A-Za-z0-9_-]{1,40}"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("code", CodeConvertor())
