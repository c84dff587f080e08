"""The part of the completion e-mail that says what was done, in the subject's language.

    text = report.of(result, "ru")     # erased / masked / kept, and why and until when

Counts, table names, purposes and dates only: never the subject's data. The words come from
the typed result (``results.RunResult``), so the e-mail cannot say more than the run did. The
text is English in the source and in the catalogue for the other languages (``lib/i18n``),
with the plural forms of the reader's language ("1 запись", "3 записи", "5 записей").
"""

from __future__ import annotations

from collections.abc import Callable

from steward.lib import i18n
from steward.lib.i18n import N_
from steward.requests.results import RunResult


def _changed(ngettext: Callable[[str, str, int], str]) -> dict[str, Callable[[int], str]]:
    """What a run did to the subject's rows, one line per kind of change, counted."""
    return {
        "erased": lambda n: ngettext("Erased: %(num)s record.", "Erased: %(num)s records.", n),
        "masked": lambda n: ngettext(
            "Made anonymous (personal fields replaced, the record kept): %(num)s record.",
            "Made anonymous (personal fields replaced, the record kept): %(num)s records.",
            n,
        ),
        "restricted": lambda n: ngettext(
            "Restricted (kept, no longer used): %(num)s record.",
            "Restricted (kept, no longer used): %(num)s records.",
            n,
        ),
        "rectified": lambda n: ngettext(
            "Corrected: %(num)s record.", "Corrected: %(num)s records.", n
        ),
    }


SHARED = {
    "erasure": N_("Not erased, because they are someone else's records too:"),
    "restriction": N_(
        "Not restricted, because they are someone else's records too (restricting them would "
        "stop processing for a person who did not ask):"
    ),
}


def of(result: RunResult, lang: str) -> str:
    """The lines of the completion e-mail that report ``result`` in ``lang`` (en or ru)."""
    _, ngettext = i18n.translator(lang).gettext, i18n.translator(lang).ngettext
    changed = _changed(ngettext)
    totals = result.totals
    lines: list[str] = []
    if result.kind in ("access", "portability"):
        lines.append(_("Records found: %(num)s.") % {"num": totals["found"]})
    else:
        for key in ("erased", "masked", "restricted", "rectified"):
            if totals[key] and not (key == "restricted" and result.kind == "erasure"):
                lines.append(changed[key](totals[key]) % {"num": totals[key]})
        if not lines and not result.holds:
            lines.append(_("We found no data about you to change."))
    shared = [table for table in result.tables if table.shared]
    if shared and result.kind in SHARED:
        lines.append(_(SHARED[result.kind]))
        for table in sorted(shared, key=lambda t: (t.datastore, t.table)):
            line = ngettext(
                "- %(num)s record in %(table)s.", "- %(num)s records in %(table)s.", table.shared
            )
            lines.append(line % {"num": table.shared, "table": table.table})
    if result.holds:
        lines.append(_("Kept because the law still requires it:"))
        for hold in result.holds:
            line = ngettext(
                "- %(num)s record in %(table)s: %(purpose)s%(basis)s, until %(until)s.",
                "- %(num)s records in %(table)s: %(purpose)s%(basis)s, until %(until)s.",
                hold.rows,
            )
            lines.append(
                line
                % {
                    "num": hold.rows,
                    "table": hold.table,
                    "purpose": hold.purpose,
                    "basis": f" ({hold.basis})" if hold.basis else "",
                    "until": hold.until.isoformat() if hold.until else _("no end date recorded"),
                }
            )
    if result.residual:
        line = ngettext(
            "Warning: %(num)s identifying record was still found after the change; we are "
            "looking into it.",
            "Warning: %(num)s identifying records were still found after the change; we are "
            "looking into it.",
            result.residual,
        )
        lines.append(line % {"num": result.residual})
    return "\n".join(lines)


def no_run(reason: str, lang: str) -> str:
    _ = i18n.translator(lang).gettext
    return _("No change on our databases was needed: %(reason)s") % {"reason": reason}
