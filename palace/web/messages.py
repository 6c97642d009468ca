"""What each service error code says to a member (message ids, translated on render)."""

from palace.i18n import N_, gettext_for
from palace.services import passwords
from palace.services.errors import ServiceError
from palace.web import formats

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
    "unknown_facility": N_("That hall does not exist or cannot be booked online."),
    "day_out_of_window": N_("You can look at days from %(first)s to %(last)s."),
    "unknown_slot": N_("That time is not a slot in this hall's timetable."),
    "slot_past": N_("That time has already started. Choose a later slot."),
    "not_yet_open": N_("Booking for that day opens at %(opens_at)s."),
    "slot_closed": N_("That court is closed at that time."),
    "slot_taken": N_("Sorry, that place was just taken. Choose another one."),
    "already_booked": N_("You have already booked this slot."),
    "over_quota_active": N_(
        "You already have %(max)s upcoming bookings in this hall, the most allowed. "
        "Cancel one or wait until one is over."
    ),
    "over_quota_hours": N_("You can book at most %(hours)s hours a day in this hall."),
    "member_suspended": N_("Your account is suspended from booking. Please ask the front desk."),
    "unknown_booking": N_("That booking does not exist or is not yours."),
    "already_cancelled": N_("This booking has already been cancelled."),
    "booking_started": N_("This booking has already started and can no longer be cancelled."),
    "partners_not_allowed": N_("Partners cannot be named in this hall."),
    "booking_not_changeable": N_("Partners can be changed only before an upcoming booking starts."),
    "too_many_partners": N_("Name at most %(max)s partners."),
    "unknown_partner": N_("No active member has the card number %(card)s."),
    "partner_is_self": N_("You are already on the booking; name your partners only."),
    "invalid_code": N_("This is not a valid Palace booking code."),
    "unknown_feed": N_("This calendar address does not exist or has been turned off."),
    # Staff: booking rules and opening hours.
    "rules_invalid": N_("Nothing was saved. Please correct the fields marked below."),
    "slot_length_invalid": N_("Choose one of the slot lengths in the list."),
    "slot_length_locked": N_(
        "The slot length cannot change while the hall has upcoming bookings (%(count)s): "
        "they would overlap the new slots. Wait until they are over, or close the hall first."
    ),
    "days_ahead_invalid": N_("Enter a whole number of days from 0 to 60."),
    "time_invalid": N_("Enter a time of day as HH:MM, e.g. 08:00."),
    "max_active_invalid": N_("Enter a whole number from 1 to 20."),
    "max_hours_invalid": N_("Enter 0.5 to 24 hours in half hours, e.g. 2 or 1.5."),
    "cutoff_invalid": N_("Enter 0 to 72 hours, e.g. 2 or 1.5."),
    "opening_time_invalid": N_("Enter opening and closing times as HH:MM, or tick Closed."),
    "closes_before_opens": N_("The closing time must be after the opening time."),
    # Staff: closures.
    "closure_invalid": N_("Nothing was closed. Please correct the fields marked below."),
    "closure_resource_unknown": N_("Choose the whole hall or one of its courts or rooms."),
    "closure_ends_before_start": N_("The end must be after the start."),
    "closure_in_past": N_("This period is already over. Choose an end in the future."),
    "closure_reason_missing": N_("Enter a reason; members are told it."),
    "closure_reason_too_long": N_("Enter the reason in at most %(max)s characters."),
    "closure_over": N_("This closure is already over and stays in the record."),
    "unknown_closure": N_("That closure does not exist any more."),
    "datetime_invalid": N_("Enter a date and a time, e.g. 2026-11-20 and 08:00."),
    "day_invalid": N_("Enter a date as YYYY-MM-DD, e.g. 2026-11-20."),
}
GENERIC = N_("Something went wrong. Please try again.")


def message(lang: str, code: str, **params: object) -> str:
    text = gettext_for(lang, MESSAGES.get(code, GENERIC))
    given = {name: formats.param(value, lang) for name, value in params.items()}
    values = {"min": passwords.MIN_LENGTH, "max": passwords.MAX_LENGTH, **given}
    return text % values if "%(" in text else text


def field_messages(lang: str, error: ServiceError) -> dict[str, str]:
    return {name: message(lang, code, **error.params) for name, code in error.fields.items()}
