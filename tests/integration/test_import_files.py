"""Files that are not a clean CSV never hang an import: a clear 422 at upload (saying what the file is, or the
line that breaks it), or the row rejected with its reason. Excel's pt-BR Windows-1252 files read as such."""

from __future__ import annotations

import gzip
import io
import zipfile
from typing import Any

import pytest
from fastapi.testclient import TestClient

from masteria.bootstrap import Container
from tests.api import Account, sign_up
from tests.integration.test_contact_import import _import, _rejections


def _upload(client: TestClient, owner: Account, data: bytes) -> Any:
    created = client.post("/v1/contacts/imports", headers=owner.headers, json={"filename": "c.csv"}).json()
    return client.put(f"/v1/contacts/imports/{created['id']}/file", headers=owner.headers, content=data)


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
    return buffer.getvalue()


CSV = "phone,name\n11912340001,Ana\n"


@pytest.mark.parametrize(
    ("data", "code", "line"),
    [
        (_zip(), "file_zip", None),
        (gzip.compress(CSV.encode()), "file_gzip", None),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "file_xls", None),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "file_pdf", None),
        (CSV.encode("utf-16"), "file_utf16", None),  # with its BOM
        (CSV.encode("utf-16-le"), "file_utf16", None),  # without
        (b"phone,name\n11912340001,An\x00a\n", "file_nul", None),
        # a field past the csv module's limit, as an unclosed quote makes of the rest of the file
        (('phone,name\n11912340001,"Ana\n' + "x" * 140_000 + "\n").encode(), "file_field_too_long", 2),
        # UTF-8 lines (past the first 64 KB read to tell the encoding), then one from a Windows-1252 file
        (
            ("phone,name\n" + "11912340001,José da Silva Conceição\n" * 3000).encode() + b"11912340002,Jo\xe3o\n",
            "file_mixed_encoding",
            3002,
        ),
    ],
)
def test_a_file_that_is_not_a_readable_csv_is_a_422_saying_why(
    client: TestClient, data: bytes, code: str, line: int | None
) -> None:
    owner = sign_up(client)
    answer = _upload(client, owner, data)
    assert answer.status_code == 422, answer.text
    (error,) = answer.json()["errors"]
    assert (error["field"], error["code"]) == ("file", code)
    assert error.get("params", {}).get("line") == line
    assert error["message"]  # in words, for the user


def test_a_mixed_file_read_as_windows_1252_names_the_utf8_line(client: TestClient) -> None:
    owner = sign_up(client)
    data = "phone,name\n11912340001,João\n".encode("cp1252") + "11912340002,José\n".encode()
    answer = _upload(client, owner, data)
    assert answer.status_code == 422
    (error,) = answer.json()["errors"]
    assert (error["code"], error["params"]["line"]) == ("file_mixed_encoding", 3)


def test_excel_pt_br_windows_1252_reads_its_own_characters(client: TestClient, container: Container) -> None:
    owner = sign_up(client)
    text = "Telefone;Nome;Notas\r\n11912340001;João Conceição;Preço \u2013 10 € \u201cpromo\u201d\r\n"
    progress = _import(client, container, owner, text.encode("cp1252"))
    assert progress["encoding"] == "cp1252"
    (contact,) = client.get("/v1/contacts", headers=owner.headers).json()["items"]
    assert contact["name"] == "João Conceição"
    assert (
        contact["notes"] == "Preço \u2013 10 € \u201cpromo\u201d"
    )  # the dash, euro and quotes are Windows-1252's, not Latin-1's


def test_a_phone_made_of_letters_is_rejected_not_dialled(client: TestClient, container: Container) -> None:
    owner = sign_up(client)
    progress = _import(client, container, owner, b"phone,name\n0800-FLORES,Vanity\n11912340009,Real\n")
    assert (progress["inserted"], progress["rejected"]) == (1, 1)
    rows = _rejections(client, owner, progress["id"])
    assert rows[1][0] == "2" and "letters" in rows[1][1]


def test_a_windows_1252_file_whose_first_accent_comes_late_is_read_as_such(
    client: TestClient, container: Container
) -> None:
    # the first 64 KB, from which the encoding is told, are plain ASCII: the file is not refused as mixed
    ascii_rows = "".join(f"1191235{n:04d},Contact {n}\n" for n in range(3000))
    data = ("phone,name\n" + ascii_rows).encode() + "11912369999,João Conceição\n".encode("cp1252")
    owner = sign_up(client)
    progress = _import(client, container, owner, data)
    assert (progress["encoding"], progress["inserted"], progress["rejected"]) == ("cp1252", 3001, 0)
    (joao,) = client.get("/v1/contacts", headers=owner.headers, params={"q": "Conceição"}).json()["items"]
    assert joao["name"] == "João Conceição"
