"""The schema cache: fresh, revalidated, stale and offline copies, atomic writes, and the CLI using it."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from schema_server import ETAG, SCHEMA_PATH, SEED, TOKEN, Reply, SchemaServer, free_port, schema_route

from glance_validate.core.errors import SchemaUnavailable
from glance_validate.net.cache import (
    CachePolicy,
    Entry,
    cache_dir,
    describe_age,
    entry_path,
    parse_duration,
    read_entry,
    retrieve,
    write_entry,
)
from glance_validate.net.exchange import FetchSettings, HTTPStatusError

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "fixtures" / "ims" / "image-list.json"
SETTINGS = FetchSettings(token=TOKEN, connect_timeout=1.0, read_timeout=2.0, retries=0, backoff=0.01)
SEED_DOCUMENT = json.loads(SEED.read_text())


@pytest.fixture
def server() -> Iterator[SchemaServer]:
    with SchemaServer() as running:
        running.route(SCHEMA_PATH, schema_route())
        yield running


def _retrieve(url: str, directory: Path, clock: float | None = None, **policy: object) -> object:
    kwargs = {"clock": (lambda: clock)} if clock is not None else {}
    return retrieve(url, lambda: (url, SETTINGS), CachePolicy(directory=directory, **policy), **kwargs)  # type: ignore[arg-type]


def test_first_fetch_is_stored_under_the_sha256_of_the_url(server: SchemaServer, tmp_path: Path) -> None:
    """The document is fetched, then written as a record named by sha256(url), without the token."""
    url = server.url(SCHEMA_PATH)
    got = _retrieve(url, tmp_path)
    assert got.origin == "network" and got.document == SEED_DOCUMENT  # type: ignore[attr-defined]
    stored = tmp_path / f"{hashlib.sha256(url.encode()).hexdigest()}.json"
    assert stored == entry_path(tmp_path, url) and stored.is_file()
    record = json.loads(stored.read_text())
    assert record["url"] == url and record["etag"] == ETAG and record["document"] == SEED_DOCUMENT
    assert TOKEN not in stored.read_text()
    assert stored.stat().st_mode & 0o077 == 0


def test_fresh_copy_is_used_without_asking_the_server(server: SchemaServer, tmp_path: Path) -> None:
    """Within the TTL the server is not asked at all."""
    url = server.url(SCHEMA_PATH)
    _retrieve(url, tmp_path)
    got = _retrieve(url, tmp_path, ttl=3600)
    assert got.origin == "cache"  # type: ignore[attr-defined]
    assert len(server.seen(SCHEMA_PATH)) == 1


def test_expired_copy_is_revalidated_with_its_etag(server: SchemaServer, tmp_path: Path) -> None:
    """Past the TTL the copy is revalidated (If-None-Match); a 304 refreshes its time."""
    url = server.url(SCHEMA_PATH)
    _retrieve(url, tmp_path, clock=1000.0)
    got = _retrieve(url, tmp_path, clock=1000.0 + 7200, ttl=3600)
    assert got.origin == "revalidated" and got.document == SEED_DOCUMENT  # type: ignore[attr-defined]
    assert server.seen(SCHEMA_PATH)[-1].headers["if-none-match"] == ETAG
    entry = read_entry(tmp_path, url)
    assert entry is not None and entry.fetched_at == 1000.0 + 7200


def test_changed_document_replaces_the_copy(server: SchemaServer, tmp_path: Path) -> None:
    """When the server's ETag changed, the new document is stored."""
    url = server.url(SCHEMA_PATH)
    _retrieve(url, tmp_path, clock=1000.0)
    glance = ROOT / "glance_validate" / "data" / "schemas" / "glance.json"
    server.route(SCHEMA_PATH, schema_route(glance, etag='"v2"'))
    got = _retrieve(url, tmp_path, clock=9000.0, ttl=60)
    assert got.origin == "network"  # type: ignore[attr-defined]
    entry = read_entry(tmp_path, url)
    assert entry is not None and entry.etag == '"v2"' and "os_hidden" in json.dumps(entry.document)


def test_unreachable_endpoint_falls_back_to_the_stale_copy(tmp_path: Path) -> None:
    """With the endpoint down, the old copy is used and the warning says how old it is."""
    url = f"http://127.0.0.1:{free_port()}{SCHEMA_PATH}"
    write_entry(tmp_path, Entry(url, url, SEED_DOCUMENT, fetched_at=1000.0, etag=ETAG))
    got = _retrieve(url, tmp_path, clock=1000.0 + 3 * 86400, ttl=3600)
    assert got.origin == "stale" and got.document == SEED_DOCUMENT  # type: ignore[attr-defined]
    (warning,) = got.warnings  # type: ignore[attr-defined]
    assert "cannot connect" in warning and "using the cached copy from 3 days ago" in warning


def test_server_error_falls_back_to_the_stale_copy(server: SchemaServer, tmp_path: Path) -> None:
    """A 503 on revalidation is transient: the old copy is used with a warning."""
    url = server.url(SCHEMA_PATH)
    _retrieve(url, tmp_path, clock=1000.0)
    server.route(SCHEMA_PATH, Reply(503, b"down for maintenance"))
    got = _retrieve(url, tmp_path, clock=1000.0 + 5400, ttl=60)
    assert got.origin == "stale"  # type: ignore[attr-defined]
    assert "503 Service Unavailable" in got.warnings[0] and "2 hours ago" in got.warnings[0]  # type: ignore[attr-defined]


def test_refused_token_is_not_hidden_by_the_cache(server: SchemaServer, tmp_path: Path) -> None:
    """A 401 is not transient: the run fails instead of silently using an old copy."""
    url = server.url(SCHEMA_PATH)
    _retrieve(url, tmp_path, clock=1000.0)
    server.route(SCHEMA_PATH, schema_route(token="another-token"))
    with pytest.raises(HTTPStatusError, match="401"):
        _retrieve(url, tmp_path, clock=9000.0, ttl=60)


def test_offline_uses_the_copy_however_old_and_never_connects(server: SchemaServer, tmp_path: Path) -> None:
    """--offline answers from the cache without any request, even past the TTL."""
    url = server.url(SCHEMA_PATH)
    _retrieve(url, tmp_path, clock=1000.0)
    got = _retrieve(url, tmp_path, clock=1000.0 + 30 * 86400, ttl=60, offline=True)
    assert got.origin == "cache" and got.document == SEED_DOCUMENT  # type: ignore[attr-defined]
    assert len(server.requests) == 1


def test_offline_without_a_copy_says_what_to_do(tmp_path: Path) -> None:
    """--offline with nothing cached fails with a message naming the cache and the way out."""
    url = f"http://127.0.0.1:{free_port()}{SCHEMA_PATH}"
    with pytest.raises(SchemaUnavailable, match="--offline, and no cached copy") as caught:
        _retrieve(url, tmp_path, offline=True)
    assert str(tmp_path) in str(caught.value) and "schema fetch" in str(caught.value)


def test_corrupt_record_is_refetched_and_repaired(server: SchemaServer, tmp_path: Path) -> None:
    """A truncated cache file counts as no copy: the schema is fetched and the file rewritten."""
    url = server.url(SCHEMA_PATH)
    tmp_path.mkdir(exist_ok=True)
    entry_path(tmp_path, url).write_text('{"format": 1, "key": ')
    assert read_entry(tmp_path, url) is None
    assert _retrieve(url, tmp_path).origin == "network"  # type: ignore[attr-defined]
    assert read_entry(tmp_path, url) is not None


def test_record_for_another_key_is_not_used(tmp_path: Path) -> None:
    """A record whose key does not match the file name's URL is ignored."""
    write_entry(tmp_path, Entry("http://a.example/", "http://a.example/", SEED_DOCUMENT, 1.0))
    entry_path(tmp_path, "http://a.example/").rename(entry_path(tmp_path, "http://b.example/"))
    assert read_entry(tmp_path, "http://b.example/") is None


def test_unwritable_cache_is_a_warning_not_a_failure(server: SchemaServer, tmp_path: Path) -> None:
    """When the cache directory cannot be created the fetched schema is still used."""
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    got = _retrieve(server.url(SCHEMA_PATH), blocker / "cache")
    assert got.document == SEED_DOCUMENT  # type: ignore[attr-defined]
    assert "cannot write the schema cache" in got.warnings[0]  # type: ignore[attr-defined]


def test_cache_dir_follows_xdg() -> None:
    """XDG_CACHE_HOME is used when absolute; otherwise ~/.cache."""
    assert cache_dir({"XDG_CACHE_HOME": "/var/cache/me"}) == Path("/var/cache/me/glance-validate/schemas")
    assert cache_dir({"XDG_CACHE_HOME": "relative"}) == Path.home() / ".cache" / "glance-validate" / "schemas"
    assert cache_dir({}) == Path.home() / ".cache" / "glance-validate" / "schemas"


@pytest.mark.parametrize(
    ("text", "seconds"), [("0", 0), ("90", 90), ("90s", 90), ("15m", 900), ("1h", 3600), ("2d", 172800)]
)
def test_parse_duration(text: str, seconds: float) -> None:
    """--cache-ttl accepts plain seconds and s, m, h, d suffixes."""
    assert parse_duration(text) == seconds


def test_parse_duration_rejects_nonsense() -> None:
    """A duration that is not a number with a unit is refused with an example."""
    with pytest.raises(ValueError, match="examples"):
        parse_duration("soon")


def test_describe_age() -> None:
    """Ages read naturally: seconds, minutes, hours, days."""
    assert [describe_age(s) for s in (1, 45, 600, 7200, 3 * 86400)] == [
        "1 second",
        "45 seconds",
        "10 minutes",
        "2 hours",
        "3 days",
    ]


# Concurrent writers -----------------------------------------------------------------------------

_WRITER = """
import sys, time
from pathlib import Path
from glance_validate.net.cache import Entry, write_entry, read_entry
directory, url, tag, rounds = Path(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])
document = {"properties": {"writer": {"enum": [tag]}}, "padding": ["x" * 200] * 200}
for i in range(rounds):
    write_entry(directory, Entry(url, url, document, fetched_at=time.time(), etag=tag + str(i)))
    entry = read_entry(directory, url)
    assert entry is not None, "a reader saw a broken record"
"""


def test_two_processes_writing_one_record_never_break_it(tmp_path: Path) -> None:
    """Two processes rewriting the same record while reading it always see a whole record."""
    url = "https://image.example.com/v2/schemas/images"
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", _WRITER, str(tmp_path), url, tag, "150"], stderr=subprocess.PIPE
        )
        for tag in ("a", "b")
    ]
    results = [(w.wait(timeout=120), w.stderr.read() if w.stderr else b"") for w in writers]
    assert [code for code, _ in results] == [0, 0], results
    entry = read_entry(tmp_path, url)
    assert entry is not None and entry.document["properties"]["writer"]["enum"][0] in ("a", "b")
    assert [p.name for p in tmp_path.iterdir()] == [entry_path(tmp_path, url).name]


# The command line -------------------------------------------------------------------------------


def _env(cache: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OS_")}
    env.update({"XDG_CACHE_HOME": str(cache), "GLANCE_VALIDATE_OFFLINE": "", **extra})
    return env


def _cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "glance_validate", *args], capture_output=True, text=True, env=env, check=False
    )
    assert "Traceback" not in result.stderr, result.stderr
    return result


def test_two_cli_processes_fetching_at_once_leave_a_valid_cache(server: SchemaServer, tmp_path: Path) -> None:
    """Two check runs revalidating the same slow endpoint together both succeed; the cache is whole."""
    served = schema_route()
    server.route(SCHEMA_PATH, lambda r: Reply(**{**served(r).__dict__, "delay": 0.3}))
    env = _env(tmp_path, OS_AUTH_TOKEN=TOKEN)
    args = [sys.executable, "-m", "glance_validate", "check", "--cache-ttl", "0", "--schema"]
    command = [*args, server.url(SCHEMA_PATH), str(FIXTURE)]
    pipes = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, "text": True}
    runs = [subprocess.Popen(command, env=env, **pipes) for _ in range(2)]  # type: ignore[call-overload]
    outputs = [run.communicate(timeout=60) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    assert len(server.seen(SCHEMA_PATH)) == 2
    directory = tmp_path / "glance-validate" / "schemas"
    entry = read_entry(directory, server.url(SCHEMA_PATH))
    assert entry is not None and entry.document == SEED_DOCUMENT
    assert len(list(directory.iterdir())) == 1  # no temporary files left behind


def test_cli_offline_works_with_the_endpoint_down(tmp_path: Path) -> None:
    """After one online run, --offline checks files with nothing listening on the endpoint."""
    env = _env(tmp_path, OS_AUTH_TOKEN=TOKEN)
    with SchemaServer() as live:
        live.route(SCHEMA_PATH, schema_route())
        endpoint = live.url()
        assert _cli("check", "--endpoint", endpoint, str(FIXTURE), env=env).returncode == 0
    result = _cli("check", "--offline", "--endpoint", endpoint, str(FIXTURE), env=env)
    assert result.returncode == 0, result.stderr
    assert f"against {endpoint}{SCHEMA_PATH}" in result.stdout
    assert result.stderr == ""


def test_cli_uses_a_stale_copy_with_a_warning_when_the_endpoint_fails(tmp_path: Path) -> None:
    """Past the TTL with the endpoint down, the run still checks, and warns how old the copy is."""
    env = _env(tmp_path, OS_AUTH_TOKEN=TOKEN)
    with SchemaServer() as live:
        live.route(SCHEMA_PATH, schema_route())
        endpoint = live.url()
        assert _cli("check", "--endpoint", endpoint, str(FIXTURE), env=env).returncode == 0
    record = entry_path(tmp_path / "glance-validate" / "schemas", f"{endpoint}{SCHEMA_PATH}")
    data = json.loads(record.read_text())
    data["fetched_at"] = time.time() - 2 * 86400
    record.write_text(json.dumps(data))
    result = _cli("check", "--endpoint", endpoint, "--connect-timeout", "1", str(FIXTURE), env=env)
    assert result.returncode == 0, result.stderr
    assert result.stderr.startswith("glance-validate: warning: ")
    assert "using the cached copy from 2 days ago" in result.stderr
    assert "checked 1 payload" in result.stdout


def test_cli_without_cache_and_endpoint_down_exits_3(tmp_path: Path) -> None:
    """No copy and no server: exit code 3 with one line saying what failed."""
    url = f"http://127.0.0.1:{free_port()}{SCHEMA_PATH}"
    result = _cli("check", "--schema", url, str(FIXTURE), env=_env(tmp_path))
    assert result.returncode == 3
    assert result.stderr.count("\n") == 1 and "cannot connect" in result.stderr


def test_cli_token_from_the_environment_never_reaches_output_or_cache(
    server: SchemaServer, tmp_path: Path
) -> None:
    """OS_AUTH_TOKEN is sent, and appears in no output and no cache file."""
    env = _env(tmp_path, OS_AUTH_TOKEN=TOKEN)
    result = _cli("check", "--endpoint", server.url(), "--format", "json", str(FIXTURE), env=env)
    assert result.returncode == 0, result.stderr
    assert server.seen(SCHEMA_PATH)[0].headers["x-auth-token"] == TOKEN
    assert TOKEN not in result.stdout + result.stderr
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert TOKEN.encode() not in path.read_bytes()


def test_cli_401_names_the_variable_to_set(server: SchemaServer, tmp_path: Path) -> None:
    """No token in the environment: exit 3 and a message that says to set OS_AUTH_TOKEN."""
    result = _cli("check", "--endpoint", server.url(), str(FIXTURE), env=_env(tmp_path))
    assert result.returncode == 3
    assert "401 Unauthorized" in result.stderr and "OS_AUTH_TOKEN" in result.stderr


def test_cli_endpoint_from_the_environment(server: SchemaServer, tmp_path: Path) -> None:
    """OS_IMAGE_URL and OS_TOKEN are read when no option is given."""
    env = _env(tmp_path, OS_IMAGE_URL=server.url(), OS_TOKEN=TOKEN)
    result = _cli("check", str(FIXTURE), env=env)
    assert result.returncode == 0, result.stderr
    assert f"against {server.url(SCHEMA_PATH)}" in result.stdout


def test_cli_explicit_schema_wins_over_the_environment_endpoint(server: SchemaServer, tmp_path: Path) -> None:
    """An explicit --schema is used even when OS_IMAGE_URL is set; nothing is fetched."""
    env = _env(tmp_path, OS_IMAGE_URL=server.url())
    result = _cli("check", "--schema", "glance", str(FIXTURE), env=env)
    assert "against glance" in result.stdout
    assert server.requests == []


def test_cli_endpoint_and_schema_options_together_are_a_usage_error(tmp_path: Path) -> None:
    """--endpoint and --schema both on the command line: exit 2."""
    result = _cli(
        "check", "--endpoint", "https://x.example", "--schema", "ims", str(FIXTURE), env=_env(tmp_path)
    )
    assert result.returncode == 2 and "give one of them" in result.stderr


def test_copy_in_date_is_used_without_the_http_stack(tmp_path: Path) -> None:
    """Loading a schema whose cached copy is in date imports neither http.client nor ssl."""
    url = "https://image.example.com/v2/schemas/images"
    write_entry(tmp_path, Entry(url, url, SEED_DOCUMENT, fetched_at=time.time()))
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from glance_validate.schema.remote import SchemaOptions\n"
        "from glance_validate.schema.sources import load_schema\n"
        f"source = load_schema({url!r}, remote=SchemaOptions(cache_dir=Path({str(tmp_path)!r})))\n"
        "print(source.name, 'http.client' in sys.modules, 'ssl' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.split() == [url, "False", "False"]


def test_offline_with_a_corrupt_record_says_it_is_corrupt_and_where(tmp_path: Path) -> None:
    """--offline with a truncated record names the file as corrupt instead of "no cached copy"."""
    url = f"http://127.0.0.1:{free_port()}{SCHEMA_PATH}"
    entry_path(tmp_path, url).write_text('{"format": 1, "key": ')
    with pytest.raises(SchemaUnavailable) as caught:
        _retrieve(url, tmp_path, offline=True)
    message = str(caught.value)
    assert "is corrupt" in message and str(entry_path(tmp_path, url)) in message
    assert "no cached copy" not in message


def test_cli_offline_with_a_corrupt_record_exits_3(tmp_path: Path) -> None:
    """The command line refuses a corrupt record under --offline with exit code 3, naming it."""
    url = f"http://127.0.0.1:{free_port()}{SCHEMA_PATH}"
    cache = tmp_path / "cache"
    record = entry_path(cache / "glance-validate" / "schemas", url)
    record.parent.mkdir(parents=True)
    record.write_text("not json")
    result = _cli("check", "--schema", url, "--offline", str(FIXTURE), env=_env(cache))
    assert result.returncode == 3, result.stderr
    assert "is corrupt" in result.stderr and str(record) in result.stderr


def test_a_fetched_document_that_is_no_schema_is_not_cached(server: SchemaServer, tmp_path: Path) -> None:
    """A document that does not compile is used this time but not stored, so a fixed server is heard."""
    from schema_server import json_reply

    from glance_validate.schema.remote import SchemaOptions, load_remote

    url = server.url(SCHEMA_PATH)
    server.route(
        SCHEMA_PATH, json_reply({"properties": {"images": {"type": "array", "items": {"type": "int"}}}})
    )
    got = load_remote(url, SchemaOptions(token=TOKEN, cache_dir=tmp_path))
    assert got.document["properties"]["images"]["items"] == {"type": "int"}
    assert read_entry(tmp_path, url) is None


def test_cli_refetches_a_schema_the_server_has_fixed(tmp_path: Path) -> None:
    """After a broken schema is refused, the next run within the TTL fetches the fixed one."""
    from schema_server import json_reply

    env = _env(tmp_path, OS_AUTH_TOKEN=TOKEN)
    broken_schema = {"properties": {"images": {"type": "array", "items": {"type": "wrong"}}}}
    with SchemaServer() as running:
        running.route(SCHEMA_PATH, json_reply(broken_schema))
        url = running.url(SCHEMA_PATH)
        broken = _cli("check", "--schema", url, str(FIXTURE), env=env)
        running.route(SCHEMA_PATH, schema_route())
        fixed = _cli("check", "--schema", url, str(FIXTURE), env=env)
    assert broken.returncode == 3 and "cannot be compiled" in broken.stderr, broken.stderr
    assert fixed.returncode == 0, fixed.stderr
