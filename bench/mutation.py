"""Mutation testing with cosmic-ray: which changes to the code does no fast test notice?

Why a driver: cosmic-ray mutates files in place, so every run works on a throw-away copy of the
tree in ``.cache/mutation/<package>/tree`` (the checkout is never touched, a killed run leaves
nothing mutated), and each package is tested only by the fast tests that cover it (unit tests and
quick functional tests; no e2e, live, browser or CDK synth), so one run ends in minutes, not hours.
Named mutants (the state machine's confirmation count, jump limit and search-back) are applied by
hand first: each must break a test, whatever cosmic-ray's operators happen to generate.

Example:
    $ .venv/bin/python -m bench.mutation --package state_machine   # also: make mutation PKG=state_machine
    $ .venv/bin/python -m bench.mutation --package functions --resume   # go on where a run stopped

A small summary (counts, and every survivor's one-line diff) goes to
``bench/results/mutation-<package>.md``; cosmic-ray's session database stays in ``.cache/mutation/``
(``cr-report`` and ``cr-html`` read it).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from bench import pytest_fork_server

REPO_ROOT = Path(__file__).resolve().parent.parent
WORK_ROOT = REPO_ROOT / ".cache" / "mutation"
RESULTS = REPO_ROOT / "bench" / "results"
CPU_LIMIT_FACTOR = 5
"""A mutant's test run may use this many times the CPU seconds of the unmutated run (at least
MIN_CPU_LIMIT_S): one that loops forever is stopped and counted killed, however busy the machine is."""
MIN_CPU_LIMIT_S = 10.0
TEST_TIMEOUT_S = 3600.0
"""cosmic-ray's own wall-clock limit per run, a backstop far above the CPU limit on a busy machine."""

# One mutation per operator, the one a reviewer would write (a boundary moved, a condition
# negated, a sign flipped), instead of every operator for every other: cosmic-ray's full set
# replaces `==` six ways and `|` (here only type unions) eleven ways, which triples the run for
# mutants that say nothing new.
KEPT_OPERATORS = (
    "core/ReplaceBinaryOperator_(Add_Sub|Sub_Add|Mul_Div|Div_Mul|FloorDiv_Div|Mod_FloorDiv|Pow_Mul)",
    "core/ReplaceComparisonOperator_(Eq_NotEq|NotEq_Eq|Lt_LtE|LtE_Lt|Gt_GtE|GtE_Gt|Is_IsNot|IsNot_Is)",
    "core/ReplaceUnaryOperator_(Delete_Not|USub_UAdd)",
)
EXCLUDED_OPERATORS = (
    rf"core/ReplaceBinaryOperator_(?!{KEPT_OPERATORS[0].split('_', 1)[1]}$)",
    rf"core/ReplaceComparisonOperator_(?!{KEPT_OPERATORS[1].split('_', 1)[1]}$)",
    rf"core/ReplaceUnaryOperator_(?!{KEPT_OPERATORS[2].split('_', 1)[1]}$)",
)

FAST_UNIT_TESTS = (
    "tests/unit/test_contracts.py",
    "tests/unit/test_contracts_gaps.py",
    "tests/unit/test_goals.py",
    "tests/unit/test_goal_checkpoint.py",
    "tests/unit/test_capture_keeper.py",
    "tests/unit/test_capture_buffer.py",
    "tests/unit/test_playlist_parsing.py",
    "tests/unit/test_reconciler_plan.py",
    "tests/unit/test_functions_clip_timeline.py",
    "tests/unit/test_functions_enrich_index.py",
    "tests/unit/test_functions_shared.py",
    "tests/unit/test_functions_vertical.py",
    "tests/unit/test_gallery_pages.py",
    "tests/unit/test_hooks_alert_messages.py",
    "tests/unit/test_hooks_events.py",
    "tests/unit/test_hooks_http.py",
    "tests/unit/test_hooks_messages.py",
    "tests/unit/test_hooks_secrets.py",
    "tests/unit/test_lambda_runtime.py",
)


@dataclass(frozen=True)
class NamedMutant:
    """A change written by hand that a test must notice (a claim of the README, issue 9)."""

    name: str
    path: str
    original: str
    mutated: str


@dataclass(frozen=True)
class Package:
    """What to mutate and which fast tests judge it (listed first: the ones most likely to kill)."""

    modules: tuple[str, ...]
    tests: tuple[str, ...]
    named: tuple[NamedMutant, ...] = ()
    judged_only_by: tuple[tuple[str, tuple[str, ...]], ...] = ()
    """(module, tests): a module only these of the package's tests exercise. A ``--module`` run of such modules
    runs only their tests: a narrower set can turn a kill into a survivor, never hide one, and it spares each
    mutant the package's other tests (seconds of moto and ffmpeg set-up for the functional ones). These tests
    join ``tests`` by themselves, last (they judge few modules), so they are named once."""

    def __post_init__(self) -> None:
        judging = (test for _, tests in self.judged_only_by for test in tests)
        object.__setattr__(self, "tests", tuple(dict.fromkeys((*self.tests, *judging))))


def _new_tests(prefix: str) -> tuple[str, ...]:
    return tuple(str(p.relative_to(REPO_ROOT)) for p in sorted((REPO_ROOT / "tests" / "unit").glob(prefix)))


GOALS = "capture_task/detect/goals.py"
STATE_MACHINE_NAMED = (
    NamedMutant("confirmation count 3 -> 2", GOALS, "CONFIRMATIONS = 3\n", "CONFIRMATIONS = 2\n"),
    NamedMutant("confirmation count 3 -> 4", GOALS, "CONFIRMATIONS = 3\n", "CONFIRMATIONS = 4\n"),
    NamedMutant("jump limit 2 -> 3", GOALS, "MAX_GOALS_PER_JUMP = 2\n", "MAX_GOALS_PER_JUMP = 3\n"),
    NamedMutant("jump limit 2 -> 1", GOALS, "MAX_GOALS_PER_JUMP = 2\n", "MAX_GOALS_PER_JUMP = 1\n"),
    NamedMutant(
        "no search-back: a goal is stamped at the confirming frame",
        GOALS,
        "            candidate.count += 1\n",
        "            candidate.count += 1\n            candidate.first = observation\n",
    ),
    NamedMutant(
        "no search-back: a double jump never looks for the frame between",
        GOALS,
        "return [*max(chains, key=len, default=[]), target]",
        "return [target]",
    ),
)


def _packages() -> dict[str, Package]:
    kills = _new_tests("test_mutation_kills_*.py")
    return {
        # Every package imports contracts; these are the fast tests that check its rules and the
        # values the others read from it (all 17 fast unit files cost 3x the CPU per mutant).
        "contracts": Package(
            modules=_python_files("contracts"),
            tests=(
                *[t for t in kills if "contracts" in t],
                "tests/unit/test_contracts.py",
                "tests/unit/test_contracts_gaps.py",
                "tests/unit/test_reconciler_plan.py",
                "tests/unit/test_capture_keeper.py",
                "tests/unit/test_functions_shared.py",
                "tests/unit/test_goals.py",
            ),
        ),
        "state_machine": Package(
            modules=(GOALS, "capture_task/detect/checkpoint.py", "capture_task/detect/match_end.py"),
            tests=(
                *[t for t in kills if "goals" in t or "state_machine" in t],
                "tests/unit/test_goals.py",
                "tests/unit/test_goal_checkpoint.py",
            ),
            named=STATE_MACHINE_NAMED,
        ),
        # functions/ and hooks/: the modules the fast tests cover. Handlers, stores and the ffmpeg
        # cutter are tested only through the handlers against moto, ffmpeg and HTTP servers
        # (tests/functional, 10-30 s per run even when the machine is idle), so mutating them here
        # would only list what those tests cover. The goal alerts' publisher, the reel and the
        # Twitch-chat hook's Helix calls have functional tests that call them straight (a few seconds
        # each), so they are judged here with those. lambda_runtime/settings.py is the base of every
        # function's settings model, so it is judged with the functions.
        "functions": Package(
            modules=_existing(
                "functions/clip/timeline.py",
                "functions/clip/settings.py",
                "functions/enrich/index.py",
                "functions/enrich/settings.py",
                "functions/reconciler/plan.py",
                "functions/reconciler/channels.py",
                "functions/reconciler/settings.py",
                "functions/shared/failures.py",
                "functions/shared/goals_without_clip.py",
                "functions/shared/settings.py",
                "functions/vertical/verticals.py",
                "functions/vertical/settings.py",
                "lambda_runtime/settings.py",
                "functions/enrich/alerts.py",
                "functions/clip/reel.py",
                "functions/clip/ledger.py",
                "functions/enrich/ordered_batch.py",
            ),
            tests=(
                *[t for t in kills if "functions" in t],
                *[
                    t
                    for t in FAST_UNIT_TESTS
                    if "functions" in t or "reconciler" in t or "keeper" in t or "lambda_runtime" in t
                ],
            ),
            judged_only_by=(
                ("functions/enrich/alerts.py", ("tests/functional/test_enrich_alerts_publish.py",)),
                ("functions/clip/reel.py", ("tests/functional/test_clip_reel.py",)),
                ("functions/clip/ledger.py", ("tests/unit/test_publication_ledger.py",)),
                ("functions/enrich/ordered_batch.py", ("tests/unit/test_ordered_batch.py",)),
            ),
        ),
        "hooks": Package(
            modules=_existing(
                "hooks/webhook/messages.py",
                "hooks/webhook/delivery.py",
                "hooks/shared/urls.py",
                "hooks/shared/validation.py",
                "hooks/shared/events.py",
                "hooks/shared/http.py",
                "hooks/gallery/pages.py",
                "hooks/shared/secrets.py",
                "hooks/streamable/upload.py",
                "hooks/twitch_chat/chat.py",
            ),
            tests=(
                *[t for t in kills if "hooks" in t],
                *[t for t in FAST_UNIT_TESTS if "hooks" in t or "gallery" in t],
                "tests/functional/test_hook_secrets.py",
                "tests/functional/test_hook_streamable_upload.py",
            ),
            judged_only_by=(("hooks/twitch_chat/chat.py", ("tests/functional/test_hook_twitch_chat_helix.py",)),),
        ),
    }


def _existing(*modules: str) -> tuple[str, ...]:
    """The listed modules that still exist (a refactor may move one: then say so, and go on)."""
    missing = [m for m in modules if not (REPO_ROOT / m).is_file()]
    if missing:
        print(f"not mutated, no longer there (update bench/mutation.py): {', '.join(missing)}", file=sys.stderr)
    return tuple(m for m in modules if m not in missing)


def _python_files(folder: str) -> tuple[str, ...]:
    return tuple(str(p.relative_to(REPO_ROOT)) for p in sorted((REPO_ROOT / folder).rglob("*.py")))


def _copy_tree(destination: Path) -> None:
    """The checkout as it is now (tracked and new files, not ignored ones), without bytecode."""
    if destination.exists():
        shutil.rmtree(destination)
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO_ROOT,
        check=True,
        capture_output=True,
    ).stdout.split(b"\0")
    for raw in listed:
        if not raw:
            continue
        source = REPO_ROOT / raw.decode()
        if source.is_file():
            target = destination / raw.decode()
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)


def _test_command(tests: tuple[str, ...], server: Path, cpu_limit_s: float) -> list[str]:
    # -x: a killed mutant stops at its first failing test. Hypothesis's plugin costs seconds of
    # start-up and none of these tests use it. The run itself happens in a fork of a warm process.
    return [
        sys.executable, "-m", "bench.pytest_fork_server", "run", str(server), f"{cpu_limit_s:.0f}", "--",
        "-x", "-q", "-p", "no:cacheprovider", "-p", "no:hypothesispytest", *dict.fromkeys(tests),
    ]  # fmt: skip


def _environment() -> dict[str, str]:
    # No bytecode anywhere in the copy: a stale .pyc of the unmutated module must never be run.
    return {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "HIGHLIGHT_BOT_CACHE": str(REPO_ROOT / ".cache")}


def _run_named(package: Package, tree: Path, server: Path, cpu_limit_s: float) -> list[tuple[str, str]]:
    """(name, outcome) of each named mutant: killed, SURVIVED, or not applicable."""
    outcomes: list[tuple[str, str]] = []
    for mutant in package.named:
        path = tree / mutant.path
        original = path.read_text()
        if original.count(mutant.original) != 1:
            outcomes.append((mutant.name, f"NOT APPLIED: `{mutant.original.strip()}` is not in {mutant.path} once"))
            continue
        path.write_text(original.replace(mutant.original, mutant.mutated))
        try:
            result = subprocess.run(
                _test_command(package.tests, server, cpu_limit_s),
                cwd=tree,
                env=_environment(),
                capture_output=True,
                text=True,
            )
        finally:
            path.write_text(original)
        failed = [line for line in result.stdout.splitlines() if line.startswith(("FAILED", "ERROR"))]
        outcome = f"killed by {failed[0].split(' ')[1]}" if result.returncode != 0 and failed else "SURVIVED"
        if result.returncode != 0 and not failed:
            outcome = f"killed (pytest exit {result.returncode})"
        print(f"named mutant {mutant.name!r}: {outcome}", flush=True)
        outcomes.append((mutant.name, outcome))
    return outcomes


def _cosmic_ray(*args: str, cwd: Path) -> None:
    subprocess.run([str(Path(sys.executable).parent / args[0]), *args[1:]], cwd=cwd, env=_environment(), check=True)


def _write_config(package: Package, workdir: Path, server: Path, cpu_limit_s: float) -> Path:
    config = workdir / "cosmic-ray.toml"
    lines = [
        "[cosmic-ray]",
        f"module-path = {json.dumps(list(package.modules))}",
        f"timeout = {TEST_TIMEOUT_S}",
        "excluded-modules = []",
        f"test-command = {json.dumps(' '.join(_test_command(package.tests, server, cpu_limit_s)))}",
        "",
        "[cosmic-ray.distributor]",
        'name = "local"',
        "",
        "[cosmic-ray.filters.operators-filter]",
        f"exclude-operators = {json.dumps(list(EXCLUDED_OPERATORS))}",
    ]
    config.write_text("\n".join(lines) + "\n")
    return config


SUMMARY_COLUMNS = ("killed", "survived", "incompetent", "pending", "skipped (operator not kept)")
_SUMMARY_ROW = re.compile(r"^\| `(?P<module>[^`]+)` \|(?P<counts>(?: \d+ \|){5})(?: (?P<source>[^|]*) \|)?$")
_SURVIVOR_LINE = re.compile(r"^- `(?P<module>[^`:]+):\d+`")


@dataclass
class _ModuleResult:
    """One module's outcome counts and survivor lines, and the run they come from."""

    counts: Counter[str]
    survivors: list[str]
    source: str


def _session_results(workdir: Path) -> dict[str, _ModuleResult]:
    """Every module the session in ``workdir`` mutated (as its fingerprint names them), with its outcomes."""
    session = workdir / "session.sqlite"
    started = datetime.fromtimestamp((workdir / "modules.sha256").stat().st_mtime, UTC)
    source = f"run of {started:%Y-%m-%d %H:%M} UTC"
    results = {module: _ModuleResult(Counter(), [], source) for module in _session_modules(workdir)}
    dumped = subprocess.run(
        [str(Path(sys.executable).parent / "cosmic-ray"), "dump", str(session)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for line in dumped.splitlines():
        item, result = json.loads(line)
        mutation = item["mutations"][0]
        module = mutation["module_path"]
        if result is None:
            outcome = "pending"
        elif result["worker_outcome"] == "skipped":
            outcome = "skipped (operator not kept)"
        elif result["worker_outcome"] != "normal":
            outcome = result["worker_outcome"]
        else:
            outcome = result["test_outcome"]
        module_result = results.setdefault(module, _ModuleResult(Counter(), [], source))
        module_result.counts[outcome] += 1
        if outcome == "survived":
            diff = result["diff"].splitlines()
            changed = [d[1:].strip() for d in diff if d.startswith("+") and not d.startswith("+++")]
            module_result.survivors.append(
                f"- `{module}:{mutation['start_pos'][0]}` {mutation['operator_name'].removeprefix('core/')}: "
                f"`{' / '.join(changed)[:140]}`"
            )
    return results


def _session_modules(workdir: Path) -> list[str]:
    return [line.split("  ", 1)[1] for line in (workdir / "modules.sha256").read_text().splitlines()]


def _sessions(name: str) -> list[Path]:
    """The package's session folders (whole-package run and ``--module`` runs), oldest first."""
    folders = [WORK_ROOT / name, *WORK_ROOT.glob(f"{name}--modules-*")]
    found = [f for f in folders if (f / "session.sqlite").is_file() and (f / "modules.sha256").is_file()]
    return sorted(found, key=lambda folder: (folder / "modules.sha256").stat().st_mtime)


def _earlier_results(summary: Path) -> dict[str, _ModuleResult]:
    """The modules a summary already holds: kept for those no session here has judged (another checkout's)."""
    results: dict[str, _ModuleResult] = {}
    for line in summary.read_text().splitlines():
        row = _SUMMARY_ROW.match(line)
        if row:
            counts = [int(cell) for cell in row["counts"].strip(" |").split(" | ")]
            source = (row["source"] or "").strip() or "an earlier run (kept from this file)"
            results[row["module"]] = _ModuleResult(Counter(dict(zip(SUMMARY_COLUMNS, counts, strict=True))), [], source)
        survivor = _SURVIVOR_LINE.match(line)
        if survivor and survivor["module"] in results:
            results[survivor["module"]].survivors.append(line)
    return results


def _earlier_named(summary: Path) -> list[tuple[str, str]]:
    """The named mutants' outcomes a summary holds (``- name: outcome`` under its heading)."""
    section = summary.read_text().partition("## Named mutants\n")[2].partition("\n## ")[0]
    pairs = [line[2:].partition(": ") for line in section.splitlines() if line.startswith("- ")]
    return [(name, outcome) for name, _, outcome in pairs]


def _summary(name: str, package: Package, results: dict[str, _ModuleResult], named: list[tuple[str, str]]) -> str:
    outcomes: Counter[str] = Counter()
    for result in results.values():
        outcomes.update(result.counts)
    lines = [
        f"# Mutation testing: {name}",
        "",
        "Made by `make mutation PKG=" + name + "` (bench/mutation.py, cosmic-ray). Tests run per mutant:",
        "",
        *[f"- `{t}`" for t in dict.fromkeys(package.tests)],
        "",
        *(
            [
                "A `--module` run of only these modules runs only their tests (`judged_only_by`):",
                "",
                *[f"- `{m}`: {', '.join(f'`{t}`' for t in tests)}" for m, tests in package.judged_only_by],
                "",
            ]
            if package.judged_only_by
            else []
        ),
        "Each module's figures come from the latest run that mutated it (`--module` runs each keep their own",
        "session; a module no session here holds keeps its row from this file, with its run's date).",
        "",
        "| module | killed | survived | incompetent | pending | skipped | judged in |",
        "|---|---|---|---|---|---|---|",
    ]
    for module, result in sorted(results.items()):
        counts = " | ".join(str(result.counts[column]) for column in SUMMARY_COLUMNS)
        lines.append(f"| `{module}` | {counts} | {result.source} |")
    lines += ["", "Totals: " + ", ".join(f"{k} {v}" for k, v in sorted(outcomes.items()) if v), ""]
    not_mutated = [m for m in package.modules if m not in results]
    if not_mutated:
        missing = ", ".join(f"`{m}`" for m in not_mutated)
        lines += [
            f"No figures for {missing}: no session here and no earlier row of this file holds them (never "
            "mutated, or nothing in them to mutate: older summaries left such modules out; `--module` runs them).",
            "",
        ]
    if named:
        lines += ["## Named mutants", "", *[f"- {n}: {o}" for n, o in named], ""]
    survivors = [line for _, result in sorted(results.items()) for line in result.survivors]
    lines += ["## Survivors", "", *(survivors or ["none"]), ""]
    if survivors:
        lines += ["Why each one survives (or which test kills it now): bench/README.md, section `make mutation`.", ""]
    return "\n".join(lines)


def run(name: str, *, resume: bool, retest_survivors: bool = False, only: list[str] | None = None) -> Path:
    """Mutate one package (or ``only`` these of its modules), test every mutant, write the summary; returns its path."""
    package = _packages()[name]
    if only:
        unknown = sorted(set(only) - set(package.modules))
        if unknown:
            known = ", ".join(package.modules)
            raise SystemExit(f"{', '.join(unknown)} is not a module of {name}; its modules: {known}")
        package = replace(package, modules=tuple(m for m in package.modules if m in only))
        judging = dict(package.judged_only_by)
        if all(module in judging for module in package.modules):
            package = replace(
                package,
                tests=tuple(dict.fromkeys(t for m in package.modules for t in judging[m])),
                judged_only_by=tuple((m, tests) for m, tests in package.judged_only_by if m in package.modules),
            )
    workdir = _workdir(name, package.modules if only else None)
    tree = workdir / "tree"
    session = workdir / "session.sqlite"
    resuming = resume and session.exists()
    if not resuming:
        session.unlink(missing_ok=True)
    workdir.mkdir(parents=True, exist_ok=True)
    # Always a fresh copy: a run that was stopped may have left a file mutated. A resumed session
    # is only valid while the mutated modules are as they were when it began.
    _copy_tree(tree)
    fingerprint = workdir / "modules.sha256"
    modules_now = _fingerprint(tree, package.modules)
    if resuming and fingerprint.read_text() != modules_now:
        raise SystemExit(f"{name}'s modules changed since its session began: run without --resume")
    fingerprint.write_text(modules_now)
    if resuming and retest_survivors:  # after tests were added: judge the survivors again
        with sqlite3.connect(session) as database:
            database.execute("DELETE FROM work_results WHERE test_outcome = 'SURVIVED'")
    server_socket = workdir / "pytest.sock"
    server_socket.unlink(missing_ok=True)
    server = subprocess.Popen(
        [sys.executable, "-m", "bench.pytest_fork_server", "serve", str(server_socket)],
        cwd=REPO_ROOT,
        env=_environment(),
    )
    try:
        _wait_for(server_socket, server)
        cpu_limit_s = _cpu_limit(package, tree, server_socket)
        config = _write_config(package, workdir, server_socket, cpu_limit_s)
        named = _run_named(package, tree, server_socket, cpu_limit_s)
        (workdir / "named.json").write_text(json.dumps(named))
        if not resuming:
            _cosmic_ray("cosmic-ray", "init", str(config), str(session), cwd=tree)
            _cosmic_ray("cr-filter-operators", str(session), str(config), cwd=tree)
            _cosmic_ray("cosmic-ray", "baseline", str(config), cwd=tree)
        _forget_unjudged(session)
        _cosmic_ray("cosmic-ray", "exec", str(config), str(session), cwd=tree)
        unjudged = _forget_unjudged(session)
        if unjudged:
            raise SystemExit(f"{unjudged} mutant(s) were not tested (the test server was gone): run with --resume")
    finally:
        server.terminate()
        server.wait()
    return write_summary(name)


def _workdir(name: str, only: tuple[str, ...] | None) -> Path:
    """The package's session folder; a run restricted to some modules has its own, so it cannot replace
    the session of the whole package or of other modules (the summary merges them all)."""
    if not only:
        return WORK_ROOT / name
    digest = hashlib.sha256("\n".join(sorted(only)).encode()).hexdigest()[:10]
    return WORK_ROOT / f"{name}--modules-{digest}"


def write_summary(name: str) -> Path:
    """``bench/results/mutation-<name>.md``: every module from the latest session that mutated it.

    Sessions of ``--module`` runs are merged with the whole package's; a module none of them holds (judged in
    another checkout, whose ``.cache`` is not here) keeps its row and survivors from the summary as it was.
    Pending mutants are counted as such.
    """
    package = _packages()[name]
    summary = RESULTS / f"mutation-{name}.md"
    results = _earlier_results(summary) if summary.exists() else {}
    named = _earlier_named(summary) if summary.exists() else []
    for workdir in _sessions(name):  # oldest first: a later session's module replaces an earlier one's
        results.update(_session_results(workdir))
        named_file = workdir / "named.json"
        if named_file.exists() and json.loads(named_file.read_text()):
            named = [(n, o) for n, o in json.loads(named_file.read_text())]
    results = {module: result for module, result in results.items() if module in package.modules}
    RESULTS.mkdir(parents=True, exist_ok=True)
    summary.write_text(_summary(name, package, results, named))
    return summary


def _cpu_limit(package: Package, tree: Path, server: Path) -> float:
    """Run the tests on the unmutated tree: they must pass; a mutant's run may use a few times their CPU."""
    result = subprocess.run(
        _test_command(package.tests, server, 3600.0), cwd=tree, env=_environment(), capture_output=True, text=True
    )
    if result.returncode != 0:
        raise SystemExit(f"the tests fail without any mutant; fix them first:\n{result.stdout[-3000:]}")
    used = float(result.stdout.rsplit(pytest_fork_server.CPU_MARKER, 1)[1].split()[0])
    limit = max(MIN_CPU_LIMIT_S, CPU_LIMIT_FACTOR * used)
    print(f"unmutated run: {used:.1f} CPU s; a mutant's run is stopped after {limit:.0f} CPU s", flush=True)
    return limit


def _forget_unjudged(session: Path) -> int:
    """Drop the results of runs that never reached pytest (they look killed); returns how many."""
    with sqlite3.connect(session) as database:
        return database.execute(
            "DELETE FROM work_results WHERE output LIKE ?", (f"%{pytest_fork_server.NO_SERVER_MARKER}%",)
        ).rowcount


def _fingerprint(tree: Path, modules: tuple[str, ...]) -> str:
    return "".join(f"{hashlib.sha256((tree / m).read_bytes()).hexdigest()}  {m}\n" for m in modules)


def _wait_for(server_socket: Path, server: subprocess.Popen[bytes]) -> None:
    """The server has bound its socket (it imports its libraries first: seconds on a busy machine)."""
    while not server_socket.exists():
        if server.poll() is not None:
            raise SystemExit(f"the pytest fork server stopped (exit {server.returncode}) before it listened")
        time.sleep(0.2)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--package", action="append", choices=sorted(_packages()), help="default: every package")
    parser.add_argument("--resume", action="store_true", help="go on with the last session instead of starting anew")
    parser.add_argument(
        "--retest-survivors", action="store_true", help="with --resume: test the last session's survivors again"
    )
    parser.add_argument(
        "--module",
        action="append",
        help="mutate only this module of the package (repeatable), when there is no time for all of them",
    )
    parser.add_argument(
        "--summary-only",
        action="store_true",
        help="write the summary of the last session (stopped or not), run nothing",
    )
    args = parser.parse_args(argv)
    for name in args.package or sorted(_packages()):
        if args.summary_only:
            print(f"summary of {name}: {write_summary(name)}", flush=True)
            continue
        summary = run(name, resume=args.resume, retest_survivors=args.retest_survivors, only=args.module)
        print(f"mutation testing {name}: summary in {summary}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
