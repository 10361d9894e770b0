"""Rendering results: the values a run hands its reporters, and one module per output format."""
