"""Redaction: a secret is blanked before anything is cut, stored or pinned.

Each end-to-end test plants a secret where one used to leak (a server echoing it late in an
error body, twice, or in the schema, its ETag or Last-Modified; a value or key of a payload; a
HAR request's headers and cookies; a ``?token=`` query) and searches standard output, standard
error, every report format, the cache and ``schema fetch -o`` files for any 8-character piece
of it. The unit tests pin down the redaction function itself.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from schema_server import SCHEMA_PATH, SEED, Reply, SchemaServer, json_reply, schema_route

from glance_validate.core.secrets import (
    RedactingWriter,
    Secrets,
    clip,
    enforced,
    masked_query,
    url_secrets,
)

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "gAAAAABredactTOKEN-9c41-e7b2-NEVER-SHOWN"
PASSWORD = "keystone-pa55word-8d2e1f-never-shown"
COOKIE = "cookie-5f3a9b1c7d2e"
FORMATS = ("text", "json", "junit", "sarif", "github")
UUID = "6a1f0c2e-93d4-4b7e-8f21-0c5d7e9a3b14"
FRAGMENT = 8


def pieces(secret: str) -> set[str]:
    return {secret[i : i + FRAGMENT] for i in range(len(secret) - FRAGMENT + 1)}


def assert_no_piece(secret: str, named: dict[str, bytes]) -> None:
    for name, data in named.items():
        text = data.decode("utf-8", "replace")
        shown = sorted(p for p in pieces(secret) if p in text)
        assert not shown, (name, shown, text[:2000])


def _env(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OS_", "GLANCE_VALIDATE_", "XDG_"))}
    env.update({"HOME": str(home), "NO_COLOR": "1", **extra})
    return env


def _cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "glance_validate", *args],
        capture_output=True,
        check=False,
        env=env,
        cwd=ROOT,
        timeout=120,
    )


def _files(*roots: Path) -> Iterator[tuple[str, bytes]]:
    for root in roots:
        for path in root.rglob("*"):
            if path.is_file():
                yield str(path), path.read_bytes()


def _check_everywhere(
    tmp_path: Path, inputs: list[str], env: dict[str, str], *extra: str
) -> dict[str, bytes]:
    """Run check once per stdout format, with every format also written to a report file:
    every stream and file each run produced, by name."""
    seen: dict[str, bytes] = {}
    for fmt in FORMATS:
        reports = tmp_path / f"reports-{fmt}"
        reports.mkdir()
        outputs = [a for f in FORMATS for a in ("--output", f"{f}={reports / ('report.' + f)}")]
        result = _cli("check", "-v", "--format", fmt, *extra, *outputs, *inputs, env=env)
        assert result.returncode in (0, 1), result.stderr
        assert b"Traceback" not in result.stderr
        seen |= {f"stdout {fmt}": result.stdout, f"stderr {fmt}": result.stderr}
        seen |= dict(_files(reports))
    return seen | dict(_files(Path(env["HOME"])))


def _page(tmp_path: Path, image: dict[str, object]) -> Path:
    path = tmp_path / "page.json"
    path.write_text(json.dumps({"images": [{"id": UUID, "name": "web", "status": "active", **image}]}))
    return path


def _har(tmp_path: Path, body: object, *, status: int = 200, url: str = "", cookie: bool = False) -> Path:
    """A capture whose request carries TOKEN as X-Auth-Token (and COOKIE as a cookie)."""
    headers = [{"name": "X-Auth-Token", "value": TOKEN}]
    if cookie:
        headers.append({"name": "Cookie", "value": f"session={COOKIE}"})
    text = body if isinstance(body, str) else json.dumps(body)
    entry = {
        "request": {"method": "GET", "url": url or "https://image.example.com/v2/images", "headers": headers},
        "response": {"status": status, "content": {"mimeType": "application/json", "text": text}},
    }
    path = tmp_path / "capture.har"
    path.write_text(json.dumps({"log": {"entries": [entry]}}))
    return path


# The redaction function -----------------------------------------------------------------------


def test_every_occurrence_is_blanked_however_often_it_repeats() -> None:
    """Repeated secrets are all blanked, not only the first."""
    assert Secrets.of(TOKEN).redact(f"a {TOKEN} b {TOKEN} c {TOKEN}") == "a *** b *** c ***"


def test_overlapping_secrets_leave_no_piece_of_either() -> None:
    """Two secrets that overlap in the text, and a secret overlapping itself, blank as one span."""
    secrets = Secrets.of("abcdef-1234", "1234-uvwxyz")
    assert secrets.redact("<abcdef-1234-uvwxyz>") == "<***>"
    assert Secrets.of("xyxyxyxy").redact("xyxyxyxyxyxy") == "***"


@pytest.mark.parametrize(
    "escaped",
    [
        json.dumps('tok/en+=ünï"cøde')[1:-1],
        json.dumps('tok/en+=ünï"cøde')[1:-1].replace("/", "\\/"),
        "tok%2Fen%2B%3D%C3%BCn%C3%AF%22c%C3%B8de",
        "tok/en+=ünï&quot;cøde",
        repr('tok/en+=ünï"cøde')[1:-1],
    ],
)
def test_a_secret_split_by_escaping_is_still_blanked(escaped: str) -> None:
    """JSON, percent-encoded and entity-escaped forms of a secret are blanked too."""
    assert Secrets.of('tok/en+=ünï"cøde').redact(f"[{escaped}]") == "[***]"


def test_short_values_are_not_secrets() -> None:
    """Values under six characters (session=1) are not blanked everywhere."""
    assert not Secrets.of("", None, "12345")
    assert Secrets.of("12345").redact("12345") == "12345"


def test_clip_blanks_before_it_cuts() -> None:
    """A secret that the cut would split is blanked whole first, leaving no head behind."""
    text = "x" * 40 + TOKEN
    assert TOKEN[:8] in text[:57]
    with enforced(Secrets.of(TOKEN)):
        assert clip(text, 60) == "x" * 40 + "***"
    assert clip(text, 60) == text[:57] + "..."  # nothing in force outside the block


def test_the_writer_sees_a_secret_written_in_pieces() -> None:
    """Lines written in several pieces are redacted whole; flush writes what is held."""
    out = io.StringIO()
    writer = RedactingWriter(out, Secrets.of(TOKEN))
    for piece in ("token ", TOKEN[:10], TOKEN[10:], " end\nlast ", TOKEN):
        writer.write(piece)
    assert out.getvalue() == "token *** end\n"
    writer.flush()
    assert out.getvalue() == "token *** end\nlast ***"


def test_url_credentials_are_secrets_and_are_masked() -> None:
    """user:password@ and credential query values are secrets; the query shows them as ***."""
    url = f"https://admin:{PASSWORD}@h.example/v2/schemas/images?limit=2&token={TOKEN}"
    assert set(url_secrets(url)) == {PASSWORD, TOKEN}
    assert (
        masked_query(f"limit=2&token={TOKEN}&X-Auth-Token=abc&flag")
        == "limit=2&token=***&X-Auth-Token=***&flag"
    )


# Messages cut after the secret is blanked -----------------------------------------------------


def _echo_late(status: int, prefix: int) -> Reply:
    body = {"error": {"message": "x" * prefix + TOKEN + " refused", "code": status}}
    return Reply(status, json.dumps(body).encode(), {"Content-Type": "application/json"})


@pytest.mark.parametrize("shape", ["error body", "JSON array"])
def test_a_401_echoing_the_token_late_shows_no_piece_of_it(tmp_path: Path, shape: str) -> None:
    """The server's words are cut at 200 characters: the token 165 characters in is blanked first."""
    page = _page(tmp_path, {})
    with SchemaServer() as server:
        if shape == "error body":
            server.route(SCHEMA_PATH, _echo_late(401, 165))
        else:
            server.route(SCHEMA_PATH, json_reply(["x" * 170 + TOKEN], 401))
        result = _cli("check", "--token", TOKEN, "--schema", server.url(SCHEMA_PATH), str(page),
                      env=_env(tmp_path / "home"))  # fmt: skip
    assert result.returncode == 3 and b"401" in result.stderr and b"***" in result.stderr
    assert_no_piece(TOKEN, {"stderr": result.stderr, "stdout": result.stdout})


def test_a_server_echoing_the_token_twice_shows_neither(tmp_path: Path) -> None:
    """Both echoes of the token in one error message are blanked."""
    page = _page(tmp_path, {})
    body = {"error": {"message": f"token {TOKEN} refused; token {TOKEN} expired", "code": 403}}
    with SchemaServer() as server:
        server.route(SCHEMA_PATH, json_reply(body, 403))
        result = _cli("check", "--token", TOKEN, "--schema", server.url(SCHEMA_PATH), str(page),
                      env=_env(tmp_path / "home"))  # fmt: skip
    assert result.returncode == 3 and result.stderr.count(b"***") == 2, result.stderr
    assert_no_piece(TOKEN, {"stderr": result.stderr})


def test_a_redirect_to_a_path_holding_the_token_does_not_show_it(tmp_path: Path) -> None:
    """schema fetch, redirected to /<token>/ which is not found: the error names the URL without it."""
    with SchemaServer() as server:
        server.route(SCHEMA_PATH, Reply(302, b"", {"Location": f"/moved/{TOKEN}/images"}))
        result = _cli("schema", "fetch", "--token", TOKEN, "--schema", server.url(SCHEMA_PATH),
                      env=_env(tmp_path / "home"))  # fmt: skip
    assert result.returncode == 3 and b"/moved/***/images: 404" in result.stderr, result.stderr
    assert_no_piece(TOKEN, {"stderr": result.stderr, "stdout": result.stdout})


@pytest.mark.parametrize("given_as", ["OS_AUTH_TOKEN", "har"])
def test_an_enum_value_holding_the_token_is_blanked_before_it_is_cut(tmp_path: Path, given_as: str) -> None:
    """A status value cut at 60 characters for its message shows no piece of the token."""
    image = {"status": "x" * 30 + TOKEN}
    if given_as == "har":
        inputs, env = [str(_har(tmp_path, {"images": [{"id": UUID, "name": "w", **image}]}))], {}
    else:
        inputs, env = [str(_page(tmp_path, image))], {"OS_AUTH_TOKEN": TOKEN}
    seen = _check_everywhere(tmp_path, inputs, _env(tmp_path / "home", **env))
    assert b"status" in seen["stdout text"] and b"***" in seen["stdout text"], seen["stdout text"]
    assert_no_piece(TOKEN, seen)


@pytest.mark.parametrize("given_as", ["OS_AUTH_TOKEN", "har"])
def test_a_token_in_a_finding_path_is_blanked(tmp_path: Path, given_as: str) -> None:
    """A payload key that is the token shows as *** in the finding's path, in every format."""
    image = {TOKEN: 5}
    if given_as == "har":
        inputs, env = [str(_har(tmp_path, {"images": [{"id": UUID, "name": "w", **image}]}))], {}
    else:
        inputs, env = [str(_page(tmp_path, image))], {"OS_AUTH_TOKEN": TOKEN}
    seen = _check_everywhere(tmp_path, inputs, _env(tmp_path / "home", **env))
    assert b"/images/0/***" in seen["stdout text"], seen["stdout text"]
    assert_no_piece(TOKEN, seen)


def test_an_error_body_snippet_blanks_the_token_before_it_is_cut(tmp_path: Path) -> None:
    """A captured 401 HTML page is quoted up to 100 characters: the token at 90 is blanked first."""
    har = _har(tmp_path, "<h1>" + "refused " * 11 + TOKEN + "</h1>", status=401)
    seen = _check_everywhere(tmp_path, [str(har)], _env(tmp_path / "home"))
    assert b"***" in seen["stdout text"]
    assert_no_piece(TOKEN, seen)


def test_a_duplicate_key_holding_the_token_is_blanked_before_it_is_cut(tmp_path: Path) -> None:
    """The parser quotes a duplicate key up to 40 characters: the token in it is blanked first."""
    key = "k" * 10 + TOKEN
    page = tmp_path / "page.json"
    page.write_text(f'{{"images": [], "{key}": 1, "{key}": 2}}')
    seen = _check_everywhere(tmp_path, [str(page)], _env(tmp_path / "home", OS_AUTH_TOKEN=TOKEN))
    assert b"duplicate key" in seen["stdout text"], seen["stdout text"]
    assert_no_piece(TOKEN, seen)


def test_an_extension_value_holding_the_token_is_blanked_before_it_is_cut(tmp_path: Path) -> None:
    """An IMS extension value quoted for X002 (60 characters) shows no piece of the token."""
    page = _page(tmp_path, {"__image_size": "x" * 30 + TOKEN})
    seen = _check_everywhere(tmp_path, [str(page)], _env(tmp_path / "home", OS_AUTH_TOKEN=TOKEN))
    assert b"X002" in seen["stdout text"], seen["stdout text"]
    assert_no_piece(TOKEN, seen)


def test_a_schema_pattern_holding_the_token_is_blanked_before_it_is_cut(tmp_path: Path) -> None:
    """The schema guard quotes a pattern up to 80 characters: the token in it is blanked first."""
    document = json.loads(SEED.read_text())
    document["properties"]["images"]["items"]["properties"]["name"]["pattern"] = (
        "^(a+)+\\1" + "b" * 50 + TOKEN + "$"
    )
    schema = tmp_path / "schema.json"
    schema.write_text(json.dumps(document))
    result = _cli("check", "--schema", str(schema), str(_page(tmp_path, {})),
                  env=_env(tmp_path / "home", OS_AUTH_TOKEN=TOKEN))  # fmt: skip
    assert result.returncode == 3 and b"exponential" in result.stderr, result.stderr
    assert_no_piece(TOKEN, {"stderr": result.stderr, "stdout": result.stdout})


# Labels ---------------------------------------------------------------------------------------


def test_a_har_cookie_in_the_request_path_is_masked_in_the_label(tmp_path: Path) -> None:
    """GET /v2/images/<cookie value>: the source label shows *** in every format."""
    url = f"https://image.example.com/v2/images/{COOKIE}"
    har = _har(tmp_path, {"id": UUID, "name": "w", "status": "archived"}, url=url, cookie=True)
    seen = _check_everywhere(tmp_path, [str(har)], _env(tmp_path / "home"))
    assert b"(GET /v2/images/***)" in seen["stdout text"], seen["stdout text"]
    assert_no_piece(COOKIE, seen)


def test_a_token_in_the_schema_urls_query_is_neither_shown_nor_cached(tmp_path: Path) -> None:
    """--schema URL?token=...: the token reaches the server; labels and the cache show ***."""
    page = _page(tmp_path, {"status": TOKEN})  # a payload echoing it too
    with SchemaServer() as server:
        server.route(SCHEMA_PATH, schema_route(token=None))
        url = server.url(f"{SCHEMA_PATH}?token={TOKEN}")
        seen = _check_everywhere(tmp_path, [str(page)], _env(tmp_path / "home"), "--schema", url)
        assert server.seen(f"{SCHEMA_PATH}?token={TOKEN}")
    assert b"token=***" in seen["stdout text"], seen["stdout text"]
    assert any("schemas" in name for name in seen)  # the cache was written
    assert_no_piece(TOKEN, seen)


# Nothing stored or pinned ---------------------------------------------------------------------


def _echoing_schema(where: str) -> Reply:
    document = json.loads(SEED.read_text())
    headers = {"Content-Type": "application/json", "ETag": '"v1"', "Last-Modified": "Wed, 25 Nov 2026"}
    if where == "body":
        document["properties"]["images"]["items"]["properties"]["name"]["description"] = (
            f"served to {TOKEN}, again {TOKEN}"
        )
    elif where == "etag":
        headers["ETag"] = f'"{TOKEN}"'
    else:
        headers["Last-Modified"] = f"Wed, 25 Nov 2026 {TOKEN}"
    return Reply(200, json.dumps(document).encode(), headers)


@pytest.mark.parametrize("where", ["body", "etag", "last-modified"])
def test_an_echoed_token_is_never_stored_nor_pinned(tmp_path: Path, where: str) -> None:
    """A token in the schema, its ETag or Last-Modified reaches neither the cache nor -o FILE."""
    pinned = tmp_path / "pinned" / "schema.json"
    pinned.parent.mkdir()
    home = tmp_path / "home"
    with SchemaServer() as server:
        server.route(SCHEMA_PATH, _echoing_schema(where))
        fetched = _cli("schema", "fetch", "--token", TOKEN, "--schema", server.url(SCHEMA_PATH),
                       "-o", str(pinned), env=_env(home))  # fmt: skip
        checked = _cli("check", "--token", TOKEN, "--cache-ttl", "0", "--schema", server.url(SCHEMA_PATH),
                       str(_page(tmp_path, {})), env=_env(home))  # fmt: skip
        sent_back = [r.headers.get("if-none-match", "") + r.headers.get("if-modified-since", "")
                     for r in server.seen(SCHEMA_PATH)]  # fmt: skip
    assert fetched.returncode == 0 and checked.returncode in (0, 1), fetched.stderr + checked.stderr
    assert pinned.is_file() and list((home / ".cache").rglob("*.json"))
    assert_no_piece(TOKEN, dict(_files(home, pinned.parent)))
    assert not any(TOKEN in value for value in sent_back)
    outputs = {
        "fetch out": fetched.stdout,
        "fetch err": fetched.stderr,
        "check": checked.stdout + checked.stderr,
    }
    assert_no_piece(TOKEN, outputs)


# Keystone ---------------------------------------------------------------------------------------


def test_a_keystone_500_echoing_the_password_does_not_show_it(tmp_path: Path) -> None:
    """Keystone failing with the password late in its message: the error names none of it."""
    pytest.importorskip("keystoneauth1")
    from glance_validate.net.exchange import FetchError
    from glance_validate.net.keystone import login

    with SchemaServer() as server:
        version = {"id": "v3.14", "status": "stable", "links": [{"rel": "self", "href": server.url("/v3/")}]}
        server.route("/v3", json_reply({"version": version}))
        server.route("/v3/", json_reply({"version": version}))
        message = "x" * 250 + f"could not check {PASSWORD} for user demo"
        server.route("/v3/auth/tokens", json_reply({"error": {"code": 500, "message": message}}, 500))
        auth = {
            "auth_url": server.url("/v3"),
            "username": "demo",
            "password": PASSWORD,
            "project_name": "demo",
        }
        auth |= {"user_domain_name": "Default", "project_domain_name": "Default"}
        clouds = tmp_path / "clouds.yaml"
        clouds.write_text(json.dumps({"clouds": {"test": {"auth": auth}}}))
        environ = {"OS_CLIENT_CONFIG_FILE": str(clouds), "OS_CLIENT_SECURE_FILE": str(tmp_path / "none")}
        with pytest.raises(FetchError) as caught:
            login("test", environ=environ, timeout=10)
    assert "failed" in str(caught.value)
    assert_no_piece(PASSWORD, {"message": str(caught.value).encode()})


def test_worker_processes_blank_the_runs_token_before_cutting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--jobs 2 with spawned workers: the token is in force there too, so no cut shows a piece."""
    from glance_validate.runner import workers
    from glance_validate.runner.options import RunOptions
    from glance_validate.runner.run import run

    monkeypatch.setattr(workers, "START_METHOD", "spawn")
    monkeypatch.setenv("OS_AUTH_TOKEN", TOKEN)
    pages = []
    for n in range(2):
        page = tmp_path / f"page{n}.json"
        page.write_text(json.dumps({"images": [{"id": UUID, "name": "w", "status": "x" * 30 + TOKEN}]}))
        pages.append(str(page))
    out, err = io.StringIO(), io.StringIO()
    assert run(RunOptions(pages, jobs=2, output_format="json"), out, err) == 1
    assert out.getvalue().count("***") == 2, out.getvalue()
    assert_no_piece(TOKEN, {"out": out.getvalue().encode(), "err": err.getvalue().encode()})


@pytest.mark.parametrize(
    ("url", "warned"),
    [
        ("http://image.example.com/v2/schemas/images", True),
        ("http://10.0.0.5:9292/v2/schemas/images", True),
        ("https://image.example.com/v2/schemas/images", False),
        ("http://127.0.0.1:9292/v2/schemas/images", False),
        ("http://[::1]:9292/v2/schemas/images", False),
        ("http://localhost/v2/schemas/images", False),
    ],
)
def test_a_token_over_plain_http_to_another_host_is_warned_about(url: str, warned: bool) -> None:
    """Plain http to a host that is not this machine, with a token: one warning, naming no token."""
    from glance_validate.net.client import cleartext_warning

    warnings = cleartext_warning(url, TOKEN)
    assert len(warnings) == warned and not any(TOKEN in w for w in warnings)
    assert cleartext_warning(url, None) == ()
