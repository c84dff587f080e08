"""Load a register file: YAML with positions → models → checks, every problem at its line.

result = check_file("register.yaml")          # never raises for bad input
register = load_register("register.yaml")     # raises RegisterError listing every error
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path as FsPath
from typing import Annotated, Any

from pydantic import BaseModel, TypeAdapter, ValidationError

from steward.register import models
from steward.register.checks import LINT_CHECKS, STRUCTURAL_CHECKS, Draft
from steward.register.problems import Problem, RegisterError, Severity
from steward.register.yamlsource import Path, SourceMap, YamlSourceError, load


@dataclass
class CheckResult:
    file: str
    register: models.Register | None
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.WARNING]

    @property
    def ok(self) -> bool:
        return not self.errors


_LIST_SECTIONS: dict[str, type[BaseModel]] = {
    "subjects": models.Subject,
    "categories": models.CustomCategory,
    "purposes": models.Purpose,
    "recipients": models.Recipient,
    "datastores": models.Datastore,
    "cookies": models.Cookie,
}


def _model_at(path: Path) -> type[BaseModel] | None:
    """The model class that validates the mapping at ``path`` (for 'did you mean' hints)."""
    current: Any = models.Register
    for part in path:
        if isinstance(part, int):
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return None
        info = next(
            (f for n, f in current.model_fields.items() if part in (n, f.alias)),
            None,
        )
        if info is None:
            return None
        current = _first_model(info.annotation)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _first_model(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        found = _first_model(arg)
        if found is not None:
            return found
    meta = getattr(annotation, "__metadata__", None)
    if meta is not None:
        return _first_model(annotation.__origin__)
    return None


def _field_names(model: type[BaseModel]) -> list[str]:
    return [f.alias or n for n, f in model.model_fields.items()]


def _data_path(data: Any, loc: tuple[int | str, ...]) -> tuple[Path, bool]:
    """Drop pydantic's union/validator tags from ``loc``; True if the last part is absent."""
    path: list[str | int] = []
    node = data
    for i, part in enumerate(loc):
        in_dict = isinstance(node, dict) and part in node
        in_list = isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        if in_dict or in_list:
            path.append(part)
            node = node[part]
        elif isinstance(part, str) and i == len(loc) - 1:
            return (*path, part), True
    return tuple(path), False


def _message(error: Any, path: Path, prefix: Path) -> str:
    kind = error["type"]
    name = path[-1] if path else ""
    if kind == "missing":
        return f"missing required field '{name}'"
    if kind == "extra_forbidden":
        model = _model_at((*prefix, *path[:-1]))
        options = _field_names(model) if model else []
        close = difflib.get_close_matches(str(name), options, n=1, cutoff=0.6)
        hint = (
            f"; did you mean '{close[0]}'?"
            if close
            else (f"; allowed here: {', '.join(options)}" if options else "")
        )
        return f"unknown field '{name}'{hint}"
    msg: str = error["msg"]
    msg = msg.removeprefix("Value error, ").removeprefix("Assertion failed, ")
    if kind == "string_pattern_mismatch":
        want = models.PATTERN_HINTS.get(error.get("ctx", {}).get("pattern", ""))
        return f"'{error.get('input')}' is not {want}" if want else msg
    if kind in ("enum", "literal_error"):
        return f"'{error.get('input')}' is not allowed: {msg[0].lower()}{msg[1:]}"
    if kind.endswith("_type") and "input" in error:
        return f"{msg[0].lower()}{msg[1:]} (got {type(error['input']).__name__})"
    return msg[0].lower() + msg[1:] if msg else kind


def _validation_problems(
    exc: ValidationError, data: Any, prefix: Path, file: str, smap: SourceMap, seen: set[Path]
) -> list[Problem]:
    problems = []
    for error in exc.errors():
        loc = error["loc"]
        key_error = bool(loc) and loc[-1] == "[key]"
        path, absent = _data_path(data, loc[:-1] if key_error else loc)
        full = (*prefix, *path)
        if full in seen:
            continue
        seen.add(full)
        kind = error["type"]
        if kind == "missing" or absent:
            pos = smap.locate(full[:-1])
        else:
            pos = smap.locate(full, key=key_error or kind == "extra_forbidden")
        problems.append(Problem(file, pos.line, pos.column, "E001", _message(error, path, prefix)))
    return problems


def _validate_part(
    model: type[BaseModel],
    data: Any,
    prefix: Path,
    file: str,
    smap: SourceMap,
    seen: set[Path],
    problems: list[Problem],
) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems.extend(_validation_problems(exc, data, prefix, file, smap, seen))
        return None


def _salvage(model: type[BaseModel], data: Any) -> BaseModel | None:
    """An item built from only the fields that validate on their own, for reference checks.

    Fields that are missing or wrong are left unset; checks read them with ``getattr``
    defaults, so a typo in one field does not hide an unknown category in another.
    """
    if not isinstance(data, dict):
        return None
    fields: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        key = info.alias if info.alias in data else name
        if key not in data:
            continue
        try:
            adapter: TypeAdapter[Any] = TypeAdapter(Annotated[info.annotation, info])  # type: ignore[arg-type]
            fields[name] = adapter.validate_python(data[key])
        except ValidationError:
            continue
    return model.model_construct(**fields)


def _draft(data: dict[str, Any], file: str, smap: SourceMap, problems: list[Problem]) -> Draft:
    """Validate each section and list item on its own, so one bad item hides nothing else."""
    seen: set[Path] = set()
    draft = Draft()
    top_fields = set(_field_names(models.Register))
    for key in data:
        if key not in top_fields:
            pos = smap.locate((key,), key=True)
            close = difflib.get_close_matches(str(key), sorted(top_fields), n=1, cutoff=0.6)
            hint = (
                f"; did you mean '{close[0]}'?"
                if close
                else f"; sections: {', '.join(sorted(top_fields))}"
            )
            problems.append(
                Problem(file, pos.line, pos.column, "E001", f"unknown section '{key}'{hint}")
            )
    version = data.get("steward", 1)
    if version != 1:
        pos = smap.locate(("steward",))
        problems.append(
            Problem(
                file,
                pos.line,
                pos.column,
                "E002",
                f"register format version {version!r} is not supported; this Steward reads 1",
            )
        )
    for required in ("operator", "subjects", "purposes"):
        if required not in data:
            problems.append(Problem(file, 1, 1, "E001", f"missing required section '{required}'"))
            draft.broken.add(required)
    if "operator" in data:
        draft.operator = _validate_part(
            models.Operator, data["operator"], ("operator",), file, smap, seen, problems
        )
        if draft.operator is None:
            draft.operator = _salvage(models.Operator, data["operator"])  # type: ignore[assignment]
            draft.partial.add(("operator", 0))
    for section, model in _LIST_SECTIONS.items():
        raw = data.get(section)
        if raw is None:
            continue
        if not isinstance(raw, list):
            pos = smap.locate((section,))
            problems.append(
                Problem(
                    file,
                    pos.line,
                    pos.column,
                    "E001",
                    f"'{section}' must be a list of items (each starting with '- ')",
                )
            )
            draft.broken.add(section)
            continue
        if not raw and section in ("subjects", "purposes"):
            pos = smap.locate((section,))
            problems.append(
                Problem(file, pos.line, pos.column, "E001", f"'{section}' needs at least one item")
            )
        items = getattr(draft, section)
        for index, item in enumerate(raw):
            valid = _validate_part(model, item, (section, index), file, smap, seen, problems)
            if valid is None:
                draft.partial.add((section, index))
                valid = _salvage(model, item)
                key = "name" if section == "cookies" else "id"
                if valid is None or getattr(valid, key, None) is None:
                    draft.broken.add(section)  # an id is unknown: references to it may be right
                    continue
            items.append((index, valid))
    if "policy" in data:
        draft.policy = _validate_part(
            models.Policy, data["policy"], ("policy",), file, smap, seen, problems
        )
    if "consents" in data:
        consents = _validate_part(
            models.Consents, data["consents"], ("consents",), file, smap, seen, problems
        )
        if consents is not None:
            draft.consent_items = list(enumerate(consents.items))
        else:
            raw_items = (
                data["consents"].get("items") if isinstance(data["consents"], dict) else None
            )
            for index, item in enumerate(raw_items if isinstance(raw_items, list) else []):
                try:
                    draft.consent_items.append((index, models.ConsentItem.model_validate(item)))
                except ValidationError:
                    draft.broken.add("consents")
    return draft


def _findings(
    draft: Draft, checks: Any, file: str, smap: SourceMap, severity: Severity
) -> list[Problem]:
    problems = []
    for check in checks:
        for path, code, message in check(draft):
            pos = smap.locate(path)
            problems.append(Problem(file, pos.line, pos.column, code, message, severity))
    return problems


def check_bytes(raw: bytes, file: str, *, strict: bool = False) -> CheckResult:
    """Check register bytes. Never raises for bad input; problems are in the result."""
    try:
        data, smap, issues = load(raw)
    except YamlSourceError as exc:
        issue = exc.issue
        return CheckResult(
            file,
            None,
            [Problem(file, issue.position.line, issue.position.column, issue.code, issue.message)],
        )
    problems = [
        Problem(file, i.position.line, i.position.column, i.code, i.message) for i in issues
    ]
    if not isinstance(data, dict):
        what = "empty" if data is None else f"a {type(data).__name__}"
        problems.append(
            Problem(
                file,
                1,
                1,
                "E000",
                f"the register is {what}; it must be a mapping with 'operator', 'subjects' and "
                "'purposes' (run 'steward init DIR' for a starter)",
            )
        )
        return CheckResult(file, None, problems)

    draft = _draft(data, file, smap, problems)
    problems += _findings(draft, STRUCTURAL_CHECKS, file, smap, Severity.ERROR)
    lint = _findings(draft.whole(), LINT_CHECKS, file, smap, Severity.WARNING)
    problems += [p.as_error() for p in lint] if strict else lint

    register = None
    if not any(p.severity is Severity.ERROR for p in problems):
        try:
            register = models.Register.model_validate(data)
        except ValidationError as exc:  # a cross-field rule the per-section pass missed
            problems += _validation_problems(exc, data, (), file, smap, set())
    problems.sort(key=lambda p: (p.line, p.column, p.code))
    return CheckResult(file, register, problems)


def check_file(path: str | FsPath, *, strict: bool = False) -> CheckResult:
    """Check a register file. Unreadable files are reported as problems, not raised."""
    name = str(path)
    try:
        with open(path, "rb") as handle:
            raw = handle.read(5 * 1024 * 1024 + 1)
    except OSError as exc:
        return CheckResult(
            name, None, [Problem(name, 1, 1, "E000", f"cannot read the file: {exc.strerror}")]
        )
    return check_bytes(raw, name, strict=strict)


def load_register(path: str | FsPath) -> models.Register:
    """Load a register that must be valid; raises ``RegisterError`` with every error."""
    result = check_file(path)
    if result.register is None:
        raise RegisterError(result.errors)
    return result.register


def position_of(path: str | FsPath, where: tuple[str | int, ...]) -> tuple[int, int]:
    """Line and column (1-based) of the value at ``where`` in a register file, e.g.
    ``("datastores", 0, "tables", 2, "retention", "column")``, or of its nearest ancestor
    present; (1, 1) when the file cannot be read. For problems found outside the file (against
    a live database) that still belong to one of its lines."""
    try:
        with open(path, "rb") as handle:
            _, smap, _ = load(handle.read(5 * 1024 * 1024 + 1))
    except (OSError, YamlSourceError):
        return 1, 1
    position = smap.locate(where)
    return position.line, position.column
