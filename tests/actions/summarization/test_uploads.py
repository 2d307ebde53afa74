"""Uploaded files: plain text is read, anything else is refused with what to send instead."""

from __future__ import annotations

import pytest

from actions.summarization.errors import BadInput
from actions.summarization.uploads import text_from_upload


def test_utf8_and_utf16_text_files_are_read():
    assert text_from_upload("Grüße. Zwei.".encode(), filename="notes.txt") == "Grüße. Zwei."
    assert (
        text_from_upload(b"\xef\xbb\xbfWith a BOM.", content_type="text/plain; charset=utf-8")
        == "With a BOM."
    )
    assert text_from_upload("Wide text.".encode("utf-16"), filename="wide.txt") == "Wide text."


@pytest.mark.parametrize(
    ("data", "kwargs", "says"),
    [
        (b"%PDF-1.7 ...", {"filename": "report.txt"}, "a PDF file"),
        (b"PK\x03\x04....", {"filename": "report.docx"}, "zip archive"),
        (b"\x89PNG\r\n", {"content_type": "image/png"}, "PNG image"),
        (b"plain words", {"content_type": "application/octet-stream"}, "not text"),
        (b"plain words", {"filename": "data.bin"}, "not a .txt file"),
        (b"abc\x00def", {"filename": "a.txt"}, "NUL bytes"),
        (b"caf\xe9 au lait", {"filename": "latin1.txt"}, "not UTF-8"),
        (b"x" * 20, {"filename": "big.txt", "max_bytes": 10}, "maximum is 10"),
    ],
)
def test_non_text_uploads_are_refused(data, kwargs, says):
    with pytest.raises(BadInput, match=says):
        text_from_upload(data, **kwargs)
