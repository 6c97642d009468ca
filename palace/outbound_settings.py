"""Configuration of the channels that carry messages outside the app, from the environment.

A channel exists when its settings are given (PALACE_SMTP_HOST, PALACE_WEBHOOK_URL,
PALACE_SMS_SECRET_ID...); README's Configuration table lists every variable. Kept apart
from ``palace.settings`` so a channel's secrets are read only where messages are sent.
"""

import os
from dataclasses import dataclass, field
from functools import cache

from palace.settings import ConfigError, get_settings

SMTP_SECURITY = ("starttls", "tls", "none")
# How long each channel usually takes to reach a member, in minutes (an offer lasts at
# least this long on top of its own time); PALACE_DELIVERY_MINUTES overrides.
REACH_MINUTES = {"log": 0, "webhook": 0, "email": 2, "sms": 2}
TENCENT_SMS_ENDPOINT = "https://sms.tencentcloudapi.com"


@dataclass(frozen=True)
class Smtp:
    host: str
    port: int
    sender: str
    username: str
    password: str
    security: str  # starttls, tls (implicit, port 465) or none


@dataclass(frozen=True)
class Webhook:
    url: str
    secret: str


@dataclass(frozen=True)
class Sms:
    """Tencent Cloud SMS (API 2021-01-11): credentials, application, signature, templates."""

    secret_id: str
    secret_key: str
    app_id: str
    sign_name: str
    templates: dict[str, str]  # notification kind -> approved template id
    region: str = "ap-guangzhou"
    endpoint: str = TENCENT_SMS_ENDPOINT


@dataclass(frozen=True)
class Outbound:
    smtp: Smtp | None
    webhook: Webhook | None
    sms: Sms | None
    default_channel: str
    max_attempts: int = 5
    backoff_seconds: int = 30
    reach_minutes: dict[str, int] = field(default_factory=lambda: dict(REACH_MINUTES))

    @property
    def channels(self) -> tuple[str, ...]:
        """The channels a member may pick: those the palace has set up."""
        found = (("email", self.smtp), ("webhook", self.webhook), ("sms", self.sms))
        return tuple(name for name, config in found if config is not None)


def _env(name: str, default: str = "") -> str:
    return os.environ.get(name, "").strip() or default


def _number(name: str, default: int, *, least: int = 0) -> int:
    raw = _env(name)
    try:
        value = int(raw) if raw else default
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from None
    if value < least:
        raise ConfigError(f"{name} must be at least {least}, got {value}")
    return value


def _pairs(name: str) -> dict[str, str]:
    """``a=1,b=2`` as a mapping (template ids by kind, minutes by channel)."""
    pairs: dict[str, str] = {}
    for item in filter(None, (p.strip() for p in _env(name).split(","))):
        key, sep, value = item.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise ConfigError(f"{name} takes name=value pairs separated by commas, got {item!r}")
        pairs[key.strip()] = value.strip()
    return pairs


def _smtp() -> Smtp | None:
    host = _env("PALACE_SMTP_HOST")
    if not host:
        return None
    security = _env("PALACE_SMTP_SECURITY", "starttls")
    if security not in SMTP_SECURITY:
        raise ConfigError(f"PALACE_SMTP_SECURITY must be one of {', '.join(SMTP_SECURITY)}")
    sender = _env("PALACE_SMTP_FROM")
    if not sender:
        raise ConfigError("PALACE_SMTP_FROM (the sender's address) is needed with PALACE_SMTP_HOST")
    port = _number("PALACE_SMTP_PORT", 465 if security == "tls" else 587, least=1)
    user, password = _env("PALACE_SMTP_USERNAME"), _env("PALACE_SMTP_PASSWORD")
    return Smtp(host, port, sender, user, password, security)


def _webhook() -> Webhook | None:
    url = _env("PALACE_WEBHOOK_URL")
    if not url:
        return None
    secret = _env("PALACE_WEBHOOK_SECRET")
    if len(secret) < 16:
        raise ConfigError("PALACE_WEBHOOK_SECRET (16 characters or more) is needed with the URL")
    return Webhook(url, secret)


def _sms() -> Sms | None:
    secret_id = _env("PALACE_SMS_SECRET_ID")
    if not secret_id:
        return None
    needed = ("PALACE_SMS_SECRET_KEY", "PALACE_SMS_APP_ID", "PALACE_SMS_SIGN_NAME")
    if missing := [name for name in needed if not _env(name)]:
        raise ConfigError(f"{', '.join(missing)} needed with PALACE_SMS_SECRET_ID")
    return Sms(
        secret_id=secret_id,
        secret_key=_env("PALACE_SMS_SECRET_KEY"),
        app_id=_env("PALACE_SMS_APP_ID"),
        sign_name=_env("PALACE_SMS_SIGN_NAME"),
        templates=_pairs("PALACE_SMS_TEMPLATES"),
        region=_env("PALACE_SMS_REGION", "ap-guangzhou"),
        endpoint=_env("PALACE_SMS_ENDPOINT", TENCENT_SMS_ENDPOINT),
    )


def _reach_minutes() -> dict[str, int]:
    minutes = dict(REACH_MINUTES)
    for name, value in _pairs("PALACE_DELIVERY_MINUTES").items():
        if not value.isdigit():
            raise ConfigError(f"PALACE_DELIVERY_MINUTES: {name}={value!r} is not whole minutes")
        minutes[name] = int(value)
    return minutes


@cache
def get_outbound() -> Outbound:
    outbound = Outbound(
        smtp=_smtp(),
        webhook=_webhook(),
        sms=_sms(),
        default_channel=get_settings().outbound_channel,
        max_attempts=_number("PALACE_DELIVERY_ATTEMPTS", 5, least=1),
        backoff_seconds=_number("PALACE_DELIVERY_BACKOFF_SECONDS", 30, least=1),
        reach_minutes=_reach_minutes(),
    )
    if outbound.default_channel not in ("log", *outbound.channels):
        raise ConfigError(
            f"PALACE_OUTBOUND_CHANNEL={outbound.default_channel} is not set up: "
            "give its settings (README, Configuration) or choose log"
        )
    return outbound
