"""Run pytest for each mutant in a fork of a warm process, instead of a fresh interpreter.

Why: cosmic-ray runs one test command per mutant, and most of such a run is importing pytest,
pydantic, boto3 and moto again (about 1-3 CPU s) for tests that take a fraction of that. The
server imports those libraries once, never the project's own packages, and forks a child per run:
the child imports the project from disk (the mutated file, no bytecode), runs pytest in the given
folder and exits with its code. The client is the test command cosmic-ray runs.

Example:
    $ python -m bench.pytest_fork_server serve /tmp/pytest.sock &
    $ python -m bench.pytest_fork_server run /tmp/pytest.sock 30 -- -x -q tests/unit/test_goals.py
"""

from __future__ import annotations

import importlib
import json
import math
import os
import resource
import signal
import socket
import sys
import tempfile
from pathlib import Path

WARM_LIBRARIES = (
    "pytest", "_pytest.assertion.rewrite", "pydantic", "pydantic.main", "pydantic.types", "pydantic.json_schema",
    "pydantic.functional_validators", "pydantic.functional_serializers", "pydantic._internal._generate_schema",
    "pydantic._internal._model_construction", "annotated_types", "zoneinfo", "hashlib", "json", "logging",
    "boto3", "botocore.session", "moto", "moto.core.models", "aws_lambda_powertools",
    "aws_lambda_powertools.logging", "aws_lambda_powertools.metrics", "aws_lambda_powertools.utilities.batch",
    "aws_lambda_powertools.utilities.idempotency", "aws_lambda_powertools.utilities.parameters",
    "aws_lambda_powertools.utilities.parser", "requests", "yaml", "numpy",
)  # fmt: skip
"""Third-party only: anything of the project imported here would be the unmutated copy."""
NO_SERVER_MARKER = "PYTEST-FORK-SERVER-UNREACHABLE"
CPU_MARKER = "pytest fork server: CPU s used"
WALL_LIMIT_S = 3600
"""A run still going after an hour is stuck (blocked, not computing): killed."""
PROJECT_PACKAGES = ("contracts", "capture_task", "functions", "hooks", "infra", "local_pipeline", "sample_broadcast")


def serve(path: str) -> None:
    """Answer runs on the Unix socket at ``path`` until killed."""
    sys.dont_write_bytecode = True
    for name in WARM_LIBRARIES:
        try:
            importlib.import_module(name)
        except ImportError:
            continue
    preloaded = [name for name in PROJECT_PACKAGES if name in sys.modules]
    if preloaded:
        raise RuntimeError(f"warming the libraries imported {preloaded}: the children would not see the mutants")
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as server:
        Path(path).unlink(missing_ok=True)
        server.bind(path)
        server.listen()
        while True:
            connection, _ = server.accept()
            with connection:
                request = json.loads(connection.makefile("r").readline())
                code, output, cpu_s = _run_in_child(request["cwd"], request["args"], float(request["cpu_limit_s"]))
                reply = {"code": code, "output": output, "cpu_s": cpu_s}
                try:
                    connection.sendall(json.dumps(reply).encode() + b"\n")
                except OSError:
                    continue  # the client was stopped (a timeout): serve the next one


def _run_in_child(cwd: str, args: list[str], cpu_limit_s: float) -> tuple[int, str, float]:
    with tempfile.TemporaryFile("w+") as log:
        child = os.fork()
        if child == 0:  # the child: never returns
            try:
                os.dup2(log.fileno(), 1)
                os.dup2(log.fileno(), 2)
                os.chdir(cwd)
                sys.path.insert(0, cwd)
                # A mutant that loops forever dies of SIGXCPU (killed): CPU time, not wall time, so a
                # busy machine cannot turn a slow run into a false kill. The alarm is a backstop for
                # one that blocks forever.
                resource.setrlimit(resource.RLIMIT_CPU, (math.ceil(cpu_limit_s), math.ceil(cpu_limit_s) + 5))
                signal.alarm(WALL_LIMIT_S)
                import pytest

                code = int(pytest.main(args))
            except BaseException:  # whatever went wrong, the run failed
                code = 3
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
        _, status, usage = os.wait4(child, 0)
        log.seek(0)
        output = log.read()
    return (os.waitstatus_to_exitcode(status), output, usage.ru_utime + usage.ru_stime)


def run(path: str, cpu_limit_s: float, args: list[str]) -> int:
    """Ask the server to run pytest with ``args`` in the current folder; print its output, return its code."""
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
            client.connect(path)
            request = {"cwd": os.getcwd(), "args": args, "cpu_limit_s": cpu_limit_s}
            client.sendall(json.dumps(request).encode() + b"\n")
            reply = json.loads(client.makefile("r").readline())
    except (OSError, ValueError) as error:
        # Not a test failure: bench.mutation finds this marker and runs the mutant again.
        print(f"{NO_SERVER_MARKER}: the pytest fork server at {path} did not answer ({error})")
        return 99
    sys.stdout.write(reply["output"])
    print(f"{CPU_MARKER} {reply['cpu_s']:.2f} (limit {cpu_limit_s:.0f})")
    code = int(reply["code"])
    return code if code >= 0 else 128 - code


def main(argv: list[str]) -> int:
    if argv[:1] == ["serve"] and len(argv) == 2:
        serve(argv[1])
        return 0
    if argv[:1] == ["run"] and len(argv) >= 4 and argv[3] == "--":
        return run(argv[1], float(argv[2]), argv[4:])
    print("usage: pytest_fork_server serve SOCKET | run SOCKET CPU_LIMIT_S -- PYTEST_ARGS...", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
