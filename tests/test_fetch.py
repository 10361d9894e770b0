"""Fetching schema documents from a real HTTP(S) server on 127.0.0.1: success and every failure."""

from __future__ import annotations

import gzip
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sample_payloads import sample_page
from schema_server import (
    ETAG,
    SCHEMA_PATH,
    SEED,
    TOKEN,
    Reply,
    SchemaServer,
    free_port,
    json_reply,
    make_certificate,
    schema_route,
    server_tls,
)

from glance_validate.core.errors import SchemaUnavailable
from glance_validate.net.exchange import (
    BadBody,
    FetchError,
    FetchSettings,
    HTTPStatusError,
    TLSFailure,
    Unreachable,
)
from glance_validate.net.fetch import fetch
from glance_validate.net.urls import endpoint_url, safe_url

FAST = FetchSettings(token=TOKEN, connect_timeout=2.0, read_timeout=2.0, retries=2, backoff=0.01)


@pytest.fixture
def server() -> Iterator[SchemaServer]:
    with SchemaServer() as running:
        running.route(SCHEMA_PATH, schema_route())
        yield running


def _fails(url: str, settings: FetchSettings = FAST, kind: type[FetchError] = FetchError) -> FetchError:
    with pytest.raises(kind) as caught:
        fetch(url, settings)
    message = str(caught.value)
    assert TOKEN not in message
    assert "\n" not in message
    assert isinstance(caught.value, SchemaUnavailable)
    return caught.value


# Success -----------------------------------------------------------------------------------------


def test_fetches_the_seed_schema_with_the_token_in_x_auth_token(server: SchemaServer) -> None:
    """The document comes back parsed, and the token travelled as X-Auth-Token."""
    fetched = fetch(server.url(SCHEMA_PATH), FAST)
    assert fetched.document == json.loads(SEED.read_text())
    assert fetched.etag == ETAG
    assert server.seen(SCHEMA_PATH)[0].headers["x-auth-token"] == TOKEN
    assert server.seen(SCHEMA_PATH)[0].headers["accept"] == "application/json"


def test_etag_revalidation_gives_not_modified(server: SchemaServer) -> None:
    """With the ETag of the copy in hand, the server's 304 comes back as not_modified."""
    fetched = fetch(server.url(SCHEMA_PATH), FAST, etag=ETAG)
    assert fetched.not_modified and fetched.document is None
    assert server.seen(SCHEMA_PATH)[0].headers["if-none-match"] == ETAG


def test_gzip_bodies_are_decoded(server: SchemaServer) -> None:
    """A gzip-encoded schema is decompressed before parsing."""
    server.route("/gz", Reply(200, gzip.compress(SEED.read_bytes()), {"Content-Encoding": "gzip"}))
    assert fetch(server.url("/gz"), FAST).document == json.loads(SEED.read_text())


def test_same_host_redirect_keeps_the_token(server: SchemaServer) -> None:
    """A relative redirect on the same host still carries the token, and succeeds."""
    server.route("/old", Reply(301, b"", {"Location": SCHEMA_PATH}))
    assert fetch(server.url("/old"), FAST).document is not None
    assert server.seen(SCHEMA_PATH)[0].headers.get("x-auth-token") == TOKEN


def test_one_503_is_retried(server: SchemaServer) -> None:
    """A 503 followed by success is a success after a second attempt."""
    served = schema_route()
    server.route("/flaky", lambda r: Reply(503, b"", {"Retry-After": "0"}) if r.count == 1 else served(r))
    assert fetch(server.url("/flaky"), FAST).document is not None
    assert len(server.seen("/flaky")) == 2


def test_one_reset_is_retried(server: SchemaServer) -> None:
    """A connection reset followed by success is a success after a second attempt."""
    served = schema_route()
    server.route("/reset-once", lambda r: Reply(reset=True) if r.count == 1 else served(r))
    assert fetch(server.url("/reset-once"), FAST).document is not None


# Token safety ------------------------------------------------------------------------------------


def test_token_is_not_sent_to_another_host_after_a_redirect(server: SchemaServer) -> None:
    """A redirect from 127.0.0.1 to localhost drops the token; the 401 there says why."""
    with SchemaServer() as other:
        other.route(SCHEMA_PATH, schema_route())
        server.route("/moved", Reply(302, b"", {"Location": other.url(SCHEMA_PATH, host="localhost")}))
        error = _fails(server.url("/moved"), kind=HTTPStatusError)
        assert [r.headers.get("x-auth-token") for r in other.requests] == [None]
    assert f"redirected from http://127.0.0.1:{server.port} to http://localhost:{other.port}" in str(error)
    assert "never sent to another host" in str(error)


def test_token_stays_dropped_when_a_redirect_comes_back(server: SchemaServer) -> None:
    """Once a redirect has left the host, coming back does not restore the token."""
    with SchemaServer() as other:
        other.route("/bounce", Reply(302, b"", {"Location": server.url(SCHEMA_PATH)}))
        server.route("/away", Reply(302, b"", {"Location": other.url("/bounce", host="localhost")}))
        _fails(server.url("/away"), kind=HTTPStatusError)
    assert server.seen(SCHEMA_PATH)[0].headers.get("x-auth-token") is None


def test_token_echoed_by_the_server_is_blanked(server: SchemaServer) -> None:
    """A server that echoes the token in its error body does not get it into the message."""
    body = {"error": {"message": f"token {TOKEN} is expired", "code": "IMG.0001"}}
    server.route("/echo", json_reply(body, 400))
    error = _fails(server.url("/echo"), kind=HTTPStatusError)
    assert "token *** is expired" in str(error)


def test_settings_repr_hides_the_token() -> None:
    """The settings value can be logged without showing the token."""
    assert TOKEN not in repr(FAST)


def test_user_information_is_dropped_from_urls_shown() -> None:
    """user:password@ in a URL never reaches a message."""
    assert safe_url("https://me:secret@image.example.com/v2") == "https://image.example.com/v2"
    error = _fails(f"http://me:secret@127.0.0.1:{free_port()}/v2/schemas/images", kind=Unreachable)
    assert "secret" not in str(error)


# Status codes ------------------------------------------------------------------------------------


def test_401_without_a_token_names_the_variable_to_set(server: SchemaServer) -> None:
    """No token: the 401 says none was sent and to set OS_AUTH_TOKEN, with the gateway's message."""
    error = _fails(server.url(SCHEMA_PATH), FetchSettings(retries=0), HTTPStatusError)
    message = str(error)
    assert "401 Unauthorized" in message and "no token was sent" in message
    assert "OS_AUTH_TOKEN" in message
    assert "APIGW.0301: Incorrect IAM authentication information" in message


def test_401_with_a_refused_token_says_so(server: SchemaServer) -> None:
    """A wrong or expired token: the 401 says the token was refused."""
    error = _fails(server.url(SCHEMA_PATH), FetchSettings(token="not-the-token"), HTTPStatusError)
    assert "the token was refused" in str(error)
    assert "expired" in str(error) and "OS_AUTH_TOKEN" in str(error)
    assert not error.transient


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (
            400,
            {"error": {"message": "The imagetype is invalid.", "code": "IMG.0024"}},
            ["400 Bad Request", "rejected", "IMG.0024: The imagetype is invalid."],
        ),
        (
            403,
            {"error": {"message": "Insufficient permissions.", "code": "IMG.0026"}},
            ["403 Forbidden", "not allowed to read the schema", "IMG.0026: Insufficient permissions."],
        ),
        (
            404,
            {"message": "The resource could not be found.", "code": "404 Not Found", "title": "Not Found"},
            ["404 Not Found", "check the endpoint and the API version", "The resource could not be found."],
        ),
        (
            500,
            {"error_msg": "Internal error", "error_code": "APIGW.0103"},
            ["500 Internal Server Error", "the server failed", "APIGW.0103: Internal error"],
        ),
    ],
)
def test_error_statuses_have_their_own_message(
    server: SchemaServer, status: int, body: dict[str, object], expected: list[str]
) -> None:
    """400, 403, 404 and 500 each say what happened and show the service's own message."""
    server.route("/error", json_reply(body, status))
    message = str(_fails(server.url("/error"), kind=HTTPStatusError))
    for part in expected:
        assert part in message
    assert message.startswith(server.url("/error") + ": ")


def test_404_shows_the_url_tried(server: SchemaServer) -> None:
    """A wrong endpoint: the 404 message starts with the exact URL that was requested."""
    url = server.url("/v1/schemas/images")
    message = str(_fails(url, kind=HTTPStatusError))
    assert message.startswith(f"{url}: 404")
    assert "The resource could not be found." in message


def test_503_is_retried_a_bounded_number_of_times(server: SchemaServer) -> None:
    """A 503 that persists is tried 1 + retries times, then reported as transient."""
    server.route("/down", Reply(503, b"<html><title>Service Unavailable</title></html>"))
    error = _fails(server.url("/down"), kind=HTTPStatusError)
    assert len(server.seen("/down")) == 3
    assert "503 Service Unavailable" in str(error) and "tried 3 times" in str(error)
    assert "Service Unavailable" in str(error)
    assert error.transient


def test_404_is_not_retried(server: SchemaServer) -> None:
    """Only 503-like statuses and connection failures are retried."""
    _fails(server.url("/missing"), kind=HTTPStatusError)
    assert len(server.seen("/missing")) == 1


# Connections and timeouts ------------------------------------------------------------------------


def test_connection_refused_is_retried_then_reported() -> None:
    """Nothing listening: the message names host and port and the attempts made."""
    port = free_port()
    error = _fails(f"http://127.0.0.1:{port}/v2/schemas/images", kind=Unreachable)
    assert f"cannot connect to 127.0.0.1:{port}" in str(error)
    assert "tried 3 times" in str(error)
    assert error.transient


def test_persistent_reset_is_reported(server: SchemaServer) -> None:
    """A server that resets every connection: reported after the retries."""
    server.route("/reset", Reply(reset=True))
    error = _fails(server.url("/reset"), kind=Unreachable)
    assert "reset" in str(error) or "closed" in str(error)
    assert len(server.seen("/reset")) == 3


def test_slow_response_hits_the_read_timeout(server: SchemaServer) -> None:
    """A server that takes longer than --read-timeout to answer is given up on."""
    server.route("/slow", Reply(200, SEED.read_bytes(), delay=3.0))
    settings = FetchSettings(read_timeout=0.3, retries=0)
    error = _fails(server.url("/slow"), settings, Unreachable)
    assert "no complete response within 0.3 s" in str(error)


def test_dripping_body_hits_the_read_timeout_as_a_whole(server: SchemaServer) -> None:
    """Bytes that keep trickling in do not extend the read timeout: it bounds the whole response."""
    server.route("/drip", Reply(200, b'{"properties": {}}' * 4, drip=0.05))
    settings = FetchSettings(read_timeout=0.5, retries=0)
    error = _fails(server.url("/drip"), settings, Unreachable)
    assert "--read-timeout" in str(error)


def test_connect_timeout_when_the_server_never_accepts() -> None:
    """A listener whose queue is full never completes the handshake: --connect-timeout applies."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    fillers: list[socket.socket] = []
    try:
        for _ in range(8):
            filler = socket.socket()
            filler.settimeout(0.2)
            fillers.append(filler)
            try:
                filler.connect(("127.0.0.1", port))
            except TimeoutError:
                break
        else:
            pytest.skip("this kernel completes connections beyond a full accept queue")
        error = _fails(f"http://127.0.0.1:{port}/", FetchSettings(connect_timeout=0.3), Unreachable)
    finally:
        for filler in fillers:
            filler.close()
        listener.close()
    assert f"no connection to 127.0.0.1:{port} within 0.3 s" in str(error)


def test_unresolvable_host_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    """A DNS failure names the host (the resolver is replaced: no query leaves the machine)."""

    def no_such_host(host: str, *args: object, **kwargs: object) -> list[object]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_such_host)
    error = _fails("https://image.example.invalid/v2/schemas/images", kind=Unreachable)
    assert "cannot resolve host 'image.example.invalid'" in str(error)


def test_hung_resolver_is_bounded_by_the_connect_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    """A resolver that does not answer cannot stall the run past --connect-timeout."""

    def hangs(host: str, *args: object, **kwargs: object) -> list[object]:
        time.sleep(5)
        return []

    monkeypatch.setattr(socket, "getaddrinfo", hangs)
    error = _fails("https://image.example.invalid/", FetchSettings(connect_timeout=0.2), Unreachable)
    assert "in time" in str(error)


# Bodies --------------------------------------------------------------------------------------


def test_declared_oversized_body_is_refused(server: SchemaServer) -> None:
    """A Content-Length over the limit is refused before reading the body."""
    server.route("/big", Reply(200, b"{}", {"Content-Length": "999999999"}))
    error = _fails(server.url("/big"), FetchSettings(max_bytes=1000), BadBody)
    assert "999,999,999 bytes" in str(error) and "at most 1,000 bytes" in str(error)


def test_undeclared_oversized_body_is_cut_off(server: SchemaServer) -> None:
    """A body that keeps coming past the limit is refused once the limit is passed."""
    body = b'{"properties": {"x": "' + b"y" * 5000 + b'"}}'
    server.route("/big", Reply(200, body, chunked=True))
    error = _fails(server.url("/big"), FetchSettings(max_bytes=1000), BadBody)
    assert "sent more than 1,000 bytes" in str(error)


def test_gzip_bomb_is_refused(server: SchemaServer) -> None:
    """A small compressed body that inflates past the limit is refused."""
    bomb = gzip.compress(b" " * 2_000_000)
    server.route("/bomb", Reply(200, bomb, {"Content-Encoding": "gzip"}))
    error = _fails(server.url("/bomb"), FetchSettings(max_bytes=100_000), BadBody)
    assert "decompresses to more than 100,000 bytes" in str(error)


def test_html_body_is_reported_as_html(server: SchemaServer) -> None:
    """An HTML login page served with 200 is named as such, with its title."""
    page = b"<!DOCTYPE html><html><head><title>Sign in - Cloud</title></head><body>x</body></html>"
    server.route("/login", Reply(200, page, {"Content-Type": "text/html"}))
    error = _fails(server.url("/login"), kind=BadBody)
    assert "an HTML page (Sign in - Cloud)" in str(error)


def test_non_json_body_is_reported_with_the_parse_error(server: SchemaServer) -> None:
    """Text that is not JSON: the parser's complaint and the content type are shown."""
    server.route("/text", Reply(200, b"OK then", {"Content-Type": "text/plain"}))
    error = _fails(server.url("/text"), kind=BadBody)
    assert "(text/plain) is not JSON" in str(error) and "line 1, column 1" in str(error)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"images": [], "first": "/v2/images"}, "an image list (GET /v2/images)"),
        (
            {"error": {"message": "Quota exceeded", "code": "IMG.0042"}},
            "an error body (IMG.0042: Quota exceeded)",
        ),
        ([1, 2], "a JSON list, not an object"),
        ({"name": "images"}, "without a properties object (name)"),
    ],
)
def test_json_that_is_not_a_schema_is_refused(server: SchemaServer, body: object, expected: str) -> None:
    """Valid JSON that is no images schema says what it is instead."""
    server.route("/wrong", json_reply(body))
    error = _fails(server.url("/wrong"), kind=BadBody)
    assert "JSON but not an images schema" in str(error) and expected in str(error)


def test_glance_text_error_body_is_shown_on_one_line(server: SchemaServer) -> None:
    """Glance's text/plain error bodies are folded onto the message line."""
    server.route("/err", Reply(400, b"400 Bad Request\n\nInvalid marker\x1b[31m.\n\n"))
    message = str(_fails(server.url("/err"), kind=HTTPStatusError))
    assert "(the server says: 400 Bad Request Invalid marker [31m.)" in message
    assert "\x1b" not in message


def test_too_many_redirects(server: SchemaServer) -> None:
    """A redirect loop ends with a message, not a hang."""
    server.route("/loop", Reply(302, b"", {"Location": "/loop"}))
    assert "more than 5 redirects" in str(_fails(server.url("/loop")))


def test_non_http_urls_are_refused() -> None:
    """Only http and https URLs are fetched."""
    assert "not an http or https URL" in str(_fails("ftp://127.0.0.1/schema"))


# TLS -----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    made = make_certificate(tmp_path_factory.mktemp("tls"))
    if made is None:
        pytest.skip("neither the openssl command nor the cryptography package is available")
    return made


@pytest.fixture
def tls_server(certificate: tuple[Path, Path]) -> Iterator[SchemaServer]:
    with SchemaServer(tls=server_tls(*certificate)) as running:
        running.route(SCHEMA_PATH, schema_route())
        yield running


def test_self_signed_certificate_is_not_trusted_by_default(tls_server: SchemaServer) -> None:
    """An untrusted certificate fails with a message that suggests --cacert or --insecure."""
    error = _fails(tls_server.url(SCHEMA_PATH), kind=TLSFailure)
    assert "not trusted" in str(error) and "--cacert" in str(error) and "--insecure" in str(error)
    assert not error.transient


def test_cacert_trusts_the_private_ca(tls_server: SchemaServer, certificate: tuple[Path, Path]) -> None:
    """--cacert with the server's certificate makes the fetch succeed, token and all."""
    settings = FetchSettings(token=TOKEN, cacert=str(certificate[0]))
    assert fetch(tls_server.url(SCHEMA_PATH), settings).document is not None
    assert tls_server.seen(SCHEMA_PATH)[0].headers["x-auth-token"] == TOKEN


def test_insecure_skips_verification(tls_server: SchemaServer) -> None:
    """--insecure accepts the self-signed certificate."""
    settings = FetchSettings(token=TOKEN, insecure=True)
    assert fetch(tls_server.url(SCHEMA_PATH), settings).document is not None


def test_redirect_from_https_to_http_drops_the_token(tls_server: SchemaServer, server: SchemaServer) -> None:
    """A downgrade to plain HTTP is another origin: followed without TLS, and without the token."""
    tls_server.route("/down", Reply(302, b"", {"Location": server.url(SCHEMA_PATH)}))
    settings = FetchSettings(token=TOKEN, insecure=True, retries=0)
    error = _fails(tls_server.url("/down"), settings, HTTPStatusError)
    assert "401" in str(error) and "never sent to another host" in str(error)
    assert [r.headers.get("x-auth-token") for r in server.seen(SCHEMA_PATH)] == [None]


def test_missing_cacert_file_is_reported(tmp_path: Path) -> None:
    """--cacert naming no file says so."""
    missing = tmp_path / "nope.pem"
    error = _fails("https://127.0.0.1:1/", FetchSettings(cacert=str(missing)), TLSFailure)
    assert f"--cacert {missing}: no such file" in str(error)


def test_https_to_a_plain_http_server_explains_itself(server: SchemaServer) -> None:
    """Speaking TLS to a plain-HTTP port fails with a hint."""
    error = _fails(server.url(SCHEMA_PATH).replace("http:", "https:"), kind=TLSFailure)
    assert "TLS handshake" in str(error)


# Endpoint URLs -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("endpoint", "image", "expected"),
    [
        ("https://image.example.com", False, "https://image.example.com/v2/schemas/images"),
        ("https://image.example.com/", True, "https://image.example.com/v2/schemas/image"),
        ("https://ims.example.com/v2", False, "https://ims.example.com/v2/schemas/images"),
        ("https://ims.example.com/v2/", True, "https://ims.example.com/v2/schemas/image"),
        (
            "https://x.example.com:9292/v2/schemas/images",
            False,
            "https://x.example.com:9292/v2/schemas/images",
        ),
    ],
)
def test_endpoint_url(endpoint: str, image: bool, expected: str) -> None:
    """An endpoint, with or without /v2 or a trailing slash, gives the schema URL."""
    assert endpoint_url(endpoint, image=image) == expected


def _cli(*args: str, cache: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OS_")}
    env.update({"XDG_CACHE_HOME": str(cache), "OS_AUTH_TOKEN": TOKEN})
    result = subprocess.run(
        [sys.executable, "-m", "glance_validate", *args], capture_output=True, text=True, env=env, check=False
    )
    assert "Traceback" not in result.stderr and TOKEN not in result.stdout + result.stderr
    return result


def test_cli_tls_flags(tls_server: SchemaServer, certificate: tuple[Path, Path], tmp_path: Path) -> None:
    """check over HTTPS: untrusted exits 3; --cacert and --insecure each make it pass."""
    fixture = Path(__file__).resolve().parent.parent / "fixtures" / "ims" / "image-list.json"
    url = tls_server.url(SCHEMA_PATH)
    untrusted = _cli("check", "--cache-ttl", "0", "--schema", url, str(fixture), cache=tmp_path)
    assert untrusted.returncode == 3 and "not trusted" in untrusted.stderr
    trusted = _cli(
        "check",
        "--cache-ttl",
        "0",
        "--cacert",
        str(certificate[0]),
        "--schema",
        url,
        str(fixture),
        cache=tmp_path,
    )
    assert trusted.returncode == 0, trusted.stderr
    insecure = _cli("check", "--cache-ttl", "0", "--insecure", "--schema", url, str(fixture), cache=tmp_path)
    assert insecure.returncode == 0, insecure.stderr
    assert len(tls_server.seen(SCHEMA_PATH)) == 2


def test_library_validate_with_a_schema_url(
    server: SchemaServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """validate(payload, schema=URL) and load_schema(URL, remote=...) fetch through the cache."""
    from glance_validate import validate
    from glance_validate.schema.remote import SchemaOptions
    from glance_validate.schema.sources import load_schema

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    open_route = schema_route(token=None)
    server.route("/open/v2/schemas/images", open_route)
    page = sample_page({"id": "x", "min_ram": "512"})
    result = validate(page, schema=server.url("/open/v2/schemas/images"))
    assert [(f.code, f.path) for f in result.findings] == [
        ("K003", "/images/0/id"),
        ("K001", "/images/0/min_ram"),
    ]
    source = load_schema(server.url(SCHEMA_PATH), remote=SchemaOptions(token=TOKEN, cache_dir=tmp_path / "c"))
    assert source.name == server.url(SCHEMA_PATH) and source.notes == ()
    assert list((tmp_path / "c").iterdir())
