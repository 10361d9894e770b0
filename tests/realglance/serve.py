"""Serve Glance's API on 127.0.0.1 (runs INSIDE Glance's own environment, not the project's).

Glance 33's ``glance-api`` command has no standalone server any more: the app comes from
``glance.common.wsgi_app.init_app()``, which reads ``$OS_GLANCE_CONFIG_DIR/glance-api.conf``, and
any WSGI server serves it (``bind_host``, ``bind_port`` and ``workers`` in the file are ignored).
waitress is used because it reads chunked request bodies, which the standard library's wsgiref
does not.

    OS_GLANCE_CONFIG_DIR=ETC PYTHONPATH=tests python -m realglance.serve --ready-file FILE [--port N]

The socket is bound before the ready file is written (atomically, as JSON with ``host`` and
``port``), so with ``--port 0`` the caller learns the port the kernel chose and nobody can take it
in between. The process serves until it is killed, or until the process named by ``--parent-pid`` is gone.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from pathlib import Path

HOST = "127.0.0.1"


def _exit_with_parent(parent: int) -> None:
    """End this process when the one that started it is gone (a killed test run leaves no Glance)."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(0)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ready-file", type=Path, required=True)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--parent-pid", type=int, default=0, help="exit when this process is gone")
    args = parser.parse_args(argv)
    if not os.environ.get("OS_GLANCE_CONFIG_DIR"):
        parser.error("OS_GLANCE_CONFIG_DIR must name the directory that holds glance-api.conf")

    if args.parent_pid:
        _exit_with_parent(args.parent_pid)

    import waitress
    from glance.common import wsgi_app

    app = wsgi_app.init_app()
    server = waitress.create_server(app, host=HOST, port=args.port, threads=args.threads)
    port = int(server.effective_port)
    partial = args.ready_file.with_name(args.ready_file.name + ".part")
    partial.write_text(json.dumps({"host": HOST, "port": port, "pid": os.getpid()}))
    partial.replace(args.ready_file)
    print(f"realglance: serving Glance on http://{HOST}:{port}", file=sys.stderr, flush=True)
    server.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
