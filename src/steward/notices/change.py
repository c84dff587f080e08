"""One change between two registers, as stored with a notice version."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

Names = dict[str, str]


@dataclass(frozen=True)
class Change:
    kind: str
    material: bool
    name: Names
    old: Any = None
    new: Any = None
    detail: Names = field(default_factory=dict)
    ref: str = ""  # the purpose id for purpose-* changes

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Change:
        return cls(**data)
