"""The words of each kind of notification, and its title (services/messages/notices
fills them in, in the reader's language)."""

from palace.i18n import N_

TEXTS = {
    "booked": N_("Booked: %(place)s, %(when)s."),
    "waitlist_promoted": N_(
        "A place came free and you are booked: %(place)s, %(when)s. It is in My bookings."
    ),
    "waitlist_offer": N_(
        "A place is free for you: %(place)s, %(when)s. Accept it by %(until)s, "
        "or it goes to the next in line."
    ),
    "waitlist_offer_expired": N_(
        "The place offered to you (%(place)s, %(when)s) was not taken in time and went "
        "to the next in line."
    ),
    "waitlist_skipped": N_(
        "A place came free (%(place)s, %(when)s) but you could not be booked: %(reason)s "
        "You keep your place in line."
    ),
    "booking_cancelled_by_palace": N_(
        "The palace cancelled your booking (%(place)s, %(when)s). Reason: %(reason)s"
    ),
    "class_instructor_changed": N_(
        "The instructor of %(place)s, %(when)s has changed: now %(instructor)s."
    ),
    "class_cancelled": N_(
        "The palace cancelled your class (%(place)s, %(when)s). Reason: %(reason)s"
    ),
    "class_changed": N_(
        "Your class %(class)s, which was %(from)s, has moved: it is now %(when)s in "
        "%(room)s, with %(instructor)s. Your place moves with it; you may cancel it without "
        "it counting as late."
    ),
    "reminder": N_("Reminder: %(place)s, %(when)s."),
    "no_show": N_(
        "You were not checked in for %(place)s, %(when)s, so the place was released and "
        "a no-show was recorded."
    ),
    "booking_suspended": N_(
        "Booking is suspended until %(suspended_until)s: %(strikes)s bookings were missed "
        "without checking in within %(days)s days. Please ask the front desk if this is wrong."
    ),
    "suspension_lifted": N_("Your booking suspension has been lifted. You can book again."),
    "partner_invitation": N_(
        "%(booker)s invites you to play as a partner: %(place)s, %(when)s. Open the "
        "invitation to accept or decline; you are on the booking only once you accept."
    ),
    "partner_accepted": N_(
        "%(partner)s (card %(card)s) accepted your invitation and is now a partner on "
        "%(place)s, %(when)s."
    ),
    "partner_declined": N_(
        "The holder of card %(card)s declined your invitation to %(place)s, %(when)s. "
        "You may name someone else."
    ),
    "partner_left": N_("%(partner)s (card %(card)s) left your booking %(place)s, %(when)s."),
    "account_suspended": N_(
        "Your account is suspended from booking until %(suspended_until)s. Reason: %(reason)s "
        "Please ask the front desk if this is wrong."
    ),
    "account_suspended_open": N_(
        "Your account is suspended from booking until the palace lifts it. Reason: %(reason)s "
        "Please ask the front desk if this is wrong."
    ),
    "ballot_won": N_("You won a place in the ballot: %(place)s, %(when)s. It is in My bookings."),
    "ballot_lost": N_(
        "The ballot of %(hall)s for the week from %(when)s is drawn and you were not drawn "
        "this time. Your weight for the next ballot in this hall: %(weight)s."
    ),
    "queue_won": N_(
        "The opening queue gave you a place: %(place)s, %(when)s. It is in My bookings."
    ),
    "queue_lost": N_(
        "The opening queue of %(hall)s for %(when)s is served: none of your choices was "
        "still free at your turn. Places left can now be booked first-come."
    ),
}
# A kind's text when other courts were free at the same time when it was sent.
WITH_FREE = {
    "booking_cancelled_by_palace": N_(
        "The palace cancelled your booking (%(place)s, %(when)s). Free at the same time "
        "when it was cancelled: %(free)s. Reason: %(reason)s"
    ),
}
TITLES = {
    "booked": N_("Booked"),
    "waitlist_promoted": N_("Booked from the waitlist"),
    "waitlist_offer": N_("A place is offered to you"),
    "waitlist_offer_expired": N_("Offer ran out"),
    "waitlist_skipped": N_("Passed over in the waitlist"),
    "booking_cancelled_by_palace": N_("Cancelled by the palace"),
    "class_instructor_changed": N_("Instructor changed"),
    "class_cancelled": N_("Class cancelled"),
    "class_changed": N_("Class moved"),
    "reminder": N_("Reminder"),
    "no_show": N_("No-show"),
    "booking_suspended": N_("Booking suspended"),
    "suspension_lifted": N_("Suspension lifted"),
    "partner_invitation": N_("Invitation to play as a partner"),
    "partner_accepted": N_("Partner accepted"),
    "partner_declined": N_("Partner declined"),
    "partner_left": N_("Partner left"),
    "account_suspended": N_("Booking suspended"),
    "account_suspended_open": N_("Booking suspended"),
    "ballot_won": N_("Ballot won"),
    "ballot_lost": N_("Not drawn in the ballot"),
    "queue_won": N_("Place from the opening queue"),
    "queue_lost": N_("No place from the opening queue"),
}
