"""What each service error code says to a member (message ids, translated on render)."""

from palace.i18n import N_, gettext_for
from palace.services import passwords
from palace.services.errors import ServiceError

MESSAGES = {
    "card_invalid": N_("Enter the union card number: 4 to 20 letters or digits."),
    "card_taken": N_("This card number is already registered. Log in, or ask the front desk."),
    "name_missing": N_("Enter your name."),
    "name_invalid": N_("Enter your name in at most 40 characters."),
    "phone_invalid": N_("Enter an 11-digit mainland mobile number, e.g. 13800138000."),
    "phone_taken": N_("This phone number is already registered to another account."),
    "password_too_short": N_("Use at least %(min)s characters for the password."),
    "password_too_long": N_("Use at most %(max)s characters for the password."),
    "password_too_common": N_("This password is too easy to guess. Choose a less common one."),
    "password_like_account": N_("Do not use your card or phone number in the password."),
    "wrong_password": N_("The current password is not correct."),
    "password_mismatch": N_("The two new passwords do not match."),
    "bad_credentials": N_("The card number, phone or password is not correct."),
    "account_disabled": N_("This account is disabled. Please ask the front desk."),
    "too_many_attempts": N_(
        "Too many failed attempts. Please wait %(seconds)s seconds and try again."
    ),
    "unknown_language": N_("That language is not available."),
    "unknown_role": N_("That role does not exist."),
    "unknown_status": N_("That account status does not exist."),
    "unknown_member": N_("That account does not exist."),
    "cannot_demote_self": N_("You cannot take away your own administrator role."),
    "cannot_lock_self": N_("You cannot suspend or disable your own account."),
    "cannot_reset_self": N_("Change your own password on the My account page."),
    "desk_resets_members_only": N_(
        "The front desk can reset members' passwords only. Ask an administrator."
    ),
    "not_allowed": N_("You do not have access to this page."),
    "unknown_booking": N_("That booking does not exist."),
    "unknown_feed": N_("This calendar address does not exist or has been turned off."),
}
GENERIC = N_("Something went wrong. Please try again.")


def message(lang: str, code: str, **params: object) -> str:
    text = gettext_for(lang, MESSAGES.get(code, GENERIC))
    values = {"min": passwords.MIN_LENGTH, "max": passwords.MAX_LENGTH, **params}
    return text % values if "%(" in text else text


def field_messages(lang: str, error: ServiceError) -> dict[str, str]:
    return {name: message(lang, code) for name, code in error.fields.items()}
