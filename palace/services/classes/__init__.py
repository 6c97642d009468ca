"""Classes: weekly schedules, their sessions, planning, demand and holidays."""
