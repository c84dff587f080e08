"""The walls of docs/architecture.md, checked on the imports of every module."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[3] / "src" / "steward"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def _modules(folder: str = "") -> list[Path]:
    return sorted((PACKAGE / folder).rglob("*.py"))


def _offenders(paths: list[Path], forbidden: tuple[str, ...]) -> list[str]:
    return [
        f"{path.relative_to(PACKAGE)} imports {name}"
        for path in paths
        for name in sorted(_imports(path))
        if any(name == f or name.startswith(f + ".") for f in forbidden)
    ]


@pytest.mark.parametrize("pure", ["register", "law"])
def test_pure_layers_touch_no_database_network_or_web(pure: str) -> None:
    forbidden = (
        "sqlalchemy",
        "alembic",
        "fastapi",
        "starlette",
        "typer",
        "httpx",
        "requests",
        "celery",
        "redis",
        "smtplib",
        "socket",
        *(
            f"steward.{p}"
            for p in (
                "store",
                "web",
                "cli",
                "ledger",
                "notify",
                "datastores",
                "jobs",
                "consent",
                "notices",
                "requests",
                "accounts",
            )
        ),
    )
    assert not _offenders(_modules(pure), forbidden)


def test_only_web_imports_the_web_framework() -> None:
    outside = [p for p in _modules() if "web" not in p.relative_to(PACKAGE).parts]
    assert not _offenders(outside, ("fastapi", "starlette"))


def test_only_cli_imports_the_cli_framework() -> None:
    outside = [p for p in _modules() if "cli" not in p.relative_to(PACKAGE).parts]
    assert not _offenders(outside, ("typer",))


def test_services_do_not_reach_into_the_faces() -> None:
    services = [
        p
        for p in _modules()
        if not {"web", "cli"} & set(p.relative_to(PACKAGE).parts) and p.name not in ("__main__.py",)
    ]
    assert not _offenders(services, ("steward.web", "steward.cli"))


def test_discovery_reads_the_operators_databases_only_through_datastores() -> None:
    """Only ``discovery/store.py`` (Steward's own tables) may touch SQLAlchemy; sampling the
    operator's databases is ``datastores/sampling.py``'s job."""
    modules = [p for p in _modules("discovery") if p.name != "store.py"]
    assert modules
    assert not _offenders(modules, ("sqlalchemy", "psycopg", "pymysql", "sqlite3"))


@pytest.mark.parametrize(
    ("library", "owners"),
    [
        ("itsdangerous", {"lib/signing.py"}),  # one token signer
        ("email_validator", {"lib/identifiers.py"}),  # one e-mail normaliser
        # one phone normaliser; datastores/identity.py only lists a number's spellings to ask
        # for, discovery/validators.py only says whether scanned digits are a phone number
        (
            "phonenumbers",
            {"lib/identifiers.py", "datastores/identity.py", "discovery/validators.py"},
        ),
    ],
)
def test_one_module_owns_each_job(library: str, owners: set[str]) -> None:
    users = {
        str(path.relative_to(PACKAGE))
        for path in _modules()
        if any(n == library or n.startswith(library + ".") for n in _imports(path))
    }
    assert users <= owners, f"{library} is used outside {sorted(owners)}: {sorted(users - owners)}"
