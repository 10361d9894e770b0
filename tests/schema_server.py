"""A real HTTP(S) server on 127.0.0.1 for the fetch, cache and Keystone tests.

Each route is a function from the request to a ``Reply``; a reply can be delayed, dripped byte
by byte, or replaced by a connection reset, so every failure mode of a live endpoint can be
served. Every request is recorded with its headers so tests can assert what was (not) sent.
"""

from __future__ import annotations

import json
import shutil
import socket
import ssl
import struct
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "glance_validate" / "data" / "schemas" / "ims.json"
GLANCE = ROOT / "glance_validate" / "data" / "schemas" / "glance.json"
TOKEN = "gAAAAABtest-token-4f1c9a7e2b"
SCHEMA_PATH = "/v2/schemas/images"
ETAG = '"seed-v1"'
LAST_MODIFIED = "Wed, 25 Nov 2026 08:00:00 GMT"


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict[str, str]  # names in lower case
    body: bytes
    count: int  # 1 for the first request to this path


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before the status line
    drip: float = 0.0  # seconds between body bytes
    reset: bool = False  # answer with a TCP reset instead of a response
    chunked: bool = False  # send the body with Transfer-Encoding: chunked, no Content-Length


Route = Callable[[Request], Reply]


def json_reply(value: object, status: int = 200, headers: dict[str, str] | None = None) -> Reply:
    return Reply(status, json.dumps(value).encode(), {"Content-Type": "application/json", **(headers or {})})


def schema_route(document: Path = SEED, *, token: str | None = TOKEN, etag: str = ETAG) -> Route:
    """The schema endpoint: checks X-Auth-Token like IMS, answers If-None-Match with 304."""
    body = document.read_bytes()

    def route(request: Request) -> Reply:
        if token is not None and request.headers.get("x-auth-token") != token:
            error = {"error_msg": "Incorrect IAM authentication information", "error_code": "APIGW.0301"}
            return json_reply(error, 401)
        if request.headers.get("if-none-match") == etag:
            return Reply(304, b"", {"ETag": etag})
        return Reply(
            200, body, {"Content-Type": "application/json", "ETag": etag, "Last-Modified": LAST_MODIFIED}
        )

    return route


class SchemaServer:
    """A threaded HTTP server on 127.0.0.1, port chosen by the kernel, with scripted routes."""

    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[Request] = []
        self._counts: dict[str, int] = {}
        self._lock = threading.Lock()
        self._httpd = _QuietServer(("127.0.0.1", 0), _handler_for(self))
        self._httpd.daemon_threads = True
        if tls is not None:  # the handshake happens in the request's thread, on first read
            self._httpd.socket = tls.wrap_socket(
                self._httpd.socket, server_side=True, do_handshake_on_connect=False
            )
        self.port = self._httpd.server_address[1]
        self.scheme = "https" if tls is not None else "http"
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), daemon=True)

    def __enter__(self) -> SchemaServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def url(self, path: str = "", host: str = "127.0.0.1") -> str:
        return f"{self.scheme}://{host}:{self.port}{path}"

    def route(self, path: str, route: Route | Reply) -> None:
        self.routes[path] = route if callable(route) else (lambda _request, reply=route: reply)

    def seen(self, path: str) -> list[Request]:
        return [r for r in self.requests if r.path == path]

    def record(self, method: str, path: str, headers: dict[str, str], body: bytes) -> Request:
        with self._lock:
            self._counts[path] = self._counts.get(path, 0) + 1
            request = Request(method, path, headers, body, self._counts[path])
            self.requests.append(request)
        return request


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        pass  # resets, failed handshakes and clients that give up are what the tests provoke


def _handler_for(server: SchemaServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:  # silence the default stderr log
            pass

        def do_GET(self) -> None:
            self._serve("GET")

        def do_POST(self) -> None:
            self._serve("POST")

        def _serve(self, method: str) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            headers = {k.lower(): v for k, v in self.headers.items()}
            request = server.record(method, self.path, headers, body)
            route = server.routes.get(self.path.split("?", 1)[0])
            reply = (
                route(request)
                if route
                else Reply(404, b"404 Not Found\n\nThe resource could not be found.\n")
            )
            if reply.reset:
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.connection.close()
                self.close_connection = True
                return
            time.sleep(reply.delay)
            self.send_response(reply.status)
            names = {k.lower() for k in reply.headers}
            for name, value in reply.headers.items():
                self.send_header(name, value)
            if reply.chunked:
                self.send_header("Transfer-Encoding", "chunked")
            elif "content-length" not in names:
                self.send_header("Content-Length", str(len(reply.body)))
            self.send_header("Connection", "close")
            self.end_headers()
            self._write_body(reply)
            self.close_connection = True

        def _write_body(self, reply: Reply) -> None:
            try:
                if reply.chunked:
                    for start in range(0, len(reply.body), 1024):
                        piece = reply.body[start : start + 1024]
                        self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                    self.wfile.write(b"0\r\n\r\n")
                elif reply.drip:
                    for byte in reply.body:
                        self.wfile.write(bytes([byte]))
                        self.wfile.flush()
                        time.sleep(reply.drip)
                else:
                    self.wfile.write(reply.body)
            except OSError:
                pass  # the client gave up (a timeout test); nothing to do

    return Handler


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# TLS ------------------------------------------------------------------------------------------


def make_certificate(directory: Path) -> tuple[Path, Path] | None:
    """A throw-away self-signed certificate for 127.0.0.1 and localhost: (cert, key), or None."""
    cert, key = directory / "cert.pem", directory / "key.pem"
    if shutil.which("openssl"):
        subprocess.run(
            [
                "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                "-subj", "/CN=glance-validate test", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
                "-keyout", str(key), "-out", str(cert),
            ],
            check=True,
            capture_output=True,
        )  # fmt: skip
        return cert, key
    return _certificate_with_cryptography(cert, key)


def _certificate_with_cryptography(cert: Path, key: Path) -> tuple[Path, Path] | None:
    try:
        import datetime
        import ipaddress

        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import NameOID
    except ImportError:
        return None
    private = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "glance-validate test")])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(private.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(private, hashes.SHA256())
    )
    cert.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key.write_bytes(
        private.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert, key


def server_tls(cert: Path, key: Path) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return context
