"""Benchmarks for the portal (not tests): page throughput against a floor, registration under
contention, and reminder fan-out. `make bench` (or `make bench-quick`) runs them; see bench/run.py.
"""
