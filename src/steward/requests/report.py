"""The part of the completion e-mail that says what was done, in the subject's language.

    text = report.of(result, "ru")     # erased / masked / kept, and why and until when

Counts, table names, purposes and dates only: never the subject's data. The words come from
the typed result (``results.RunResult``), so the e-mail cannot say more than the run did.
"""

from __future__ import annotations

from steward.requests.results import RunResult

WORDS: dict[str, dict[str, str]] = {
    "en": {
        "erased": "Erased: {n} record(s).",
        "masked": "Made anonymous (personal fields replaced, the record kept): {n} record(s).",
        "restricted": "Restricted (kept, no longer used): {n} record(s).",
        "rectified": "Corrected: {n} record(s).",
        "nothing": "We found no data about you to change.",
        "kept": "Kept because the law still requires it:",
        "hold": "- {rows} record(s) in {table}: {purpose}{basis}, until {until}.",
        "no_until": "no end date recorded",
        "left": "Warning: {n} identifying record(s) were still found after the change; "
        "we are looking into it.",
        "found": "Records found: {n}.",
        "no_run": "No change on our databases was needed: {reason}",
        "shared_erasure": "Not erased, because they are someone else's records too:",
        "shared_restriction": "Not restricted, because they are someone else's records too "
        "(restricting them would stop processing for a person who did not ask):",
        "shared_rows": "- {rows} record(s) in {table}.",
    },
    "ru": {
        "erased": "Удалено записей: {n}.",
        "masked": "Обезличено записей (личные поля заменены, запись сохранена): {n}.",
        "restricted": "Ограничена обработка записей (хранятся, не используются): {n}.",
        "rectified": "Исправлено записей: {n}.",
        "nothing": "Данных о вас, которые нужно было изменить, не найдено.",
        "kept": "Сохранено, потому что этого пока требует закон:",
        "hold": "- {table}, записей: {rows}: {purpose}{basis}, до {until}.",
        "no_until": "срок не указан",
        "left": "Внимание: после изменения всё ещё найдено идентифицирующих записей: {n}; "
        "мы разбираемся.",
        "found": "Найдено записей: {n}.",
        "no_run": "Изменять данные в наших базах не потребовалось: {reason}",
        "shared_erasure": "Не удалены, потому что это также записи другого лица:",
        "shared_restriction": "Обработка не ограничена, потому что это также записи другого "
        "лица (ограничение остановило бы обработку для того, кто об этом не просил):",
        "shared_rows": "- {table}, записей: {rows}.",
    },
}


def of(result: RunResult, lang: str) -> str:
    """The lines of the completion e-mail that report ``result`` in ``lang`` (en or ru)."""
    words = WORDS.get(lang, WORDS["en"])
    totals = result.totals
    lines: list[str] = []
    if result.kind in ("access", "portability"):
        lines.append(words["found"].format(n=totals["found"]))
    else:
        for key in ("erased", "masked", "restricted", "rectified"):
            if totals[key] and not (key == "restricted" and result.kind == "erasure"):
                lines.append(words[key].format(n=totals[key]))
        if not lines and not result.holds:
            lines.append(words["nothing"])
    shared = [t for t in result.tables if t.shared]
    if shared and result.kind in ("erasure", "restriction"):
        lines.append(words[f"shared_{result.kind}"])
        for table in sorted(shared, key=lambda t: (t.datastore, t.table)):
            lines.append(words["shared_rows"].format(rows=table.shared, table=table.table))
    if result.holds:
        lines.append(words["kept"])
        for hold in result.holds:
            lines.append(
                words["hold"].format(
                    rows=hold.rows,
                    table=hold.table,
                    purpose=hold.purpose,
                    basis=f" ({hold.basis})" if hold.basis else "",
                    until=hold.until.isoformat() if hold.until else words["no_until"],
                )
            )
    if result.residual:
        lines.append(words["left"].format(n=result.residual))
    return "\n".join(lines)


def no_run(reason: str, lang: str) -> str:
    return WORDS.get(lang, WORDS["en"])["no_run"].format(reason=reason)
