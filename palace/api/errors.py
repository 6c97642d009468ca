"""Refusals as JSON: the same codes and texts as the pages, in the language asked.

A service's coded error becomes ``{"code", "detail"}`` with the status the pages give
it (palace.web.errors.status_for): ids of things that are not there (or are someone
else's) 404, a place just gone 409, a rule's refusal 400, no access 403, too many
attempts 429. The API's own codes are in the same catalog (palace/catalog).
"""

import msgspec
from starlette.responses import Response

from palace.services.core.errors import ServiceError
from palace.settings import LANGUAGES, get_settings
from palace.web.errors import headers_for, status_for
from palace.web.messages import message


def language(accept: str) -> str:
    """The first of our languages the Accept-Language header names (in its order of q)."""
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate(accept[:200].split(",")):
        tag, _, rest = part.strip().partition(";")
        q = rest.strip().removeprefix("q=")
        try:
            weight = float(q) if rest else 1.0
        except ValueError:
            weight = 0.0
        ranked.append((-weight, index, tag.strip().lower()))
    for _weight, _index, tag in sorted(ranked):
        for lang in LANGUAGES:
            if tag.split("-")[0] == lang.split("-")[0].lower():
                return lang
    return get_settings().default_language


def text(lang: str, code: str, params: dict[str, object] | None = None) -> str:
    """The code's text from the one catalog, its values made readable (as on pages)."""
    return message(lang, code, **(params or {}))


def respond(
    lang: str,
    status: int,
    code: str,
    params: dict[str, object] | None = None,
    *,
    fields: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    body: dict[str, object] = {"code": code, "detail": text(lang, code, params)}
    if fields:
        body["fields"] = fields
    return Response(
        msgspec.json.encode(body),
        status_code=status,
        media_type="application/json",
        headers={"Cache-Control": "no-store", **(headers or {})},
    )


def refused(lang: str, error: ServiceError) -> Response:
    """A service's refusal; field errors keep the page's text for each field."""
    fields = {name: message(lang, code, **error.params) for name, code in error.fields.items()}
    status, headers = status_for(error), headers_for(error)
    return respond(lang, status, error.code, error.params, fields=fields, headers=headers)
