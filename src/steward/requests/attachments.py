"""Attachments checked by their content, never by their name: PDF, JPEG or PNG, up to a limit."""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass

from steward.lib.i18n import N_
from steward.requests.states import RequestError

DEFAULT_MAX_BYTES = 5 * 1024 * 1024

_SIGNATURES = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)


class AttachmentRefused(RequestError):
    code = "attachment_refused"


class AttachmentTooLarge(AttachmentRefused):
    code = "too_large"


class SignedDocumentRequired(RequestError):
    """The register requires a signed scan (``policy.requests.signed_document``): every
    channel refuses a request without one."""

    code = "signed_document_required"


@dataclass(frozen=True)
class CheckedAttachment:
    filename: str
    content_type: str
    content: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


def sniff(content: bytes) -> str | None:
    """The content type the bytes really are (PDF, JPEG, PNG), or None."""
    for magic, content_type in _SIGNATURES:
        if content.startswith(magic):
            return content_type
    return None


def check_attachment(
    filename: str, content: bytes, max_bytes: int = DEFAULT_MAX_BYTES
) -> CheckedAttachment:
    """Accept a PDF, JPEG or PNG of at most ``max_bytes``; raise ``AttachmentRefused`` otherwise."""
    if not content:
        raise AttachmentRefused(N_("the attached file is empty; attach a PDF, JPEG or PNG scan"))
    if len(content) > max_bytes:
        raise AttachmentTooLarge(
            N_(
                "the attached file is %(kib)s KiB; the limit is %(limit)s KiB. Attach a smaller "
                "scan (PDF, JPEG or PNG)"
            ),
            kib=len(content) // 1024,
            limit=max_bytes // 1024,
        )
    content_type = sniff(content)
    if content_type is None:
        raise AttachmentRefused(
            N_("the attached file is not a PDF, JPEG or PNG (checked by its content, not its name)")
        )
    if content_type == "application/pdf" and b"%%EOF" not in content[-2048:]:
        raise AttachmentRefused(N_("the attached PDF is truncated or damaged; attach it again"))
    safe_name = "".join(c for c in filename if c.isalnum() or c in "._- ")[:200] or "attachment"
    return CheckedAttachment(safe_name, content_type, content)


def from_base64(
    filename: str, encoded: str, max_bytes: int = DEFAULT_MAX_BYTES
) -> CheckedAttachment:
    """The API's attachment: ``content_base64`` (standard alphabet, padding required) decoded
    and checked like an upload."""
    # the encoded text of a file over the limit is refused before it is decoded
    if len(encoded) > (max_bytes + 2) // 3 * 4 + 4:
        raise AttachmentTooLarge(
            N_(
                "the attached file is larger than the limit of %(limit)s KiB. Attach a smaller "
                "scan (PDF, JPEG or PNG)"
            ),
            limit=max_bytes // 1024,
        )
    try:
        content = base64.b64decode(encoded.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise AttachmentRefused(
            N_("attachment.content_base64 is not valid base64 (standard alphabet, with padding)")
        ) from None
    return check_attachment(filename, content, max_bytes)
