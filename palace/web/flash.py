"""One-time messages carried in the session to the next page.

The session keeps a message id and its values, never text: the id is translated when
the page is shown and the values are put in afterwards, so a name with ``%`` or markup
in it is shown as typed (the page escapes the whole text; nothing is translated twice).
"""

from starlette.requests import Request

from palace.web import formats
from palace.web.auth import request_language
from palace.web.messages import GENERIC, MESSAGES, fill

Param = str | int | float


def add(request: Request, message_id: str, kind: str = "success", /, **params: object) -> None:
    """Show ``message_id`` (an ``N_()`` string) on the next page with ``params`` put in."""
    lang = request_language(request)
    values = {name: _plain(formats.param(value, lang)) for name, value in params.items()}
    request.session["flash"] = [*request.session.get("flash", []), [kind, message_id, values]]


def code(request: Request, code: str, /, kind: str = "error", **params: object) -> None:
    """Show a service error code's message (``web.messages``) on the next page."""
    add(request, MESSAGES.get(code, GENERIC), kind, **params)


def _plain(value: object) -> Param:
    # The session is JSON: numbers stay numbers (plural forms, %d), the rest is text.
    return value if isinstance(value, int | float) and not isinstance(value, bool) else str(value)


def pop_all(request: Request) -> list[tuple[str, str]]:
    """The waiting messages as text in the request's language (plain text, for escaping)."""
    if "session" not in request.scope or "flash" not in request.session:
        return []
    lang = request_language(request)
    waiting = request.session.pop("flash")
    shown = []
    for entry in waiting if isinstance(waiting, list) else []:
        # A cookie from before message ids were kept holds [kind, text]: let it go.
        if isinstance(entry, list) and len(entry) == 3 and isinstance(entry[2], dict):
            kind, message_id, params = entry
            shown.append((str(kind), fill(lang, str(message_id), params)))
    return shown
