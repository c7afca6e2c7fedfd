"""GridEdge benchmarks (``make bench``): speed and memory, measured apart from the tests.

Each benchmark compares GridEdge's way against a baseline measured side by side in the
same run, reports medians over several runs, and lands in ``bench/results.md``.
"""
