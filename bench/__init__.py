"""Benchmarks (not tests): each prints JSON lines with its figures. See bench/README.md."""
