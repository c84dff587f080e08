"""The executor that carries out requests on the operator's databases (``datastores/``).

    executor = DatastoreExecutor(sessions, register, secret, language="ru", dry_run=True)
    result = executor.execute(order)        # a requests.execution.Result

Access and portability return the ZIP the subject downloads; erasure, restriction and
rectification return the counts, legal holds and what the re-search still found. Kinds that
do not touch the databases (objection, complaint, ...) are answered by an agent, not here.
Call it outside any open store transaction: the executor commits its progress step by step.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from steward.datastores import (
    KINDS,
    DatastoreError,
    ExecutionRequest,
    InvalidRequest,
    execute,
    export_of,
)
from steward.register import Register
from steward.requests.execution import Order, Result
from steward.requests.states import RequestError

EXECUTABLE = frozenset(KINDS)


def parse_rectification(text: str) -> dict[str, str]:
    """``category=value`` or ``table.column=value`` lines, as an agent types them."""
    values: dict[str, str] = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        key, sep, value = line.partition("=")
        if not sep or not key.strip():
            raise RequestError(
                "write each correction on its own line as category=value or table.column=value"
            )
        values[key.strip()] = value.strip()
    return values


def describe(summary: dict[str, Any]) -> str:
    """One line for the timeline: counts, holds and the re-search; never personal data."""
    totals = summary.get("totals", {})
    counts = ", ".join(f"{k} {v}" for k, v in totals.items() if v)
    text = f"{summary.get('kind')}{' (dry run)' if summary.get('dry_run') else ''}: "
    text += counts or "nothing found"
    holds = summary.get("holds") or []
    if holds:
        text += "; held: " + "; ".join(
            f"{h.get('table')} until {h.get('until', '?')} ({h.get('purpose', h.get('basis', ''))})"
            for h in holds
        )
    if summary.get("residual") is not None:
        text += f"; re-search found {summary['residual']} identifying row(s) left"
    return text


@dataclass
class DatastoreExecutor:
    sessions: sessionmaker[Session]
    register: Register
    secret: bytes
    language: str = "en"
    dry_run: bool = False
    rectify: dict[str, str] = field(default_factory=dict)

    def execute(self, order: Order) -> Result:
        if order.kind not in EXECUTABLE:
            raise RequestError(
                f"'{order.kind}' requests are answered by an agent; nothing runs on the databases"
            )
        identifiers = {
            kind: value
            for kind, value in (
                ("email", order.email),
                ("phone", order.phone),
                ("account-id", order.account_id),
            )
            if value
        }
        request = ExecutionRequest(
            kind=order.kind,  # type: ignore[arg-type]
            identifiers=identifiers,
            reference=order.reference,
            dry_run=self.dry_run,
            rectify=self.rectify,
            language=self.language,
        )
        try:
            summary = execute(self.sessions, self.register, request, secret=self.secret)
        except InvalidRequest as exc:
            raise RequestError(str(exc)) from None
        except DatastoreError as exc:
            hint = "nothing was half-applied; try again" if exc.retryable else "fix it, then retry"
            raise RequestError(f"a datastore failed: {exc} ({hint})") from None
        data = None
        if order.kind in ("access", "portability") and not self.dry_run:
            with self.sessions() as session:
                export = export_of(session, summary["run"])
            data = export[1] if export else None
        text = describe(summary)
        if order.not_searched:
            text += f"; not searched (not proven): {', '.join(order.not_searched)}"
        return Result(text, data, "application/zip")
