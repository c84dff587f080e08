"""Every ``steward`` command the README's tour shows runs as written, without a secret key.

The tour runs after ``make run``: the commands run in a directory laid out like a checkout
(``examples/`` and ``.venv/bin/steward``) whose store ``make run``'s own command created, with
no ``STEWARD_*`` variable set, and must neither fail nor leave new files behind (a read
command once created an empty ``steward.db``).
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
STEWARD = Path(sys.executable).with_name("steward")


def tour_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    tour = readme.split("## A five-minute tour", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"`(\.venv/bin/steward [^`]+)`", tour)


def _checkout(tmp_path: Path) -> dict[str, str]:
    (tmp_path / "examples").symlink_to(ROOT / "examples")
    (tmp_path / ".venv" / "bin").mkdir(parents=True)
    (tmp_path / ".venv" / "bin" / "steward").symlink_to(STEWARD)
    env = {k: v for k, v in os.environ.items() if not k.startswith("STEWARD_")}
    made_by_make_run = {**env, "STEWARD_DEV": "1", "STEWARD_DATABASE_URL": "sqlite:///steward.db"}
    subprocess.run(
        [str(STEWARD), "register", "load", "examples/demo/register.yaml"],
        cwd=tmp_path,
        env=made_by_make_run,
        check=True,
        capture_output=True,
    )
    return env


def test_the_tour_shows_the_commands_this_test_runs() -> None:
    commands = tour_commands()
    assert len(commands) >= 6, commands
    assert any(" ledger verify" in c for c in commands)
    assert any(" notice " in c for c in commands)


def test_every_tour_command_runs_as_written_without_a_secret(tmp_path: Path) -> None:
    env = _checkout(tmp_path)
    for command in tour_commands():
        before = {p.name for p in tmp_path.iterdir()}
        done = subprocess.run(
            shlex.split(command), cwd=tmp_path, env=env, capture_output=True, text=True
        )
        assert done.returncode == 0, f"{command}: {done.stderr or done.stdout}"
        assert "Traceback" not in done.stderr, command
        created = {p.name for p in tmp_path.iterdir()} - before
        expected = {"my-operator"} if " init " in command else set()
        assert created == expected, f"{command} left {created - expected} behind"


def test_the_deadline_the_readme_quotes_is_the_one_printed(tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    quoted = re.search(r"`\.venv/bin/steward (law deadline [^`]+)`\s+prints `([\d-]+)`", readme)
    assert quoted, "the README no longer quotes a deadline"
    done = subprocess.run(
        [str(STEWARD), *quoted.group(1).split()], capture_output=True, text=True, check=True
    )
    assert done.stdout.startswith(quoted.group(2))


def test_a_read_command_on_a_missing_store_says_so_and_creates_nothing(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("STEWARD_")}
    for argv in (["ledger", "verify"], ["audit", "verify"], ["audit", "export"]):
        done = subprocess.run(
            [str(STEWARD), *argv], cwd=tmp_path, env=env, capture_output=True, text=True
        )
        assert done.returncode == 2, (argv, done.stderr)
        assert "no Steward store at" in done.stderr and "STEWARD_DATABASE_URL" in done.stderr
        assert list(tmp_path.iterdir()) == []
