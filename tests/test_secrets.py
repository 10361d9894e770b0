"""Secrets and files: a planted token never leaks, nothing is written beside the inputs, and the
schema cache survives concurrent runs and runs killed while they write it.

The token is planted everywhere a user's credentials can be: --token, OS_AUTH_TOKEN, a URL's
user information, and a HAR capture's request headers, cookies and query string. Every output
format, every report file, every cache file and standard error are searched for it, on success
and on every failure the server can provoke (401 and 500 echoing it, a redirect to another host).
"""

from __future__ import annotations

import base64
import json
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sample_payloads import sample_page
from schema_server import SCHEMA_PATH, SEED, Reply, SchemaServer, json_reply, schema_route

from glance_validate.net.cache import entry_path, read_entry

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "gAAAAABplantedSECRET-7d1e-DO-NOT-LEAK-4f2a"
COOKIE = "planted-cookie-0b5e91"
PASSWORD = "planted-password-c3a7"
PLANTED = (TOKEN, COOKIE, PASSWORD)
FORMATS = ("text", "json", "junit", "sarif", "github")
UUID = "6a1f0c2e-93d4-4b7e-8f21-0c5d7e9a3b14"
SEED_DOCUMENT = json.loads(SEED.read_text())


@pytest.fixture
def server() -> Iterator[SchemaServer]:
    with SchemaServer() as running:
        running.route(SCHEMA_PATH, schema_route(token=TOKEN))
        yield running


def _env(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OS_", "GLANCE_VALIDATE_", "XDG_"))}
    env.update({"HOME": str(home), "NO_COLOR": "1", **extra})
    return env


def _cli(*args: str, env: dict[str, str], cwd: Path = ROOT) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "glance_validate", *args],
        capture_output=True,
        check=False,
        env=env,
        cwd=cwd,
        timeout=120,
    )


def _captures(directory: Path) -> Path:
    """A HAR whose requests carry the planted secrets, beside a plain JSON page with a finding."""
    directory.mkdir(parents=True, exist_ok=True)
    page = {"images": [{"id": UUID, "name": "web", "status": "archived"}]}
    entry = {
        "request": {
            "method": "GET",
            "url": f"https://admin:{PASSWORD}@image.example.com/v2/images?limit=1&X-Auth-Token={TOKEN}&sig={COOKIE}",
            "headers": [
                {"name": "X-Auth-Token", "value": TOKEN},
                {"name": "Authorization", "value": f"Bearer {TOKEN}"},
                {"name": "Cookie", "value": f"session={COOKIE}; token={TOKEN}"},
            ],
            "cookies": [{"name": "session", "value": COOKIE}],
            "queryString": [{"name": "X-Auth-Token", "value": TOKEN}],
        },
        "response": {
            "status": 200,
            "headers": [{"name": "Set-Cookie", "value": f"session={COOKIE}; HttpOnly"}],
            "cookies": [{"name": "session", "value": COOKIE}],
            "content": {
                "mimeType": "application/json",
                "encoding": "base64",
                "text": base64.b64encode(json.dumps(page).encode()).decode(),
            },
        },
    }
    failed = {
        "request": {
            "method": "GET",
            "url": "https://image.example.com/v2/images/x",
            "headers": entry["request"]["headers"],
        },
        "response": {
            "status": 401,
            "content": {"mimeType": "text/html", "text": f"<h1>token {TOKEN} refused</h1>"},
        },
    }
    (directory / "session.har").write_text(json.dumps({"log": {"entries": [entry, failed]}}))
    (directory / "page.json").write_text(json.dumps(page))
    return directory


def _all_bytes(root: Path) -> Iterator[tuple[Path, bytes]]:
    for path in root.rglob("*"):
        if path.is_file() and not path.is_symlink():
            yield path, path.read_bytes()


def _assert_nowhere(
    result: subprocess.CompletedProcess[bytes], *roots: Path, skip: tuple[Path, ...] = ()
) -> None:
    for secret in PLANTED:
        assert secret.encode() not in result.stdout, secret
        assert secret.encode() not in result.stderr, secret
        for root in roots:
            for path, data in _all_bytes(root):
                if path not in skip:
                    assert secret.encode() not in data, (secret, path)
    assert b"Traceback" not in result.stderr


def _report_args(reports: Path) -> list[str]:
    reports.mkdir(parents=True, exist_ok=True)
    return [arg for fmt in FORMATS for arg in ("--output", f"{fmt}={reports / ('report.' + fmt)}")]


# The token on success ----------------------------------------------------------------------------


@pytest.mark.parametrize("given_as", ["--token", "OS_AUTH_TOKEN", "OS_TOKEN"])
@pytest.mark.parametrize("stdout_format", FORMATS)
def test_a_planted_token_is_in_no_output_format_report_or_cache_file(
    server: SchemaServer, tmp_path: Path, given_as: str, stdout_format: str
) -> None:
    """The token reaches the server, and no report, cache file or message holds any planted secret."""
    captures = _captures(tmp_path / "captures")
    home = tmp_path / "home"
    reports = tmp_path / "reports"
    option = ["--token", TOKEN] if given_as == "--token" else []
    env = _env(home, **({given_as: TOKEN} if given_as != "--token" else {}))
    result = _cli(
        "check", "-v", "--format", stdout_format, *option, "--endpoint", server.url(),
        *_report_args(reports), str(captures), env=env,
    )  # fmt: skip
    assert result.returncode == 1, result.stderr
    assert server.seen(SCHEMA_PATH)[0].headers["x-auth-token"] == TOKEN
    for fmt in FORMATS:
        assert (reports / f"report.{fmt}").stat().st_size > 0
    assert (home / ".cache" / "glance-validate" / "schemas").is_dir()
    _assert_nowhere(result, home, reports)
    assert (
        b"session.har#entry-0 (GET /v2/images?limit=1&X-Auth-Token=***&sig=***)"
        in result.stdout + (reports / "report.json").read_bytes()
    )


def test_a_password_in_the_schema_url_is_in_no_output_or_cache(server: SchemaServer, tmp_path: Path) -> None:
    """user:password@ in --schema: the cache is keyed and labelled without it, messages too."""
    url = server.url(SCHEMA_PATH).replace("://", f"://admin:{PASSWORD}@")
    captures = _captures(tmp_path / "captures")
    result = _cli(
        "check", "--token", TOKEN, "--schema", url, *_report_args(tmp_path / "reports"), str(captures),
        env=_env(tmp_path / "home"),
    )  # fmt: skip
    assert result.returncode == 1, result.stderr
    _assert_nowhere(result, tmp_path / "home", tmp_path / "reports")


def test_a_capture_echoing_the_runs_own_token_is_blanked(tmp_path: Path) -> None:
    """A captured error body quoting the token of this run (not of the capture's request): ***."""
    har = tmp_path / "bare.har"
    entry = {
        "request": {"method": "GET", "url": "https://image.example.com/v2/images"},
        "response": {"status": 401, "content": {"mimeType": "text/plain", "text": f"token {TOKEN} expired"}},
    }
    har.write_text(json.dumps({"log": {"entries": [entry]}}))
    for env in (_env(tmp_path / "home", OS_AUTH_TOKEN=TOKEN), _env(tmp_path / "home", OS_TOKEN=TOKEN)):
        result = _cli("check", "--format", "json", str(har), env=env)
        assert result.returncode == 0, result.stderr
        assert "'token *** expired'" in json.loads(result.stdout)["payloads"][0]["findings"][0]["message"]
        _assert_nowhere(result, tmp_path / "home")


# The token on failure ----------------------------------------------------------------------------


def _echo(status: int) -> Reply:
    body = {"error": {"message": f"token {TOKEN} refused", "code": status}}
    return Reply(status, json.dumps(body).encode(), {"Content-Type": "application/json"})


@pytest.mark.parametrize(
    ("route", "expected"),
    [
        (_echo(401), b"401"),
        (_echo(403), b"403"),
        (_echo(500), b"500"),
        (
            Reply(200, f"<html><title>Login {TOKEN}</title></html>".encode(), {"Content-Type": "text/html"}),
            b"HTML",
        ),
        (
            Reply(
                200, f'{{"not": "a schema", "token": "{TOKEN}"'.encode(), {"Content-Type": "application/json"}
            ),
            b"JSON",
        ),
    ],
)
def test_a_server_echoing_the_token_does_not_make_it_leak(
    server: SchemaServer, tmp_path: Path, route: Reply, expected: bytes
) -> None:
    """Errors quote what the server said, with the token blanked: exit 3, one line, no secret."""
    server.route(SCHEMA_PATH, route)
    result = _cli(
        "check", "-v", "--token", TOKEN, "--cache-ttl", "0", "--schema", server.url(SCHEMA_PATH),
        *_report_args(tmp_path / "reports"), str(_captures(tmp_path / "captures")),
        env=_env(tmp_path / "home"),
    )  # fmt: skip
    assert result.returncode == 3
    assert result.stderr.count(b"\n") == 1 and expected in result.stderr, result.stderr
    _assert_nowhere(result, tmp_path / "home", tmp_path / "reports")


def test_a_redirect_to_another_host_neither_sends_nor_shows_the_token(
    server: SchemaServer, tmp_path: Path
) -> None:
    """The token is not sent to the other host, and the error says why without showing it."""
    with SchemaServer() as other:
        other.route(SCHEMA_PATH, json_reply(SEED_DOCUMENT))
        server.route(SCHEMA_PATH, Reply(302, b"", {"Location": other.url(SCHEMA_PATH, host="localhost")}))
        result = _cli(
            "check", "--token", TOKEN, "--cache-ttl", "0", "--schema", server.url(SCHEMA_PATH),
            str(_captures(tmp_path / "captures")), env=_env(tmp_path / "home"),
        )  # fmt: skip
        assert all("x-auth-token" not in r.headers for r in other.requests)
    _assert_nowhere(result, tmp_path / "home")


def test_an_interrupted_run_prints_one_line_and_no_secret(server: SchemaServer, tmp_path: Path) -> None:
    """SIGINT while a run waits on a FIFO: 'interrupted', exit 130, no traceback even with -v."""
    fifo = tmp_path / "pending.json"
    os.mkfifo(fifo)
    process = subprocess.Popen(
        [sys.executable, "-m", "glance_validate", "-v", "--token", TOKEN,
         "--endpoint", server.url(), str(fifo)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_env(tmp_path / "home"), cwd=ROOT,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while not server.seen(SCHEMA_PATH) and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)  # the schema is fetched; the run now waits on the FIFO
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 130 and err.endswith(b"glance-validate: interrupted\n"), err
    _assert_nowhere(subprocess.CompletedProcess([], 130, out, err), tmp_path / "home")


# Nothing written beside the inputs -----------------------------------------------------------------


def _snapshot(root: Path) -> dict[str, tuple[int, int, int]]:
    return {
        str(p.relative_to(root)): (p.stat().st_mode, p.stat().st_size, p.stat().st_mtime_ns)
        for p in sorted(root.rglob("*"))
    }


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_nothing_is_written_beside_the_inputs(server: SchemaServer, tmp_path: Path, jobs: str) -> None:
    """Run from inside the inputs' directory with every format: only the --output files and the
    cache under $HOME/.cache appear; the inputs' tree is byte for byte and time for time the same."""
    captures = _captures(tmp_path / "captures")
    (captures / "pages.jsonl").write_text('{"images": []}\n{"images": 5}\n')
    (captures / "big.jsonl").write_text('{"images": []}\n' * 2000)
    home = tmp_path / "home"
    before_inputs, before_home = _snapshot(captures), _snapshot(tmp_path)
    result = _cli(
        "check", "--jobs", jobs, "--token", TOKEN, "--endpoint", server.url(),
        *_report_args(tmp_path / "reports"), ".", env=_env(home), cwd=captures,
    )  # fmt: skip
    assert result.returncode == 1, result.stderr
    assert _snapshot(captures) == before_inputs
    created = sorted(set(_snapshot(tmp_path)) - set(before_home))
    cache = f"home/.cache/glance-validate/schemas/{entry_path(Path(), server.url(SCHEMA_PATH)).name}"
    assert created == sorted(
        ["reports", *(f"reports/report.{f}" for f in FORMATS), "home", "home/.cache",
         "home/.cache/glance-validate", "home/.cache/glance-validate/schemas", cache]
    )  # fmt: skip


# The cache under concurrency and SIGKILL -----------------------------------------------------------

_WRITER = """
import sys, time
from pathlib import Path
from glance_validate.net.cache import Entry, write_entry
directory, url = Path(sys.argv[1]), sys.argv[2]
n = 0
print("ready", flush=True)
while True:
    n += 1
    document = {"round": n, "padding": ["x" * 1000] * (200 + n % 300)}
    write_entry(directory, Entry(url, url, document, fetched_at=time.time(), etag=str(n)))
"""


def test_writers_killed_mid_write_never_leave_a_corrupt_record(tmp_path: Path) -> None:
    """SIGKILL a process rewriting the record at 20 random moments: the record is always whole."""
    url = "https://image.example.com/v2/schemas/images"
    rounds_seen = []
    rng = random.Random(8)
    for _ in range(20):
        writer = subprocess.Popen(
            [sys.executable, "-c", _WRITER, str(tmp_path), url], stdout=subprocess.PIPE, cwd=ROOT
        )
        assert writer.stdout is not None and writer.stdout.readline() == b"ready\n"
        time.sleep(rng.uniform(0.0, 0.25))
        writer.send_signal(signal.SIGKILL)
        writer.wait(timeout=30)
        target = entry_path(tmp_path, url)
        if target.exists():
            record = json.loads(target.read_bytes())  # a half-written file would not parse
            entry = read_entry(tmp_path, url)
            assert entry is not None and entry.document["round"] == record["document"]["round"]
            rounds_seen.append(entry.document["round"])
    assert rounds_seen, "no writer ever finished a record"
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    assert all(name.startswith(f".{entry_path(tmp_path, url).name[:24]}.") for name in leftovers)


def test_stale_temporary_files_of_killed_writers_are_removed(tmp_path: Path) -> None:
    """A temporary file a killed writer left behind is removed by the next write once it is old."""
    from glance_validate.net.cache import Entry, write_entry

    url = "https://image.example.com/v2/schemas/images"
    stale = tmp_path / f".{entry_path(tmp_path, url).name[:24]}.abandoned.tmp"
    fresh = tmp_path / f".{entry_path(tmp_path, url).name[:24]}.in-progress.tmp"
    stale.write_text('{"format": 1, "key": "')
    fresh.write_text('{"format": 1, "key": "')
    an_hour_ago = time.time() - 3600
    os.utime(stale, (an_hour_ago, an_hour_ago))
    write_entry(tmp_path, Entry(url, url, {"properties": {}}, fetched_at=time.time()))
    assert not stale.exists() and fresh.exists()  # another writer may still be writing that one


def test_many_runs_at_once_leave_one_whole_record(server: SchemaServer, tmp_path: Path) -> None:
    """Six check runs refetching one schema together, killed or not: the cache stays whole."""
    variants = [dict(SEED_DOCUMENT, description=f"variant {i}" * 50) for i in range(3)]
    counter = iter(range(10**6))
    server.route(SCHEMA_PATH, lambda _r: json_reply(variants[next(counter) % 3]))
    page = tmp_path / "page.json"
    page.write_text(json.dumps(sample_page()))
    env = _env(tmp_path / "home", OS_AUTH_TOKEN=TOKEN)
    command = [
        sys.executable,
        "-m",
        "glance_validate",
        "--cache-ttl",
        "0",
        "--schema",
        server.url(SCHEMA_PATH),
        str(page),
    ]
    runs = [
        subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(6)
    ]
    killed = runs[::3]
    time.sleep(0.3)
    for run in killed:
        run.send_signal(signal.SIGKILL)
    outcomes = [(run.wait(timeout=120), run.stderr.read() if run.stderr else b"") for run in runs]
    survivors = [code for run, (code, _) in zip(runs, outcomes, strict=True) if run not in killed]
    assert survivors == [0] * 4, outcomes
    directory = tmp_path / "home" / ".cache" / "glance-validate" / "schemas"
    entry = read_entry(directory, server.url(SCHEMA_PATH))
    assert entry is not None and entry.document in variants
    again = _cli("--offline", "--schema", server.url(SCHEMA_PATH), str(page), env=env)
    assert again.returncode == 0 and again.stderr == b""
