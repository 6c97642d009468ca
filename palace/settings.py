"""Configuration read from the environment, with safe defaults for a laptop."""

import ipaddress
import os
import secrets
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

LANGUAGES = ("zh-CN", "en")
# Names the server answers to when PALACE_ALLOWED_HOSTS is not set: this machine only.
DEFAULT_ALLOWED_HOSTS = ("localhost", "127.0.0.1")
OUTBOUND_CHANNELS = ("log", "email", "webhook", "sms")


IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


class ConfigError(Exception):
    """A setting is missing or malformed; the message says which and how to fix it."""


@dataclass(frozen=True)
class Settings:
    database_url: str
    redis_url: str
    secret_key: str
    timezone: str
    default_language: str
    var_dir: Path
    login_attempts_per_account: int
    login_attempts_per_address: int
    reminder_minutes: int
    outbound_channel: str
    # No-shows: this many strikes within this many days suspend booking for this long.
    strikes_to_suspend: int = 2
    strike_period_days: int = 30
    suspension_days: int = 14
    # Host headers answered; any other is refused with 400 ("*.example.org", "*" for any).
    allowed_hosts: tuple[str, ...] = DEFAULT_ALLOWED_HOSTS
    # JSON API requests one token may make per minute (palace.api; counted in Redis).
    api_requests_per_minute: int = 120
    # Joins, changes and leaves of opening queues one member may make per minute.
    queue_requests_per_minute: int = 20
    # Who may read /metrics: these addresses or networks, or a bearer of the token.
    metrics_allow: tuple[IPNetwork, ...] = ()
    metrics_token: str = ""
    # A drand HTTP endpoint (e.g. https://api.drand.sh): a public round is mixed into each
    # ballot's seed; empty, none is.
    drand_url: str = ""

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def _var_dir() -> Path:
    path = Path(os.environ.get("PALACE_VAR_DIR", "var")).resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def _secret_key(var_dir: Path) -> str:
    """The key from the environment, else one generated once into var/ and kept."""
    if key := os.environ.get("PALACE_SECRET_KEY", "").strip():
        return key
    path = var_dir / "secret_key"
    try:
        # O_EXCL: web and worker processes starting together must agree on one key.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from None
    if value < 1:
        raise ConfigError(f"{name} must be at least 1, got {value}")
    return value


def _timezone() -> str:
    name = os.environ.get("PALACE_TIMEZONE", "").strip() or "Asia/Shanghai"
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"PALACE_TIMEZONE {name!r} is not a known time zone") from None
    return name


def _language() -> str:
    lang = os.environ.get("PALACE_DEFAULT_LANGUAGE", "").strip() or "zh-CN"
    if lang not in LANGUAGES:
        raise ConfigError(f"PALACE_DEFAULT_LANGUAGE must be one of {', '.join(LANGUAGES)}")
    return lang


def _channel() -> str:
    name = os.environ.get("PALACE_OUTBOUND_CHANNEL", "").strip() or "log"
    if name not in OUTBOUND_CHANNELS:
        raise ConfigError(f"PALACE_OUTBOUND_CHANNEL must be one of {', '.join(OUTBOUND_CHANNELS)}")
    return name


def _allowed_hosts() -> tuple[str, ...]:
    raw = os.environ.get("PALACE_ALLOWED_HOSTS", "")
    hosts = tuple(h.strip().lower() for h in raw.split(",") if h.strip())
    for host in hosts:
        if ":" in host or "/" in host or "*" in host[1:]:
            raise ConfigError(
                f"PALACE_ALLOWED_HOSTS takes host names without port or scheme, "
                f"such as palace.example.org or *.example.org; got {host!r}"
            )
    return hosts or DEFAULT_ALLOWED_HOSTS


def _metrics_allow() -> tuple[IPNetwork, ...]:
    raw = os.environ.get("PALACE_METRICS_ALLOW", "127.0.0.1")
    try:
        return tuple(ipaddress.ip_network(part.strip()) for part in raw.split(",") if part.strip())
    except ValueError as error:
        raise ConfigError(
            f"PALACE_METRICS_ALLOW takes addresses or networks such as 127.0.0.1 or "
            f"10.0.0.0/8, separated by commas: {error}"
        ) from None


@cache
def get_settings() -> Settings:
    var_dir = _var_dir()
    default_db = f"sqlite://{var_dir / 'palace.sqlite3'}"
    return Settings(
        database_url=os.environ.get("PALACE_DATABASE_URL", "").strip() or default_db,
        redis_url=os.environ.get("PALACE_REDIS_URL", "").strip() or "redis://127.0.0.1:6379/0",
        secret_key=_secret_key(var_dir),
        timezone=_timezone(),
        default_language=_language(),
        var_dir=var_dir,
        login_attempts_per_account=_int("PALACE_LOGIN_ATTEMPTS_PER_ACCOUNT", 5),
        login_attempts_per_address=_int("PALACE_LOGIN_ATTEMPTS_PER_ADDRESS", 100),
        reminder_minutes=_int("PALACE_REMINDER_MINUTES", 120),
        outbound_channel=_channel(),
        strikes_to_suspend=_int("PALACE_STRIKES_TO_SUSPEND", 2),
        strike_period_days=_int("PALACE_STRIKE_PERIOD_DAYS", 30),
        suspension_days=_int("PALACE_SUSPENSION_DAYS", 14),
        allowed_hosts=_allowed_hosts(),
        api_requests_per_minute=_int("PALACE_API_REQUESTS_PER_MINUTE", 120),
        queue_requests_per_minute=_int("PALACE_QUEUE_REQUESTS_PER_MINUTE", 20),
        metrics_allow=_metrics_allow(),
        metrics_token=os.environ.get("PALACE_METRICS_TOKEN", "").strip(),
        drand_url=os.environ.get("PALACE_DRAND_URL", "").strip().rstrip("/"),
    )
