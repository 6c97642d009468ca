"""The process's shared Redis client (hints, rate limits, job queue; never the truth)."""

from redis.asyncio import Redis

_client: Redis | None = None


async def open_redis(url: str) -> Redis:
    global _client
    _client = Redis.from_url(url, socket_connect_timeout=3, socket_timeout=5)
    return _client


async def close_redis() -> None:
    global _client
    if _client is not None:
        await _client.aclose()
        _client = None


def get_redis() -> Redis:
    if _client is None:
        raise RuntimeError("Redis is not open in this process; call open_redis() first")
    return _client
