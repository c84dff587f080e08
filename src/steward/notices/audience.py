"""Who is told about a material change: every subject who has an account with the operator.

    holders = account_holders(register)          # [AccountHolder("ann@example.com", "ru"), ...]

Where they come from: the register's datastores. A table that declares ``subject:`` is the
table of that kind of subject's accounts (``customers``), and its identity column of kind
``email`` holds the address to write to. This module reads those columns, and only those, with
one ``SELECT DISTINCT`` per table, through the connection the register names (an environment
variable, as everywhere, through ``datastores.connect.datastore_engine``). Addresses are
normalised (``lib/identifiers``) and de-duplicated. The letter is written in
the operator's first notice language, since the register does not say which language each
subject reads.

This is a small, replaceable seam: when ``datastores/`` (the execution engine) offers a reader
of subjects, ``account_holders`` delegates to it and keeps this contract.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import sqlalchemy as sa

from steward.datastores.connect import datastore_engine
from steward.datastores.errors import SchemaMismatch
from steward.lib.identifiers import normalise_email
from steward.register.models import Datastore, Register
from steward.register.taxonomy import IdentityKind


class AudienceError(RuntimeError):
    """The account holders could not be read; nothing was published. Retrying can help."""


@dataclass(frozen=True, slots=True)
class AccountHolder:
    email: str
    lang: str


def account_tables(register: Register) -> list[tuple[Datastore, str | None, str, str]]:
    """(datastore, schema, table, e-mail column) for every subject account table."""
    found = []
    for store in register.datastores:
        for table in store.tables:
            if table.subject is None:
                continue
            for column, kind in table.identity.items():
                if kind is IdentityKind.EMAIL:
                    found.append((store, table.schema_, table.name, column))
    return found


def account_holders(
    register: Register, *, environ: Mapping[str, str] | None = None
) -> list[AccountHolder]:
    """Every distinct account e-mail, in a stable order. Raises ``AudienceError`` on failure."""
    lang = register.operator.languages[0]
    seen: dict[str, AccountHolder] = {}
    for store, schema, table_name, column in account_tables(register):
        try:
            engine = datastore_engine(store, environ)
        except SchemaMismatch as exc:
            raise AudienceError(f"cannot read the account holders: {exc}") from None
        table = sa.table(table_name, sa.column(column), schema=schema)
        query = sa.select(table.c[column]).where(table.c[column].is_not(None)).distinct()
        try:
            with engine.connect() as connection:
                values = connection.execute(query).scalars().all()
        except sa.exc.SQLAlchemyError as exc:
            raise AudienceError(
                f"cannot read {table_name}.{column} in datastore '{store.id}': {type(exc).__name__}"
            ) from exc
        finally:
            engine.dispose()
        for value in values:
            address = normalise_email(value)
            if address and "@" in address:
                seen.setdefault(address, AccountHolder(address, lang))
    return sorted(seen.values(), key=lambda h: h.email)
