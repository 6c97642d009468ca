"""Path and query values a member can forge, parsed without ever raising a 500."""

from starlette.exceptions import HTTPException
from starlette.requests import Request

MAX_ID = 2**31 - 1


def path_id(request: Request, name: str) -> int:
    """A database id from the path; anything else is a 404, never a crash."""
    raw = str(request.path_params.get(name, ""))
    if not raw.isascii() or not raw.isdigit() or int(raw) > MAX_ID:
        raise HTTPException(404)
    return int(raw)
