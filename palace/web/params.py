"""Path and query values a member can forge, parsed without ever raising a 500."""

from starlette.convertors import Convertor, register_url_convertor
from starlette.exceptions import HTTPException
from starlette.requests import Request

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


class CodeConvertor(Convertor[str]):
    """A hall's code in a path: what Facility.code can hold, so anything else is a 404."""

    regex = "[A-Za-z0-9_-]{1,40}"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("code", CodeConvertor())
