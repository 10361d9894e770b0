"""Typed errors: raised only when the tool itself cannot do its job (exit code 3)."""


class GlanceValidateError(Exception):
    """Base of the errors the library raises; payload problems are findings, never errors."""


class SchemaUnavailable(GlanceValidateError):
    """The schema could not be read, parsed or used (a bad path, not JSON, not a schema)."""


class ConfigurationError(GlanceValidateError):
    """Settings name an unknown rule code, key, severity or profile (exit code 2 on the command line)."""
