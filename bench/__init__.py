"""Benchmarks: measured against the Bot API sandbox, results written to BENCHMARKS.md."""
