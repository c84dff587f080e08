"""Who a breach affects: records per category and the subjects to write to, from the datastores.

    found = affected_subjects(register, ["shop"], ["contact", "payment"])
    found.records        # {"contact": 1204, "payment": 311}: rows holding each category
    found.contacts       # one Contact per subject: e-mail and/or phone, normalised, and the
                         # subject's language where the table names a language_column
    found.problems       # {"telephony": "cannot connect ..."}: a datastore not counted

The count is conservative, as a breach notice must be: every subject with an identity row
(a table that names an e-mail or phone identity column) in a breached datastore that stores an
affected category is counted as affected; records are the rows of the breached datastores' tables
whose affected-category columns are not all NULL. One set-based query per table; a datastore that
cannot be read is named in ``problems`` and the others are still counted.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa

from steward.datastores.connect import datastore_engine
from steward.datastores.errors import DatastoreError
from steward.datastores.identity import normalise
from steward.register.models import Datastore, Register, Table
from steward.register.taxonomy import IdentityKind


@dataclass(frozen=True)
class Contact:
    email: str | None
    phone: str | None
    lang: str | None = None  # ISO 639-1, from the table's language_column

    @property
    def key(self) -> str:
        return self.email or self.phone or ""


@dataclass
class AffectedSubjects:
    records: dict[str, int] = field(default_factory=dict)
    contacts: list[Contact] = field(default_factory=list)
    problems: dict[str, str] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        return not self.problems


def _sa_table(table: Table, metadata: sa.MetaData, columns: list[str]) -> sa.Table:
    return sa.Table(
        table.name,
        metadata,
        *(sa.Column(c) for c in columns),
        schema=table.schema_,
        extend_existing=True,
    )


def _count_records(
    connection: sa.Connection, table: Table, categories: set[str], found: AffectedSubjects
) -> None:
    by_category: dict[str, list[str]] = {}
    for column, spec in table.columns.items():
        if spec.category in categories:
            by_category.setdefault(spec.category, []).append(column)
    for category, columns in by_category.items():
        sa_table = _sa_table(table, sa.MetaData(), columns)
        holds = sa.or_(*(sa_table.c[c].is_not(None) for c in columns))
        count = connection.execute(sa.select(sa.func.count()).select_from(sa_table).where(holds))
        found.records[category] = found.records.get(category, 0) + int(count.scalar_one())


def language_code(value: object) -> str | None:
    """A stored language as an ISO 639-1 code: 'ru-RU', 'ru_RU', ' RU ' -> 'ru'; else None."""
    if not isinstance(value, str):
        return None
    primary = value.strip().replace("_", "-").split("-", 1)[0].lower()
    return primary if len(primary) == 2 and primary.isascii() and primary.isalpha() else None


def _contacts(connection: sa.Connection, table: Table, region: str | None) -> list[Contact]:
    kinds = {
        column: kind
        for column, kind in table.identity.items()
        if kind in (IdentityKind.EMAIL, IdentityKind.PHONE)
    }
    if not kinds:
        return []
    language = table.language_column
    names = list(kinds) + ([language] if language and language not in kinds else [])
    sa_table = _sa_table(table, sa.MetaData(), names)
    rows = connection.execute(sa.select(*(sa_table.c[c] for c in names)).distinct())
    contacts = []
    for row in rows:
        email = phone = None
        for column, kind in kinds.items():
            value = normalise(kind, row._mapping[column], region)
            if kind is IdentityKind.EMAIL and email is None:
                email = value
            elif kind is IdentityKind.PHONE and phone is None:
                phone = value
        if email or phone:
            lang = language_code(row._mapping[language]) if language else None
            contacts.append(Contact(email, phone, lang))
    return contacts


def _scan_datastore(
    datastore: Datastore,
    categories: set[str],
    region: str | None,
    found: AffectedSubjects,
    people: dict[str, Contact],
) -> None:
    holders = [
        t for t in datastore.tables if any(s.category in categories for s in t.columns.values())
    ]
    if not holders:
        return
    engine = datastore_engine(datastore)
    try:
        with engine.connect() as connection:
            partial = AffectedSubjects()
            seen: list[Contact] = []
            for table in holders:
                _count_records(connection, table, categories, partial)
            for table in datastore.tables:
                if not table.reference_data:
                    seen.extend(_contacts(connection, table, region))
    finally:
        engine.dispose()
    # Only a datastore read to its end counts: a half-read one would understate the breach.
    for category, count in partial.records.items():
        found.records[category] = found.records.get(category, 0) + count
    for contact in seen:
        known = people.get(contact.key)
        people[contact.key] = (
            contact
            if known is None
            else Contact(
                known.email or contact.email,
                known.phone or contact.phone,
                known.lang or contact.lang,
            )
        )


def affected_subjects(
    register: Register,
    datastore_ids: list[str],
    categories: list[str],
) -> AffectedSubjects:
    """Records per affected category and the affected subjects' contacts (see the module)."""
    found = AffectedSubjects()
    wanted = set(categories)
    region = register.operator.country
    people: dict[str, Contact] = {}
    for datastore in register.datastores:
        if datastore.id not in datastore_ids:
            continue
        try:
            _scan_datastore(datastore, wanted, region, found, people)
        except DatastoreError as exc:
            found.problems[datastore.id] = str(exc)
        except sa.exc.SQLAlchemyError as exc:
            found.problems[datastore.id] = (
                f"cannot read it ({type(exc).__name__}); the count leaves it out"
            )
    unknown = set(datastore_ids) - {d.id for d in register.datastores}
    for datastore_id in sorted(unknown):
        found.problems[datastore_id] = "the register names no such datastore"
    found.contacts = sorted(people.values(), key=lambda c: c.key)
    return found
