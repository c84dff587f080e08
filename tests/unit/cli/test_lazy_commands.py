"""The ``steward`` command imports a command's module only when that command runs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from steward.cli import COMMANDS, load_command

HEAVY = ("sqlalchemy", "fastapi", "alembic", "celery", "steward.store", "steward.web")


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_the_listed_help_is_the_commands_own(name: str) -> None:
    command = load_command(name)
    assert command.name == name
    assert " ".join((command.help or "").split("\n\n")[0].split()) == COMMANDS[name][2]


@pytest.mark.parametrize(
    "argv",
    [
        ["--help"],
        ["version"],
        ["law", "deadline", "ru-152fz", "access", "2026-04-28"],
        ["check", "examples/demo/register.yaml"],
        ["notice", "examples/demo/register.yaml", "--lang", "ru"],
        ["filings", "draft", "examples/demo/register.yaml"],
    ],
)
def test_read_commands_import_no_database_or_web_layer(argv: list[str]) -> None:
    probe = (
        "import sys\n"
        "from steward.cli import app\n"
        f"try:\n    app({argv!r})\nexcept SystemExit as exit_:\n    assert not exit_.code, exit_\n"
        f"heavy = sorted(m for m in sys.modules if m.startswith({HEAVY!r}))\n"
        "print('HEAVY:' + ' '.join(heavy))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.rstrip().splitlines()[-1] == "HEAVY:", done.stdout[-300:]


@pytest.mark.parametrize(
    ("argv", "unused"),
    [
        # one country's calendar, not the ~250 the holidays package's __init__ imports;
        # no pydantic where no model is built (Typer's parameters are coerced without it);
        # Typer's own copy of Click, never the click distribution besides it
        (
            ["law", "deadline", "ru-152fz", "access", "2026-04-28"],
            ("rich", "holidays.countries.", "pydantic", "click"),
        ),
        (["version"], ("rich", "pydantic", "click")),
        (["--help"], ("rich", "pydantic", "click")),
        # a plain ASCII e-mail is checked without email_validator (it compiles its expressions
        # at import); notice reads STEWARD_BASE_URL without pydantic-settings (asyncio, dotenv)
        # the country codes are read from pycountry's database file (importing pycountry
        # looks up its version in the installed distributions)
        (
            ["check", "examples/demo/register.yaml"],
            ("rich", "click", "email_validator", "pycountry"),
        ),
        # python-stdnum (it imports ssl and pydoc) only for registration numbers to check
        (["check", "examples/acrcloud/register.yaml"], ("stdnum",)),
        (
            ["notice", "examples/demo/register.yaml", "--lang", "ru"],
            ("rich", "markdown_it", "click", "email_validator", "pydantic_settings", "pycountry"),
        ),
    ],
)
def test_plain_output_imports_no_renderer_it_does_not_use(
    argv: list[str], unused: tuple[str, ...]
) -> None:
    probe = (
        "import sys\n"
        "from steward.cli import app\n"
        f"try:\n    app({argv!r})\nexcept SystemExit as exit_:\n    assert not exit_.code, exit_\n"
        f"found = sorted(m for m in sys.modules if m.startswith({unused!r}))\n"
        "print('FOUND:' + ' '.join(found))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    found = done.stdout.rstrip().splitlines()[-1].removeprefix("FOUND:").split()
    countries = [m for m in found if m.startswith("holidays.countries.")]
    assert len(countries) <= 1, countries  # the Russian calendar's module alone
    assert [m for m in found if not m.startswith("holidays.countries.")] == []


def test_the_cli_does_not_search_the_installed_packages_for_pydantic_plugins() -> None:
    probe = (
        "from steward.cli import app\n"
        "try:\n    app(['check', 'examples/demo/register.yaml'])\nexcept SystemExit:\n    pass\n"
        "from pydantic.plugin import _loader\n"
        "print('SEARCHED:', _loader._plugins is not None)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYDANTIC_DISABLE_PLUGINS"}
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, env=env
    )
    assert done.stdout.rstrip().splitlines()[-1] == "SEARCHED: False"


def _render_notice(cache_home: Path) -> tuple[str, int]:
    probe = (
        "import jinja2\n"
        "from steward.cli import app\n"
        "compiled = []\n"
        "original = jinja2.Environment.compile\n"
        "def compile(self, *args, **kwargs):\n"
        "    compiled.append(1)\n"
        "    return original(self, *args, **kwargs)\n"
        "jinja2.Environment.compile = compile\n"
        "try:\n    app(['notice', 'examples/demo/register.yaml', '--lang', 'ru', '--date',"
        " '2026-01-01'])\nexcept SystemExit as exit_:\n    assert not exit_.code, exit_\n"
        "print('COMPILED:', len(compiled))\n"
    )
    env = {**os.environ, "XDG_CACHE_HOME": str(cache_home)}
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, env=env
    )
    text, _, count = done.stdout.rpartition("COMPILED: ")
    return text, int(count)


def test_notice_compiles_its_template_once_for_all_runs(tmp_path: Path) -> None:
    first, compiled_first = _render_notice(tmp_path)
    second, compiled_second = _render_notice(tmp_path)
    assert compiled_first >= 1 and compiled_second == 0
    assert second == first and "Polar Tea" in first
    assert list((tmp_path / "steward" / "jinja").iterdir())


def test_notice_renders_alike_where_it_cannot_keep_compiled_templates(tmp_path: Path) -> None:
    kept, _ = _render_notice(tmp_path / "cache")
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("", encoding="utf-8")
    text, compiled = _render_notice(not_a_folder)
    assert text == kept and compiled >= 1
