"""An optional public randomness beacon (drand) mixed into a ballot's seed.

The palace knows its secret, so once entries close it could know the outcome. Where
the deployment can reach a drand endpoint (``PALACE_DRAND_URL``), the ballot names, when
it closes, the drand round due at its draw time ("drand:<round>", published with the
entry list); the draw waits for that round's randomness and mixes it into the seed
("drand:<round>:<randomness>", published with the results). Nobody, the palace
included, knows that value before the round is produced, after the entries were fixed.
Anyone can compare it with ``<drand>/public/<round>``.
"""

import asyncio
import json
import urllib.request
from datetime import datetime
from typing import Any

from palace.services.core.errors import ServiceError
from palace.settings import get_settings

PREFIX = "drand:"
TIMEOUT_SECONDS = 10


class BeaconUnavailable(ServiceError):
    """The round is not out yet or the endpoint cannot be reached: the draw waits."""


def _fetch(url: str) -> dict[str, Any]:
    with urllib.request.urlopen(url, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
        found = json.loads(response.read())
    if not isinstance(found, dict):
        raise ValueError("not a JSON object")
    return found


async def _get(path: str) -> dict[str, Any]:
    url = get_settings().drand_url + path
    try:
        return await asyncio.to_thread(_fetch, url)
    except (OSError, ValueError) as error:
        raise BeaconUnavailable("beacon_unavailable", error=str(error)) from None


async def round_at(moment: datetime) -> str | None:
    """The beacon a ballot drawn at ``moment`` will use ("drand:<round>"), or None when
    no beacon is configured."""
    if not get_settings().drand_url:
        return None
    info = await _get("/info")
    genesis, period = int(info["genesis_time"]), int(info["period"])
    number = max(int(moment.timestamp() - genesis) // period + 1, 1)
    return f"{PREFIX}{number}"


async def complete(named: str | None) -> str | None:
    """The beacon with its round's randomness, fetched when only the round is known."""
    if named is None or not named.startswith(PREFIX) or named.count(":") >= 2:
        return named
    number = named.removeprefix(PREFIX)
    found = await _get(f"/public/{number}")
    return f"{PREFIX}{number}:{found['randomness']}"
