"""E-mails to the subject and to agents, in the subject's language, queued in the outbox.

Texts carry the request's reference, never the identifiers the subject gave.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from steward.law import KIND_NAMES, RequestKind
from steward.notify import outbox
from steward.requests.tables import SubjectRequest

TEXTS: dict[str, dict[str, tuple[str, str]]] = {
    "receipt": {
        "en": (
            "We received your request {ref}",
            "We received your request {ref} ({kind}) on {received}.\n"
            "We will answer by {due}{rule}.\n",
        ),
        "ru": (
            "Ваш запрос {ref} получен",
            "Ваш запрос {ref} ({kind}) получен {received}.\nМы ответим не позднее {due}{rule}.\n",
        ),
    },
    "code": {
        "en": (
            "Your verification code for request {ref}",
            "Your code is: {code}\n\nIt works once, for {minutes} minutes. Enter it on the "
            "request page:\n{link}\n\nIf you did not ask for this, ignore this message.\n",
        ),
        "ru": (
            "Код подтверждения для запроса {ref}",
            "Ваш код: {code}\n\nОн действует один раз, {minutes} минут. Введите его на странице "
            "запроса:\n{link}\n\nЕсли вы не отправляли запрос, просто проигнорируйте это письмо.\n",
        ),
    },
    "result-code": {
        "en": (
            "Your code to download the result of request {ref}",
            "Your code is: {code}\n\nIt works once, for {minutes} minutes, and lets the browser "
            "where you enter it download the result of request {ref}:\n{link}\n\n"
            "If you did not ask for this, ignore this message; nothing is sent without the code.\n",
        ),
        "ru": (
            "Код для скачивания результата по запросу {ref}",
            "Ваш код: {code}\n\nОн действует один раз, {minutes} минут, и позволяет скачать "
            "результат по запросу {ref} в браузере, где вы его введёте:\n{link}\n\n"
            "Если вы не запрашивали код, проигнорируйте это письмо; без кода ничего не выдаётся.\n",
        ),
    },
    "verified": {
        "en": (
            "Request {ref}: identity confirmed",
            "Thank you: your identity is confirmed and we are working on request {ref}.\n"
            "We will answer by {due}.\n",
        ),
        "ru": (
            "Запрос {ref}: личность подтверждена",
            "Спасибо: личность подтверждена, мы работаем над запросом {ref}.\n"
            "Мы ответим не позднее {due}.\n",
        ),
    },
    "extended": {
        "en": (
            "Request {ref}: we need more time",
            "We need more time to answer request {ref}, as the law allows ({citation}).\n"
            "Reason: {reason}\nNew date: {due}.\n",
        ),
        "ru": (
            "Запрос {ref}: срок ответа продлён",
            "Срок ответа на запрос {ref} продлён, как разрешает закон ({citation}).\n"
            "Причина: {reason}\nНовый срок: {due}.\n",
        ),
    },
    "completed": {
        "en": (
            "Request {ref} is complete",
            "Your request {ref} ({kind}) is complete.\n{outcome}\n{link_text}",
        ),
        "ru": (
            "Запрос {ref} выполнен",
            "Ваш запрос {ref} ({kind}) выполнен.\n{outcome}\n{link_text}",
        ),
    },
    "rejected": {
        "en": (
            "Request {ref} was declined",
            "We could not carry out request {ref}.\nReason: {outcome}\n"
            "You may complain to {authority}.\n",
        ),
        "ru": (
            "Запрос {ref} отклонён",
            "Мы не можем выполнить запрос {ref}.\nПричина: {outcome}\n"
            "Вы можете обжаловать это в {authority}.\n",
        ),
    },
}

LINK_TEXT = {
    "en": "Download the result (the link works for {days} days, in the browser where you "
    "confirmed your identity):\n{link}\n",
    "ru": "Скачать результат (ссылка действует {days} дн. в браузере, где вы подтвердили "
    "личность):\n{link}\n",
}


def kind_name(kind: str, lang: str) -> str:
    names = KIND_NAMES[RequestKind(kind)]
    return names.get(lang, names["en"])


def send(session: Session, request: SubjectRequest, what: str, **values: object) -> None:
    """Queue the ``what`` e-mail to the subject; a request without an e-mail gets none."""
    if not request.email:
        return
    lang = request.lang if request.lang in ("en", "ru") else "en"
    subject, body = TEXTS[what][lang]
    fields = {
        "ref": request.reference,
        "kind": kind_name(request.kind, lang),
        "due": request.due_on.isoformat() if request.due_on else "-",
        "received": request.received_on.isoformat(),
        **values,
    }
    outbox.queue(
        session,
        to=request.email,
        subject=subject.format(**fields),
        text=body.format(**fields),
        kind=f"request.{what}",
        lang=lang,
        related=f"request:{request.id}",
    )


def remind(session: Session, request: SubjectRequest, to: str, days_left: int) -> None:
    """Remind ``to`` (the assignee or a DPO) of a request due soon or overdue."""
    when = (
        f"is overdue by {-days_left} day(s) (it was due on {request.due_on})"
        if days_left < 0
        else f"is due in {days_left} day(s), on {request.due_on}"
    )
    outbox.queue(
        session,
        to=to,
        subject=f"Request {request.reference} {when.split(' (')[0].split(', on')[0]}",
        text=(
            f"Request {request.reference} ({request.kind}, state {request.state}) {when}, "
            f"under {request.clock_rule}.\n"
        ),
        kind="request.reminder",
        lang="en",
        related=f"request:{request.id}",
    )
