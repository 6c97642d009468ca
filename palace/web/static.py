"""Static files: versioned addresses cached for a year, the favicon.

``static_url("app.css")`` is ``/static/app.css?v=<hash of the content>``: a browser
keeps the file as long as it likes, and a changed file gets a new address.
"""

import hashlib
from functools import cache

from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from palace.paths import STATIC_DIR
from palace.web.auth import public

PREFIX = "/static"
IMMUTABLE = "public, max-age=31536000, immutable"
# An address without a version (old bookmarks, a hand-typed URL): check back each time.
REVALIDATE = "no-cache"


@cache
def version(path: str) -> str:
    """A short hash of the file's content, read once per process."""
    return hashlib.sha256((STATIC_DIR / path).read_bytes()).hexdigest()[:12]


def static_url(path: str) -> str:
    return f"{PREFIX}/{path}?v={version(path)}"


class VersionedStaticFiles(StaticFiles):
    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        if response.status_code in (200, 304):
            versioned = b"v=" in scope.get("query_string", b"")
            response.headers["Cache-Control"] = IMMUTABLE if versioned else REVALIDATE
        return response


@public
async def favicon(request: Request) -> Response:
    """For browsers that ask for /favicon.ico whatever the page says."""
    headers = {"Cache-Control": "public, max-age=86400"}
    return FileResponse(STATIC_DIR / "favicon.svg", media_type="image/svg+xml", headers=headers)
