"""The command line: click only here; each command parses options and calls a run(...) -> int."""
