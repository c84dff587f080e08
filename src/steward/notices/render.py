"""Render a notice to Markdown or HTML from the per-language templates.

    text = render_notice(register, lang="ru", fmt="html", published=date.today())

Each language has one template, ``templates/<lang>/notice.md.j2``; the HTML page is that
Markdown converted by markdown-it (CommonMark with tables) and set in ``templates/page.html.j2``
with a table of contents and print styles, so the two formats can never say different things.
Register text is escaped before it reaches Markdown, so a purpose name cannot break a table or
inject markup. The output for a given register, language, version and date is deterministic.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import stat
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Literal

import jinja2
from jinja2 import (
    Environment,
    FileSystemBytecodeCache,
    FileSystemLoader,
    StrictUndefined,
    select_autoescape,
)
from jinja2.bccache import Bucket
from markupsafe import Markup

from steward.lib import i18n
from steward.lib.i18n import N_
from steward.notices.content import SECTIONS, Notice, build_notice
from steward.notices.plural import Case, Unit, count_phrase
from steward.register.models import Register

Format = Literal["md", "html"]
FORMATS: tuple[Format, ...] = ("md", "html")
TEMPLATES = Path(__file__).parent / "templates"

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|])")


def md_escape(value: object) -> str:
    """Register text made inert in Markdown: special characters escaped, lines joined."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(str(value).split()))


def md_cell(value: object) -> str:
    """Text safe inside a Markdown table cell (pipes escaped, one line)."""
    return md_escape(value)


def md_code(value: object) -> str:
    """Text for a Markdown code span: backticks and pipes cannot close it or split a cell."""
    return " ".join(str(value).split()).replace("`", "'").replace("|", "\\|")


def _count(n: int, unit: Unit, lang: str, case: Case = "nom") -> str:
    return count_phrase(n, unit, lang, case)


class _UserCache(FileSystemBytecodeCache):
    """Compiled templates in the user's cache folder; one it cannot write is skipped."""

    def dump_bytecode(self, bucket: Bucket) -> None:
        # a read-only or full disk: the template was compiled, it renders all the same
        with contextlib.suppress(OSError):
            super().dump_bytecode(bucket)


def _bytecode_cache() -> FileSystemBytecodeCache | None:
    """Where compiled templates are kept between processes, so that ``steward notice`` does
    not compile the notice's template on every run (a fifth of its rendering time).

    ``$XDG_CACHE_HOME/steward/jinja`` (``~/.cache/steward/jinja``), made private to the user;
    None (compile each time) when there is no such folder to make. Jinja checks each entry
    against its template's source; the file names also carry a digest of this module, which
    holds the options the templates are compiled with, so changing one compiles them anew.
    """
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    directory = os.path.join(base, "steward", "jinja")
    try:
        os.makedirs(directory, mode=0o700, exist_ok=True)
    except OSError:
        return None
    real = os.path.realpath(directory)
    if not private_folder(real) or not os.access(real, os.W_OK):
        return None  # code is loaded from it: only a folder no one else can write or replace
    options = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]
    return _UserCache(real, pattern=f"notice-{options}-{jinja2.__version__}-%s.cache")


def private_folder(path: str) -> bool:
    """``path`` (no symlinks in it) is this user's, written by no one else, and so is every
    folder above it, up to the root: owned by this user or root, not group- or world-writable
    unless sticky (``/tmp``), so no one else can replace it or what it holds."""
    uid = os.getuid() if hasattr(os, "getuid") else None
    if uid is None:
        return False  # no owners to check (Windows): compile each time
    try:
        leaf = os.lstat(path)
    except OSError:
        return False
    if stat.S_ISLNK(leaf.st_mode) or leaf.st_uid != uid or leaf.st_mode & 0o022:
        return False
    parent = os.path.dirname(path)
    while parent and parent != path:
        try:
            folder = os.lstat(parent)
        except OSError:
            return False
        shared = folder.st_mode & 0o022 and not folder.st_mode & stat.S_ISVTX
        if stat.S_ISLNK(folder.st_mode) or folder.st_uid not in (uid, 0) or shared:
            return False
        path, parent = parent, os.path.dirname(parent)
    return True


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        bytecode_cache=_bytecode_cache(),
        autoescape=select_autoescape(enabled_extensions=("html.j2",), default=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["md"] = md_escape
    env.filters["cell"] = md_cell
    env.filters["code"] = md_code
    env.filters["count"] = _count
    env.globals["sections"] = SECTIONS
    return env


_ANCHOR = re.compile(r'<p><a id="([a-z-]+)"></a></p>\n<h2>(.*?)</h2>')
_TITLE = re.compile(r"<h1>(.*?)</h1>")
_CSS = (TEMPLATES / "notice.css").read_text(encoding="utf-8")
# Link text for the version list, per language; the page's other words come from the notice.
PAGE_WORDS = {
    "contents": N_("Contents"),
    "versions": N_("Earlier versions"),
    "skip": N_("Skip to the notice"),
}


def render_markdown(notice: Notice) -> str:
    """The notice as Markdown from ``templates/<lang>/notice.md.j2``."""
    text = environment().get_template(f"{notice.lang}/notice.md.j2").render(n=notice)
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def markdown_to_html(markdown: str) -> tuple[str, str, list[tuple[str, str]]]:
    """The notice body as HTML, its title, and its sections as (anchor, heading text)."""
    from markdown_it import MarkdownIt  # only HTML needs it: `steward notice` prints Markdown

    body = MarkdownIt("commonmark", {"html": True}).enable("table").render(markdown)
    body = _ANCHOR.sub(r'<h2 id="\1">\2</h2>', body)
    title_match = _TITLE.search(body)
    title = title_match.group(1) if title_match else ""
    toc = re.findall(r'<h2 id="([a-z-]+)">(.*?)</h2>', body)
    # Tables get header scopes so screen readers announce which column a cell belongs to.
    body = body.replace("<th>", '<th scope="col">')
    return body, title, toc


def render_html_page(
    notice: Notice, *, stylesheet_href: str | None = None, versions_href: str | None = None
) -> str:
    """A complete, printable HTML document; inline styles unless ``stylesheet_href`` is given."""
    body, title, toc = markdown_to_html(render_markdown(notice))
    return (
        environment()
        .get_template("page.html.j2")
        .render(
            lang=notice.lang,
            title=Markup(title),  # noqa: S704 - produced by markdown-it from escaped text
            body=Markup(body),  # noqa: S704 - idem
            toc=[(anchor, Markup(text)) for anchor, text in toc],  # noqa: S704
            css=Markup(_CSS),  # noqa: S704 - our own file
            stylesheet_href=stylesheet_href,
            versions_href=versions_href,
            words=i18n.words(PAGE_WORDS, notice.lang),
        )
    )


def render(notice: Notice, fmt: Format) -> str:
    """The notice in ``fmt`` using the templates of ``notice.lang``."""
    if fmt == "md":
        return render_markdown(notice)
    if fmt == "html":
        return render_html_page(notice)
    raise ValueError(f"unknown format {fmt!r}; expected md or html")


def render_notice(
    register: Register,
    *,
    lang: str,
    fmt: Format,
    published: date,
    version: str | None = None,
    base_url: str | None = None,
) -> str:
    """Build and render the notice of ``register`` in one call."""
    notice = build_notice(register, lang, version=version, published=published, base_url=base_url)
    return render(notice, fmt)


__all__ = [
    "FORMATS",
    "Format",
    "markdown_to_html",
    "md_cell",
    "md_escape",
    "render",
    "render_html_page",
    "render_markdown",
    "render_notice",
]
