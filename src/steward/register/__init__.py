"""The processing register: models, built-in taxonomy, YAML loading with positions, checks."""

from steward.register.loader import CheckResult, check_bytes, check_file, load_register
from steward.register.models import Register
from steward.register.problems import Problem, RegisterError, Severity

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
