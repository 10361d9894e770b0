"""glance-validate: check OpenStack Glance image records against the images schema.

The public names are imported lazily so that ``glance-validate --version`` and a one-file
pre-commit run do not pay for what they do not use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from glance_validate.core.version import __version__

_EXPORTS = {
    "validate": "glance_validate.checks.validation",
    "Validator": "glance_validate.checks.validation",
    "Result": "glance_validate.core.findings",
    "Finding": "glance_validate.core.findings",
    "SchemaUnavailable": "glance_validate.core.errors",
    "GlanceValidateError": "glance_validate.core.errors",
    "ConfigurationError": "glance_validate.core.errors",
    "Policy": "glance_validate.checks.config",
    "load_schema": "glance_validate.schema.sources",
    "compile_dialect": "glance_validate.schema.dialect",
    "Dialect": "glance_validate.schema.dialect",
}

if TYPE_CHECKING:
    from glance_validate.checks.config import Policy
    from glance_validate.checks.validation import Validator, validate
    from glance_validate.core.errors import ConfigurationError, GlanceValidateError, SchemaUnavailable
    from glance_validate.core.findings import Finding, Result
    from glance_validate.schema.dialect import Dialect, compile_dialect
    from glance_validate.schema.sources import load_schema


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        import importlib

        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'glance_validate' has no attribute {name!r}")


__all__ = [
    "ConfigurationError",
    "Dialect",
    "Finding",
    "GlanceValidateError",
    "Policy",
    "Result",
    "SchemaUnavailable",
    "Validator",
    "__version__",
    "compile_dialect",
    "load_schema",
    "validate",
]
