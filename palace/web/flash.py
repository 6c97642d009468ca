"""One-time messages carried in the session to the next page (message ids, not text)."""

from starlette.requests import Request


def add(request: Request, message: str, kind: str = "success") -> None:
    request.session.setdefault("flash", [])
    request.session["flash"] = [*request.session["flash"], [kind, message]]


def pop_all(request: Request) -> list[tuple[str, str]]:
    if "session" not in request.scope or "flash" not in request.session:
        return []
    return [(kind, message) for kind, message in request.session.pop("flash")]
