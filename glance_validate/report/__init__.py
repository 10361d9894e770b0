"""Rendering results: run values and the output formats."""
