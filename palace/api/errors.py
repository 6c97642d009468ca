"""Refusals as JSON: the same codes and texts as the pages, in the language asked.

A service's coded error becomes ``{"code", "detail"}`` with a status: ids of things
that are not there (or are someone else's) 404, a place just gone 409, a rule's
refusal 400, no access 403, too many attempts 429.
"""

import msgspec
from starlette.responses import Response

from palace.i18n import N_
from palace.services.core.errors import NotAllowed, ServiceError, Throttled
from palace.settings import LANGUAGES, get_settings
from palace.web.classes import SESSION_CONFLICT
from palace.web.messages import fill, message

# The API's own codes (its requests, not a business rule): texts for the catalog.
API_MESSAGES = {
    "token_invalid": N_("Log in again: this token is unknown, revoked or expired."),
    "scope_not_allowed": N_("This token cannot do that. Log in with the right account."),
    "request_invalid": N_("Nothing was done. Please correct the fields named below."),
    "field_invalid": N_("This value is not valid here."),
    "not_found": N_("That does not exist, or it is not yours."),
    "request_in_flight": N_("The same request is still being handled. Try again in a moment."),
    "idempotency_key_reused": N_("This idempotency key was already used for another request."),
    "server_error": N_("Something went wrong on our side. Please try again later."),
    "method_not_allowed": N_("That action is not possible here."),
}
# Refusals about the place itself, as the pages answer them (409): it is gone or changed.
CONFLICT = SESSION_CONFLICT | {
    "already_cancelled",
    "booking_started",
    "offer_expired",
    "offer_accepted",
    "offer_gone",
    "booking_clash",
}
FORBIDDEN = {"account_disabled", "not_allowed"}


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
    if code in API_MESSAGES:
        return fill(lang, API_MESSAGES[code], params or {})
    return message(lang, code, **(params or {}))


def status_of(error: ServiceError) -> int:
    if isinstance(error, Throttled):
        return 429
    if isinstance(error, NotAllowed) or error.code in FORBIDDEN:
        return 403
    if error.code == "not_found" or error.code.startswith("unknown_"):
        return 404
    return 409 if error.code in CONFLICT else 400


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
    headers = {"Retry-After": str(error.retry_after)} if isinstance(error, Throttled) else None
    status = status_of(error)
    return respond(lang, status, error.code, error.params, fields=fields, headers=headers)
