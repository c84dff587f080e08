"""Compiled notice templates are loaded as code: only from a folder no one else can write or
replace (``notices.render.private_folder``), else they are compiled each time."""

from __future__ import annotations

import os
from pathlib import Path

from steward.notices.render import private_folder


def test_a_private_folder_under_private_parents_is_used(tmp_path: Path) -> None:
    folder = tmp_path / "cache" / "steward" / "jinja"
    folder.mkdir(parents=True, mode=0o700)
    for path in (tmp_path, tmp_path / "cache", tmp_path / "cache" / "steward"):
        path.chmod(0o755)
    assert private_folder(str(folder.resolve()))


def test_a_folder_others_may_write_or_replace_is_refused(tmp_path: Path) -> None:
    base = tmp_path / "shared"
    folder = base / "jinja"
    folder.mkdir(parents=True, mode=0o700)
    tmp_path.chmod(0o755)
    base.chmod(0o777)  # anyone may rename "jinja" and put their own in its place
    assert not private_folder(str(folder))
    base.chmod(0o1777)  # sticky, as /tmp: only the owner may rename it
    assert private_folder(str(folder))
    folder.chmod(0o770)
    assert not private_folder(str(folder))  # the folder itself is group-writable


def test_a_symlinked_folder_is_refused(tmp_path: Path) -> None:
    tmp_path.chmod(0o755)
    real = tmp_path / "real"
    real.mkdir(mode=0o700)
    link = tmp_path / "link"
    os.symlink(real, link)
    assert not private_folder(str(link))
    assert private_folder(str(real))
