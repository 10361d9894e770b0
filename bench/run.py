"""Benchmark glance-validate against the tools users would pick instead, side by side in one run.

    python bench/run.py                   # everything; writes bench/results/latest.json
    python bench/run.py --quick           # fewer repetitions, for a look while developing
    python bench/run.py --only startup    # some groups: files, startup, scaling, memory, flood
    python bench/run.py --markdown bench/results/latest.json   # the README tables of a result
    python bench/run.py --profile pages-invalid   # cProfile of one glance-validate run, top 30

It creates its virtual environments and corpora under ``--cache-dir`` (reused across runs), then
times every tool on the same files, interleaved (round after round, each round running every
tool once, in a rotating order), and reports medians, the ratios the targets are stated in, and
how much CPU other processes took meanwhile.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import shlex
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make `bench` importable from the checkout
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import corpora, environments, flood, measure, table, verify

REPO = Path(__file__).resolve().parent.parent
LOOPS = REPO / "bench" / "loops.py"
DEFAULT_OUTPUT = REPO / "bench" / "results" / "latest.json"
GROUPS = ("files", "startup", "scaling", "memory", "flood")
SCALING_FILES = (10, 100, 500, 1000, 2000)
# One round of the findings flood, each run killed after this long (the target is 40 s): the
# benchmark finishes even where a finding costs what it did before issue 14 (minutes for the flood).
FLOOD_TIMEOUT = 120.0
LOAD_FLAG = 0.25  # cores used by other processes, on average, above which a run is marked loaded


@dataclass(frozen=True)
class Settings:
    cache: Path
    make_corpus: Path
    groups: tuple[str, ...]
    repeat: int
    slow_repeat: int
    startup_repeat: int
    timeout: float
    checker: str
    note: str


@dataclass(frozen=True)
class Command:
    tool: str
    argv: tuple[str, ...]
    repeat: int
    warm_up: bool = True
    timeout: float | None = None  # None: the run's --timeout


@dataclass
class Run:
    """Everything the run learns, in the shape of the results document."""

    settings: Settings
    log: Callable[[str], None]
    timings: list[dict[str, Any]] = field(default_factory=list)
    startup: list[dict[str, Any]] = field(default_factory=list)
    scaling: list[dict[str, Any]] = field(default_factory=list)
    memory: list[dict[str, Any]] = field(default_factory=list)
    flood: list[dict[str, Any]] = field(default_factory=list)
    findings: dict[str, Any] = field(default_factory=dict)
    corpora: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="bench/run.py", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--cache-dir",
        type=Path,
        default=Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "glance-validate-bench",
        help="where environments, corpora and outputs are kept (default: %(default)s)",
    )
    parser.add_argument(
        "--make-corpus",
        type=Path,
        default=REPO.parent / "shared" / "tools" / "make-corpus",
        help="the corpus generator (default: ../shared/tools/make-corpus from the repository root)",
    )
    parser.add_argument(
        "--only", type=_groups, default=GROUPS, help=f"comma-separated groups of {', '.join(GROUPS)}"
    )
    parser.add_argument(
        "--repeat", type=_positive, default=7, help="timed runs of the fast tools (default 7)"
    )
    parser.add_argument(
        "--slow-repeat",
        type=_positive,
        default=3,
        help="timed runs of jsonschema and check-jsonschema (default 3)",
    )
    parser.add_argument(
        "--startup-repeat", type=_positive, default=15, help="timed start-up runs (default 15)"
    )
    parser.add_argument("--quick", action="store_true", help="3 / 1 / 7 repetitions instead")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds before one run is killed")
    parser.add_argument(
        "--check-jsonschema", default=environments.CHECK_JSONSCHEMA, help="requirement to install"
    )
    parser.add_argument("--note", default="", help="a remark stored with the results")
    parser.add_argument(
        "--output",
        type=Path,
        help=f"results file (default: {DEFAULT_OUTPUT.relative_to(REPO)} for a full run, "
        "<cache>/partial.json for --quick or --only)",
    )
    parser.add_argument(
        "--markdown", type=Path, metavar="RESULTS", help="print the README tables of RESULTS and stop"
    )
    parser.add_argument(
        "--profile",
        choices=table.WORKLOADS,
        metavar="WORKLOAD",
        help="print where one glance-validate run over WORKLOAD spends its time (cProfile) and stop",
    )
    return parser.parse_args(argv)


def _groups(text: str) -> tuple[str, ...]:
    chosen = tuple(g.strip() for g in text.split(",") if g.strip())
    unknown = [g for g in chosen if g not in GROUPS]
    if unknown or not chosen:
        raise argparse.ArgumentTypeError(
            f"unknown group(s) {', '.join(unknown) or '(none)'}; choose from {GROUPS}"
        )
    return chosen


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def settings_from(args: argparse.Namespace) -> Settings:
    repeat, slow, startup = (3, 1, 7) if args.quick else (args.repeat, args.slow_repeat, args.startup_repeat)
    return Settings(
        cache=args.cache_dir.expanduser().resolve(),
        make_corpus=args.make_corpus.expanduser().resolve(),
        groups=args.only,
        repeat=repeat,
        slow_repeat=slow,
        startup_repeat=startup,
        timeout=args.timeout,
        checker=args.check_jsonschema,
        note=args.note,
    )


def output_path(args: argparse.Namespace, settings: Settings) -> Path:
    if args.output is not None:
        return Path(args.output)
    partial = args.quick or settings.groups != GROUPS
    return settings.cache / "partial.json" if partial else DEFAULT_OUTPUT


# Timing ----------------------------------------------------------------------------------


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in text).strip("-")


def interleave(run: Run, group: str, commands: Sequence[Command]) -> dict[str, list[dict[str, Any]]]:
    """Time the commands round after round, rotating the order; one untimed warm-up run each first."""
    out = run.settings.cache / "out" / _slug(group)
    out.mkdir(parents=True, exist_ok=True)
    samples: dict[str, list[dict[str, Any]]] = {c.tool: [] for c in commands}

    def once(command: Command) -> dict[str, Any]:
        stem = out / _slug(command.tool)
        sample = measure.run_child(
            command.argv,
            stdout=stem.with_suffix(".out"),
            stderr=stem.with_suffix(".err"),
            timeout=command.timeout or run.settings.timeout,
        )
        return asdict(sample)

    for command in commands:
        if command.warm_up:
            once(command)
    rounds = max(c.repeat for c in commands)
    for index in range(rounds):
        shift = index % len(commands)
        for command in [*commands[shift:], *commands[:shift]]:
            if len(samples[command.tool]) < command.repeat:
                result = once(command)
                samples[command.tool].append(result)
                if result["timed_out"]:
                    limit = command.timeout or run.settings.timeout
                    run.notes.append(f"{group}: {command.tool} timed out after {limit:.0f} s")
        run.log(f"  {group}: round {index + 1}/{rounds} done")
    return samples


def output_of(run: Run, group: str, tool: str) -> str:
    path = run.settings.cache / "out" / _slug(group) / f"{_slug(tool)}.out"
    return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""


# What glance-validate can do in this checkout ----------------------------------------------


@dataclass(frozen=True)
class Features:
    jobs: bool
    jsonl: bool


def detect_features(gv: Path, probe_dir: Path, jsonl_sample: Path | None) -> Features:
    helped = subprocess.run([str(gv), "check", "--help"], capture_output=True, text=True, check=False)
    jobs = "--jobs" in helped.stdout
    jsonl = False
    if jsonl_sample is not None:
        probe_dir.mkdir(parents=True, exist_ok=True)
        probe = probe_dir / "probe.jsonl"
        with jsonl_sample.open("rb") as source:
            probe.write_bytes(b"".join(source.readline() for _ in range(3)))
        done = subprocess.run([str(gv), str(probe)], capture_output=True, text=True, check=False)
        jsonl = done.returncode == 0 and "P001" not in done.stdout
    return Features(jobs=jobs, jsonl=jsonl)


# The groups ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tools:
    project: environments.Environment
    checker: environments.Environment
    list_schema: Path
    image_schema: Path
    features: Features

    @property
    def gv(self) -> str:
        return str(self.project.script("glance-validate"))

    def loop(self, mode: str, paths: Sequence[str], jsonl: bool) -> tuple[str, ...]:
        schema = self.image_schema if jsonl else self.list_schema
        extra = ("--jsonl",) if jsonl else ()
        return (str(self.project.python), str(LOOPS), mode, *extra, str(schema), *paths)

    def check_jsonschema(self, paths: Sequence[str]) -> tuple[str, ...]:
        return (str(self.checker.script("check-jsonschema")), "--schemafile", str(self.list_schema), *paths)


def time_files(run: Run, tools: Tools, built: dict[str, corpora.Corpus]) -> None:
    s = run.settings
    for workload in table.WORKLOADS:
        corpus = built[workload]
        paths = [str(p) for p in corpus.paths]
        jsonl = corpus.recipe.kind == "jsonl"
        slow = 1 if jsonl else s.slow_repeat
        commands: list[Command] = []
        missing: dict[str, str] = {}
        if jsonl and not tools.features.jsonl:
            missing[table.GV] = "this glance-validate does not read JSON Lines"
        else:
            commands.append(Command(table.GV, (tools.gv, *paths), s.repeat))
        if not tools.features.jobs:
            missing[table.GV_JOBS] = "this glance-validate has no --jobs option"
        elif table.GV in missing:
            missing[table.GV_JOBS] = missing[table.GV]
        else:
            commands.append(Command(table.GV_JOBS, (tools.gv, "--jobs", "2", *paths), s.repeat))
        commands.append(Command(table.FLOOR, tools.loop("rs", paths, jsonl), s.repeat))
        commands.append(
            Command(table.JSONSCHEMA, tools.loop("jsonschema", paths, jsonl), slow, warm_up=False)
        )
        if jsonl:
            missing[table.CHECKER] = (
                "check-jsonschema reads JSON, YAML, TOML and JSON5 documents, not JSON Lines"
            )
        else:
            commands.append(Command(table.CHECKER, tools.check_jsonschema(paths), slow, warm_up=False))
        run.log(f"timing {workload}: {', '.join(c.tool for c in commands)}")
        samples = interleave(run, workload, commands)
        for command in commands:
            run.timings.append(
                table.summarise(workload, command.tool, samples[command.tool], _status(samples[command.tool]))
            )
        for tool, reason in missing.items():
            run.timings.append(table.summarise(workload, tool, [], f"n/a: {reason}"))
        if workload.endswith("-invalid") and table.GV not in missing:
            run.findings[workload] = check_findings(run, tools, workload, paths, jsonl)
        if table.GV_JOBS not in missing and table.GV not in missing:
            run.findings.setdefault("jobs-identical", {})[workload] = _same_findings(
                output_of(run, workload, table.GV), output_of(run, workload, table.GV_JOBS)
            )


def _status(samples: Sequence[dict[str, Any]]) -> str:
    if any(s["timed_out"] for s in samples):
        return "timed out"
    if any(s["exit_code"] not in (0, 1) for s in samples):
        return f"failed: exit codes {sorted({s['exit_code'] for s in samples})}"
    return "ok"


def _same_findings(serial: str, parallel: str) -> bool:
    """Whether two text reports hold the same findings in the same order (the timing line aside)."""
    return list(verify.parse_report(serial)) == list(verify.parse_report(parallel))


def check_findings(
    run: Run, tools: Tools, workload: str, paths: Sequence[str], jsonl: bool
) -> dict[str, Any]:
    done = subprocess.run(
        list(tools.loop("invalid", paths, jsonl)), capture_output=True, text=True, check=False
    )
    truth = json.loads(done.stdout or "{}")
    report = output_of(run, workload, table.GV)
    checked = verify.check_jsonl(truth, report) if jsonl else verify.check_lists(truth, report)
    if not jsonl:
        checked["unexpected_errors"] = verify.unexpected_errors(truth, report)
    return checked


def time_startup(run: Run, tools: Tools, one_file: Path) -> None:
    n = run.settings.startup_repeat
    commands = {
        ("python", "python -c pass"): Command("python -c pass", (str(tools.project.python), "-c", "pass"), n),
        ("imports", table.IMPORTS): Command(
            table.IMPORTS, (str(tools.project.python), "-c", "import click, jsonschema_rs, orjson"), n
        ),
        ("version", table.GV): Command(table.GV, (tools.gv, "--version"), n),
        ("version", table.CHECKER): Command(
            table.CHECKER, (str(tools.checker.script("check-jsonschema")), "--version"), n
        ),
        ("one-file", table.GV): Command(table.GV, (tools.gv, str(one_file)), n),
        ("one-file", table.CHECKER): Command(table.CHECKER, tools.check_jsonschema([str(one_file)]), n),
        ("one-file", table.FLOOR): Command(table.FLOOR, tools.loop("rs", [str(one_file)], False), n),
    }
    keyed = [Command(f"{w}|{c.tool}", c.argv, c.repeat) for (w, _), c in commands.items()]
    run.log("timing start-up: --version and a one-file run")
    samples = interleave(run, "startup", keyed)
    for (workload, tool), command in commands.items():
        key = f"{workload}|{command.tool}"
        run.startup.append(table.summarise(workload, tool, samples[key], _status(samples[key])))


def time_scaling(run: Run, tools: Tools, pages: corpora.Corpus) -> None:
    paths = [str(p) for p in pages.paths]
    commands = [Command(f"{n} files", (tools.gv, *paths[:n]), run.settings.repeat) for n in SCALING_FILES]
    run.log("timing growth with the number of files")
    samples = interleave(run, "scaling", commands)
    for n, command in zip(SCALING_FILES, commands, strict=True):
        row = table.summarise("scaling", table.GV, samples[command.tool], _status(samples[command.tool]))
        run.scaling.append(
            {"files": n, **{k: row[k] for k in ("median_s", "min_s", "max_s", "status", "runs_s")}}
        )


def time_memory(run: Run, tools: Tools, built: dict[str, corpora.Corpus]) -> None:
    cases = [
        ("jsonl-10k", built["jsonl-10k"]),
        ("jsonl-100k", built["jsonl-valid"]),
        ("50mb-list", built["big-list"]),
    ]
    commands: list[Command] = []
    missing = {}
    for name, corpus in cases:
        jsonl = corpus.recipe.kind == "jsonl"
        path = str(corpus.paths[0])
        if jsonl and not tools.features.jsonl:
            missing[name] = "this glance-validate does not read JSON Lines"
        else:
            commands.append(Command(f"{name}|{table.GV}", (tools.gv, path), 3, warm_up=False))
        commands.append(Command(f"{name}|{table.FLOOR}", tools.loop("rs", [path], jsonl), 3, warm_up=False))
    sparse = _sparse_jsonl(run.settings.cache)
    commands.append(Command(f"{SPARSE}|{table.GV}", (tools.gv, str(sparse)), 3, warm_up=False))
    run.log("measuring peak memory")
    samples = interleave(run, "memory", commands)
    for name, corpus in cases:
        for tool in (table.GV, table.FLOOR):
            key = f"{name}|{tool}"
            if key not in samples:
                run.memory.append({"name": name, "tool": tool, "status": f"n/a: {missing[name]}"})
                continue
            row = table.summarise(name, tool, samples[key], _status(samples[key]))
            entry = {
                "name": name if tool == table.GV else f"{name} ({tool})",
                "tool": tool,
                "bytes": corpus.size_bytes,
            }
            entry.update({k: row[k] for k in ("status", "max_rss_mb", "median_s", "exit_codes")})
            run.memory.append(entry)
    run.memory.append(_refused(SPARSE, sparse, samples[f"{SPARSE}|{table.GV}"]))


def time_flood(run: Run, tools: Tools, built: dict[str, corpora.Corpus]) -> None:
    """One round of the findings flood and its clean baseline, one process and --jobs 2."""
    limit = min(FLOOD_TIMEOUT, run.settings.timeout)
    commands: list[Command] = []
    for workload in (table.FLOOD, table.FLOOD_CLEAN):
        path = str(built[workload].paths[0])
        commands.append(Command(f"{workload}|{table.GV}", (tools.gv, path), 1, False, limit))
        if tools.features.jobs:
            commands.append(
                Command(f"{workload}|{table.GV_JOBS}", (tools.gv, "--jobs", "2", path), 1, False, limit)
            )
    run.log(f"timing the findings flood (each run at most {limit:.0f} s)")
    samples = interleave(run, "flood", commands)
    for command in commands:
        workload, tool = command.tool.split("|")
        row = table.summarise(workload, tool, samples[command.tool], _status(samples[command.tool]))
        counted = flood.findings_in(output_of(run, "flood", command.tool))
        row["findings"] = counted if counted is not None else built[workload].findings
        row["findings_counted"] = counted is not None  # else: as built (the run did not finish)
        row["timeout_s"] = limit
        run.flood.append(row)


# A sparse 2 GiB .jsonl without a line break (a disk image saved as .jsonl): refused with P011
# (exit 3), in the time it takes to read past it once.
SPARSE = "sparse-2gib-jsonl"


def _sparse_jsonl(cache: Path) -> Path:
    path = cache / "corpora" / f"{SPARSE}.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        handle.truncate(2 << 30)
    return path


def _refused(name: str, path: Path, samples: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """A memory entry for an input that must be refused: ok when every run exits 3 in time."""
    row = table.summarise(name, table.GV, samples, _status(samples))
    refused = all(s["exit_code"] == 3 and not s["timed_out"] for s in samples)
    entry = {"name": name, "tool": table.GV, "bytes": path.stat().st_size}
    entry.update({k: row[k] for k in ("max_rss_mb", "median_s", "exit_codes")})
    entry["status"] = "ok" if refused else row["status"]
    return entry


# Putting it together -----------------------------------------------------------------------


def fixed_schemas(cache: Path) -> tuple[Path, Path]:
    """The embedded IMS schema with "String" read as "string", pinned to Draft 4, and its item schema."""
    schema = json.loads(
        (REPO / "glance_validate" / "data" / "schemas" / "ims.json").read_text(encoding="utf-8")
    )
    fixed = _fix_types(schema)
    fixed["$schema"] = "http://json-schema.org/draft-04/schema#"
    image = dict(fixed["properties"]["images"]["items"])
    image["$schema"] = fixed["$schema"]
    folder = cache / "schemas"
    folder.mkdir(parents=True, exist_ok=True)
    list_path, image_path = folder / "ims-images-fixed.json", folder / "ims-image-fixed.json"
    list_path.write_text(json.dumps(fixed, indent=1), encoding="utf-8")
    image_path.write_text(json.dumps(image, indent=1), encoding="utf-8")
    return list_path, image_path


def _fix_types(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: ("string" if k == "type" and v == "String" else _fix_types(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [_fix_types(v) for v in value]
    return value


def needed_corpora(groups: Sequence[str]) -> list[str]:
    names: list[str] = []
    if "files" in groups:
        names += list(table.WORKLOADS)
    if "startup" in groups or "scaling" in groups:
        names.append("pages-valid")
    if "memory" in groups:
        names += ["jsonl-10k", "jsonl-valid", "big-list"]
    if "flood" in groups:
        names += [table.FLOOD, table.FLOOD_CLEAN]
    return list(dict.fromkeys(names))


def measure_all(run: Run) -> dict[str, Any]:
    s = run.settings
    log = run.log
    project = environments.project(s.cache, REPO, log)
    checker = environments.check_jsonschema(s.cache, s.checker, log)
    list_schema, image_schema = fixed_schemas(s.cache)
    built = {}
    for name in needed_corpora(s.groups):
        log(f"corpus {name}")
        built[name] = corpora.ensure(corpora.RECIPES[name], s.make_corpus, s.cache)
        c = built[name]
        run.corpora[name] = {"files": len(c.paths), "images": c.recipe.images, "bytes": c.size_bytes}
    jsonl_sample = next((c.paths[0] for c in built.values() if c.recipe.kind == "jsonl"), None)
    features = detect_features(project.script("glance-validate"), s.cache / "probe", jsonl_sample)
    tools = Tools(project, checker, list_schema, image_schema, features)

    busy_before = measure.busy_seconds()
    own_before = _children_cpu()
    started = time.perf_counter()
    if "startup" in s.groups:
        time_startup(run, tools, built["pages-valid"].paths[0])
    if "files" in s.groups:
        time_files(run, tools, built)
    if "scaling" in s.groups:
        time_scaling(run, tools, built["pages-valid"])
    if "memory" in s.groups:
        time_memory(run, tools, built)
    if "flood" in s.groups:
        time_flood(run, tools, built)
    wall = time.perf_counter() - started
    others = measure.other_load(busy_before, measure.busy_seconds(), _children_cpu() - own_before, wall)

    results: dict[str, Any] = {
        "format": 1,
        "generated": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "command": shlex.join(["python", "bench/run.py", *sys.argv[1:]]),
        "note": s.note,
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": environments.interpreter(),
            "seconds": round(wall, 1),
            "other_load_cores": None if others is None else round(others, 2),
            "concurrent_load": others is not None and others > LOAD_FLAG,
        },
        "versions": {
            "glance-validate": project.version_of("glance-validate"),
            "glance-validate source": environments.source_digest(REPO)[:12],
            "glance-validate commit": _commit(),
            "jsonschema-rs": project.version_of("jsonschema-rs"),
            "orjson": project.version_of("orjson"),
            "jsonschema": project.version_of("jsonschema"),
            "check-jsonschema": checker.version_of("check-jsonschema"),
            "make-corpus": corpora.tool_digest(s.make_corpus),
        },
        "settings": {"repeat": s.repeat, "slow_repeat": s.slow_repeat, "startup_repeat": s.startup_repeat},
        "features": asdict(features),
        "corpora": run.corpora,
        "timings": run.timings,
        "startup": run.startup,
        "scaling": run.scaling,
        "memory": run.memory,
        "flood": run.flood,
        "findings": run.findings,
        "notes": run.notes,
    }
    results["targets"] = [t.as_dict() for t in table.targets(results)]
    return results


def profile(run: Run, workload: str) -> str:
    """cProfile's top functions by own time for one glance-validate run over a workload."""
    s = run.settings
    project = environments.project(s.cache, REPO, run.log)
    corpus = corpora.ensure(corpora.RECIPES[workload], s.make_corpus, s.cache)
    stats = s.cache / "out" / f"profile-{workload}.prof"
    stats.parent.mkdir(parents=True, exist_ok=True)
    argv = [str(project.python), "-m", "cProfile", "-o", str(stats), "-m", "glance_validate"]
    paths = (str(p) for p in corpus.paths)  # run from the cache: the checkout must not shadow the install
    subprocess.run([*argv, *paths], stdout=subprocess.DEVNULL, cwd=s.cache, check=False)
    show = f"import pstats; pstats.Stats({str(stats)!r}).sort_stats('tottime').print_stats(30)"
    done = subprocess.run([str(project.python), "-c", show], capture_output=True, text=True, check=False)
    return done.stdout


def _commit() -> str:
    """The checkout's commit, marked "+changes" when the package sources differ from it."""
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True)
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--", "glance_validate", "pyproject.toml"],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    commit = head.stdout.strip() or "unknown"
    return f"{commit}+changes" if dirty.stdout.strip() else commit


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def render(results: dict[str, Any], markdown: bool = False) -> str:
    draw = table.render_markdown if markdown else table.render_text
    found = table.targets(results)
    machine = results["machine"]
    load = machine.get("other_load_cores")
    head = (
        f"{results['generated']}, {machine['cpus']} CPUs, {machine['python']}; other processes used "
        f"{'an unknown share' if load is None else f'{load:.2f} cores'} on average during the run"
        f"{' (concurrent load)' if machine.get('concurrent_load') else ''}"
    )
    grids = []
    if results["timings"]:
        grids.append(table.timing_grid(results["timings"]))
    if results["startup"]:
        grids.append(table.startup_grid(results["startup"]))
    if results["scaling"]:
        grids.append(table.scaling_grid(results["scaling"]))
    if results["memory"]:
        grids.append(table.memory_grid(results["memory"]))
    if results.get("flood"):
        grids.append(table.flood_grid(results["flood"]))
    grids.append(table.target_grid(found, table.targets(results, "min_s")))
    return "\n\n".join([head, *(draw(g) for g in grids)])


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.markdown is not None:
        print(render(json.loads(args.markdown.read_text(encoding="utf-8")), markdown=True))
        return 0
    settings = settings_from(args)
    if not settings.make_corpus.is_file():
        print(
            f"bench: make-corpus not found at {settings.make_corpus} (use --make-corpus PATH)",
            file=sys.stderr,
        )
        return 2
    settings.cache.mkdir(parents=True, exist_ok=True)
    run = Run(settings, log=lambda text: print(f"bench: {text}", file=sys.stderr, flush=True))
    if args.profile is not None:
        print(profile(run, args.profile))
        return 0
    results = measure_all(run)
    target = output_path(args, settings)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    print(render(results))
    print(f"\nresults written to {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
