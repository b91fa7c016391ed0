"""Reading the data files people hand to yekuo (calendar schedules, regulations)."""

from pathlib import Path

from yekuo.common.errors import FileFormatError


def read_text(path: str | Path) -> tuple[bytes, str]:
    """The file's bytes (for its checksum) and its UTF-8 text (a byte-order mark is allowed); an unreadable
    or non-UTF-8 file is a FileFormatError naming the file."""
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise FileFormatError(str(path), "0", f"cannot read the file: {exc.strerror}") from None
    try:
        return raw, raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FileFormatError(str(path), "0", f"not UTF-8 text (byte {exc.start})") from None
