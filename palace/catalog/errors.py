"""What each coded error says (message ids, translated where the language is known).

Used by pages, notifications (a member skipped in a line is told the error that kept
them out) and the API alike: one text per code, in Chinese and English.
"""

from palace.i18n import N_

ERRORS = {
    "card_invalid": N_("Enter the union card number: 4 to 20 letters or digits."),
    "card_taken": N_("This card number is already registered. Log in, or ask the front desk."),
    "name_missing": N_("Enter your name."),
    "name_invalid": N_("Enter your name in at most %(name_max)s characters."),
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
    "close_staff_account": N_("A staff account is closed by an administrator."),
    "too_many_attempts": N_(
        "Too many failed attempts. Please wait %(retry_after)s seconds and try again."
    ),
    "invalid": N_("Nothing was saved. Please correct the fields marked below."),
    "child_invalid": N_("Nothing was saved. Please correct the fields marked below."),
    "unknown_field": N_("That setting cannot be changed here."),
    "unknown_language": N_("That language is not available."),
    "unknown_role": N_("That role does not exist."),
    "unknown_status": N_("That account status does not exist."),
    "unknown_member": N_("That account does not exist."),
    "cannot_demote_self": N_("You cannot take away your own administrator role."),
    "cannot_lock_self": N_("You cannot suspend or disable your own account."),
    "account_unchanged": N_("Nothing to change: the account is like that already."),
    "change_reason_missing": N_("Enter a reason; it is kept in the record."),
    "change_reason_too_long": N_("Enter the reason in at most %(max)s characters."),
    "suspension_end_invalid": N_("Choose an end date after today, or leave it empty."),
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
    "room_in_use": N_("The room is taken for a class or another booking at that time."),
    "unknown_child": N_("Choose one of your children from the list on My account."),
    "over_quota_active": N_(
        "You already have %(max)s upcoming bookings in this hall, the most allowed. "
        "Cancel one or wait until one is over."
    ),
    "over_quota_hours": N_("You can book at most %(hours)s hours a day in this hall."),
    "member_suspended": N_("Your account is suspended from booking. Please ask the front desk."),
    "booking_suspended": N_(
        "Booking is suspended until %(until)s because of missed bookings (no-shows). "
        "Please ask the front desk if this is wrong."
    ),
    "guests_not_allowed": N_("This hall does not take guests who are not members."),
    "guest_name_invalid": N_("Enter the guest's name in at most %(max)s characters."),
    "unknown_booking": N_("That booking does not exist or is not yours."),
    "already_cancelled": N_("This booking has already been cancelled."),
    "booking_started": N_("This booking has already started and can no longer be cancelled."),
    "cancel_reason_missing": N_("Enter a reason for cancelling; the member is told it."),
    "cancel_reason_too_long": N_("Enter the reason in at most %(max)s characters."),
    "partners_not_allowed": N_("Partners cannot be named in this hall."),
    "booking_not_changeable": N_("Partners can be changed only before an upcoming booking starts."),
    "too_many_partners": N_("Name at most %(max)s partners."),
    "unknown_invitation": N_("This invitation is no longer open."),
    "partner_card_invalid": N_("%(card)s is not a card number: 4 to 20 letters or digits."),
    "partner_is_self": N_("You are already on the booking; name your partners only."),
    "invalid_code": N_("This is not a valid Palace booking code."),
    # Front desk: check-in and walk-ins.
    "checked_in": N_("Checked in: %(name)s."),
    "already_checked_in": N_("Already checked in: %(name)s. Nothing more to do."),
    "checkin_ready": N_("This booking can be checked in now."),
    "walked_in": N_("Walk-in booked and checked in: %(name)s."),
    "wrong_hall": N_("This booking is for another hall (shown below). Nothing was checked in."),
    "wrong_day": N_("This booking is for another day: %(day)s. Nothing was checked in."),
    "booking_cancelled": N_("This booking was cancelled. Nothing was checked in."),
    "booking_no_show": N_(
        "Check-in closed and this booking was released as a no-show. Nothing was checked in; "
        "book a walk-in if there is still a place."
    ),
    "checkin_not_open": N_("Too early: check-in opens at %(opens_at)s. Nothing was checked in."),
    "checkin_closed": N_("Too late: check-in closed at %(closes_at)s. Nothing was checked in."),
    "unknown_card": N_("No member has the card number %(card)s."),
    "nothing_due": N_("%(name)s has no booking to check in to now."),
    "walk_in_not_now": N_(
        "Walk-ins are for what is on now: from when check-in opens until the end."
    ),
    "walk_in_child_class": N_(
        "Places in children's classes are booked by a parent for their child, not at the desk."
    ),
    "walk_in_card_missing": N_("Enter the member's union card number (or a guest's name)."),
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
    "auto_cutoff_invalid": N_("Enter 0 to 72 hours, e.g. 2 or 1.5."),
    "offer_minutes_invalid": N_("Enter a whole number of minutes from 5 to 240."),
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
    # Waitlists and offers.
    "slot_has_room": N_("There is a free place: book it instead of waiting."),
    "already_waiting": N_("You are already in line for this."),
    "too_many_waitlists": N_(
        "You can wait for at most %(max)s places at once. Leave a waitlist first."
    ),
    "waitlist_mode_invalid": N_(
        "Choose how you want to be told: book me automatically, or ask me first."
    ),
    "not_waiting": N_("You are not in this waitlist any more."),
    "waitlist_gone": N_("You are not in this waitlist any more."),
    "unknown_entry": N_("That waitlist place does not exist or is not yours."),
    "offer_expired": N_("Sorry, this offer ran out and the place went to the next in line."),
    "offer_accepted": N_("You have already accepted this place."),
    "offer_gone": N_("This offer is no longer open."),
    # The clash rule (services/booking/bookings.clash): booking, joining a line, an offer.
    "booking_clash": N_(
        "Already booked at that time (%(at)s): one person cannot be in two places at once."
    ),
    # Waitlist rows skipped before the clash rule had its one name.
    "waitlist_clash": N_(
        "Already booked at that time (%(at)s): one person cannot be in two places at once."
    ),
    "unknown_outbound_kind": N_("Choose from the messages in the list."),
    "unknown_channel": N_("Choose from the ways of sending in the list."),
    "email_invalid": N_("Enter an e-mail address such as name@example.com, or leave it empty."),
    "email_needed": N_("Enter an e-mail address to receive messages by e-mail."),
    "quiet_hours_invalid": N_(
        "Enter quiet hours as two different times such as 22:00 and 07:00, or leave both empty."
    ),
    "unknown_delivery": N_("That message delivery does not exist."),
    # Classes: members.
    "unknown_session": N_("That class session does not exist."),
    "session_cancelled": N_("This class session has been cancelled."),
    "session_started": N_("This class session has already started."),
    "child_required": N_("This is a children's class: choose which of your children it is for."),
    "not_for_children": N_("This class is for adults: book it for yourself."),
    "week_out_of_range": N_("You can look at the weeks from %(first)s to %(last)s."),
    "child_name_invalid": N_("Enter the child's name in 1 to 40 characters."),
    "birth_year_invalid": N_("Enter the birth year as four digits, e.g. 2018."),
    "too_many_children": N_("At most %(max)s children can be added."),
    "demand_invalid": N_("Choose a class and a time of day."),
    # Classes: staff planning.
    "schedule_invalid": N_("Nothing was saved. Please correct the fields marked below."),
    "class_type_unknown": N_("Choose a class from the list."),
    "room_unknown": N_("Choose a room from the list."),
    "instructor_unknown": N_("Choose an instructor from the list."),
    "days_missing": N_("Tick at least one day of the week."),
    "minutes_invalid": N_("Enter a length of 15 to 240 minutes."),
    "capacity_invalid": N_("Enter a number of places from 1 to %(max)s."),
    "capacity_below_taken": N_(
        "%(taken)s places are already taken: the capacity cannot go below that."
    ),
    "term_ends_before_start": N_("The term must end on or after its first day."),
    "term_over": N_("This term is already over. Choose a last day in the future."),
    "term_too_long": N_("A term can last at most a year. Plan the next one later."),
    "class_past_midnight": N_("The class must end by midnight."),
    "schedule_conflicts": N_("The schedule collides with the following. Nothing was saved."),
    "schedule_changes_booked": N_(
        "Sessions that members have booked would change (%(count)s). Confirm to change them "
        "and notify those members."
    ),
    "unknown_schedule": N_("That schedule does not exist."),
    "conflict_room_booking": N_("The room is booked on the timetable on %(when)s."),
    "conflict_room_class": N_(
        "When this class would meet on %(when)s, the room has another class: %(name)s."
    ),
    "conflict_room_taken": N_("The room was booked meanwhile for %(when)s. Please check again."),
    "conflict_instructor": N_(
        "When this class would meet on %(when)s, %(instructor)s teaches another class: %(name)s."
    ),
    "conflict_closure": N_("The room is closed on %(when)s: %(reason)s."),
    "conflict_holiday": N_("%(day)s is a public holiday (%(holiday)s): no class that day."),
    "conflict_no_class_day": N_("%(day)s is a day without classes: %(reason)s."),
    "instructor_busy": N_("%(instructor)s already teaches %(name)s on %(when)s."),
    "reason_missing": N_("Enter a reason; members are told it."),
    "reason_too_long": N_("Enter the reason in at most %(max)s characters."),
    "no_class_day_invalid": N_("Enter a date and a reason."),
    "class_type_invalid": N_(
        "Enter the class name in Chinese and English (at most 60 characters)."
    ),
    "instructor_name_invalid": N_("Enter the instructor's name in 1 to 40 characters."),
    "datetime_invalid": N_("Enter a date and a time, e.g. 2026-11-20 and 08:00."),
    "day_invalid": N_("Enter a date as YYYY-MM-DD, e.g. 2026-11-20."),
    "history_page_invalid": N_("That page of your booking history does not exist."),
    "holiday_year_not_unknown": N_(
        "%(year)s is not a year waiting for its holidays: only a year after the holiday data "
        "can be confirmed."
    ),
    "holiday_year_confirmed": N_("Classes in %(year)s were already confirmed."),
    "checkin_minutes_invalid": N_("Enter a whole number of minutes from 0 to 240."),
    # Ballots (services/fairness).
    "unknown_ballot": N_("That ballot does not exist."),
    "unknown_ballot_entry": N_("That ballot entry does not exist or is not yours."),
    "ballot_not_open": N_("This ballot is not taking entries now."),
    "ballot_already_entered": N_(
        "You have already entered this ballot. Change or withdraw your entry instead."
    ),
    "ballot_no_choice": N_("Choose at least one time."),
    "ballot_too_many_choices": N_("Choose at most %(max)s times."),
    "ballot_choice_invalid": N_("That time is not one of this ballot's places."),
    "ballot_setting_invalid": N_("Enter a whole number within the limits shown."),
    "ballot_range_invalid": N_("Enter each range as a weekday and a start before its end."),
    "ballot_window_too_long": N_(
        "The entry window and the draw must end before the week starts: open entries "
        "earlier or shorten the window."
    ),
    "ballot_cap_member_week": N_("already won as many ballot places this week as allowed."),
    "ballot_cap_branch_day": N_("the union branch already won as many places that day as allowed."),
    "slot_balloted": N_(
        "This time is given by ballot; what is left is released first-come at %(release_at)s."
    ),
    "queue_gathering": N_(
        "This day opens with an opening queue: join it for a fair turn. First-come "
        "booking starts once the queue is served, a few seconds after %(first_come_at)s."
    ),
    "queue_serving": N_(
        "Places are being given to the opening queue. Please try again in a few seconds."
    ),
    "queue_off": N_("This hall has no opening queue: its days open first-come."),
    "queue_not_yet": N_("The opening queue for that day takes joins from %(joins_from)s."),
    "queue_closed": N_(
        "The opening queue for that day is closed. Places left can be booked first-come."
    ),
    "queue_no_choice": N_("Choose at least one time."),
    "queue_too_many_choices": N_("Choose at most %(max)s times."),
    "queue_choice_invalid": N_("That time is not one of the places of that day."),
    "queue_not_in": N_("You are not in that opening queue."),
    "queue_not_found": N_("There is no such opening queue."),
    "queue_seconds_invalid": N_("Enter a whole number of seconds from 0 to 300."),
    "branch_invalid": N_("Enter the union branch in at most %(max)s characters."),
    "beacon_unavailable": N_("The public beacon could not be reached; the draw waits for it."),
    "draw_file_invalid": N_("That is not a published ballot file."),
    "verify_entry_hash_mismatch": N_(
        "The entry list does not give the published hash: an entry or a weight was changed."
    ),
    "verify_commitment_mismatch": N_("The secret does not give the commitment published before."),
    "verify_seed_mismatch": N_("The seed is not the one the secret and the entry list give."),
    "verify_order_mismatch": N_("The drawn order is not the one the seed gives."),
    "verify_result_mismatch": N_("The place won by %(pseudonym)s is not the one the draw gives."),
    "verify_second_round_mismatch": N_(
        "The second-round place of %(pseudonym)s is not the one the draw gives."
    ),
    # Staff: strikes.
    "waive_reason_missing": N_("Enter a reason for waiving the strike; it is kept in the record."),
    "waive_reason_too_long": N_("Enter the reason in at most %(max)s characters."),
    "strike_already_waived": N_("This strike has already been waived."),
    "unknown_strike": N_("That strike does not exist."),
    # The JSON API (palace/api): its tokens and the requests themselves.
    "token_invalid": N_("Log in again: this token is unknown, revoked or expired."),
    "scope_not_allowed": N_("This token cannot do that. Log in with the right account."),
    "password_change_required": N_(
        "Change the password the front desk gave you on the website first, then log in here."
    ),
    "unknown_token": N_("That token does not exist or is not yours."),
    "too_many_requests": N_(
        "Too many requests. Please wait %(retry_after)s seconds and try again."
    ),
    "request_invalid": N_("Nothing was done. Please correct the fields named below."),
    "field_invalid": N_("This value is not valid here."),
    "request_too_large": N_("What you sent is too large: at most %(max)s KB. Nothing was done."),
    "not_found": N_("That does not exist, or it is not yours."),
    "method_not_allowed": N_("That action is not possible here."),
    "request_in_flight": N_("The same request is still being handled. Try again in a moment."),
    "idempotency_key_reused": N_("This idempotency key was already used for another request."),
    "server_error": N_("Something went wrong on our side. Please try again later."),
}
# A code missing above (never expected: a test scans every raiser) says this.
GENERIC = N_("Something went wrong. Please try again.")
