"""Fair prime time: the one draw shared by ballots, the opening queue and competitions."""
