"""A request says which subject kind it is for (issue 12, point 1), through the product's faces.

The shop of ``shop_schema.py``: Sam is employee 3, Cat is customer 3. The Privacy Center
offers the register's kinds with its default (``policy.requests.subject``) preselected; the
request records the kind it was filed for; its run searches and changes only that kind's rows.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from ..integration.datastores.shop_schema import ddl, fill, register_yaml
from ..jobs_app import embedded_app
from ..personas import api_token
from .seed_operators import Staff, executed, file_and_verify

Snapshot = dict[str, dict[Any, tuple[Any, ...]]]


@pytest.fixture
def shop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, sa.Engine]:
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        for statement in ddl("sqlite"):
            connection.exec_driver_sql(statement)
        fill(connection)
    monkeypatch.setenv("SHOP_DB_URL", url)
    register = tmp_path / "shop.yaml"
    register.write_text(register_yaml("sqlite", "SHOP_DB_URL"), encoding="utf-8")
    app = embedded_app(
        tmp_path, monkeypatch, register_path=str(register), base_url="http://testserver"
    )
    yield app, engine
    engine.dispose()


def _snapshot(engine: sa.Engine) -> Snapshot:
    meta = sa.MetaData()
    meta.reflect(engine)
    with engine.connect() as connection:
        return {
            name: {row[0]: tuple(row) for row in connection.execute(table.select())}
            for name, table in meta.tables.items()
        }


def _changed(before: Snapshot, after: Snapshot) -> dict[str, set[Any]]:
    return {
        table: diff
        for table, rows in before.items()
        if (diff := {key for key, row in rows.items() if after[table].get(key) != row})
    }


def test_the_form_offers_the_registers_kinds_with_its_default_chosen(shop: Any) -> None:
    app, _ = shop
    form = TestClient(app).get("/privacy/requests/new?lang=en")
    assert form.status_code == 200
    offered = re.search(r'<select id="subject_kind"[^>]*>(.*?)</select>', form.text, re.S)
    assert offered is not None, "the form does not ask which kind of subject files"
    options = re.findall(r'<option value="([^"]+)"( selected)?>([^<]+)</option>', offered.group(1))
    assert [(v, bool(s), n) for v, s, n in options] == [
        ("customer", True, "Customer"),
        ("employee", False, "Employee"),
    ]


def test_an_employees_erasure_filed_as_employee_changes_only_the_employees_row(
    shop: Any,
) -> None:
    app, engine = shop
    before = _snapshot(engine)
    _, request_id = file_and_verify(app, "erasure", "sam@shop.example", subject_kind="employee")
    agent = Staff(app, "agent")
    detail = agent.client.get(f"/admin/requests/{request_id}").text
    assert re.search(r'id="subject-kind">employee<', detail), "the request does not say its kind"
    agent.act(request_id, "execute")
    Staff(app, "dpo").act(request_id, "approve", "Sam left the company")
    page = agent.wait_for(request_id, executed("erasure"), "erased")
    assert page.state == "completed", page
    after = _snapshot(engine)
    assert _changed(before, after) == {"staff": {3}}, "only Sam's row may change"
    assert "sam@shop.example" not in after["staff"][3] and "Sam" not in after["staff"][3]
    # customer 3 (Cat) shares Sam's id and was not touched
    assert after["customers"][3] == before["customers"][3]


def test_the_same_address_filed_as_the_default_kind_finds_no_employee_row(shop: Any) -> None:
    app, engine = shop
    before = _snapshot(engine)
    _, request_id = file_and_verify(app, "access", "sam@shop.example")  # the default: customer
    agent = Staff(app, "agent")
    detail = agent.client.get(f"/admin/requests/{request_id}").text
    assert re.search(r'id="subject-kind">customer<', detail)
    agent.act(request_id, "execute")
    page = agent.wait_for(request_id, executed("access"), "answered")
    assert page.outcome == "access: nothing found", page.outcome  # Sam is no customer
    assert _snapshot(engine) == before


def test_the_api_refuses_a_kind_the_register_does_not_declare_and_stores_nothing(
    shop: Any,
) -> None:
    app, _ = shop
    client = TestClient(app)
    headers = {"Authorization": f"Bearer {api_token(app, {'requests:write', 'requests:read'})}"}
    refused = client.post(
        "/api/v1/requests",
        json={"kind": "access", "email": "sam@shop.example", "subject_kind": "robot"},
        headers=headers,
    )
    assert refused.status_code == 422, refused.text
    assert "customer, employee" in refused.json()["error"]["message"]
    listed = client.get("/api/v1/requests", headers=headers)
    assert listed.status_code == 200 and listed.json() == [], listed.text
    filed = client.post(
        "/api/v1/requests",
        json={"kind": "access", "email": "sam@shop.example", "subject_kind": "employee"},
        headers=headers,
    )
    assert filed.status_code == 201, filed.text
    assert filed.json()["subject_kind"] == "employee"


def _rename_employee_kind(app: Any) -> None:
    """The register's kind ``employee`` becomes ``worker``, reloaded by an owner in the admin."""
    register = Path(app.state.settings.register_path)
    register.write_text(register.read_text().replace("employee", "worker"), encoding="utf-8")
    owner = Staff(app, "owner")
    reloaded = owner.client.post("/admin/register/reload", data={"csrf_token": owner.csrf})
    assert reloaded.status_code == 200 and "worker" in register.read_text(), reloaded.text[:500]


def test_a_request_whose_kind_the_register_dropped_runs_nothing_and_says_why(
    shop: Any,
) -> None:
    app, engine = shop
    before = _snapshot(engine)
    _, request_id = file_and_verify(app, "erasure", "sam@shop.example", subject_kind="employee")
    _rename_employee_kind(app)
    agent = Staff(app, "agent")
    for action in ("preview", "execute"):
        answer = agent.client.post(
            f"/admin/requests/{request_id}",
            data={"csrf_token": agent.csrf, "action": action, "text": ""},
        )
        assert answer.status_code == 400, (action, answer.status_code)
        assert "no longer declares the subject kind &#39;employee&#39;" in answer.text or (
            "no longer declares the subject kind 'employee'" in answer.text
        ), answer.text[:3000]
    assert agent.page(request_id).state == "verified"
    assert _snapshot(engine) == before


def test_an_agent_corrects_the_kind_of_a_request_the_register_renamed_and_it_runs(
    shop: Any,
) -> None:
    app, engine = shop
    before = _snapshot(engine)
    _, request_id = file_and_verify(app, "erasure", "sam@shop.example", subject_kind="employee")
    _rename_employee_kind(app)
    agent = Staff(app, "agent")
    detail = agent.client.get(f"/admin/requests/{request_id}").text
    offered = re.search(r'<form[^>]*id="step-subject-kind".*?</form>', detail, re.S)
    assert offered, "the page offers no way to correct the kind"
    assert re.findall(r'<option value="([^"]+)"', offered.group(0)) == ["customer", "worker"]
    refused = agent.client.post(
        f"/admin/requests/{request_id}",
        data={"csrf_token": agent.csrf, "action": "subject-kind", "text": "robot"},
    )
    assert refused.status_code == 400 and "robot" in refused.text
    unchosen = agent.client.post(  # no kind chosen is no kind, not the register's default
        f"/admin/requests/{request_id}",
        data={"csrf_token": agent.csrf, "action": "subject-kind", "text": " "},
    )
    assert unchosen.status_code == 400 and "choose the subject kind" in unchosen.text
    assert re.search(
        r'id="subject-kind">employee<', agent.client.get(f"/admin/requests/{request_id}").text
    )

    agent.act(request_id, "subject-kind", "worker")
    page = agent.page(request_id)
    assert "employee → worker" in page.timeline, page.timeline
    assert re.search(
        r'id="subject-kind">worker<', agent.client.get(f"/admin/requests/{request_id}").text
    )
    agent.act(request_id, "execute")
    stuck = agent.client.post(  # an execution waits for approval: the kind stays
        f"/admin/requests/{request_id}",
        data={"csrf_token": agent.csrf, "action": "subject-kind", "text": "customer"},
    )
    assert stuck.status_code == 400 and "waiting for approval" in stuck.text
    Staff(app, "dpo").act(request_id, "approve", "Sam left the company")
    page = agent.wait_for(request_id, executed("erasure"), "erased")
    assert page.state == "completed", page
    assert _changed(before, _snapshot(engine)) == {"staff": {3}}, "only Sam's row may change"
    with app.state.sessions() as session:
        from steward.ledger.audit import AuditEntry

        actions = [a for a in session.scalars(sa.select(AuditEntry.action))]
    assert "request.subject-kind" in actions, actions


def _completion_mail(app: Any, email: str) -> str:
    from steward.notify.outbox import OutboxMessage

    with app.state.sessions() as session:
        mail = session.scalars(
            sa.select(OutboxMessage)
            .where(OutboxMessage.kind == "request.completed")
            .where(OutboxMessage.to_address == email)
            .order_by(OutboxMessage.id.desc())
        ).first()
    assert mail is not None, "no completion e-mail was queued"
    return str(mail.body_text)


@pytest.mark.parametrize(
    ("kind", "told", "not_told"),
    [("employee", "Payroll Co", "Courier Co"), ("customer", "Courier Co", "Payroll Co")],
)
def test_an_information_answer_names_the_recipients_of_the_requests_kind_only(
    shop: Any, kind: str, told: str, not_told: str
) -> None:
    app, _ = shop
    _, request_id = file_and_verify(app, "information", "sam@shop.example", subject_kind=kind)
    Staff(app, "agent").act(request_id, "execute")
    mail = _completion_mail(app, "sam@shop.example")
    assert told in mail and not_told not in mail, mail


def test_a_portability_answer_names_only_its_kinds_tables_as_left_out(shop: Any) -> None:
    app, _ = shop
    agent = Staff(app, "agent")
    told = {}
    for kind in ("employee", "customer"):
        email = "sam@shop.example" if kind == "employee" else "cat@example.com"
        _, request_id = file_and_verify(app, "portability", email, subject_kind=kind)
        agent.act(request_id, "execute")
        page = agent.wait_for(request_id, executed("portability"), "with its export")
        if page.state != "completed":
            agent.act(request_id, "complete", "Your data is attached.")
        told[kind] = _completion_mail(app, email)
    assert "shop.invoices (legal-obligation)" in told["customer"], told["customer"]
    assert "invoices" not in told["employee"], told["employee"]  # an employee has no invoices
