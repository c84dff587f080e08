"""Whether two versions of the scanner find the same hits: dump every hit, then compare.

    # once: the texts (drawn with this tree's corpus code, so both versions scan the same bytes)
    .venv/bin/python bench/discovery_equivalence.py texts /tmp/eq/texts.pickle
    # each version's hits (PYTHONPATH chooses the scanner: a base tree's src/, or this one's)
    PYTHONPATH=/tmp/base/src .venv/bin/python bench/discovery_equivalence.py hits \
        /tmp/eq/texts.pickle /tmp/eq/base.pickle
    PYTHONPATH=src .venv/bin/python bench/discovery_equivalence.py hits \
        /tmp/eq/texts.pickle /tmp/eq/new.pickle
    .venv/bin/python bench/discovery_equivalence.py compare /tmp/eq/base.pickle /tmp/eq/new.pickle

The texts: 2,000 documents of each of the dense corpus, the sparse corpus and a dense corpus of
another seed, and 3,000 "digit soups" (random runs of digits, separators, colons, hex letters,
context words and label words, the shapes the scanner's patterns and splitting must agree on).
Each text is scanned as free text, ``bare``, ``bare`` with every kind that needs context
assumed, and with only ``phone`` assumed; each corpus's lines are also scanned as column
values (joined by the scanner's SEPARATOR, as discovery/columns.py does), and the column
bench's 50 columns classified. A hit is (kind, category, start, end, value, contextual).
"""

from __future__ import annotations

import pickle
import random
import sys
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

_SOUP_WORDS = (
    "ИНН", "inn", "ОГРН", "огрнип", "СНИЛС", "snils", "паспорт", "passport", "серия", "№",
    "номер", "tel.", "phone", "телефон", "born", "дата рождения", "Date of birth:", "card",
    "IBAN", "x", "ext.", "ext", "N", "No.", "ts=", "id:", "v", "abc", "DEAD", "beef", "::",
    "@", "mail@example.com", "a.b@c.de", "\n", "\x1e", "+", "(", ")", "+7", "8 (", "T", "Z",
)  # fmt: skip
_SEPARATORS = (" ", " ", "-", ".", "/", ":", "(", ")", " - ", "  ", "", "..", ", ", "/ ")


def _hex(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789abcdef") for _ in range(n))


def _shape(rng: random.Random) -> str:
    """A value of a shape the patterns tell apart: dates, times, addresses, codes."""
    d = lambda n: "".join(rng.choice("0123456789") for _ in range(n))  # noqa: E731
    year, month, day = rng.randint(1790, 2210), rng.randint(0, 13), rng.randint(0, 32)
    return rng.choice(
        (
            f"{day:02d}.{month:02d}.{year}",
            f"{year}-{month:02d}-{day:02d}",
            f"{month}/{day}/{year}",
            f"{year}.{month}.{day}",
            f"{year}-{month:02d}-{day:02d}T{d(2)}:{d(2)}:{d(2)}Z",
            f"{year}-{month:02d}-{day:02d} {d(2)}:{d(2)}:{d(2)}",
            f"{d(2)}:{d(2)}:{d(2)}",
            f"{d(2)}:{d(2)}",
            f"{d(1)}:{d(2)}:{d(2)}.{d(3)}",
            ":".join(_hex(rng, rng.randint(1, 4)) for _ in range(rng.randint(2, 9))),
            "::".join(_hex(rng, rng.randint(1, 4)) for _ in range(rng.randint(2, 3))),
            "::" + _hex(rng, rng.randint(1, 4)),
            f"{d(4)}:{d(4)}:{d(4)}:{d(4)}",
            ".".join(str(rng.randint(0, 300)) for _ in range(rng.randint(3, 5))),
            str(uuid.UUID(int=rng.getrandbits(128))),
            _hex(rng, rng.choice((32, 40, 64))),
            f"{rng.choice(('DE', 'RU', 'FR', 'GB'))}{d(2)} {d(4)} {d(4)} {d(4)} {d(4)} {d(2)}",
            f"{d(2)} {d(2)} № {d(6)}",
            f"{d(4)} номер {d(6)}",
            f"{d(3)}-{d(3)}-{d(3)} {d(2)}",
            f"+{d(1)} ({d(3)}) {d(3)}-{d(2)}-{d(2)}",
            f"{d(3)}.{d(3)}.{d(4)} x{d(3)}",
        )
    )


def _soup(rng: random.Random) -> str:
    """A random text of the shapes digit runs come in, with words around them."""
    parts: list[str] = []
    for _ in range(rng.randint(3, 40)):
        roll = rng.random()
        if roll < 0.15:
            parts.append(_shape(rng))
        elif roll < 0.55:
            parts.append("".join(rng.choice("0123456789") for _ in range(rng.randint(1, 20))))
        elif roll < 0.65:
            parts.append("".join(rng.choice("0123456789abcdefABCDEF") for _ in range(4)))
        elif roll < 0.85:
            parts.append(rng.choice(_SEPARATORS))
        else:
            parts.append(rng.choice(_SOUP_WORDS))
        parts.append(rng.choice(_SEPARATORS) if rng.random() < 0.6 else " ")
    return "".join(parts)


def make_texts() -> dict[str, list[str]]:
    from discovery_corpus import corpus

    texts = {
        "dense": [d.text for d in corpus(2000)[0]],
        "sparse": [d.text for d in corpus(2000, filler=0.85, distractors=0.1)[0]],
        "dense-seed-7": [d.text for d in corpus(2000, seed=7)[0]],
    }
    rng = random.Random(17)
    texts["soup"] = [_soup(rng) for _ in range(3000)]
    return texts


def _hits(scanner: Any, text: str | bytes, **options: Any) -> list[tuple[Any, ...]]:
    return [
        (h.kind, h.category, h.start, h.end, h.value, h.contextual)
        for h in scanner.scan(text, **options)
    ]


def dump_hits(texts: dict[str, list[str]]) -> dict[str, Any]:
    from discovery import sample_columns

    from steward.discovery.columns import classify_column
    from steward.discovery.detectors import KINDS
    from steward.discovery.scanner import SEPARATOR, Scanner

    scanner = Scanner(("RU", "US"))
    contextual = frozenset(k for k, kind in KINDS.items() if kind.needs_context)
    modes: dict[str, dict[str, Any]] = {
        "free": {},
        "bare": {"bare": True},
        "bare-assumed": {"bare": True, "assume": contextual},
        "phone-assumed": {"assume": frozenset({"phone"})},
    }
    out: dict[str, Any] = {}
    for name, docs in texts.items():
        for mode, options in modes.items():
            out[f"{name}/{mode}"] = [_hits(scanner, t, **options) for t in docs]
        lines = [line for t in docs for line in t.split("\n") if line.strip()]
        for mode, options in modes.items():
            batches = [lines[i : i + 200] for i in range(0, len(lines), 200)]
            out[f"{name}/columns/{mode}"] = [
                _hits(scanner, SEPARATOR.join(b).encode(), **options) for b in batches
            ]
    columns = sample_columns()
    out["column-bench"] = [
        (r.name, r.mode, r.categories, r.in_text, sorted(r.content.items()))
        for r in (classify_column(n, vals, scanner) for n, vals in columns.items())
    ]
    return out


def compare(a: dict[str, Any], b: dict[str, Any]) -> int:
    differences = 0
    for key in sorted(set(a) | set(b)):
        left, right = a.get(key), b.get(key)
        if left == right:
            continue
        if left is None or right is None:
            print(f"{key}: only in one dump")
            differences += 1
            continue
        for i, (x, y) in enumerate(zip(left, right, strict=True)):
            if x != y:
                differences += 1
                if differences <= 30:
                    lost, gained = sorted(set(x) - set(y)), sorted(set(y) - set(x))
                    print(f"{key}[{i}]:\n  - {lost}\n  + {gained}")
    total = sum(len(hits) for k, v in a.items() if k != "column-bench" for hits in v)
    print(f"{total} hits in the first dump; {differences} texts differ")
    return differences


def main() -> None:
    command, *paths = sys.argv[1:]
    if command == "texts":
        Path(paths[0]).write_bytes(pickle.dumps(make_texts()))
    elif command == "hits":
        texts = pickle.loads(Path(paths[0]).read_bytes())
        Path(paths[1]).write_bytes(pickle.dumps(dump_hits(texts)))
    elif command == "compare":
        a, b = (pickle.loads(Path(p).read_bytes()) for p in paths)
        sys.exit(1 if compare(a, b) else 0)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
