"""HTML to PDF, the one renderer of every printable document Steward hands out.

    html_to_pdf(html) -> bytes    # WeasyPrint; needs Pango (scripts/ensure-system.sh installs it)

Filings, destruction acts and breach evidence lay out their own HTML and call this; WeasyPrint is
imported on first use so that commands which never print start fast.
"""

from __future__ import annotations


def html_to_pdf(html: str) -> bytes:
    """The HTML document as PDF bytes."""
    from weasyprint import HTML

    result: bytes = HTML(string=html).write_pdf()
    return result
