"""Log-in throttling in Redis, with the ``limits`` package.

Every attempt is counted *before* the password is checked (``hit`` is an atomic
test-and-count), so a burst of parallel guesses cannot slip past the limit.
A success clears the account's counters again.

Three limits, per minute:
- an account from one address: ``login_attempts_per_account`` (the 6th wrong
  password gets 429);
- an account from anywhere: four times that, so a guesser with many addresses is
  still stopped while one rival cannot lock a member out everywhere;
- an address over all accounts: ``login_attempts_per_address`` (IPv6 by /64).

JSON API requests are counted per token the same way (``api_requests_per_minute``).
"""

import ipaddress
import logging
import time

from limits import RateLimitItem, RateLimitItemPerMinute
from limits.aio.storage import RedisStorage
from limits.aio.strategies import MovingWindowRateLimiter
from redis.exceptions import RedisError

from palace.services.core.errors import Throttled
from palace.settings import get_settings

log = logging.getLogger("palace.throttle")
ACCOUNT_CEILING_FACTOR = 4

_limiter: MovingWindowRateLimiter | None = None


def open_throttle(redis_url: str) -> None:
    global _limiter
    storage = RedisStorage(
        "async+" + redis_url,
        implementation="redispy",
        key_prefix="palace:limits",
        # A stuck Redis must not hang every log-in: give up quickly and let it through.
        socket_timeout=1,
        socket_connect_timeout=1,
    )
    _limiter = MovingWindowRateLimiter(storage)


def _get() -> MovingWindowRateLimiter:
    if _limiter is None:
        raise RuntimeError("throttle is not open in this process; call open_throttle() first")
    return _limiter


def address_key(address: str) -> str:
    """IPv6 clients own a whole /64, so they are counted by it."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address[:64]
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def _limits(account: str, address: str) -> list[tuple[RateLimitItem, tuple[str, ...]]]:
    settings = get_settings()
    per_account = settings.login_attempts_per_account
    return [
        (RateLimitItemPerMinute(settings.login_attempts_per_address), ("address", address)),
        (RateLimitItemPerMinute(per_account), ("pair", account, address)),
        (RateLimitItemPerMinute(per_account * ACCOUNT_CEILING_FACTOR), ("account", account)),
    ]


async def reserve_login_attempt(*, account: str, address: str) -> None:
    """Count one attempt, or raise Throttled when a limit is used up."""
    limiter = _get()
    try:
        for item, identifiers in _limits(account, address_key(address)):
            if not await limiter.hit(item, "login", *identifiers):
                stats = await limiter.get_window_stats(item, "login", *identifiers)
                retry_after = max(1, int(stats.reset_time - time.time()))
                raise Throttled("too_many_attempts", retry_after=retry_after)
    except (RedisError, OSError):
        # Redis only carries hints: members can still log in while it is away.
        log.exception("login throttle unavailable; allowing the attempt")


async def reserve_api_request(*, token_key: str) -> None:
    """Count one JSON API request of a token, or raise Throttled when its minute is used up."""
    item = RateLimitItemPerMinute(get_settings().api_requests_per_minute)
    limiter = _get()
    try:
        if not await limiter.hit(item, "api", token_key):
            stats = await limiter.get_window_stats(item, "api", token_key)
            retry_after = max(1, int(stats.reset_time - time.time()))
            raise Throttled("too_many_requests", retry_after=retry_after)
    except (RedisError, OSError):
        log.exception("API rate limit unavailable; allowing the request")


async def reserve_queue_request(*, member_id: int) -> None:
    """Count one join, change or leave of an opening queue by a member, or raise Throttled:
    a script tapping faster gains nothing in the queue and is stopped here besides."""
    item = RateLimitItemPerMinute(get_settings().queue_requests_per_minute)
    limiter = _get()
    try:
        if not await limiter.hit(item, "queue", str(member_id)):
            stats = await limiter.get_window_stats(item, "queue", str(member_id))
            retry_after = max(1, int(stats.reset_time - time.time()))
            raise Throttled("too_many_requests", retry_after=retry_after)
    except (RedisError, OSError):
        log.exception("queue rate limit unavailable; allowing the request")


async def forget_login_attempts(*, account: str, address: str) -> None:
    """After a success: the member's own mistakes no longer count against them."""
    limiter = _get()
    try:
        for item, identifiers in _limits(account, address_key(address))[1:]:
            await limiter.clear(item, "login", *identifiers)
    except (RedisError, OSError):
        log.exception("login throttle unavailable; counters not cleared")
