"""Connecting: name resolution within the deadline, sockets, and TLS trust."""

from __future__ import annotations

import ipaddress
import socket
import ssl
import threading
import time
from collections.abc import Sequence
from typing import Any

from glance_validate.net.exchange import Target, TLSFailure


class DNSFailure(Exception):
    """The host name could not be resolved (or not in time)."""


class ConnectFailure(Exception):
    """No TCP connection: timed out, refused or reset (worth another attempt), or another reason.

    Not an OSError, so that urllib3 lets it through unwrapped to the client, which says it.
    """

    def __init__(self, reason: str, *, timed_out: bool = False, retryable: bool = False) -> None:
        super().__init__(reason)
        self.timed_out = timed_out
        self.retryable = retryable


def open_bounded(host: str, port: int, seconds: float) -> socket.socket:
    """``open_socket`` within ``seconds``; failures as DNSFailure or ConnectFailure."""
    try:
        return open_socket(host, port, time.monotonic() + seconds)
    except TimeoutError:
        raise ConnectFailure("timed out", timed_out=True) from None
    except (ConnectionRefusedError, ConnectionResetError) as exc:
        raise ConnectFailure(os_reason(exc), retryable=True) from None
    except OSError as exc:
        raise ConnectFailure(os_reason(exc)) from None


def open_socket(host: str, port: int, deadline: float) -> socket.socket:
    """A connected TCP socket; resolution and every connect attempt share one deadline."""
    last: OSError | None = None
    for family, kind, proto, _, address in _resolve(host, port, deadline):
        sock = socket.socket(family, kind, proto)
        try:
            sock.settimeout(max(0.01, deadline - time.monotonic()))
            sock.connect(address)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            return sock
        except OSError as exc:
            sock.close()
            last = exc
            if isinstance(exc, TimeoutError) or time.monotonic() >= deadline:
                break
    raise last if last is not None else OSError(f"no address for {host}")


_Address = tuple[Any, ...]


def _resolve(host: str, port: int, deadline: float) -> Sequence[tuple[Any, Any, int, str, _Address]]:
    """getaddrinfo, bounded by the connect deadline (a hung resolver must not stall the run)."""
    try:
        ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        return socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    outcome: dict[str, Any] = {}

    def work() -> None:
        try:
            outcome["addresses"] = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except OSError as exc:
            outcome["error"] = exc

    resolver = threading.Thread(target=work, name="glance-validate-resolve", daemon=True)
    resolver.start()
    resolver.join(max(0.0, deadline - time.monotonic()))
    if "addresses" in outcome:
        return list(outcome["addresses"])
    if "error" in outcome:
        raise DNSFailure(f"cannot resolve host {host!r} ({os_reason(outcome['error'])})")
    raise DNSFailure(f"cannot resolve host {host!r} in time (--connect-timeout)")


def os_reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror.rstrip(".").lower() if exc.strerror[:1].isupper() else exc.strerror
    return str(exc) or type(exc).__name__


def tls_context(insecure: bool, cacert: str | None) -> ssl.SSLContext:
    """The system's CA certificates plus ``cacert`` (added, not instead); no checks when insecure.

    Added, because a private cloud's CA rarely signs everything a run talks to: Keystone, a
    redirect or a proxy may carry a public certificate, and trusting one more CA takes no
    trust away from the system's.
    """
    context = ssl.create_default_context()
    if insecure:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return context
    if cacert is None:
        return context
    try:
        context.load_verify_locations(cafile=cacert)
    except FileNotFoundError:
        raise TLSFailure(f"--cacert {cacert}: no such file") from None
    except (ssl.SSLError, OSError) as exc:
        raise TLSFailure(f"--cacert {cacert}: not a PEM file of CA certificates ({os_reason(exc)})") from None
    return context


def untrusted(target: Target, exc: ssl.SSLCertVerificationError) -> str:
    reason = exc.verify_message or os_reason(exc)
    return (
        f"{target.label}: the TLS certificate of {target.host} is not trusted ({reason}); "
        "pass --cacert FILE with your cloud's CA certificate, or --insecure to skip the check"
    )


def handshake_failed(target: Target, exc: ssl.SSLError) -> str:
    reason = exc.reason or os_reason(exc)
    hint = "; does the endpoint speak plain http?" if reason == "WRONG_VERSION_NUMBER" else ""
    return f"{target.label}: TLS handshake with {target.host}:{target.port} failed ({reason}){hint}"
