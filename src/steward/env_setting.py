"""One plain ``STEWARD_*`` setting, read as :class:`steward.config.Settings` reads it, without
building the settings.

    base_url = env_setting("base_url", DEFAULT_BASE_URL)

For a command that needs one string setting and no secret (``steward notice`` reads only its
base URL): ``steward.config`` imports pydantic-settings, which imports asyncio, argparse and
dotenv (about 50 ms of the command's start), and refuses to start when any other setting is
malformed. The sources are the settings' own, in their order: the variable ``STEWARD_<NAME>``
in any letter case (pydantic-settings matches names case-insensitively; of several spellings
the last in the environment wins), else the file ``STEWARD_<NAME>_FILE`` names, else the
default. Only for ``str`` settings, which pydantic-settings takes verbatim; a property test
compares the result with ``Settings``.
"""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_BASE_URL = "http://127.0.0.1:8000"


def setting_file(variable: str) -> str:
    """The setting in the file the variable ``variable`` names (a mounted secret), stripped."""
    return Path(os.environ[variable]).read_text(encoding="utf-8").strip()


def env_setting(name: str, default: str) -> str:
    """The string setting ``name`` (``"base_url"``) as ``Settings`` would read it."""
    wanted = f"steward_{name}".lower()
    found: str | None = None
    for key, value in os.environ.items():
        if key.lower() == wanted:
            found = value
    if found is not None:
        return found
    file_variable = f"STEWARD_{name.upper()}_FILE"
    if file_variable in os.environ:
        return setting_file(file_variable)
    return default
