"""Data-subject requests: intake, identity verification, the state machine, deadlines, the queue.

    from steward.requests import service
    req = service.file_request(session, register, Intake(kind="access", email="a@example.com"))
    service.transition(session, req, "in-progress", actor="agent@example.com", why="started")

Deadlines come from ``steward.law``; preview, approval, execution on the operator's databases
(through ``steward.jobs``) and completion belong to ``steward.requests.fulfil``.
"""
