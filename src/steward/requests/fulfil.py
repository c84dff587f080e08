"""Fulfilment, the one owner of a request's preview, approval, execution and completion.

    fulfil = Fulfilment.from_settings(sessions, settings)
    fulfil.preview(request_id, actor)            # a rolled-back run, queued for a worker
    fulfil.execute(request_id, actor, text)      # access: queued; erasure, restriction and
                                                 # rectification (and an objection where the
                                                 # register erases on objection): an ask for
                                                 # approval with its preview attached;
                                                 # objection and withdrawal of consent: done
                                                 # in the store (``kinds.py``) and completed
    fulfil.approve(request_id, approver, reason) # the approved run is queued
    fulfil.reject(request_id, approver, reason)  # no run; the request stays open
    fulfil.complete(request_id, actor, outcome)  # only after a run succeeded or an approver's
                                                 # recorded reason (``no_run_reason``)
    fulfil.finish_run(run_id)                    # the worker, after each run: the typed result
                                                 # goes on the request; a clean run completes it

An information request (transfers) runs nothing on the databases: ``execute`` answers it at
once from the register's recipients and the disclosure log (``transfers.answer``) and completes
it, the answer attached as the subject's download and written into the completion e-mail.

The web pages, the API and the CLI call these and nothing else; every change is written to the
request's timeline and the audit log here. Datastore work never runs in the caller: a run is a
row in the store handed to ``jobs``; when the job queue cannot be reached the run waits in the
store ("waiting for a worker") and stale-run recovery hands it over later.
"""

from __future__ import annotations

import json
import logging
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from steward.datastores import KINDS, ExecutionRequest, InvalidRequest
from steward.datastores.runs import RunAlreadyOpen, open_run, submit
from steward.datastores.tables import ExecutionExport, ExecutionRun, ExecutionStep
from steward.lib.i18n import N_, Phrase
from steward.requests import (
    emails,
    kinds,
    links,
    report,
    service,
    transfers,
    verification,
)
from steward.requests.results import Progress, RunResult
from steward.requests.states import CLOSED, RequestError, State
from steward.requests.tables import RequestApproval, SubjectRequest
from steward.store.db import transaction
from steward.store.registers import record_register
from steward.store.tables import utcnow

log = logging.getLogger("steward.requests")
EXECUTABLE = frozenset(KINDS)
DESTRUCTIVE = frozenset({"erasure", "restriction", "rectification"})
RESULT_KINDS = frozenset({"access", "portability", "information"})
# done in Steward's store when executed (the consent ledger, the restriction list, a schedule)
LEDGER_KINDS = frozenset({"objection", "withdraw-consent"})
WORKER = "steward:worker"
WORKING, EXECUTING = Phrase(N_("working")), Phrase(N_("executing"))
"""Why Steward moved a request on by itself, on the timeline."""
WAITING = "waiting for a worker: the job queue cannot be reached; the run is kept and handed over"


@dataclass(frozen=True)
class Actor:
    """Who acts: the audit name, whether they hold ``requests.approve``, their address."""

    name: str
    approver: bool = False
    ip: str | None = None


def parse_rectification(text: str) -> dict[str, str]:
    """``category=value`` or ``table.column=value`` lines, as an agent types them."""
    values: dict[str, str] = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        key, sep, value = line.partition("=")
        if not sep or not key.strip():
            raise RequestError(
                N_("write each correction on its own line as category=value or table.column=value")
            )
        values[key.strip()] = value.strip()
    return values


def identifiers_of(request: SubjectRequest) -> dict[str, str]:
    """The identifiers a run searches for: the proven ones only (``verification.proven``).

    Raises ``RequestError`` when the request proves none; the others are never searched.
    """
    proven = verification.proven(request)
    if not proven:
        raise RequestError(
            N_(
                "no identifier of this request is proven; nothing is searched. Confirm the "
                "identifiers you checked (an agent's check) or have the subject enter their code"
            )
        )
    return {k: v for k, v in verification.identifiers_of(request).items() if k in proven}


def _run_result(run: ExecutionRun) -> RunResult | None:
    return RunResult.from_summary(json.loads(run.result)) if run.result else None


def newest_run(session: Session, request: SubjectRequest, *, dry_run: bool | None = None) -> Any:
    query = select(ExecutionRun).where(ExecutionRun.request_id == request.id)
    if dry_run is not None:
        query = query.where(ExecutionRun.dry_run == dry_run)
    return session.scalars(query.order_by(ExecutionRun.id.desc()).limit(1)).first()


def progress(session: Session, request: SubjectRequest) -> Progress | None:
    """Where the request's newest run is (queued, datastore 2 of 3, done, stopped and why)."""
    run = newest_run(session, request)
    return None if run is None else run_progress(session, run.id)


def run_progress(session: Session, run_id: int) -> Progress | None:
    run = session.get(ExecutionRun, run_id)
    if run is None:
        return None
    done = session.scalar(
        select(func.count(ExecutionStep.id)).where(
            ExecutionStep.run_id == run.id, ExecutionStep.status == "done"
        )
    )
    return Progress(
        run=run.id,
        dry_run=run.dry_run,
        status=run.status,
        steps_done=int(done or 0),
        steps_total=run.steps_total,
        error=run.error,
        next_attempt_at=run.next_attempt_at,
        waiting=run.status == "queued",
        result=_run_result(run),
    )


def pending_approval(session: Session, request: SubjectRequest) -> RequestApproval | None:
    return session.scalars(
        select(RequestApproval)
        .where(RequestApproval.request_id == request.id, RequestApproval.decision.is_(None))
        .order_by(RequestApproval.id.desc())
    ).first()


def approvals(session: Session, request: SubjectRequest) -> list[RequestApproval]:
    return list(
        session.scalars(
            select(RequestApproval)
            .where(RequestApproval.request_id == request.id)
            .order_by(RequestApproval.id)
        )
    )


def dispatch(sessions: sessionmaker[Session], run_id: int) -> bool:
    """Hand run ``run_id`` to the job runner; False (and the run marked waiting) when the job
    queue cannot be reached. The run is in the store either way: nothing is lost."""
    from steward.jobs import enqueue

    try:
        enqueue("execution.run", run_id=run_id)
        return True
    except Exception as exc:  # the broker is down or refuses: the store keeps the run
        log.warning("run %s waits in the store: %s", run_id, type(exc).__name__)
        with transaction(sessions) as session:
            run = session.get(ExecutionRun, run_id)
            if run is not None and run.status == "queued":
                run.error = WAITING
        return False


def data_change(register: Any, kind: str) -> str | None:
    """The kind of change to the operator's data a request of ``kind`` makes once approved:
    an erasure, restriction or rectification, and an objection where ``register`` says
    objecting erases the account (it is then an erasure); None for the others."""
    if kind in DESTRUCTIVE:
        return kind
    if kind == "objection" and register is not None and kinds.objection_erases(register):
        return "erasure"
    return None


@dataclass(frozen=True)
class Fulfilment:
    sessions: sessionmaker[Session]
    register_path: Path | None
    secret: str
    base_url: str
    link_days: int = 7
    self_approval: bool = False
    identifier_key: bytes = b""  # the ledger's identifier digests (the disclosure log's too)
    consent_keys: Any = None  # consent.identity.ConsentKeys: the ledger's and the list's keys
    webhook_url: str | None = None

    @classmethod
    def from_settings(cls, sessions: sessionmaker[Session], settings: Any) -> Fulfilment:
        from steward.consent.identity import ConsentKeys

        return cls(
            sessions,
            settings.register_path,
            settings.secret_key.get_secret_value(),
            settings.base_url,
            settings.requests_result_link_days,
            settings.requests_self_approval,
            settings.identifier_key(),
            ConsentKeys.from_settings(settings),
            settings.consent_webhook_url,
        )

    # -- the faces call these -----------------------------------------------------------------
    def preview(self, request_id: int, actor: Actor, text: str = "") -> int:
        """Queue a rolled-back run that shows what execution would do; returns its run id."""
        with transaction(self.sessions) as session:
            found = service.get(session, request_id)
            run_id = self._submit(session, found, actor, dry_run=True, rectify=text)
            queued = Phrase(N_("run %(run)s"), run=run_id)
            service.record_event(session, found, actor.name, "preview-queued", queued)
        dispatch(self.sessions, run_id)
        return run_id

    def execute(self, request_id: int, actor: Actor, text: str = "") -> int:
        """Queue the run; for a change to the operator's data, ask for approval instead (with a
        preview attached) unless an approver's approval is what starts it. Returns the run id;
        0 for an information request (answered at once) or an objection or withdrawal done in
        the store (``kinds.py``), then completed."""
        with transaction(self.sessions) as session:
            found = service.get(session, request_id)
            if found.kind == "information":
                self._answer_transfers(session, found, actor)
                return 0
            if self.changes_data(session, found):
                run_id = self._ask(session, found, actor, text)
            elif found.kind in LEDGER_KINDS:
                self._ledger_kind(session, found, actor)
                return 0  # no run: done in the store, the request is completed
            else:
                if found.state == State.VERIFIED:
                    service.transition(
                        session, found, State.IN_PROGRESS, actor=actor.name, why=EXECUTING
                    )
                run_id = self._submit(session, found, actor, dry_run=False, rectify=text)
                queued = Phrase(N_("run %(run)s"), run=run_id)
                service.record_event(session, found, actor.name, "run-queued", queued)
        dispatch(self.sessions, run_id)
        return run_id

    def approve(self, request_id: int, approver: Actor, reason: str = "") -> int:
        """Approve the pending ask: the run it previewed is queued. Returns the run id."""
        with transaction(self.sessions) as session:
            found = service.get(session, request_id)
            ask = self._decidable(session, found, approver)
            preview = session.get(ExecutionRun, ask.preview_run) if ask.preview_run else None
            if preview is None or preview.status != "done":
                raise RequestError(
                    N_("the preview has not finished yet; approve once it shows what will change")
                )
            ask.decision, ask.decided_by, ask.decided_at = "approved", approver.name, utcnow()
            ask.reason = reason.strip()
            service.transition(
                session,
                found,
                State.IN_PROGRESS,
                actor=approver.name,
                why=(
                    Phrase(N_("approved: %(reason)s"), reason=reason.strip())
                    if reason.strip()
                    else Phrase(N_("approved: as previewed"))
                ),
                ip=approver.ip,
                gate=True,
            )
            rectify = json.loads(ask.rectify)
            run_id = self._submit(
                session, found, approver, dry_run=False, rectify_values=rectify, checked=True
            )
            queued = Phrase(N_("run %(run)s"), run=run_id)
            service.record_event(session, found, approver.name, "run-queued", queued)
        dispatch(self.sessions, run_id)
        return run_id

    def reject(self, request_id: int, approver: Actor, reason: str) -> None:
        """Refuse the pending ask, with a reason; nothing runs and the request stays open."""
        if not reason.strip():
            raise RequestError(N_("a refusal needs a reason for the record"))
        with transaction(self.sessions) as session:
            found = service.get(session, request_id)
            ask = self._decidable(session, found, approver)
            ask.decision, ask.decided_by, ask.decided_at = "rejected", approver.name, utcnow()
            ask.reason = reason.strip()
            service.transition(
                session,
                found,
                State.IN_PROGRESS,
                actor=approver.name,
                why=Phrase(N_("approval refused: %(reason)s"), reason=reason.strip()),
                ip=approver.ip,
                gate=True,
            )

    def complete(
        self,
        request_id: int,
        actor: Actor,
        outcome: str = "",
        *,
        result_file: tuple[bytes, str] | None = None,
        no_run_reason: str | None = None,
    ) -> str | None:
        """Close the request as completed and e-mail the subject; returns the result link.

        A change to the operator's data completes only when its newest run succeeded and left
        nothing identifying, or when an approver records ``no_run_reason``.
        """
        with transaction(self.sessions) as session:
            found = service.get(session, request_id)
            if result_file is not None:
                self._attach(session, found, actor, *result_file)
            return self._complete(
                session, found, actor, outcome=outcome, no_run_reason=no_run_reason
            )

    def attach(self, request_id: int, actor: Actor, data: bytes, content_type: str) -> None:
        """Attach a result file an agent prepared (access, portability, information); a new
        file voids the links to the old one."""
        with transaction(self.sessions) as session:
            self._attach(session, service.get(session, request_id), actor, data, content_type)

    # -- the worker calls this ----------------------------------------------------------------
    def finish_run(self, run_id: int) -> None:
        """Put the run's outcome on its request: the typed result of a finished run, or the
        reason a run stopped. A clean real run completes the request (e-mail included)."""
        with transaction(self.sessions) as session:
            run = session.get(ExecutionRun, run_id)
            if run is None or run.request_id is None:
                return
            # locked: the job and stale-run recovery may report the same run at once
            found = session.get(SubjectRequest, run.request_id, with_for_update=True)
            if found is None:
                return
            key = Phrase(N_("run %(run)s attempt %(attempt)s"), run=run.id, attempt=run.attempts)
            if self._recorded(session, found, str(key)):
                return  # a job that ran twice reports once
            what = "preview" if run.dry_run else "run"
            if run.status in ("retry", "failed"):
                tail = Phrase(
                    N_("; tried again later")
                    if run.status == "retry"
                    else N_("; it will not retry")
                )
                stopped = Phrase.join(key, ": ", run.error or "", tail)
                service.record_event(session, found, WORKER, f"{what}-stopped", stopped)
                return
            result = _run_result(run)
            if run.status != "done" or result is None:
                return
            if run.dry_run:
                previewed = Phrase.join(key, ": ", result.phrase())
                service.record_event(session, found, WORKER, "previewed", previewed)
                return
            described = Phrase.join(result.phrase(), verification.not_searched_note(found))
            if found.state in {s.value for s in CLOSED}:
                # a run after completion (a scheduled destruction): its result goes on the
                # timeline; the outcome the subject was told stays
                executed = Phrase.join(key, ": ", described)
                service.record_event(session, found, WORKER, "executed", executed)
                return
            service.set_outcome(found, described)
            export = session.get(ExecutionExport, run.id) if result.export else None
            if export is not None:
                found.result, found.result_type = export.content, "application/zip"
                found.result_nonce = secrets.token_hex(16)
            executed = Phrase.join(key, ": ", described)
            service.record_event(session, found, WORKER, "executed", executed)
            if not result.complete:
                service.record_event(
                    session,
                    found,
                    WORKER,
                    "not-completed",
                    Phrase.join(
                        key,
                        ": ",
                        Phrase(
                            N_(
                                "the re-search still found %(num)s identifying row(s); an agent "
                                "looks before the request is completed"
                            ),
                            num=result.residual,
                        ),
                    ),
                )
                return
            self._complete(session, found, Actor(WORKER), outcome="", result=result)

    # -- inside -------------------------------------------------------------------------------
    def _answer_transfers(self, session: Session, found: SubjectRequest, actor: Actor) -> None:
        """The register's recipients and the disclosures recorded for the proven identifiers,
        attached as the result and told in the completion e-mail; the request completes."""
        if found.verification_required and found.verified_at is None:
            raise RequestError(N_("the subject's identity is not verified; nothing is answered"))
        if found.state in {s.value for s in CLOSED}:
            raise RequestError(
                N_("the request is %(state)s; nothing is answered"), state=found.state
            )
        if self.register_path is None:
            raise RequestError(N_("no register is loaded; set STEWARD_REGISTER_PATH; nothing runs"))
        register, _ = record_register(session, self.register_path)
        answer = transfers.answer(
            session,
            register,
            self.identifier_key,
            identifiers_of(found),
            found.lang,
            subject=service.subject_kind_of(register, found),
        )
        found.result, found.result_type = answer.document(), "application/json"
        found.result_nonce = secrets.token_hex(16)
        recorded = Phrase.join(answer.phrase(), verification.not_searched_note(found))
        service.record_event(session, found, actor.name, "answered", recorded)
        self._complete(session, found, actor, outcome=recorded, told=answer.text(found.lang))

    def changes_data(self, session: Session, found: SubjectRequest) -> str | None:
        """The datastore change the request makes once approved (``data_change``), or None."""
        if found.kind != "objection" or self.register_path is None:
            return data_change(None, found.kind)
        return data_change(record_register(session, self.register_path)[0], found.kind)

    def _consents(self, session: Session) -> Any:
        from steward.consent.service import ConsentService

        if self.register_path is None or self.consent_keys is None:
            raise RequestError(N_("no register is loaded; set STEWARD_REGISTER_PATH; nothing runs"))
        register = record_register(session, self.register_path)[0]
        return ConsentService(register, self.consent_keys, webhook_url=self.webhook_url)

    def _ledger_kind(self, session: Session, found: SubjectRequest, actor: Actor) -> None:
        """An objection that stops purposes, or a withdrawal: done in the store, completed."""
        if found.verification_required and found.verified_at is None:
            raise RequestError(N_("the subject's identity is not verified; nothing is executed"))
        if found.state in {s.value for s in CLOSED}:
            raise RequestError(N_("the request is %(state)s; nothing runs"), state=found.state)
        ids, consents = identifiers_of(found), self._consents(session)
        if found.kind == "objection":
            done = kinds.object_to(session, consents, found, ids, actor.name)
        else:
            done = kinds.withdraw_all(session, consents, found, ids, actor.name)
        service.record_event(session, found, actor.name, "executed", done.recorded)
        self._complete(session, found, actor, outcome=done.recorded, told=done.told(found.lang))

    @staticmethod
    def _recorded(session: Session, found: SubjectRequest, key: str) -> bool:
        from steward.requests.tables import RequestEvent

        return (
            session.scalar(
                select(func.count(RequestEvent.id)).where(
                    RequestEvent.request_id == found.id,
                    RequestEvent.actor == WORKER,
                    RequestEvent.note.like(f"{key}:%"),
                )
            )
            or 0
        ) > 0

    def _register(self, session: Session, found: SubjectRequest) -> tuple[int, int, str]:
        """The stored register the run uses (its id), how many datastores it has and the
        subject kind the request is for."""
        if self.register_path is None:
            raise RequestError(N_("no register is loaded; set STEWARD_REGISTER_PATH; nothing runs"))
        register, loaded = record_register(session, self.register_path)
        return loaded.id, len(register.datastores), service.subject_kind_of(register, found)

    def _submit(
        self,
        session: Session,
        found: SubjectRequest,
        actor: Actor,
        *,
        dry_run: bool,
        rectify: str = "",
        rectify_values: dict[str, str] | None = None,
        checked: bool = False,
    ) -> int:
        kind = "erasure" if self.changes_data(session, found) == "erasure" else found.kind
        if kind not in EXECUTABLE:
            raise RequestError(
                N_("'%(kind)s' requests are answered by an agent; nothing runs on the databases"),
                kind=found.kind,
            )
        if found.verification_required and found.verified_at is None:
            raise RequestError(N_("the subject's identity is not verified; nothing is executed"))
        if found.state in {s.value for s in CLOSED}:
            raise RequestError(N_("the request is %(state)s; nothing runs"), state=found.state)
        if not checked and not dry_run and kind in DESTRUCTIVE:
            raise RequestError(N_("a change to the operator's data runs only once approved"))
        values = rectify_values
        if values is None:
            values = parse_rectification(rectify) if found.kind == "rectification" else {}
        register_id, total, subject = self._register(session, found)
        order = ExecutionRequest(
            kind=kind,  # type: ignore[arg-type]
            identifiers=identifiers_of(found),
            reference=found.reference,
            subject=subject,
            dry_run=dry_run,
            rectify=values,
            language=found.lang,
        )
        try:
            run = submit(
                session, order, register_id=register_id, request_id=found.id, steps_total=total
            )
            session.flush()
        except RunAlreadyOpen as exc:
            raise RequestError(str(exc)) from None
        except IntegrityError:  # another face submitted at the same moment
            raise RequestError(
                N_("request %(reference)s already has a run queued or running; wait for it"),
                reference=found.reference,
            ) from None
        except InvalidRequest as exc:
            raise RequestError(str(exc)) from None
        return run.id

    def _ask(self, session: Session, found: SubjectRequest, actor: Actor, text: str) -> int:
        asked = pending_approval(session, found)
        if asked is not None:
            preview = session.get(ExecutionRun, asked.preview_run) if asked.preview_run else None
            if preview is not None and preview.status != "failed":
                raise RequestError(N_("approval is already asked for; an approver decides"))
            # the attached preview stopped for good: the ask gets a new one
            values = json.loads(asked.rectify)
            run_id = self._submit(session, found, actor, dry_run=True, rectify_values=values)
            asked.preview_run = run_id
            again = Phrase(N_("run %(run)s (preview again)"), run=run_id)
            service.record_event(session, found, actor.name, "preview-queued", again)
            return run_id
        if found.state == State.VERIFIED:
            service.transition(session, found, State.IN_PROGRESS, actor=actor.name, why=WORKING)
        values = parse_rectification(text) if found.kind == "rectification" else {}
        run_id = self._submit(session, found, actor, dry_run=True, rectify_values=values)
        session.add(
            RequestApproval(
                request_id=found.id,
                asked_by=actor.name,
                asked_at=utcnow(),
                preview_run=run_id,
                rectify=json.dumps(values),
                reason="",
            )
        )
        service.transition(
            session,
            found,
            State.AWAITING_APPROVAL,
            actor=actor.name,
            why=Phrase(
                N_("the %(kind)s changes the operator's data; preview run %(run)s attached"),
                kind=found.kind,
                run=run_id,
            ),
            ip=actor.ip,
            gate=True,
        )
        return run_id

    def _decidable(
        self, session: Session, found: SubjectRequest, approver: Actor
    ) -> RequestApproval:
        if not approver.approver:
            raise RequestError(N_("deciding needs requests.approve (a DPO or an owner)"))
        ask = pending_approval(session, found)
        if ask is None or found.state != State.AWAITING_APPROVAL:
            raise RequestError(N_("nothing awaits approval on this request"))
        if ask.asked_by == approver.name and not self.self_approval:
            raise RequestError(
                N_(
                    "the person who asked cannot approve their own request; another approver "
                    "decides (STEWARD_REQUESTS_SELF_APPROVAL allows it)"
                )
            )
        return ask

    def _attach(
        self, session: Session, found: SubjectRequest, actor: Actor, data: bytes, kind: str
    ) -> None:
        if found.kind not in RESULT_KINDS:
            raise RequestError(
                N_("a '%(kind)s' request has no result file to attach"), kind=found.kind
            )
        found.result, found.result_type = data, kind
        found.result_nonce = secrets.token_hex(16)
        attached = Phrase(N_("result file (%(size)s bytes)"), size=len(data))
        service.record_event(session, found, actor.name, "result-attached", attached)

    def _complete(
        self,
        session: Session,
        found: SubjectRequest,
        actor: Actor,
        *,
        outcome: str | Phrase,
        no_run_reason: str | None = None,
        result: RunResult | None = None,
        told: str | None = None,
    ) -> str | None:
        # ``recorded``: the staff's line (counts, holds); ``told``: the subject's, in their language
        recorded: Phrase | str
        changes = self.changes_data(session, found)
        if changes:
            recorded, told = self._destructive_outcome(session, found, actor, result, no_run_reason)
            if found.kind == "objection":
                told = kinds.words(found.lang)["objection-erasure"] + "\n" + told
            if found.kind == "restriction" and no_run_reason is None:
                added = kinds.restrict(
                    session, self._consents(session), found, identifiers_of(found)
                )
                listed = N_("; restriction list: %(num)s identifier(s), every purpose")
                recorded = Phrase.join(recorded, Phrase(listed, num=added))
        elif result is not None:
            recorded, told = result.phrase(), report.of(result, found.lang)
        else:
            typed = outcome if isinstance(outcome, Phrase) else outcome.strip()
            recorded = typed or service.outcome_of(found) or Phrase(N_("done"))
            told = told or (recorded.say(found.lang) if isinstance(recorded, Phrase) else recorded)
        if found.kind == "portability" and self.register_path is not None:
            register = record_register(session, self.register_path)[0]
            left_out = kinds.portability_excluded(
                register, service.subject_kind_of(register, found)
            )
            if left_out:
                tables = "; ".join(f"{t} ({bases})" for t, bases in left_out)
                told += "\n" + kinds.words(found.lang)["portability-left-out"].format(tables=tables)
        if result is not None and "not searched" not in str(recorded):
            recorded = Phrase.join(recorded, verification.not_searched_note(found))
        if found.state == State.VERIFIED:
            service.transition(session, found, State.IN_PROGRESS, actor=actor.name, why=WORKING)
        service.transition(
            session, found, State.COMPLETED, actor=actor.name, why=recorded, ip=actor.ip, gate=True
        )
        service.set_outcome(found, recorded)
        link, link_text = None, ""
        if found.kind in RESULT_KINDS and found.result is not None:
            if found.result_nonce is None:
                found.result_nonce = secrets.token_hex(16)
            token = links.result_token(self.secret, found.id, found.result_nonce)
            link = f"{self.base_url.rstrip('/')}/privacy/requests/result/{token}"
            link_text = emails.link_text(found.lang).format(days=self.link_days, link=link)
        emails.send(session, found, "completed", outcome=told, link_text=link_text)
        return link

    def _destructive_outcome(
        self,
        session: Session,
        found: SubjectRequest,
        actor: Actor,
        result: RunResult | None,
        no_run_reason: str | None,
    ) -> tuple[Phrase, str]:
        """The completion texts (recorded, told) of a change to the operator's data, from the
        run that made it or an approver's reason; anything else refuses (no skipping the gate)."""
        if no_run_reason is not None:
            if not actor.approver:
                raise RequestError(N_("only an approver (DPO or owner) may complete without a run"))
            if not no_run_reason.strip():
                raise RequestError(N_("say why no run is needed; the reason is kept on the record"))
            if open_run(session, found.id) is not None:
                raise RequestError(N_("a run is queued or running; wait for it"))
            ask = pending_approval(session, found)
            if ask is None:
                ask = RequestApproval(
                    request_id=found.id, asked_by=actor.name, asked_at=utcnow(), rectify="{}"
                )
                session.add(ask)
            ask.decision, ask.decided_by, ask.decided_at = "no-run", actor.name, utcnow()
            ask.reason = no_run_reason.strip()
            why = no_run_reason.strip()
            without = Phrase(N_("completed without a run: %(reason)s"), reason=why)
            return without, report.no_run(why, found.lang)
        if result is None:
            run = newest_run(session, found, dry_run=False)
            result = _run_result(run) if run is not None and run.status == "done" else None
        if result is None:
            raise RequestError(
                N_(
                    "this %(kind)s has no successful run: execute it (an approver approves), or "
                    "an approver completes it with the reason no run is needed"
                ),
                kind=found.kind,
            )
        if not result.complete:
            raise RequestError(
                N_(
                    "the run left %(num)s identifying row(s); look into them and run "
                    "again, or an approver completes with the reason"
                ),
                num=result.residual,
            )
        return result.phrase(), report.of(result, found.lang)
