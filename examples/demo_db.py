"""Build an operator's demo databases from its register: the declared tables, filled by Faker.

    python examples/demo_db.py examples/activecloud/register.yaml --out demo-dbs/
    python examples/demo_db.py REGISTER --url billing=sqlite:///billing.db \\
        --url telephony=postgresql://postgres@127.0.0.1/telephony --people 40 --seed 7

Every datastore of the register becomes a database (a SQLite file in ``--out`` unless ``--url``
names one), every declared table a table with an integer ``id`` key and exactly the columns the
register names: personal columns, identity columns, the columns of its ``references``, its
retention and collection dates, its restriction flag. Nothing else is invented.

People come first, each with one e-mail address, phone number and account id. Every table that
an identity column or a declared reference leads to from a person gets rows of that person, so
a request for one person finds rows in every datastore: by phone in a telephony database, by
account code in a messenger log. A table of another subject kind that hangs from a person's
row (a guardian's consent) gets the identifiers of someone else. Tables nothing links to get
rows of nobody in particular. E-mail addresses and phone numbers are kept only when
email-validator and phonenumbers accept them (many of Faker's phone numbers are not valid);
subject tables store numbers in E.164, other tables (a telephone exchange's log) in the
spelling their system would use: E.164, international or national.

No foreign key constraints are created: the links are the register's ``references``, as in a
schema that declares none. Deterministic for a seed; existing tables are replaced. Printed at
the end: the environment variables the register reads, to run Steward on these databases.
"""

from __future__ import annotations

import argparse
import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import phonenumbers
import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from faker import Faker

from steward.register import load_register
from steward.register.models import Datastore, Register, Table

LOCALES = {"ru": "ru_RU", "en": "en_US"}
LONG_TEXT = ("content.", "communications.")
NAME_PARTS = {"last": "last_name", "first": "first_name", "middle": "middle_name"}


@dataclass
class Person:
    """One demo person and the identifiers a request for them would give."""

    number: int
    kind: str
    email: str
    phone: str
    account: int | str
    locale: str
    names: dict[str, str]

    @property
    def account_id(self) -> str:
        return str(self.account)


@dataclass
class Built:
    """What ``build`` made: the people (requesters to be) and each datastore's URL."""

    people: list[Person]
    urls: dict[str, str]
    rows: dict[str, int] = field(default_factory=dict)  # "datastore.table" -> rows written

    def env(self, register: Register) -> dict[str, str]:
        return {d.connection.env: self.urls[d.id] for d in register.datastores if d.connection.env}


@dataclass(frozen=True)
class _Column:
    name: str
    type: sa.types.TypeEngine[Any]
    role: str  # pk, ref, identity, category, date, flag
    detail: str = ""  # the identity kind, the category, or "table.column" of a reference


def _subject_tables(register: Register) -> list[Table]:
    return [t for d in register.datastores for t in d.tables if t.subject]


def _primary(register: Register) -> Table:
    """The table of the register's main subject kind: the first subject table with identities."""
    tables = _subject_tables(register)
    with_identity = [t for t in tables if t.identity] or tables
    if not with_identity:
        raise SystemExit("the register names no subject table (a table with 'subject:')")
    return with_identity[0]


def _account_is_integer(register: Register) -> bool:
    primary = _primary(register)
    columns = [c for c, kind in primary.identity.items() if kind == "account-id"]
    return bool(columns) and columns[0] == "id"


def _category_type(category: str) -> sa.types.TypeEngine[Any]:
    if category == "financial.transactions":
        return sa.Numeric(12, 2)
    if category == "children.age":
        return sa.Integer()
    if category == "usage.access_time":
        return sa.DateTime()
    if category.startswith(LONG_TEXT):
        return sa.Text()
    return sa.String(255)


def _plan(register: Register, table: Table, by_name: dict[str, Table]) -> list[_Column]:
    """The columns of ``table``: its key, then every column the register says it has."""
    integer_account = _account_is_integer(register)
    columns: dict[str, _Column] = {"id": _Column("id", sa.Integer(), "pk")}
    for reference in table.references:
        target = by_name[reference.table]
        target_plan = {c.name: c for c in _plan(register, target, by_name)}
        for column, to_column in zip(reference.columns, reference.to_columns, strict=True):
            columns.setdefault(
                column,
                _Column(
                    column,
                    target_plan[to_column].type,
                    "ref",
                    f"{reference.table}.{to_column}",
                ),
            )
    for column, kind in table.identity.items():
        if kind == "account-id":
            kind_type: sa.types.TypeEngine[Any] = sa.Integer() if integer_account else sa.String(32)
        else:
            kind_type = sa.String(255)
        columns.setdefault(column, _Column(column, kind_type, "identity", str(kind)))
    for column, spec in table.columns.items():
        columns.setdefault(
            column, _Column(column, _category_type(spec.category), "category", spec.category)
        )
    for column in (table.retention.column if table.retention else None, table.collected_at):
        if column:
            columns.setdefault(column, _Column(column, sa.DateTime(), "date"))
    if table.restrict_column:
        columns.setdefault(
            table.restrict_column, _Column(table.restrict_column, sa.Boolean(), "flag")
        )
    return list(columns.values())


def _order(datastore: Datastore) -> list[Table]:
    """Tables with every referenced table before the tables that refer to it."""
    by_name = {t.name: t for t in datastore.tables}
    done: list[Table] = []
    seen: set[str] = set()

    def visit(table: Table, path: frozenset[str]) -> None:
        if table.name in seen or table.name in path:
            return
        for reference in table.references:
            if reference.table in by_name:
                visit(by_name[reference.table], path | {table.name})
        seen.add(table.name)
        done.append(table)

    for table in datastore.tables:
        visit(table, frozenset())
    return done


class _Faker:
    """Faker per locale, seeded, with validated e-mail addresses and phone numbers."""

    def __init__(self, register: Register, seed: int) -> None:
        self.rng = random.Random(seed)
        languages = [lang for lang in register.operator.languages if lang in LOCALES] or ["en"]
        self.locales = [LOCALES[lang] for lang in languages]
        self.fakers = {locale: Faker(locale) for locale in self.locales}
        for index, fake in enumerate(self.fakers.values()):
            fake.seed_instance(seed + index)
        self.region = register.operator.country
        self.emails: set[str] = set()
        self.phones: set[str] = set()

    def email(self, locale: str) -> str:
        while True:
            candidate = str(self.fakers[locale].unique.email())
            try:
                validate_email(candidate, check_deliverability=False)
            except EmailNotValidError:
                continue
            if candidate.casefold() not in self.emails:
                self.emails.add(candidate.casefold())
                return candidate

    def phone(self, locale: str) -> str:
        """A valid number in E.164, from the Faker numbers that phonenumbers says are valid."""
        region = "RU" if locale == "ru_RU" else ("US" if locale == "en_US" else self.region)
        while True:
            raw = self.fakers[locale].phone_number()
            try:
                number = phonenumbers.parse(raw, region)
            except phonenumbers.NumberParseException:
                continue
            if not phonenumbers.is_valid_number(number):
                continue
            e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
            if e164 not in self.phones:
                self.phones.add(e164)
                return e164

    def spelling(self, e164: str) -> str:
        """The number as another system would store it: E.164, international, or national
        (only for numbers of the operator's own country, which is how it reads them)."""
        number = phonenumbers.parse(e164)
        styles = [phonenumbers.PhoneNumberFormat.E164, phonenumbers.PhoneNumberFormat.INTERNATIONAL]
        if phonenumbers.region_code_for_number(number) == self.region:
            styles.append(phonenumbers.PhoneNumberFormat.NATIONAL)
        return phonenumbers.format_number(number, self.rng.choice(styles))

    def person(self, number: int, kind: str, integer_account: bool) -> Person:
        locale = self.locales[number % len(self.locales)]
        fake = self.fakers[locale]
        sex = self.rng.choice(["male", "female"])  # one person's name parts agree

        def part(kind: str) -> str:
            return str(getattr(fake, f"{kind}_{sex}", getattr(fake, kind))())

        names = {"last": part("last_name"), "first": part("first_name")}
        if locale == "ru_RU":
            names["middle"] = part("middle_name")
        account: int | str = number if integer_account else f"AC-{number:06d}"
        return Person(number, kind, self.email(locale), self.phone(locale), account, locale, names)

    def when(self, days: int = 300) -> datetime:
        now = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
        return now - timedelta(
            days=self.rng.randrange(1, max(days, 2)), minutes=self.rng.randrange(1440)
        )

    def value(self, column: _Column, person: Person | None, table: Table) -> Any:
        """A plausible value for ``column`` of ``person``'s row (None: nobody in particular)."""
        fake = self.fakers[person.locale if person else self.locales[0]]
        category = column.detail
        name = column.name.lower()
        if column.role == "date":
            return self.when(_days(table))
        if column.role == "flag":
            return False
        if category == "contact.email":
            return person.email if person else self.email(self.locales[0])
        if category == "contact.phone":
            return person.phone if person else self.phone(self.locales[0])
        if category == "identity.name":
            for part, key in NAME_PARTS.items():
                if key in name or name == part:
                    return (person.names if person else {}).get(part) or getattr(fake, key)()
            if person is None:
                return fake.name()
            return " ".join(
                person.names[p] for p in ("first", "middle", "last") if p in person.names
            )
        if category == "account.id":
            return person.account if person else f"AC-{self.rng.randrange(10**6, 10**7)}"
        return _by_category(fake, self.rng, category, name)


def _days(table: Table) -> int:
    """Dates fall well inside the table's retention period, so nothing is due for a sweep."""
    if table.retention is None:
        return 300
    span = table.retention.duration.after(datetime(2000, 1, 1)) - datetime(2000, 1, 1)
    return max(2, int(span.days * 0.8))


def _by_category(fake: Faker, rng: random.Random, category: str, name: str) -> Any:
    if category == "financial.transactions":
        return Decimal(rng.randrange(10_000, 2_000_000)) / 100
    if category == "children.age":
        return rng.randrange(1960, 2008)
    if category == "usage.access_time":
        return datetime.now(UTC).replace(tzinfo=None, microsecond=0) - timedelta(
            minutes=rng.randrange(1, 60 * 24 * 150)
        )
    simple = {
        "identity.document": lambda: f"{rng.randrange(1000, 9999)} {rng.randrange(10**5, 10**6)}",
        "identity.signature": lambda: f"scans/{fake.uuid4()}.pdf",
        "contact.address": lambda: fake.address().replace("\n", ", "),
        "contact.messenger": lambda: "@" + fake.user_name(),
        "account.username": fake.user_name,
        "account.password": lambda: "$argon2id$v=19$m=65536,t=3,p=4$" + fake.sha256()[:43],
        "account.settings": lambda: rng.choice(["en", "ru"]),
        "device.ip_address": fake.ipv4_public,
        "device.browser": fake.user_agent,
        "device.cookie_id": lambda: f"{rng.randrange(10**9, 10**10)}{rng.randrange(10**9)}",
        "device.identifier": fake.uuid4,
        "usage.pages": fake.uri_path,
        "usage.aggregated": lambda: str(rng.randrange(1, 5000)),
        "location.country": lambda: rng.choice(["RU", "BY", "KZ", "US", "DE"]),
        "professional.company": fake.company,
        "communications.call_recording": lambda: f"recordings/{fake.uuid4()}.ogg",
        "content.audio": lambda: f"samples/{fake.uuid4()}.wav",
        "marketing": lambda: rng.choice(["hosting", "vps", "backup", "news"]),
    }
    if category in simple:
        return simple[category]()
    if "path" in name or "file" in name:
        return f"files/{fake.uuid4()}"
    if category.startswith(LONG_TEXT):
        return fake.paragraph(nb_sentences=3)
    return fake.sentence(nb_words=4).rstrip(".")


def _links_to_person(table: Table, primary: Table, tables: dict[str, Table]) -> bool:
    """Whether a person's rows reach ``table`` by an identity column or a reference."""
    return (
        bool(table.identity) or table is primary or any(r.table in tables for r in table.references)
    )


def build(
    register: Register,
    urls: dict[str, str],
    *,
    people: int = 40,
    seed: int = 7,
) -> Built:
    """Create every datastore's tables at ``urls`` (datastore id -> URL) and fill them."""
    missing = [d.id for d in register.datastores if d.id not in urls]
    if missing:
        raise SystemExit(f"no URL for datastore(s) {', '.join(missing)}; give --url ID=URL")
    faker = _Faker(register, seed)
    integer_account = _account_is_integer(register)
    primary = _primary(register)
    persons = [
        faker.person(n, primary.subject or "", integer_account) for n in range(1, people + 1)
    ]
    others = iter(
        faker.person(10_000 + n, "other", integer_account) for n in range(1, 10 * people + 1)
    )
    built = Built(persons, dict(urls))
    for datastore in register.datastores:
        by_name = {t.name: t for t in datastore.tables}
        plans = {t.name: _plan(register, t, by_name) for t in datastore.tables}
        rows = _rows(datastore, plans, primary, persons, others, faker)
        engine = sa.create_engine(urls[datastore.id])
        try:
            _write(engine, datastore, plans, rows)
        finally:
            engine.dispose()
        for name, written in rows.items():
            built.rows[f"{datastore.id}.{name}"] = len(written)
    return built


def _rows(
    datastore: Datastore,
    plans: dict[str, list[_Column]],
    primary: Table,
    persons: list[Person],
    others: Iterable[Person],
    faker: _Faker,
) -> dict[str, list[dict[str, Any]]]:
    rng = faker.rng
    by_name = {t.name: t for t in datastore.tables}
    rows: dict[str, list[dict[str, Any]]] = {t.name: [] for t in datastore.tables}
    mine: dict[tuple[str, int], list[dict[str, Any]]] = {}
    others_iter = iter(others)
    for person in persons:
        for table in _order(datastore):
            if table.reference_data or not _links_to_person(table, primary, by_name):
                continue
            parents = [
                (reference, parent)
                for reference in table.references
                for parent in mine.get((reference.table, person.number), [])
            ]
            if table.subject and (table is primary or table.subject == primary.subject):
                count = 1
            elif table.references and any(r.table in by_name for r in table.references):
                count = sum(rng.randrange(0, 3) for _ in parents) if parents else 0
            else:
                count = rng.randrange(1, 4)
            # another subject kind hanging from the person's rows: someone else's identifiers
            # (unless the link itself is an identifier: an inquiry filed with the person's e-mail)
            linked_by_identity = any(
                c in table.identity for r in table.references for c in r.columns
            )
            other_kind = bool(table.subject) and table.subject != primary.subject
            owner = next(others_iter) if other_kind and not linked_by_identity else person
            for index in range(count):
                row = {
                    c.name: _cell(c, owner, table, faker)
                    for c in plans[table.name]
                    if c.role != "pk"
                }
                if parents:
                    reference, parent = parents[index % len(parents)]
                    for column, to_column in zip(
                        reference.columns, reference.to_columns, strict=True
                    ):
                        row[column] = parent[to_column]
                account_key = table.identity.get("id") == "account-id"
                row["id"] = owner.account if account_key else len(rows[table.name]) + 1
                rows[table.name].append(row)
                mine.setdefault((table.name, person.number), []).append(row)
    for table in datastore.tables:  # rows of nobody in particular
        if table.reference_data or not _links_to_person(table, primary, by_name):
            for _ in range(5 if table.reference_data else 3 * len(persons)):
                row = {c.name: _cell(c, None, table, faker) for c in plans[table.name]}
                row["id"] = len(rows[table.name]) + 1
                rows[table.name].append(row)
    return rows


def _cell(column: _Column, person: Person | None, table: Table, faker: _Faker) -> Any:
    if column.role == "ref":
        return None  # set from the parent row, or no parent
    if column.role == "identity":
        if person is None:
            return None
        kind = column.detail
        if kind == "email":
            return person.email
        if kind == "phone":
            return person.phone if table.subject else faker.spelling(person.phone)
        return person.account
    return faker.value(column, person, table)


def _write(
    engine: sa.Engine,
    datastore: Datastore,
    plans: dict[str, list[_Column]],
    rows: dict[str, list[dict[str, Any]]],
) -> None:
    metadata = sa.MetaData()
    made = []
    for table in datastore.tables:
        columns = [
            sa.Column(c.name, c.type, primary_key=c.role == "pk", autoincrement=False)
            for c in plans[table.name]
        ]
        made.append(sa.Table(table.name, metadata, *columns, schema=table.schema_))
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            for schema in sorted({t.schema_ for t in datastore.tables if t.schema_}):
                connection.execute(sa.schema.CreateSchema(schema, if_not_exists=True))
        metadata.drop_all(connection)
        metadata.create_all(connection)
        for table in made:
            if rows[table.name]:
                connection.execute(table.insert(), rows[table.name])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("register", type=Path)
    parser.add_argument("--out", type=Path, default=Path("."), help="folder for SQLite files")
    parser.add_argument(
        "--url", action="append", default=[], help="DATASTORE=URL (default: SQLite in --out)"
    )
    parser.add_argument("--people", type=int, default=40)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    register = load_register(args.register)
    given = dict(item.split("=", 1) for item in args.url)
    args.out.mkdir(parents=True, exist_ok=True)
    urls = {
        d.id: given.get(d.id) or f"sqlite:///{(args.out / f'{d.id}.db').resolve()}"
        for d in register.datastores
    }
    built = build(register, urls, people=args.people, seed=args.seed)
    for name, count in built.rows.items():
        print(f"{name}: {count} rows")
    for variable, url in built.env(register).items():
        print(f"export {variable}={url}")


if __name__ == "__main__":
    main()
