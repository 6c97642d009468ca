"""Login throttling: failures counted per account and per address in Redis."""

import time

from limits import RateLimitItemPerMinute
from limits.aio.storage import RedisStorage
from limits.aio.strategies import MovingWindowRateLimiter

from palace.services.errors import Throttled
from palace.settings import get_settings

_limiter: MovingWindowRateLimiter | None = None


def open_throttle(redis_url: str) -> None:
    global _limiter
    storage = RedisStorage(
        "async+" + redis_url, implementation="redispy", key_prefix="palace:limits"
    )
    _limiter = MovingWindowRateLimiter(storage)


def _get() -> MovingWindowRateLimiter:
    if _limiter is None:
        raise RuntimeError("throttle is not open in this process; call open_throttle() first")
    return _limiter


def _items() -> tuple[RateLimitItemPerMinute, RateLimitItemPerMinute]:
    settings = get_settings()
    return (
        RateLimitItemPerMinute(settings.login_attempts_per_account),
        RateLimitItemPerMinute(settings.login_attempts_per_address),
    )


async def check_login(*, account: str, address: str) -> None:
    """Raise Throttled when either the account or the address used up its failures."""
    per_account, per_address = _items()
    limiter = _get()
    for item, kind, key in ((per_account, "account", account), (per_address, "address", address)):
        if not await limiter.test(item, "login", kind, key):
            stats = await limiter.get_window_stats(item, "login", kind, key)
            retry_after = max(1, int(stats.reset_time - time.time()))
            raise Throttled("too_many_attempts", retry_after=retry_after)


async def record_login_failure(*, account: str, address: str) -> None:
    per_account, per_address = _items()
    limiter = _get()
    await limiter.hit(per_account, "login", "account", account)
    await limiter.hit(per_address, "login", "address", address)


async def clear_login_failures(*, account: str) -> None:
    per_account, _ = _items()
    await _get().clear(per_account, "login", "account", account)
