"""Benchmarks of the index and the registry: figures to watch, printed by `make bench`, never
asserted.

Timings depend on the machine, so nothing here fails on a slow run; the goals printed next to
each figure say what the index and the registry are expected to stay within.
"""
