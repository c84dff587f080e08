"""How long the ``steward`` command takes to start, beside Python itself starting.

    .venv/bin/python bench/cli.py --runs 15
    .venv/bin/python bench/cli.py --runs 15 --compare /tmp/old/src   # another src/, alternated

Runs each command ``--runs`` times in a fresh process (no STEWARD_SECRET_KEY, a temporary
working directory) and prints the median and the best wall time beside ``python -c pass`` timed
in the same run, alternating the commands so that a busy moment of the machine falls on all of
them alike, and the median CPU time (user + system) of the command's process: on a busy machine
the wall time also counts the waiting for a core, the CPU time much less so. The load average
is printed before and after. The target is 0.5 s for ``--help``, ``check``, ``law deadline``
and ``notice``.
``--compare SRC`` also runs each command with ``PYTHONPATH=SRC`` (e.g. an older commit's
``src/``, extracted with ``git archive`` and byte-compiled), in the same rounds.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STEWARD = str(Path(sys.executable).with_name("steward"))
REGISTER = str(ROOT / "examples" / "demo" / "register.yaml")

COMMANDS: dict[str, list[str]] = {
    "python -c pass (baseline)": [sys.executable, "-c", "pass"],
    "steward --help": [STEWARD, "--help"],
    "steward version": [STEWARD, "version"],
    "steward check": [STEWARD, "check", REGISTER],
    "steward law deadline": [STEWARD, "law", "deadline", "ru-152fz", "access", "2026-04-28"],
    "steward notice": [STEWARD, "notice", REGISTER, "--lang", "ru"],
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--compare", type=Path, help="also time this src/ tree (PYTHONPATH)")
    args = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if not k.startswith("STEWARD_")}
    runs: list[tuple[str, list[str], dict[str, str]]] = [(n, a, env) for n, a in COMMANDS.items()]
    if args.compare:
        other = {**env, "PYTHONPATH": str(args.compare.resolve())}
        runs += [(f"{n} [compare]", a, other) for n, a in COMMANDS.items() if n.startswith("st")]
    times: dict[str, list[float]] = {name: [] for name, _argv, _env in runs}
    cpu: dict[str, list[float]] = {name: [] for name, _argv, _env in runs}
    print("load average before: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    with tempfile.TemporaryDirectory() as cwd:
        for _ in range(args.runs):
            for name, argv, run_env in runs:
                cpu_start = _children_cpu()
                start = time.perf_counter()
                subprocess.run(argv, cwd=cwd, env=run_env, check=True, capture_output=True)
                times[name].append(time.perf_counter() - start)
                cpu[name].append(_children_cpu() - cpu_start)
    print("load average after:  {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    base = statistics.median(times["python -c pass (baseline)"])
    print(
        f"{'command':<38} {'median s':>9} {'best s':>8} {'x python':>9} {'cpu s':>7} {'target':>7}"
    )
    for name, values in times.items():
        median = statistics.median(values)
        plain = name.startswith("python") or "version" in name or "[compare]" in name
        target = "" if plain else "0.5 s"
        print(
            f"{name:<38} {median:>9.3f} {min(values):>8.3f} {median / base:>9.1f} "
            f"{statistics.median(cpu[name]):>7.3f} {target:>7}"
        )


def _children_cpu() -> float:
    """User and system CPU seconds of the finished child processes so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


if __name__ == "__main__":
    main()
