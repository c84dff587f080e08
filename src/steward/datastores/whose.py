"""Whose rows a link makes whose: the rules the subject search follows, worked out once per schema.

    whose = Whose("customer", kinds={"rentals": frozenset({"customer"}), ...})
    links_into(schema, whose, "customers", followed=True)   # orders -> customer, rentals -> ...

A link ``child -> parent`` *owns* when a child row belongs to the owner of the row it refers
to: an order to its customer, an item to its order. It does not when

- the child is an account table (a customer referred by another is another subject),
- either end is reference data or a table the register does not name,
- the register gives the reference ``direction: to`` (an order leads to the card it was paid
  with; the card does not make the order its holder's),
- the parent is an account of a subject kind the child's rows are not (a rental an employee
  handled is the customer's, never the employee's), or the two tables hold the data of
  different subject kinds.

The search for one subject kind follows an owning link from parent to child when the child's
rows may be that kind's. Every other link into a table only finds *referrers*: rows that stay
whatever happens to the subject, so a row they refer to is kept (masked), never deleted.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import cast

from steward.datastores.connect import Link, Schema, TableInfo
from steward.register.models import Register

_ANY_TABLE: Mapping[str, frozenset[str]] = MappingProxyType({})  # one object: memos hit


@dataclass(frozen=True)
class Whose:
    """The subject kind a search is for (None: any), and the kinds each table's rows may be.

    A table missing from ``kinds`` may hold any kind's rows.
    """

    kind: str | None = None
    kinds: Mapping[str, frozenset[str]] = field(default_factory=lambda: _ANY_TABLE)

    def holds(self, info: TableInfo) -> bool:
        """Whether ``info``'s rows may be this kind's (its identity columns may match)."""
        if self.kind is None or info.spec is None:
            return True
        if info.spec.subject is not None:
            return info.spec.subject == self.kind
        kinds = self.kinds.get(info.key)
        return kinds is None or self.kind in kinds


def enterable(info: TableInfo | None) -> bool:
    return info is not None and info.spec is not None and not info.spec.reference_data


def is_account(info: TableInfo) -> bool:
    return info.spec is not None and info.spec.subject is not None


def owns(schema: Schema, whose: Whose, link: Link) -> bool:
    """Whether a row of ``link.child`` belongs to the owner of the row it refers to."""
    child, parent = schema.tables.get(link.child), schema.tables.get(link.parent)
    if child is None or parent is None or not (enterable(child) and enterable(parent)):
        return False
    if is_account(child) or link.direction == "to":
        return False
    mine = whose.kinds.get(child.key)
    if mine is None:
        return True
    assert parent.spec is not None
    if parent.spec.subject is not None:
        return parent.spec.subject in mine
    theirs = whose.kinds.get(parent.key)
    return theirs is None or bool(mine & theirs)


@dataclass(frozen=True)
class _Rules:
    followed: dict[str, list[tuple[Link, TableInfo]]]  # by parent
    referring: dict[str, list[tuple[Link, TableInfo]]]  # by parent
    owning: dict[str, list[Link]]  # by child
    shares: dict[str, bool] = field(default_factory=dict)  # may_share, worked out on demand


def _rules(schema: Schema, whose: Whose) -> _Rules:
    memo = schema.memo.get(("whose", whose.kind))
    if memo is not None and memo[0] is whose.kinds:
        return cast(_Rules, memo[1])
    followed: dict[str, list[tuple[Link, TableInfo]]] = {}
    referring: dict[str, list[tuple[Link, TableInfo]]] = {}
    owning: dict[str, list[Link]] = {}
    for link in schema.links:
        child = schema.tables.get(link.child)
        if child is None:
            continue
        owner = owns(schema, whose, link)
        if owner:
            owning.setdefault(link.child, []).append(link)
        into = followed if owner and whose.holds(child) else referring
        into.setdefault(link.parent, []).append((link, child))
    rules = _Rules(followed, referring, owning)
    schema.memo[("whose", whose.kind)] = (whose.kinds, rules)  # kept: ``is`` stays sound
    return rules


def links_into(
    schema: Schema, whose: Whose, table: str, *, followed: bool
) -> list[tuple[Link, TableInfo]]:
    """Links into ``table`` the search follows (their rows are the subject's), or with
    ``followed=False`` every other link into it (their rows are *referrers*)."""
    rules = _rules(schema, whose)
    return (rules.followed if followed else rules.referring).get(table, [])


def owning_links(schema: Schema, whose: Whose, table: str) -> list[Link]:
    """The links out of ``table`` through which its rows belong to someone."""
    return _rules(schema, whose).owning.get(table, [])


def _unique(info: TableInfo, columns: tuple[str, ...]) -> bool:
    return columns == info.primary_key or (len(columns) == 1 and columns[0] in info.unique)


def may_share(schema: Schema, whose: Whose, table: str) -> bool:
    """Whether a row of ``table`` may belong to two people: it refers to owners through two
    links, or through a column that is not a key, or it has identity columns of its own and
    an owner, or its parent's rows may be shared."""
    memo = _rules(schema, whose).shares
    if table in memo:
        return bool(memo[table])
    memo[table] = True  # a cycle of owning links: assume the worst while it is worked out
    links = owning_links(schema, whose, table)
    info = schema.tables[table]
    shared = len(links) > 1 or bool(links and info.spec is not None and info.spec.identity)
    for link in links:
        parent = schema.tables[link.parent]
        if shared:
            break
        shared = not _unique(parent, link.to_columns) or (
            not is_account(parent) and may_share(schema, whose, link.parent)
        )
    memo[table] = shared
    return shared


def table_kinds(schema: Schema, register: Register) -> Mapping[str, frozenset[str]]:
    """The subject kinds each registered table's rows may be (``Register.table_kinds``),
    worked out once per schema and register."""
    memo = schema.memo.get("kinds")
    if memo is not None and memo[0] is register:
        return cast(Mapping[str, frozenset[str]], memo[1])
    kinds = MappingProxyType(
        {t.qualified_name: register.table_kinds(t) for t in schema.datastore.tables}
    )
    schema.memo["kinds"] = (register, kinds)
    return kinds


def whose_for(schema: Schema, register: Register, kind: str | None) -> Whose:
    """What a search for subject kind ``kind`` (None: the register's default) looks for."""
    return Whose(kind or register.default_subject(), table_kinds(schema, register))
