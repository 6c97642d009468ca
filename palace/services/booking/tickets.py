"""The code a member shows at the front desk: a signed token, not a guessable id."""

from itsdangerous import BadSignature, URLSafeSerializer

from palace.services.booking.bookings import BookingError
from palace.settings import get_settings

SALT = "palace.booking-ticket"
MAX_LENGTH = 200


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(get_settings().secret_key, salt=SALT)


def token_for(booking_id: int) -> str:
    return str(_serializer().dumps(booking_id))


def booking_id_from(token: str) -> int:
    token = token.strip()
    if not token or len(token) > MAX_LENGTH:
        raise BookingError("invalid_code")
    try:
        value = _serializer().loads(token)
    except BadSignature:
        raise BookingError("invalid_code") from None
    if not isinstance(value, int) or isinstance(value, bool):
        raise BookingError("invalid_code")
    return value
