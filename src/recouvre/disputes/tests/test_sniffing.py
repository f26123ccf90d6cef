"""Attachments are told apart by their bytes, whatever their name or the type the client claims."""

import io
import zipfile

import pytest

from recouvre.disputes.domain.sniffing import file_kind

pytestmark = pytest.mark.unit

ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00" + bytes(range(256))


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _kind(data: bytes, name: str = "file") -> str | None:
    kind = file_kind(data, name)
    return kind.extension if kind else None


def test_the_accepted_kinds_are_recognised_by_their_first_bytes():
    assert file_kind(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "x").content_type == "application/pdf"
    assert _kind(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR") == "png"
    assert _kind(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00") == "jpg"
    assert _kind("Livraison incomplète : 3 cartons sur 5.\r\n".encode()) == "txt"
    assert _kind("Livraison incomplète\n".encode("cp1252")) == "txt"


def test_an_executable_named_like_a_pdf_is_refused():
    assert file_kind(ELF, "facture.pdf") is None
    assert file_kind(b"MZ\x90\x00\x03\x00\x00\x00", "bon.pdf") is None  # a Windows program


def test_office_open_xml_and_opendocument_files_are_read_from_their_layout():
    docx = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
    xlsx = _zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"})
    odt = _zip({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<x/>"})
    assert (_kind(docx), _kind(xlsx), _kind(odt)) == ("docx", "xlsx", "odt")
    # Named .pdf, still a Word document: the name decides nothing.
    assert file_kind(docx, "scan.pdf").content_type.endswith("wordprocessingml.document")


def test_any_other_zip_and_macro_documents_are_refused():
    assert _kind(_zip({"payload.exe": b"MZ"})) is None
    docm = _zip(
        {"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w/>", "word/vbaProject.bin": b"\x00"}
    )
    assert _kind(docm) is None
    assert _kind(b"PK\x03\x04 not really a zip") is None


def test_old_binary_office_files_need_an_office_name():
    ole2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64
    assert file_kind(ole2, "Bon de livraison.DOC").content_type == "application/msword"
    assert _kind(ole2, "tableau.xls") == "xls"
    # A Windows installer has the same header.
    assert _kind(ole2, "setup.msi") is None


def test_binary_data_and_an_empty_file_are_not_text():
    assert _kind(b"") is None
    assert _kind(b"hello\x00world") is None
    assert _kind(b"\x01\x02\x03") is None
