"""Benchmarks of the index: figures to watch, printed by `make bench`, never asserted.

Timings depend on the machine, so nothing here fails on a slow run; the goals printed next to
each figure say what the index is expected to stay within.
"""
