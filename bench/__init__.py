"""Benchmarks: scripts that print figures. They are not tests; see bench/README.md."""
