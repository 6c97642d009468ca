"""Halls, courts and rooms, their opening hours, booking rules and closures."""
