"""Waitlists: joining a line, places held for it, promotions and timed offers."""
