"""Accepting a submission's bytes: a clear verdict for what cannot be graded at all."""

from __future__ import annotations

MAX_CODE_BYTES = 256 * 1024


class Unacceptable(ValueError):
    """The submission is rejected before running (the message is shown to the student)."""


def decode_submission(code: str | bytes, max_bytes: int = MAX_CODE_BYTES) -> str:
    raw = code.encode("utf-8", errors="surrogatepass") if isinstance(code, str) else code
    if len(raw) > max_bytes:
        raise Unacceptable(
            f"the file is {len(raw):,} bytes; the limit is {max_bytes:,} bytes. "
            "Submit only your solution's source code."
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise Unacceptable(
            f"the file is not UTF-8 text (byte 0x{raw[error.start]:02x} on line {line}); "
            "save it as UTF-8"
        ) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise Unacceptable(f"the file contains a NUL byte on line {line}; is it a binary file?")
    if not text.strip():
        raise Unacceptable("the file is empty")
    return text
