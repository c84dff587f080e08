"""``env_setting`` reads a plain setting exactly as ``Settings`` does, from the same sources."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from unittest import mock

from hypothesis import given
from hypothesis import strategies as st

from steward.config import Settings, settings_without_secret
from steward.env_setting import DEFAULT_BASE_URL, env_setting

# the names pydantic-settings matches (any letter case), a file variable, and others
NAMES = ("STEWARD_BASE_URL", "steward_base_url", "Steward_Base_Url", "STEWARD_BASE_URLX")
values = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"))


@given(
    st.dictionaries(st.sampled_from(NAMES), values, max_size=3),
    st.none() | values,
)
def test_base_url_is_the_settings_own(variables: dict[str, str], in_file: str | None) -> None:
    with tempfile.TemporaryDirectory() as folder:
        environment = dict(variables)
        if in_file is not None:
            path = Path(folder) / "base_url"
            path.write_text(in_file, encoding="utf-8")
            environment["STEWARD_BASE_URL_FILE"] = str(path)
        with mock.patch.dict(os.environ, environment, clear=True):
            assert env_setting("base_url", DEFAULT_BASE_URL) == settings_without_secret().base_url


def test_the_default_is_the_settings_field_default() -> None:
    assert Settings.model_fields["base_url"].default == DEFAULT_BASE_URL


def test_a_setting_the_command_does_not_read_cannot_stop_it() -> None:
    broken = {"STEWARD_JOB_LEASE_SECONDS": "not a number", "STEWARD_BASE_URL": "https://p.example"}
    with mock.patch.dict(os.environ, broken, clear=True):
        assert env_setting("base_url", DEFAULT_BASE_URL) == "https://p.example"
