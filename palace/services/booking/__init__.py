"""The booking core and everything about one booking: slots, partners, codes, views."""
