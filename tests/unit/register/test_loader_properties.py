"""Whatever bytes arrive, the loader answers with problems, never an exception."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from steward.register import check_bytes, yamlsource

BASE = (Path(__file__).parent / "data" / "base.yaml").read_bytes()
BASE_LINES = BASE.decode().splitlines(keepends=True)

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=20)
)
yaml_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=25,
)
section_names = st.sampled_from(
    [
        "steward",
        "operator",
        "subjects",
        "purposes",
        "recipients",
        "datastores",
        "cookies",
        "consents",
        "categories",
        "names",
        "id",
        "retention",
        "tables",
        "columns",
    ]
)
register_like = st.dictionaries(section_names, yaml_values, max_size=8)

PROPERTY_SETTINGS = settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def _assert_answers(raw: bytes) -> None:
    result = check_bytes(raw, "fuzz.yaml")
    for problem in result.problems:
        assert problem.line >= 1 and problem.column >= 1
        assert problem.message
    if result.register is None:
        assert result.errors, "an unloadable register must say why"


@PROPERTY_SETTINGS
@given(st.binary(max_size=2000))
def test_random_bytes_never_raise(raw: bytes) -> None:
    _assert_answers(raw)


@PROPERTY_SETTINGS
@given(yaml_values)
def test_random_yaml_never_raises(value: object) -> None:
    _assert_answers(yaml.safe_dump(value, allow_unicode=True).encode())


@PROPERTY_SETTINGS
@given(register_like)
def test_register_shaped_yaml_never_raises(value: object) -> None:
    _assert_answers(yaml.safe_dump(value, allow_unicode=True).encode())


@PROPERTY_SETTINGS
@given(
    st.lists(
        st.tuples(st.integers(0, len(BASE_LINES) - 1), st.sampled_from(["drop", "dup", "cut"])),
        min_size=1,
        max_size=6,
    )
)
def test_mangled_real_registers_never_raise(edits: list[tuple[int, str]]) -> None:
    lines = list(BASE_LINES)
    for index, how in edits:
        index %= len(lines)
        if how == "drop":
            del lines[index]
        elif how == "dup":
            lines.insert(index, lines[index])
        else:
            lines[index] = lines[index][: len(lines[index]) // 2] + "\n"
        if not lines:
            break
    _assert_answers("".join(lines).encode())


def test_oversized_file_is_refused_without_parsing() -> None:
    result = check_bytes(b"a: b\n" * 2_000_000, "big.yaml")
    assert [p.code for p in result.problems] == ["Y001"]


def test_alias_bomb_is_refused() -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n"
    for level in "bcdefghij":
        previous = chr(ord(level) - 1)
        bomb += f"{level}: &{level} [" + ", ".join([f"*{previous}"] * 9) + "]\n"
    result = check_bytes(bomb.encode(), "bomb.yaml")
    assert [p.code for p in result.problems] == ["Y003"]


def test_deep_nesting_is_refused() -> None:
    result = check_bytes(b"[" * 5000 + b"]" * 5000, "deep.yaml")
    assert result.register is None and result.problems[0].code in ("Y004", "Y010")


def test_python_tags_are_never_constructed() -> None:
    raw = b"operator: !!python/object/apply:os.system ['echo pwned']\n"
    result = check_bytes(raw, "tag.yaml")
    assert result.register is None
    assert result.errors


def test_norway_stays_a_country() -> None:
    text = BASE.decode().replace(
        "    country: RU\n  - id: tax-authority",
        "    country: NO\n    transfer_basis: adequacy\n  - id: tax-authority",
    )
    assert text != BASE.decode()
    result = check_bytes(text.encode(), "no.yaml", strict=True)
    assert result.ok, [p.format() for p in result.problems]
    assert result.register is not None
    assert result.register.recipient("courier").country == "NO"


def _load_with(fast: bool, raw: bytes) -> object:
    """What ``yamlsource.load`` answers, with libyaml or with PyYAML's Python parser only."""
    saved = yamlsource._FAST_LOADER
    yamlsource._FAST_LOADER = saved if fast else None
    try:
        return yamlsource.load(raw)
    except yamlsource.YamlSourceError as exc:
        return exc.issue
    finally:
        yamlsource._FAST_LOADER = saved


@PROPERTY_SETTINGS
@given(
    st.one_of(
        st.builds(
            lambda value, flow, width: yaml.safe_dump(
                value, allow_unicode=True, default_flow_style=flow, width=width
            ).encode(),
            yaml_values | register_like,
            st.sampled_from([False, True, None]),
            st.integers(20, 200),
        ),
        st.lists(st.sampled_from(BASE_LINES), max_size=40).map(lambda ls: "".join(ls).encode()),
    )
)
def test_libyaml_reads_every_document_as_the_python_parser_does(raw: bytes) -> None:
    """Data, source positions, duplicate keys and the error for a broken document: the same."""
    assert _load_with(True, raw) == _load_with(False, raw)


def _written(loaded: object) -> object:
    """A load's data and positions, but not where an empty value (``a:``) is placed: the two
    parsers put it a column apart in flow style (``{a: }``), or on the next line after an
    explicit ``?`` key."""
    if not isinstance(loaded, tuple):
        return loaded
    data, smap, duplicates = loaded

    def empty(path: tuple[object, ...]) -> bool:
        value = data
        for part in path:
            if part == "<key>":
                return False
            try:
                value = value[part]
            except (KeyError, IndexError, TypeError):
                return False
        return value is None

    values = {path: at for path, at in smap.values.items() if not empty(path)}
    return data, values, smap.keys, duplicates


@PROPERTY_SETTINGS
@given(st.text(alphabet="ab:-[]{}&*!'\"|>#\n\t ,?<%@", max_size=60).map(str.encode))
@example(b"{a: }")
@example(b"? a")
@example(b"a: b\t")
@example(b"|#\n")
def test_libyaml_on_yaml_soup_refuses_nothing_the_python_parser_reads(raw: bytes) -> None:
    """On arbitrary punctuation, whatever PyYAML reads, libyaml reads to the same data and
    positions (an empty value's aside). What PyYAML refuses, libyaml refuses with the same
    error, or reads (it allows a tab after a value and a comment right after a block scalar's
    ``|``) and the builder judges."""
    fast, python = _load_with(True, raw), _load_with(False, raw)
    if isinstance(python, yamlsource.SourceIssue):
        assert fast == python or getattr(fast, "code", None) != "Y010"
    else:
        assert _written(fast) == _written(python)


def test_real_registers_read_the_same_with_libyaml() -> None:
    registers = sorted(Path(__file__).parents[3].glob("examples/**/*.yaml"))
    assert registers
    for path in registers:
        raw = path.read_bytes()
        assert _load_with(True, raw) == _load_with(False, raw), path


def test_nesting_a_million_deep_is_refused_without_crashing() -> None:
    """libyaml's composer recurses in C: unchecked, this document kills the process."""
    script = (
        "from steward.register import check_bytes\n"
        "r = check_bytes(b'[' * 1_000_000 + b']' * 1_000_000, 'deep.yaml')\n"
        "print(r.problems[0].code)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-500:]
    assert done.stdout.strip() == "Y004"
