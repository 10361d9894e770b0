"""The ``glance-validate`` program: ``--version`` at once, everything else through ``cli.main``.

Asking for the version alone is answered before click and the commands are imported (a third of
the start-up of ``--version``), with the same line click's version option prints.
"""

from __future__ import annotations

import sys

VERSION_ARGUMENTS = (["--version"], ["-V"])


def main() -> None:
    if sys.argv[1:] in VERSION_ARGUMENTS:
        from glance_validate.core.version import TOOL_NAME, __version__

        sys.stdout.write(f"{TOOL_NAME}, version {__version__}\n")
        sys.exit(0)
    from glance_validate.cli.main import main as cli

    cli()
