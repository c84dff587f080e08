"""Data-subject requests: intake, identity verification, the state machine, deadlines, the queue.

    from steward.requests import service
    req = service.file_request(session, register, Intake(kind="access", email="a@example.com"))
    service.transition(session, req, "in-progress", actor="agent@example.com", why="started")

Deadlines come from ``steward.law``; executing a request against the operator's databases is
the job of an executor registered through ``steward.requests.execution``.
"""
