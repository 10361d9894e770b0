"""The run's credentials, and the output boundary that blanks them from every line written."""

from __future__ import annotations

import os
from dataclasses import replace

from glance_validate.core.findings import Finding, Result
from glance_validate.core.secrets import Secrets, url_secrets
from glance_validate.runner.options import RunOptions


def run_secrets(options: RunOptions) -> Secrets:
    """Credentials of this run (--token, OS_AUTH_TOKEN, OS_TOKEN, OS_PASSWORD, the password and
    query credentials of a schema URL): should a payload or a schema echo one, it is ``***``."""
    found = [os.environ.get(name, "") for name in ("OS_AUTH_TOKEN", "OS_TOKEN", "OS_PASSWORD")]
    if options.schema_options is not None:
        found.append(options.schema_options.token or "")
    if isinstance(options.schema, str):
        found.extend(url_secrets(options.schema))
    return Secrets.of(*found)


def redacted(result: Result, secrets: Secrets) -> Result:
    """``result`` with every secret in a finding's message or path shown as ``***``."""
    return replace(result, findings=tuple(_blanked(f, secrets) for f in result.findings))


def _blanked(item: Finding, secrets: Secrets) -> Finding:
    message, path = secrets.redact(item.message), secrets.redact(item.path)
    return item if (message, path) == (item.message, item.path) else replace(item, message=message, path=path)
