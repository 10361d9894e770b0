"""ECMA-262 patterns: their meaning in Python and a linear-time engine for payload data."""
