"""glance-validate: check OpenStack Glance image records against the images schema.

The public names are imported lazily so that ``glance-validate --version`` and a one-file
pre-commit run do not pay for what they do not use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "validate": "glance_validate.validation",
    "Validator": "glance_validate.validation",
    "Result": "glance_validate.findings",
    "Finding": "glance_validate.findings",
    "SchemaUnavailable": "glance_validate.errors",
    "GlanceValidateError": "glance_validate.errors",
    "ConfigurationError": "glance_validate.errors",
    "Policy": "glance_validate.config",
    "load_schema": "glance_validate.sources",
    "compile_dialect": "glance_validate.dialect",
    "Dialect": "glance_validate.dialect",
}

if TYPE_CHECKING:
    from glance_validate.config import Policy
    from glance_validate.dialect import Dialect, compile_dialect
    from glance_validate.errors import ConfigurationError, GlanceValidateError, SchemaUnavailable
    from glance_validate.findings import Finding, Result
    from glance_validate.sources import load_schema
    from glance_validate.validation import Validator, validate


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
