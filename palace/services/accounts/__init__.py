"""Accounts: registration, log-in and log-ins, passwords, throttling, children."""
