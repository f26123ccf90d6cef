"""What kind of file a dispute attachment is, told from its bytes. PURE: no Django.

The name and the content type a browser sends are the uploader's claims: an executable renamed
`facture.pdf` arrives as `application/pdf`. Only the content decides, and only kinds a person opens
safely are kept: PDF, PNG, JPEG, plain text and office documents.

Office documents need more than their first bytes: a .docx is a ZIP like any other, and the old
binary formats share their header with Windows installers (.msi). A ZIP is kept only when it has the
layout of an Office Open XML or OpenDocument file, without macros; an old binary document only when
its name also says .doc, .xls or .ppt."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

MAX_BYTES = 10 * 1024 * 1024

PDF = b"%PDF-"
PNG = b"\x89PNG\r\n\x1a\n"
JPEG = b"\xff\xd8\xff"
ZIP = b"PK\x03\x04"
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

OOXML_FOLDERS = {
    "word/": ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "xl/": ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "ppt/": ("pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
}
ODF_TYPES = {
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
    "application/vnd.oasis.opendocument.presentation": "odp",
}
OLE2_EXTENSIONS = {
    "doc": "application/msword",
    "xls": "application/vnd.ms-excel",
    "ppt": "application/vnd.ms-powerpoint",
}
# Bytes a text file does not hold: the C0 controls other than tab, line feed, form feed and
# carriage return (and ESC, which terminals use). Any other byte may be text: UTF-8, or a file
# saved by an older Windows program (cp1252), where every byte above 0x7f is a letter or a sign.
TEXT_CONTROLS = frozenset(range(0x20)) - {0x09, 0x0A, 0x0C, 0x0D, 0x1B}
_NOT_CONTROLS = bytes(b for b in range(256) if b not in TEXT_CONTROLS)


@dataclass(frozen=True)
class FileKind:
    extension: str
    content_type: str


def _extension(name: str) -> str:
    _stem, dot, extension = name.rpartition(".")
    return extension.lower() if dot else ""


def _zip_kind(data: bytes) -> FileKind | None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = archive.namelist()
        if "mimetype" in names:
            # ODF stores its type uncompressed in a tiny first entry; read no more than that.
            with archive.open("mimetype") as entry:
                declared = entry.read(100).decode("ascii", "replace").strip()
            extension = ODF_TYPES.get(declared)
            has_macros = any(name.lower().startswith("basic/") for name in names)
            return FileKind(extension, declared) if extension and not has_macros else None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, NotImplementedError):
        return None
    if "[Content_Types].xml" not in names or any(name.endswith("vbaProject.bin") for name in names):
        return None
    for folder, (extension, content_type) in OOXML_FOLDERS.items():
        if any(name.startswith(folder) for name in names):
            return FileKind(extension, content_type)
    return None


def _is_text(data: bytes) -> bool:
    # Deleting every allowed byte leaves the controls, if any (in C: fast on 10 MB).
    return not data.translate(None, _NOT_CONTROLS)


def file_kind(data: bytes, name: str) -> FileKind | None:
    """The kind of the file whose whole content is `data`, or None when it is none we keep. `name`
    (what the uploader called it) only matters for the old binary Office formats."""
    if data.startswith(PDF):
        return FileKind("pdf", "application/pdf")
    if data.startswith(PNG):
        return FileKind("png", "image/png")
    if data.startswith(JPEG):
        return FileKind("jpg", "image/jpeg")
    if data.startswith(ZIP):
        return _zip_kind(data)
    if data.startswith(OLE2):
        extension = _extension(name)
        content_type = OLE2_EXTENSIONS.get(extension)
        return FileKind(extension, content_type) if content_type else None
    if data and _is_text(data):
        return FileKind("txt", "text/plain")
    return None
