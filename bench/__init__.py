"""The glance-validate benchmark: corpora, environments, timed child processes, ratios, targets.

Run it with ``python bench/run.py`` from the repository root; see ``python bench/run.py --help``.
The modules use the standard library only, so the harness runs under any Python 3.10+; the tools
it measures run in virtual environments it creates under its cache directory.
"""
