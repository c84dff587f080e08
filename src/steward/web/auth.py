"""Who is asking, and may they: the one mechanism that guards every admin page and API route.

    @router.get("/admin/requests")
    def requests_page(request: Request, who: Principal = Depends(require("requests.read"))): ...

    @router.post("/api/v1/consents")
    def record(who: Principal = Depends(require_scope("consents:write"))): ...

    who.record(session, "request.approve", object_type="request", object_id=42)  # audit log

``require(permission)`` accepts a signed-in person whose role grants ``permission`` or, on
``/api/`` routes only, an API token whose scopes do (``SCOPE_PERMISSIONS``). A token is not a
person: outside ``/api/`` it is ignored, so no token reaches an admin page (confirming an
identity, executing, approving, completing). Signed out: pages redirect to sign-in, the API
answers 401; signed in without the permission: 403. On POST/PUT/PATCH/DELETE from a browser
session it also checks the CSRF token (form field ``csrf_token`` or header ``X-CSRF-Token``),
so every form behind ``require`` is protected. ``require_scope(scope)`` takes only API tokens
(``Authorization: Bearer stw_...``). Forms outside sign-in use ``Depends(csrf_protect)``.
Templates put ``{{ csrf_field() }}`` inside every ``<form method="post">``.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from fastapi import Request
from markupsafe import Markup
from sqlalchemy.orm import Session

from steward.accounts.people import totp_required
from steward.accounts.sessions import load_session
from steward.accounts.tables import ROLES, Person
from steward.accounts.tokens import authenticate_token
from steward.ledger.audit import AuditEntry, record
from steward.lib.i18n import N_
from steward.store.db import transaction
from steward.web.errors import ApiError, SignInRequired, TotpEnrolmentRequired
from steward.web.security import CSRF_COOKIE, SESSION_COOKIE

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
API_PREFIX = "/api/"

# Every permission, with what it allows. Add the ones your pages need, then grant them below.
PERMISSIONS: dict[str, str] = {
    "dashboard.read": "See the dashboard",
    "account": "Manage one's own account: password, second factor, sessions",
    "requests.read": "See data-subject requests",
    "requests.work": "Work requests: verify, collect, reply",
    "requests.approve": "Approve or refuse erasures and other decisions",
    "consents.read": "See consents and their history",
    "consents.write": "Record or withdraw a consent on someone's behalf",
    "notices.read": "See privacy notices and their versions",
    "notices.publish": "Publish a new notice version",
    "register.read": "See the processing register",
    "register.reload": "Load a new register",
    "discovery.read": "See what discovery found in the operator's databases",
    "discovery.decide": "Accept discovery findings as declared, or dismiss them",
    "retention.read": "See retention sweeps, their acts and holds",
    "retention.manage": "Run a retention sweep, place and release holds",
    "breaches.read": "See the breach register",
    "breaches.write": "Record and update breaches",
    "audit.read": "Read the audit log",
    "audit.export": "Download the audit log",
    "people.read": "See who has an account",
    "people.manage": "Invite people, change roles, deactivate accounts",
    "tokens.manage": "Create and revoke API tokens",
    "outbox.read": "See e-mail Steward sent or would send",
    "filings.read": "See the Art. 30 record and the drafts of filings to regulators",
    "filings.file": "Record that a filing was made (date and registry number)",
    "disclosures.read": "See the disclosure log (recipients and dates, never identifiers)",
    "disclosures.write": "Record a disclosure of a subject's data to a recipient",
    "settings.read": "See settings",
    "settings.manage": "Change settings",
}

_READ_ALL = frozenset(p for p in PERMISSIONS if p.endswith(".read"))
ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    "owner": frozenset(PERMISSIONS),
    "dpo": frozenset(PERMISSIONS) - {"people.manage"},
    "agent": frozenset(
        {
            "dashboard.read",
            "account",
            "requests.read",
            "requests.work",
            "consents.read",
            "consents.write",
            "notices.read",
            "register.read",
            "disclosures.read",
        }
    ),
    "auditor": _READ_ALL | {"account", "audit.export"},
}
assert set(ROLE_PERMISSIONS) == set(ROLES)
assert all(p in PERMISSIONS for perms in ROLE_PERMISSIONS.values() for p in perms)

# What an API token's scopes let it do when a route asks ``require(permission)``.
SCOPE_PERMISSIONS: dict[str, frozenset[str]] = {
    "consents:read": frozenset({"consents.read"}),
    "consents:write": frozenset({"consents.read", "consents.write"}),
    "requests:read": frozenset({"requests.read"}),
    "requests:write": frozenset({"requests.read", "requests.work"}),
    "breaches:read": frozenset({"breaches.read"}),
    "breaches:write": frozenset({"breaches.read", "breaches.write"}),
    "disclosures:read": frozenset({"disclosures.read"}),
    "disclosures:write": frozenset({"disclosures.read", "disclosures.write"}),
    # only the restriction list (GET /api/v1/restrictions, POST .../check): no person permission
    "restrictions:read": frozenset(),
}


@dataclass(frozen=True)
class Principal:
    """The signed-in person or the API token behind a request."""

    kind: Literal["person", "token"]
    id: int
    name: str  # a person's e-mail address, a token's name
    role: str | None
    permissions: frozenset[str]
    scopes: frozenset[str] = frozenset()
    ip: str | None = None
    session_id: int | None = None
    display_name: str = ""
    must_enrol_totp: bool = False
    language: str | None = None  # the admin pages' language the person chose (None: browser's)
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def actor(self) -> str:
        """How the audit log names this principal."""
        return self.name if self.kind == "person" else f"token:{self.id}:{self.name}"

    def can(self, permission: str) -> bool:
        return permission in self.permissions

    def record(
        self,
        session: Session,
        action: str,
        *,
        object_type: str | None = None,
        object_id: str | int | None = None,
        details: dict[str, Any] | None = None,
    ) -> AuditEntry:
        """Append what this principal did to the audit log, in ``session``'s transaction."""
        return record(
            session,
            actor=self.actor,
            action=action,
            object_type=object_type,
            object_id=object_id,
            ip=self.ip,
            details=details,
        )


def client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


def person_principal(
    person: Person, *, ip: str | None, session_id: int | None, must_enrol_totp: bool = False
) -> Principal:
    return Principal(
        kind="person",
        id=person.id,
        name=person.email,
        role=person.role,
        permissions=ROLE_PERMISSIONS.get(person.role, frozenset()),
        ip=ip,
        session_id=session_id,
        display_name=person.name or person.email,
        must_enrol_totp=must_enrol_totp,
        language=person.language,
    )


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


def current_principal(request: Request) -> Principal | None:
    """The principal of this request, or None; looked up once per request."""
    if "principal" in request.scope.get("state", {}):
        cached: Principal | None = request.state.principal
        return cached
    principal: Principal | None = None
    ip = client_ip(request)
    # Tokens are for machines on the API; anywhere else the header is ignored.
    raw_token = bearer_token(request) if request.url.path.startswith(API_PREFIX) else None
    with transaction(request.app.state.sessions) as session:
        if raw_token is not None:
            token = authenticate_token(session, raw_token)
            if token is not None:
                scopes = token.scope_set
                permissions = frozenset().union(*(SCOPE_PERMISSIONS.get(s, ()) for s in scopes))
                principal = Principal("token", token.id, token.name, None, permissions, scopes, ip)
        elif raw_cookie := request.cookies.get(SESSION_COOKIE):
            row = load_session(session, raw_cookie)
            if row is not None and row.stage == "full":
                person = session.get(Person, row.person_id)
                if person is not None and person.active:
                    must_enrol = not person.totp_enabled and (
                        person.role in totp_roles(request) or totp_required(session)
                    )
                    principal = person_principal(
                        person, ip=ip, session_id=row.id, must_enrol_totp=must_enrol
                    )
    request.state.principal = principal
    return principal


def totp_roles(request: Request) -> frozenset[str]:
    """The roles that must set up a second factor (``STEWARD_TOTP_ROLES``)."""
    raw: str = request.app.state.settings.totp_roles
    return frozenset(role.strip() for role in raw.split(",") if role.strip())


def csrf_token_for(secret_key: str, seed: str) -> str:
    return hmac.new(secret_key.encode(), b"csrf:" + seed.encode(), hashlib.sha256).hexdigest()


def csrf_token(request: Request) -> str:
    """The CSRF token for this browser: an HMAC of its random ``steward_csrf`` cookie."""
    seed = request.scope.get("state", {}).get("csrf_seed") or request.cookies.get(CSRF_COOKIE, "")
    return csrf_token_for(request.app.state.settings.secret_key.get_secret_value(), seed)


def csrf_field(request: Request) -> Markup:
    return Markup('<input type="hidden" name="{}" value="{}">').format(
        CSRF_FIELD, csrf_token(request)
    )


async def csrf_protect(request: Request) -> None:
    """Refuse an unsafe request whose CSRF token is missing or wrong (403 ``csrf``)."""
    if request.method in SAFE_METHODS:
        return
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if not request.cookies.get(CSRF_COOKIE) or not sent:
        raise ApiError(
            403, "csrf", N_("The form expired or came from another site; reload the page.")
        )
    if not hmac.compare_digest(sent, csrf_token(request)):
        raise ApiError(
            403, "csrf", N_("The form expired or came from another site; reload the page.")
        )


def require(permission: str) -> Callable[[Request], Awaitable[Principal]]:
    """A dependency: the principal allowed ``permission``, else 401/redirect or 403."""
    if permission not in PERMISSIONS:
        raise ValueError(f"unknown permission {permission!r}; add it to PERMISSIONS in web/auth.py")

    async def dependency(request: Request) -> Principal:
        principal = current_principal(request)
        if principal is None:
            raise SignInRequired()
        if principal.kind == "person":
            await csrf_protect(request)
            if principal.must_enrol_totp and permission != "account":
                raise TotpEnrolmentRequired()
        if not principal.can(permission):
            if principal.role:
                refused = N_("Your role %(role)s does not allow %(permission)s.")
            else:
                refused = N_("Your token's scopes do not allow %(permission)s.")
            raise ApiError(403, "forbidden", refused, role=principal.role, permission=permission)
        return principal

    dependency.__name__ = f"require_{permission.replace('.', '_')}"
    return dependency


def require_scope(scope: str) -> Callable[[Request], Principal]:
    """A dependency for machine endpoints: an API token (Bearer) carrying ``scope``."""
    if scope not in SCOPE_PERMISSIONS:
        raise ValueError(f"unknown scope {scope!r}; add it to SCOPE_PERMISSIONS in web/auth.py")

    def dependency(request: Request) -> Principal:
        if bearer_token(request) is None:
            raise ApiError(
                401, "unauthenticated", N_("Send an API token: Authorization: Bearer ...")
            )
        principal = current_principal(request)
        if principal is None or principal.kind != "token":
            raise ApiError(401, "unauthenticated", N_("The API token is unknown or revoked."))
        if scope not in principal.scopes:
            raise ApiError(
                403, "forbidden", N_("This API token lacks the scope %(scope)s."), scope=scope
            )
        return principal

    dependency.__name__ = f"require_scope_{scope.replace(':', '_')}"
    return dependency
