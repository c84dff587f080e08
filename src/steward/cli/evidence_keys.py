"""The keys a verifying command uses: the public key to check signed heads, the identifier key.

A verifier outside the operator passes ``--public-key`` (the ``x`` of the key served at
``/.well-known/steward-consent-key.json``); on the operator's machine the keys come from the
settings (``STEWARD_SECRET_KEY`` and the consent keys). Without either, signatures are not
checked and the command says so.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from steward.config import get_settings
from steward.consent.identity import ConsentKeys
from steward.consent.receipts import b64url_decode
from steward.ledger.anchors import Head, parse_head

PublicKeyOption = Annotated[
    str | None,
    typer.Option(
        "--public-key",
        help="Steward's public key (the 'x' of /.well-known/steward-consent-key.json); "
        "default: this Steward's, from its settings.",
        show_default=False,
    ),
]
ExpectedOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--expected-head",
        help="A signed head kept outside the store (from 'steward ledger anchor' or an export) "
        "or a consent receipt; repeatable.",
        show_default=False,
    ),
]


def own_keys() -> ConsentKeys | None:
    """This Steward's keys, when its secret is configured (dev mode counts)."""
    try:
        return ConsentKeys.from_settings(get_settings())
    except ValueError:
        return None


def public_key(given: str | None) -> bytes | None:
    if given:
        return b64url_decode(given)
    keys = own_keys()
    return keys.public_key_raw() if keys else None


def read_heads(paths: list[Path] | None, key: bytes | None) -> list[Head]:
    """Every head in the given files (a JSON document, a list, or JSON lines); exit 2 if bad."""
    heads: list[Head] = []
    for path in paths or []:
        try:
            text = path.read_text(encoding="utf-8")
            documents: list[Any]
            try:
                loaded = json.loads(text)
                documents = loaded if isinstance(loaded, list) else [loaded]
            except ValueError:
                documents = [json.loads(line) for line in text.splitlines() if line.strip()]
            heads.extend(parse_head(d, str(path), key) for d in documents)
        except (OSError, ValueError) as exc:
            typer.echo(f"{path}: cannot read a signed head: {exc}", err=True)
            raise typer.Exit(2) from None
    return heads
