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


def test_json_output_lists_problems_with_positions(tmp_path: Path) -> None:
    import json

    path = tmp_path / "register.yaml"
    path.write_text("steward: 1\noperator: {}\n", encoding="utf-8")
    result = runner.invoke(app, ["check", str(path), "--format", "json"])
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert document["ok"] is False
    assert {"line", "column", "severity", "code", "message"} <= set(document["problems"][0])
    assert any("legal_name" in p["message"] for p in document["problems"])


def test_github_output_is_annotations(tmp_path: Path) -> None:
    path = tmp_path / "register.yaml"
    path.write_text("steward: 1\n", encoding="utf-8")
    result = runner.invoke(app, ["check", str(path), "--format", "github"])
    assert result.exit_code == 1
    assert result.stdout.startswith(f"::error file={path},line=1,col=1")
