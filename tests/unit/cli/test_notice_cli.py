from pathlib import Path

from typer.testing import CliRunner

from steward.cli import app

from ...conftest import EXAMPLES

runner = CliRunner()


def test_notice_renders_markdown_and_html(tmp_path: Path) -> None:
    register = str(EXAMPLES / "softvendor" / "register.yaml")
    markdown = runner.invoke(app, ["notice", register, "--lang", "en"])
    assert markdown.exit_code == 0, markdown.output
    assert markdown.stdout.startswith("# ")
    target = tmp_path / "notice.html"
    html = runner.invoke(app, ["notice", register, "--format", "html", "-o", str(target)])
    assert html.exit_code == 0, html.output
    assert target.read_text(encoding="utf-8").lstrip().lower().startswith("<!doctype html>")


def test_notice_of_a_broken_register_points_at_the_line(tmp_path: Path) -> None:
    broken = tmp_path / "register.yaml"
    broken.write_text("steward: 1\noperator: {id: x}\n", encoding="utf-8")
    result = runner.invoke(app, ["notice", str(broken)])
    assert result.exit_code == 1
    assert f"{broken}:2:" in result.output


def test_diff_exits_3_on_a_material_change(tmp_path: Path) -> None:
    old = EXAMPLES / "demo" / "register.yaml"
    new = tmp_path / "register.yaml"
    new.write_text(
        old.read_text(encoding="utf-8").replace(
            "retention: {duration: P3M, from: collection}",
            "retention: {duration: P6M, from: collection}",
        ),
        encoding="utf-8",
    )
    result = runner.invoke(app, ["notice", "diff", str(old), str(new)])
    assert result.exit_code == 3, result.output
    assert result.stdout.startswith("! ")


def test_notice_links_to_the_configured_base_url_without_a_secret(tmp_path: Path) -> None:
    register = str(EXAMPLES / "demo" / "register.yaml")
    env = {
        "STEWARD_SECRET_KEY": None,
        "STEWARD_DEV": None,
        "steward_base_url": "https://p.example/",
    }
    result = runner.invoke(app, ["notice", register, "--lang", "en"], env=env)
    assert result.exit_code == 0, result.output
    assert "https://p.example/" in result.stdout
    assert "127.0.0.1" not in result.stdout
