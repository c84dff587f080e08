"""The processing register: models, built-in taxonomy, YAML loading with positions, checks.

The names below are imported on first use, so that a module needing only a small piece (the
duration type ``law/`` counts with) does not pay for the models and the loader.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from steward.register.loader import CheckResult, check_bytes, check_file, load_register
    from steward.register.models import Register
    from steward.register.problems import Problem, RegisterError, Severity

_WHERE = {
    "CheckResult": "steward.register.loader",
    "check_bytes": "steward.register.loader",
    "check_file": "steward.register.loader",
    "load_register": "steward.register.loader",
    "Register": "steward.register.models",
    "Problem": "steward.register.problems",
    "RegisterError": "steward.register.problems",
    "Severity": "steward.register.problems",
}

__all__ = [
    "CheckResult",
    "Problem",
    "Register",
    "RegisterError",
    "Severity",
    "check_bytes",
    "check_file",
    "load_register",
]


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'steward.register' has no attribute '{name}'")
    return getattr(importlib.import_module(_WHERE[name]), name)
