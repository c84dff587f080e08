"""How long the ``steward`` command takes to start, beside Python itself starting.

    .venv/bin/python bench/cli.py --runs 15

Runs each command ``--runs`` times in a fresh process (no STEWARD_SECRET_KEY, a temporary
working directory) and prints the median and the best wall time beside ``python -c pass`` timed
in the same run, alternating the commands so that a busy moment of the machine falls on all of
them alike. The target is 0.5 s for ``--help``, ``check``, ``law deadline`` and ``notice``.
"""

from __future__ import annotations

import argparse
import os
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
    args = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if not k.startswith("STEWARD_")}
    times: dict[str, list[float]] = {name: [] for name in COMMANDS}
    with tempfile.TemporaryDirectory() as cwd:
        for _ in range(args.runs):
            for name, argv in COMMANDS.items():
                start = time.perf_counter()
                subprocess.run(argv, cwd=cwd, env=env, check=True, capture_output=True)
                times[name].append(time.perf_counter() - start)
    base = statistics.median(times["python -c pass (baseline)"])
    print(f"{'command':<28} {'median s':>9} {'best s':>8} {'x python':>9} {'target':>7}")
    for name, values in times.items():
        median = statistics.median(values)
        target = "" if name.startswith("python") or name == "steward version" else "0.5 s"
        print(f"{name:<28} {median:>9.3f} {min(values):>8.3f} {median / base:>9.1f} {target:>7}")


if __name__ == "__main__":
    main()
