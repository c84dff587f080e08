"""An app as the tests run it: Steward on its own fresh SQLite store, upgraded to the last
migration, in development mode, on one of the example registers (or none).

    app = fresh_app(tmp_path, "activecloud")       # examples/activecloud/register.yaml
    app = fresh_app(tmp_path)                      # no register loaded
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from steward.config import Settings
from steward.store.db import make_engine, upgrade
from steward.web.app import create_app

from .conftest import EXAMPLES


def fresh_app(tmp_path: Path, operator: str | None = None, **settings: Any) -> Any:
    url = f"sqlite:///{tmp_path / 'steward.db'}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    register = EXAMPLES / operator / "register.yaml" if operator else None
    if register is not None:
        settings = {"register_path": register, "dev": True, **settings}
    return create_app(Settings(database_url=url, **settings))
