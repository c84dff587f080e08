"""``steward datastores ...`` (the operator's databases) and ``steward worker``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from steward.config import get_settings
from steward.datastores import DatastoreError, ExecutionRequest, execute
from steward.datastores.connect import compare, datastore_engine, reflect, rule_problems
from steward.datastores.survey import survey
from steward.register import Problem, RegisterError, load_register
from steward.register.loader import position_of
from steward.store.db import make_engine, session_factory, upgrade

app = typer.Typer(help="The operator's databases named in the register.", no_args_is_help=True)
out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


def _register(path: Path):  # type: ignore[no-untyped-def]
    try:
        return load_register(path)
    except RegisterError as exc:
        for problem in exc.problems:
            err.print(problem.format(), markup=False)
        raise typer.Exit(1) from None
    except OSError as exc:
        err.print(f"{path}: cannot read: {exc.strerror}", markup=False)
        raise typer.Exit(1) from None


@app.command("test")
def test(register: Annotated[Path, typer.Argument(help="Register YAML file.")]) -> None:
    """Connect to each datastore, reflect it, report what the register names that is missing,
    masks the database would refuse, and tables requests would miss or hold without end."""
    reg = _register(register)
    failures = 0
    for datastore in reg.datastores:
        try:
            engine = datastore_engine(datastore)
            try:
                schema = reflect(engine, datastore)
            except DatastoreError:
                engine.dispose()
                raise
        except DatastoreError as exc:
            err.print(f"{datastore.id}: {exc}", markup=False)
            failures += 1
            continue
        index = reg.datastores.index(datastore)
        problems = [
            Problem(
                str(register),
                *position_of(register, ("datastores", index, "tables", t, "retention", "column")),
                "R201",
                message,
            ).format()
            for t, message in rule_problems(schema, datastore)
        ]
        problems += compare(schema, datastore)
        findings = survey(engine, schema, reg)
        engine.dispose()
        problems += [str(f) for f in findings if f.severity == "error"]
        for problem in problems:
            err.print(problem, markup=False)
        for finding in findings:
            if finding.severity != "error":
                err.print(str(finding), markup=False)
        failures += bool(problems)
        state = f"{len(problems)} problem(s)" if problems else "ok"
        out.print(
            f"{datastore.id} ({datastore.kind}): {len(schema.tables)} tables reflected, "
            f"{len(datastore.tables)} in the register: {state}",
            markup=False,
        )
    if failures:
        raise typer.Exit(1)


@app.command("run")
def run(
    kind: Annotated[
        str, typer.Argument(help="access, portability, erasure, restriction, rectification")
    ],
    register: Annotated[Path, typer.Argument(help="Register YAML file.")],
    email: Annotated[str | None, typer.Option(help="The subject's e-mail address.")] = None,
    phone: Annotated[str | None, typer.Option(help="The subject's phone number.")] = None,
    account_id: Annotated[
        str | None, typer.Option("--account-id", help="The subject's account id.")
    ] = None,
    reference: Annotated[str, typer.Option(help="The request's reference.")] = "cli",
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Report what would change; change nothing.")
    ] = False,
    set_: Annotated[
        list[str],
        typer.Option("--set", help="Rectification: CATEGORY=VALUE or TABLE.COLUMN=VALUE."),
    ] = [],  # noqa: B006
    language: Annotated[str, typer.Option(help="Language of the access report.")] = "en",
    output: Annotated[
        Path | None, typer.Option(help="Where to write the access/portability ZIP.")
    ] = None,
) -> None:
    """Execute one request now and print its result as JSON (no personal data in it)."""
    reg = _register(register)
    ids = {k: v for k, v in {"email": email, "phone": phone, "account-id": account_id}.items() if v}
    values = dict(item.split("=", 1) for item in set_ if "=" in item)
    settings = get_settings()
    engine = make_engine(settings.database_url)
    upgrade(engine)
    factory = session_factory(engine)
    try:
        result = execute(
            factory,
            reg,
            ExecutionRequest(
                kind, ids, reference, dry_run=dry_run, rectify=values, language=language
            ),  # type: ignore[arg-type]
            secret=settings.secret_key.get_secret_value().encode(),
        )
    except DatastoreError as exc:
        err.print(f"error: {exc}", markup=False)
        raise typer.Exit(1) from None
    if output is not None and "export" in result:
        from steward.datastores import export_of

        with factory() as session:
            blob = export_of(session, result["run"])
        if blob:
            output.write_bytes(blob[1])
    out.print(json.dumps(result, indent=2, ensure_ascii=False), markup=False)


def worker(
    concurrency: Annotated[int, typer.Option(help="Jobs run at once by this worker.")] = 1,
    pool: Annotated[
        str,
        typer.Option(
            help="How jobs run at once: threads (default; jobs mostly wait on databases) or "
            "prefork (processes)."
        ),
    ] = "threads",
    loglevel: Annotated[str, typer.Option(help="Celery log level.")] = "INFO",
) -> None:
    """Run a Celery worker for STEWARD_BROKER_URL (Redis or RabbitMQ)."""
    settings = get_settings()
    if not settings.broker_url:
        err.print(
            "STEWARD_BROKER_URL is not set; set it (e.g. redis://127.0.0.1:6379/0) to run "
            "workers, or leave it unset and jobs run inside `steward serve`",
            markup=False,
        )
        raise typer.Exit(1)
    from steward.jobs.celery_app import make_celery

    app = make_celery(settings.broker_url)
    if pool not in ("threads", "prefork"):
        err.print(f"--pool must be threads or prefork, not {pool!r}", markup=False)
        raise typer.Exit(2)
    pool = "solo" if concurrency == 1 else pool
    app.worker_main(
        [
            "worker",
            f"--loglevel={loglevel}",
            f"--pool={pool}",
            f"--concurrency={concurrency}",
            f"--queues={settings.job_queue}",
            "--without-gossip",
            "--without-mingle",
        ]
    )
