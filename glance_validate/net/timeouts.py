"""How long a request may take by default, in seconds: read by the HTTP settings and shown by the
command line's help (a module of numbers only, so that the command line need not import the
settings' classes to print them).

A schema fetch runs inside a pre-commit hook or a CI check and should fail fast; a crawl of a
cloud's image API asks for large pages of a busy service and waits longer.
"""

from __future__ import annotations

SCHEMA_CONNECT_TIMEOUT = 5.0
SCHEMA_READ_TIMEOUT = 15.0  # the whole response, not one read
CRAWL_CONNECT_TIMEOUT = 10.0
CRAWL_READ_TIMEOUT = 30.0
