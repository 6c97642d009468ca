"""Password hashing (argon2id) and the weak-password rules."""

import asyncio
import itertools

from argon2 import Parameters, PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()  # argon2id with the library's current recommended cost

MIN_LENGTH = 8
# Long enough for passphrases, short enough that hashing cannot be used to stall us.
MAX_LENGTH = 128
COMMON = frozenset(
    {
        "password",
        "password1",
        "passw0rd",
        "qwertyui",
        "qwerty123",
        "iloveyou",
        "abc12345",
        "a1234567",
        "aa123456",
        "1qaz2wsx",
        "woaini1314",
        "5201314520",
        "admin123",
        "admin888",
        "88888888",
        "66666666",
        "12344321",
        "1234qwer",
        "qwer1234",
        "11223344",
        "00000000",
    }
)


def _is_sequence(text: str) -> bool:
    steps = {ord(b) - ord(a) for a, b in itertools.pairwise(text)}
    return len(steps) == 1 and steps <= {-1, 0, 1}


def weakness(password: str, *, card_no: str = "", phone: str = "") -> str | None:
    """The code of the first rule the password breaks, or None when it is fine."""
    if len(password) < MIN_LENGTH:
        return "password_too_short"
    if len(password) > MAX_LENGTH:
        return "password_too_long"
    lowered = password.lower()
    if lowered in COMMON or _is_sequence(lowered):
        return "password_too_common"
    for personal in (card_no.lower(), phone):
        if personal and (personal in lowered or lowered in personal):
            return "password_like_account"
    return None


async def hash_password(password: str) -> str:
    # argon2 takes tens of milliseconds of CPU: keep it off the event loop.
    return await asyncio.to_thread(_hasher.hash, password)


async def verify_password(password_hash: str, password: str) -> bool:
    try:
        return await asyncio.to_thread(_hasher.verify, password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


# Verified against when the login names nobody, so a wrong name costs as long as a
# wrong password and response times do not reveal which accounts exist.
DUMMY_HASH = _hasher.hash("not-a-real-password")


def use_parameters(parameters: Parameters) -> None:
    """Hash with other argon2 parameters in this process: the test suite's cheap ones.

    Hashes carry their parameters, so any process verifies them; a server with the
    default cost re-hashes a cheap one at the member's next log-in.
    """
    global _hasher, DUMMY_HASH
    _hasher = PasswordHasher.from_parameters(parameters)
    DUMMY_HASH = _hasher.hash("not-a-real-password")
