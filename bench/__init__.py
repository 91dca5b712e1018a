"""Data generator and benchmarks that print figures (never run as tests)."""
