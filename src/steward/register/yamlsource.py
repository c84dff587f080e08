"""Read YAML safely into plain data, remembering where every value came from.

The loader never constructs arbitrary Python objects, refuses oversized input, counts nodes
reached through aliases (so a "billion laughs" document is refused, not expanded), and reports
duplicate keys, which plain YAML loaders silently overwrite. Scalars follow YAML 1.2: only
``true``/``false`` are booleans, so a country code ``NO`` stays a string.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml import events

MAX_BYTES = 5 * 1024 * 1024
MAX_NODES = 200_000
MAX_DEPTH = 64

Path = tuple[str | int, ...]

_INT = re.compile(r"[-+]?(0|[1-9][0-9_]*)\Z")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9][0-9_]*(\.[0-9]*)?)([eE][-+]?[0-9]+)?\Z")
_NULL = {"", "~", "null", "Null", "NULL"}


@dataclass(frozen=True, slots=True)
class Position:
    line: int
    column: int


@dataclass(slots=True)
class SourceMap:
    """Positions of values (by path) and of mapping keys (by the path of their value)."""

    values: dict[Path, Position] = field(default_factory=dict)
    keys: dict[Path, Position] = field(default_factory=dict)

    def locate(self, path: Path, *, key: bool = False) -> Position:
        """The position of ``path``, or of its nearest ancestor that exists in the file."""
        probe = path
        while True:
            if key and probe in self.keys:
                return self.keys[probe]
            if probe in self.values:
                return self.values[probe]
            if not probe:
                return Position(1, 1)
            probe = probe[:-1]


@dataclass(frozen=True, slots=True)
class SourceIssue:
    position: Position
    code: str
    message: str


class YamlSourceError(Exception):
    def __init__(self, issue: SourceIssue) -> None:
        self.issue = issue
        super().__init__(issue.message)


def _pos(node: yaml.Node) -> Position:
    return Position(node.start_mark.line + 1, node.start_mark.column + 1)


def _scalar(node: yaml.ScalarNode) -> Any:
    text: str = node.value
    if node.style:  # quoted or block scalars are always strings (libyaml marks plain ones "")
        return text
    if text in _NULL:
        return None
    lowered = text.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    if _INT.match(text):
        return int(text.replace("_", ""))
    if _FLOAT.match(text) and any(ch.isdigit() for ch in text):
        return float(text.replace("_", ""))
    return text


class _Builder:
    def __init__(self, smap: SourceMap, duplicates: list[SourceIssue]) -> None:
        self.smap = smap
        self.duplicates = duplicates
        self.nodes = 0

    def build(self, node: yaml.Node, path: Path) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise YamlSourceError(
                SourceIssue(
                    _pos(node),
                    "Y003",
                    f"the document expands to more than {MAX_NODES} values (aliases included); "
                    "a register is far smaller: remove the repeated anchors",
                )
            )
        if len(path) > MAX_DEPTH:
            raise YamlSourceError(
                SourceIssue(_pos(node), "Y004", f"nesting deeper than {MAX_DEPTH} levels")
            )
        self.smap.values.setdefault(path, _pos(node))
        if isinstance(node, yaml.ScalarNode):
            return _scalar(node)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        if isinstance(node, yaml.MappingNode):
            result: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    merged = self.build(value_node, path)
                    for part in merged if isinstance(merged, list) else [merged]:
                        if isinstance(part, dict):
                            for k, v in part.items():
                                result.setdefault(k, v)
                    continue
                key = self.build(key_node, (*path, "<key>"))
                if isinstance(key, (dict, list)):
                    raise YamlSourceError(
                        SourceIssue(_pos(key_node), "Y005", "a mapping key must be a plain value")
                    )
                key = str(key) if not isinstance(key, str) else key
                child: Path = (*path, key)
                if key in result:
                    first = self.smap.keys.get(child)
                    where = f" (first at line {first.line})" if first else ""
                    self.duplicates.append(
                        SourceIssue(
                            _pos(key_node),
                            "Y006",
                            f"duplicate key '{key}'{where}: YAML would silently keep only the "
                            "last one; merge the two",
                        )
                    )
                    continue
                self.smap.keys[child] = _pos(key_node)
                result[key] = self.build(value_node, child)
            return result
        raise YamlSourceError(SourceIssue(_pos(node), "Y007", "unsupported YAML node"))


def decode(raw: bytes) -> str:
    """Decode register bytes as UTF-8, raising a positioned error for anything else."""
    if len(raw) > MAX_BYTES:
        raise YamlSourceError(
            SourceIssue(
                Position(1, 1),
                "Y001",
                f"file is {len(raw):,} bytes; a register must be under {MAX_BYTES:,} bytes "
                "(is this the right file?)",
            )
        )
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        column = exc.start - (before.rfind(b"\n") + 1) + 1
        raise YamlSourceError(
            SourceIssue(
                Position(line, column),
                "Y002",
                f"not UTF-8 text (byte 0x{raw[exc.start]:02x}); a register is a UTF-8 YAML file",
            )
        ) from None
    if "\x00" in text:
        offset = text.index("\x00")
        line = text.count("\n", 0, offset) + 1
        raise YamlSourceError(
            SourceIssue(Position(line, 1), "Y002", "binary content (NUL byte); a register is text")
        )
    return text


# libyaml, when PyYAML was built with it: a tenth of the Python parser's time (most of a
# register's parsing in `steward check`). None: the Python parser alone.
_FAST_LOADER: type | None = getattr(yaml, "CSafeLoader", None)
_FAST_LOADER_DEPTH = 1000  # far below where libyaml's recursion overflows the C stack


def _compose(text: str) -> yaml.Node | None:
    """The document's node tree, by libyaml when it is there, else by PyYAML's own parser.

    libyaml's composer recurses in C without a limit, so a document nested thousands deep would
    crash the process: the nesting is counted on its event stream first (the builder applies
    ``MAX_DEPTH`` itself, at the value that crosses it). Whatever libyaml refuses is parsed
    again by the Python parser, so that a syntax error reads the same on every machine. The
    two read every document alike, except that libyaml also accepts a tab after a value and a
    comment straight after a block scalar's ``|`` (PyYAML's syntax errors), and places an
    empty value (``{a: }``) a column later.
    """
    if _FAST_LOADER is not None:
        try:
            _refuse_deep_nesting(text, _FAST_LOADER)
            return yaml.compose(text, Loader=_FAST_LOADER)
        except yaml.YAMLError:
            pass
    return yaml.compose(text, Loader=yaml.SafeLoader)


def _refuse_deep_nesting(text: str, loader: type) -> None:
    depth = 0
    for event in yaml.parse(text, Loader=loader):
        if isinstance(event, events.CollectionStartEvent):
            depth += 1
            if depth > _FAST_LOADER_DEPTH:
                mark = event.start_mark
                where = Position(mark.line + 1, mark.column + 1) if mark else Position(1, 1)
                raise YamlSourceError(
                    SourceIssue(
                        where,
                        "Y004",
                        f"nesting deeper than {MAX_DEPTH} levels",
                    )
                )
        elif isinstance(event, events.CollectionEndEvent):
            depth -= 1


def load(raw: bytes) -> tuple[Any, SourceMap, list[SourceIssue]]:
    """Parse one YAML document. Returns the data, its source map and non-fatal issues.

    Raises ``YamlSourceError`` when the document cannot be read at all.
    """
    text = decode(raw)
    smap = SourceMap()
    duplicates: list[SourceIssue] = []
    try:
        root = _compose(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = Position(mark.line + 1, mark.column + 1) if mark else Position(1, 1)
        what = exc.problem or "not valid YAML"
        context = f" ({exc.context})" if exc.context else ""
        raise YamlSourceError(SourceIssue(where, "Y010", f"YAML syntax: {what}{context}")) from None
    except yaml.YAMLError as exc:
        raise YamlSourceError(SourceIssue(Position(1, 1), "Y010", f"YAML syntax: {exc}")) from None
    except RecursionError:
        raise YamlSourceError(
            SourceIssue(Position(1, 1), "Y004", f"nesting deeper than {MAX_DEPTH} levels")
        ) from None
    if root is None:
        return None, smap, duplicates
    try:
        data = _Builder(smap, duplicates).build(root, ())
    except RecursionError:
        raise YamlSourceError(
            SourceIssue(Position(1, 1), "Y004", f"nesting deeper than {MAX_DEPTH} levels")
        ) from None
    return data, smap, duplicates
