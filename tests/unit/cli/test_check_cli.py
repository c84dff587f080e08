import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from steward.cli import app

runner = CliRunner()


def test_init_writes_a_register_that_passes_strict_check(tmp_path: Path) -> None:
    result = runner.invoke(app, ["init", str(tmp_path)])
    assert result.exit_code == 0, result.output
    checked = runner.invoke(app, ["check", str(tmp_path / "register.yaml"), "--strict"])
    assert checked.exit_code == 0, checked.output
    assert "ok: Example Ltd" in checked.output


def test_init_refuses_to_overwrite(tmp_path: Path) -> None:
    (tmp_path / "register.yaml").write_text("keep me", encoding="utf-8")
    result = runner.invoke(app, ["init", str(tmp_path)])
    assert result.exit_code == 1
    assert (tmp_path / "register.yaml").read_text(encoding="utf-8") == "keep me"


def test_check_of_a_missing_file_is_an_error_not_a_traceback(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "steward", "check", str(tmp_path / "nope.yaml")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert "nope.yaml:1:1:" in proc.stderr and "cannot read" in proc.stderr
