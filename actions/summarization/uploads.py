"""An uploaded file -> its text, or BadInput saying why it is not a plain-text file.

    text_from_upload(b"...", filename="notes.txt", content_type="text/plain")  ->  "..."

Accepted: text/* content types or .txt/.md/.text names, UTF-8 (a BOM is fine) or UTF-16 with a BOM.
Refused with a message: PDF, Word/zip, images and other binaries (recognised by their first bytes or a NUL),
bytes that are not valid UTF-8, and files over `max_bytes`.
"""

from __future__ import annotations

from actions.summarization.errors import BadInput

TEXT_SUFFIXES = (".txt", ".text", ".md")
MAX_UPLOAD_BYTES = 1_000_000
_SIGNATURES = {
    b"%PDF": "a PDF file",
    b"PK\x03\x04": "a zip archive (a Word, Excel or OpenDocument file is one)",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"\xd0\xcf\x11\xe0": "an old Microsoft Office file",
}
_FIX = "send a plain-text .txt file, or paste the text after 'summarize this:'"


def text_from_upload(
    data: bytes,
    *,
    filename: str | None = None,
    content_type: str | None = None,
    max_bytes: int = MAX_UPLOAD_BYTES,
) -> str:
    label = filename or "the upload"
    if not isinstance(data, bytes | bytearray):
        raise BadInput(f"{label} has no file content ({type(data).__name__}); {_FIX}")
    if len(data) > max_bytes:
        raise BadInput(f"{label} is {len(data):,} bytes, the maximum is {max_bytes:,}; send a part of it")
    for signature, what in _SIGNATURES.items():
        if data.startswith(signature):
            raise BadInput(f"{label} is {what}, not text; {_FIX}")
    kind = (content_type or "").split(";")[0].strip().lower()
    named_text = bool(filename) and filename.lower().endswith(TEXT_SUFFIXES)
    if kind and not kind.startswith("text/") and not named_text:
        raise BadInput(f"{label} is of type {kind!r}, not text; {_FIX}")
    if not kind and filename and not named_text:
        raise BadInput(f"{label} is not a .txt file; {_FIX}")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return bytes(data).decode("utf-16")
        except UnicodeDecodeError as exc:
            raise BadInput(f"{label} is not valid UTF-16 text ({exc.reason}); {_FIX}") from exc
    if b"\x00" in data:
        raise BadInput(f"{label} contains NUL bytes: it is a binary file, not text; {_FIX}")
    try:
        return bytes(data).decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BadInput(
            f"{label} is not UTF-8 text (byte {exc.start} is invalid); save it as UTF-8 and send it again"
        ) from exc
