"""The front desk and attendance: check-in, the Now board, walk-ins, no-shows, strikes."""
