"""Typed results of a request's run: what was found, erased, masked, held and until when.

    result = RunResult.from_summary(json.loads(run.result))
    result.totals["erased"], result.holds[0].until, result.describe()

Built from the executor's summary (``datastores/runs.py``), per datastore and table; never
holds personal data (counts, table names, purposes and dates only). ``Progress`` is what the
request page shows while a run is queued or running.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from steward.lib.i18n import N_, Phrase


@dataclass(frozen=True)
class Hold:
    """Rows kept because a legal obligation still requires them."""

    datastore: str
    table: str
    purpose: str
    basis: str | None
    until: date | None
    rows: int


@dataclass(frozen=True)
class TableResult:
    datastore: str
    table: str
    found: int = 0
    erased: int = 0
    masked: int = 0
    held: int = 0
    restricted: int = 0
    rectified: int = 0
    out_of_scope: int = 0  # an erasure limited to purposes: rows left for another purpose
    shared: int = 0  # the subject's rows that are someone else's too: left as they are


@dataclass(frozen=True)
class RunResult:
    run: int
    kind: str
    dry_run: bool
    tables: tuple[TableResult, ...] = ()
    holds: tuple[Hold, ...] = ()
    residual: int | None = None  # identifying rows a re-search still found outside holds
    export: str | None = None  # the file name of the access ZIP
    reconciled: tuple[str, ...] = ()  # datastores whose crashed COMMIT was reconciled

    @property
    def totals(self) -> dict[str, int]:
        keys = ("found", "erased", "masked", "held", "restricted", "rectified")
        return {k: sum(getattr(t, k) for t in self.tables) for k in keys}

    @property
    def complete(self) -> bool:
        """Nothing identifying is left outside legal holds (always true for reads)."""
        return not self.residual

    @classmethod
    def from_summary(cls, summary: dict[str, Any]) -> RunResult:
        tables: list[TableResult] = []
        holds: list[Hold] = []
        reconciled: list[str] = []
        for store in summary.get("datastores", []):
            name = str(store["datastore"])
            if store.get("reconciled"):
                reconciled.append(name)
            for t in store.get("tables", []):
                tables.append(
                    TableResult(
                        name,
                        str(t["table"]),
                        int(t.get("found", 0)),
                        int(t.get("deleted", 0)),
                        int(t.get("masked", 0)),
                        int(t.get("held", 0)),
                        int(t.get("restricted", 0)),
                        int(t.get("rectified", 0)),
                        int(t.get("out_of_scope", 0)),
                        int(t.get("shared", 0)),
                    )
                )
                for h in t.get("holds") or []:
                    until = h.get("until")
                    holds.append(
                        Hold(
                            name,
                            str(t["table"]),
                            str(h.get("purpose", "")),
                            h.get("basis"),
                            date.fromisoformat(until) if until else None,
                            int(h.get("rows", 0)),
                        )
                    )
        return cls(
            run=int(summary.get("run", 0)),
            kind=str(summary.get("kind", "")),
            dry_run=bool(summary.get("dry_run")),
            tables=tuple(tables),
            holds=tuple(holds),
            residual=summary.get("residual"),
            export=summary.get("export"),
            reconciled=tuple(reconciled),
        )

    def describe(self) -> str:
        """One line for the timeline: counts, holds and the re-search; never personal data."""
        return str(self.phrase())

    def phrase(self) -> Phrase:
        """``describe``'s line as a phrase, said in each reader's language."""
        counts = [Phrase(TOTALS[k], num=v) for k, v in self.totals.items() if v]
        found = Phrase.join(*counts, sep=", ") if counts else Phrase(N_("nothing found"))
        head = N_("%(kind)s (dry run): %(counts)s") if self.dry_run else N_("%(kind)s: %(counts)s")
        parts: list[Phrase | str] = [Phrase(head, kind=self.kind, counts=found)]
        if self.holds:
            held = [
                Phrase(
                    N_("%(table)s until %(until)s (%(purpose)s)"),
                    table=h.table,
                    until=h.until.isoformat() if h.until else "?",
                    purpose=h.purpose,
                )
                for h in self.holds
            ]
            parts.append(Phrase(N_("; held: %(holds)s"), holds=Phrase.join(*held, sep="; ")))
        outside = [t for t in self.tables if t.out_of_scope]
        if outside:
            tables = ", ".join(f"{t.table} {t.out_of_scope}" for t in outside)
            parts.append(Phrase(N_("; left for other purposes: %(tables)s"), tables=tables))
        if self.residual is not None:
            parts.append(
                Phrase(N_("; re-search found %(num)s identifying row(s) left"), num=self.residual)
            )
        if self.reconciled:
            parts.append(
                Phrase(
                    N_("; reconciled after a crash: %(datastores)s"),
                    datastores=", ".join(self.reconciled),
                )
            )
        return Phrase.join(*parts)


TOTALS = {
    "found": N_("found %(num)s"),
    "erased": N_("erased %(num)s"),
    "masked": N_("masked %(num)s"),
    "held": N_("held %(num)s"),
    "restricted": N_("restricted %(num)s"),
    "rectified": N_("rectified %(num)s"),
}
"""Each of a run's totals as the timeline says it."""


@dataclass(frozen=True)
class Progress:
    """Where a request's newest run is: for the request page and the API."""

    run: int
    dry_run: bool
    status: str  # queued, running, retry, done, failed
    steps_done: int
    steps_total: int | None
    error: str | None = None
    next_attempt_at: datetime | None = None
    waiting: bool = False  # queued and no worker took it yet
    result: RunResult | None = field(default=None, compare=False)

    def describe(self) -> str:
        """The line in English (the API's ``progress``)."""
        return str(self.phrase())

    def phrase(self) -> Phrase:
        """Where the run is, said in each reader's language (the request page)."""
        preview, total = self.dry_run, self.steps_total
        if self.status == "queued":
            waiting = (
                N_("preview queued: waiting for a worker")
                if preview
                else N_("run queued: waiting for a worker")
            )
            return Phrase.join(Phrase(waiting), f" ({self.error})" if self.error else "")
        if self.status == "running":
            step = min(self.steps_done + 1, total) if total else self.steps_done + 1
            running = (
                N_("preview running: datastore %(step)s of %(total)s")
                if preview
                else N_("run running: datastore %(step)s of %(total)s")
            )
            return Phrase(running, step=step, total=total or "?")
        if self.status == "retry":
            when: Phrase | str = (
                self.next_attempt_at.strftime("%H:%M:%S UTC")
                if self.next_attempt_at
                else Phrase(N_("soon"))
            )
            retry = (
                N_("preview stopped: %(error)s; tried again at %(when)s")
                if preview
                else N_("run stopped: %(error)s; tried again at %(when)s")
            )
            return Phrase(retry, error=self.error, when=when)
        if self.status == "failed":
            failed = N_("preview stopped: %(error)s") if preview else N_("run stopped: %(error)s")
            return Phrase(failed, error=self.error)
        if self.result is None:
            return Phrase(N_("preview done") if preview else N_("run done"))
        done = N_("preview done: %(result)s") if preview else N_("run done: %(result)s")
        return Phrase(done, result=self.result.phrase())
