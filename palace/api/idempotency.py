"""X-Idempotency-Key: a write retried with the same key gets the first answer again.

The key is kept per token for 24 hours in Redis. While the first request is still
being handled a retry gets 409; once it is answered, the same request gets the stored
answer (and ``X-Idempotent-Replay: true``); the same key on a different request is
refused. Redis carries this as a hint: if it is away the write goes ahead, and the
booking core's own rules (one live place per person and slot, a cancel frees once)
still hold.
"""

import hashlib
import logging
from dataclasses import dataclass

import msgspec
from redis.exceptions import RedisError

from palace.redis_client import get_redis

log = logging.getLogger("palace.api")
HEADER = "x-idempotency-key"
KEY_MAX = 200
KEEP_SECONDS = 24 * 3600
# A request still "in flight" after this long died with its process: the key is free.
IN_FLIGHT_SECONDS = 60


class Stored(msgspec.Struct, frozen=True):
    fingerprint: str
    status: int = 0  # 0: still being handled
    body: bytes = b""
    content_type: str = "application/json"


@dataclass(frozen=True)
class Claim:
    """What a request with a key found: it goes ahead (``redis_key`` to record the
    answer under), or ``found`` holds the earlier request's state."""

    redis_key: str
    fingerprint: str
    found: Stored | None = None


def fingerprint(method: str, path: str, body: bytes) -> str:
    return hashlib.sha256(b"\0".join([method.encode(), path.encode(), body])).hexdigest()


async def claim(*, token_id: int, key: str, fingerprint: str) -> Claim | None:
    """Claim the key for this request; None when Redis is away (go ahead unprotected)."""
    digest = hashlib.sha256(key.encode()).hexdigest()
    redis_key = f"palace:idempotency:{token_id}:{digest}"
    busy = msgspec.json.encode(Stored(fingerprint=fingerprint))
    try:
        redis = get_redis()
        if await redis.set(redis_key, busy, nx=True, ex=IN_FLIGHT_SECONDS):
            return Claim(redis_key, fingerprint)
        raw = await redis.get(redis_key)
    except (RedisError, OSError):
        log.exception("idempotency keys unavailable; handling the request without one")
        return None
    if raw is None:  # expired between the two calls: the earlier request is long gone
        return await claim(token_id=token_id, key=key, fingerprint=fingerprint)
    return Claim(redis_key, fingerprint, msgspec.json.decode(raw, type=Stored))


async def record(claimed: Claim, *, status: int, body: bytes, content_type: str) -> None:
    stored = Stored(claimed.fingerprint, status, body, content_type)
    try:
        await get_redis().set(claimed.redis_key, msgspec.json.encode(stored), ex=KEEP_SECONDS)
    except (RedisError, OSError):
        log.exception("idempotency key not recorded")


async def release(claimed: Claim) -> None:
    """The request failed unexpectedly: a retry may try again."""
    try:
        await get_redis().delete(claimed.redis_key)
    except (RedisError, OSError):
        log.exception("idempotency key not released")
