"""Documents to sections under their headings, from real files made in the test (PDF by fpdf2, DOCX by
python-docx), and the clear errors of those that cannot be read."""

from __future__ import annotations

import pytest

from masteria.knowledge.extraction import ExtractionError, Section, detect_format, extract
from tests.knowledge_files import docx_file, encrypted, pdf


def _code(data: bytes, format: str) -> str:
    with pytest.raises(ExtractionError) as failed:
        extract(data, format)
    assert str(failed.value)  # a sentence for the user
    return failed.value.code


def test_markdown_keeps_its_heading_path_and_leaves_code_blocks_alone() -> None:
    source = """Intro antes de tudo.

# Planos
## Plano Básico ##
O Básico custa R$ 49.
Inclui um número.

Segundo parágrafo.

```
# não é um título
```

Pro
---
R$ 99.

# Suporte
Atendimento 24h.
"""
    sections = extract(source.encode(), "markdown").sections
    assert sections == [
        Section((), "Intro antes de tudo."),
        Section(("Planos", "Plano Básico"), "O Básico custa R$ 49.\nInclui um número.\n\nSegundo parágrafo.\n\n"
                "```\n# não é um título\n```"),
        Section(("Planos", "Pro"), "R$ 99."),
        Section(("Suporte",), "Atendimento 24h."),
    ]  # fmt: skip


def test_text_in_windows_1252_and_with_control_characters() -> None:
    data = "Promoção\x00 de  verão\r\n\r\nPreço\tespecial".encode("cp1252").replace(b"\x00", b"\x07")
    assert extract(data, "text").sections == [Section((), "Promoção de verão\n\nPreço especial")]


def test_a_pdf_with_an_outline_gives_each_page_its_heading() -> None:
    data = pdf(
        [
            ("Entregas", "Entregamos em todo o Brasil."),
            (None, "Prazo de 5 a 12 dias úteis."),
            ("Trocas", "Até 30 dias para trocar."),
        ],
        title="Manual do cliente",
    )
    extracted = extract(data, "pdf")
    assert (extracted.pages, extracted.title) == (3, "Manual do cliente")
    assert [s.headings for s in extracted.sections] == [("Entregas",), ("Trocas",)]
    assert "Entregamos em todo o Brasil." in extracted.sections[0].text
    assert "Prazo de 5 a 12 dias úteis." in extracted.sections[0].text  # page 2 is still under page 1's heading
    assert "Até 30 dias para trocar." in extracted.sections[1].text


def test_a_pdf_that_opens_without_a_password_is_read_and_one_that_needs_one_is_refused() -> None:
    plain = pdf([("Segredo", "Conteúdo.")])
    assert _code(encrypted(plain), "pdf") == "pdf_encrypted"
    assert "Conteúdo." in extract(encrypted(plain, password=""), "pdf").sections[0].text  # an owner password only


def test_broken_scanned_and_empty_pdfs() -> None:
    assert _code(b"%PDF-1.7\n1 0 obj << /Type /Catalog >> nothing else", "pdf") == "pdf_unreadable"
    assert _code(b"not a pdf at all", "pdf") == "pdf_unreadable"
    assert _code(pdf([(None, ""), (None, "")]), "pdf") == "pdf_no_text"
    assert _code(b"", "pdf") == "document_empty"


def test_a_docx_gives_headings_lists_and_tables_in_order() -> None:
    data = docx_file(
        [
            ("title", "Manual da Loja"),
            ("p", "Bem-vindo."),
            ("h1", "Entregas"),
            ("p", "Entregamos em todo o Brasil."),
            ("h2", "Prazos"),
            ("bullet", "Capitais: 2 dias"),
            ("table", [["Região", "Prazo"], ["Sul", "3 dias"]]),
            ("h1", "Trocas"),
            ("p", "Até 30 dias."),
        ]
    )
    extracted = extract(data, "docx")
    assert extracted.title == "Manual da Loja"
    assert extracted.sections == [
        Section((), "Bem-vindo."),
        Section(("Entregas",), "Entregamos em todo o Brasil."),
        Section(("Entregas", "Prazos"), "- Capitais: 2 dias\n\nRegião | Prazo\nSul | 3 dias"),
        Section(("Trocas",), "Até 30 dias."),
    ]


def test_a_damaged_or_empty_docx() -> None:
    assert _code(b"PK\x03\x04 not a zip", "docx") == "docx_unreadable"
    assert _code(docx_file([("p", "")]), "docx") == "document_empty"


def test_a_csv_of_questions_and_answers_one_section_per_row() -> None:
    data = (
        "Categoria;Pergunta;Resposta\n"
        'Conta;Como troco a senha?;"Em Configurações; Segurança."\n'
        ";Sem categoria?;Sim.\n"
        "Conta;;resposta sem pergunta\n"
    ).encode("cp1252")
    assert extract(data, "csv").sections == [
        Section(("Conta",), "Q: Como troco a senha?\nA: Em Configurações; Segurança."),
        Section((), "Q: Sem categoria?\nA: Sim."),
    ]
    # another header: the first two columns
    other = "Dúvida,Solução\nTem Pix?,Sim\n".encode()
    assert extract(other, "csv").sections == [Section((), "Q: Tem Pix?\nA: Sim")]
    assert _code(b"pergunta\n", "csv") == "csv_columns"
    assert _code(b"pergunta;resposta\n", "csv") == "document_empty"


def test_html_drops_scripts_and_navigation_and_keeps_headings() -> None:
    page = """<html><head><title>Ajuda</title><style>p{}</style><script>alert('x')</script></head>
    <body><nav>Início | Produtos</nav><main><h1>Pagamentos</h1><p>Pix com <a href="/pix">5% de desconto</a>.</p>
    <h2>Cartão</h2><ul><li>Visa</li><li>Elo</li></ul></main><footer>rodapé</footer></body></html>"""
    extracted = extract(page.encode(), "html")
    assert extracted.title == "Ajuda"
    assert extracted.sections == [
        Section(("Pagamentos",), "Pix com 5% de desconto."),
        Section(("Pagamentos", "Cartão"), "* Visa\n* Elo"),
    ]
    latin = "<html><head><meta charset='iso-8859-1'></head><body><p>Informação</p></body></html>".encode("latin-1")
    assert extract(latin, "html").sections == [Section((), "Informação")]


def test_html_nested_thousands_of_levels_deep_is_a_clear_error() -> None:
    page = "<html><body>" + "<div>" * 3000 + "Informação" + "</div>" * 3000 + "</body></html>"
    assert _code(page.encode(), "html") == "text_unreadable"


def test_binary_data_is_not_text() -> None:
    assert _code(b"\x00\x01\x02\x03 binary", "text") == "text_unreadable"
    assert _code(b"  \n\t ", "markdown") == "document_empty"


@pytest.mark.parametrize(
    ("filename", "media", "head", "expected"),
    [
        ("faq.MD", None, b"", "markdown"),
        ("manual.pdf", "application/octet-stream", b"%PDF", "pdf"),
        (None, "application/pdf", b"", "pdf"),
        ("loja.docx", None, b"PK\x03\x04", "docx"),
        ("perguntas.csv", None, b"", "csv"),
        ("pagina.htm", None, b"", "html"),
        (None, "text/plain; charset=utf-8", b"", "text"),
        ("planilha.xlsx", None, b"PK\x03\x04", None),
        ("sem-extensao", None, b"%PDF-1.7", "pdf"),
    ],
)
def test_formats_by_name_then_media_type(filename: str | None, media: str | None, head: bytes, expected: str) -> None:
    assert detect_format(filename, media, head) == expected


def test_files_people_upload_instead_are_named() -> None:
    with pytest.raises(ExtractionError, match=r"\.doc") as refused:
        detect_format("velho.doc", None, b"\xd0\xcf\x11\xe0")
    assert refused.value.code == "unsupported_format"
    with pytest.raises(ExtractionError, match="image"):
        detect_format("foto.txt", None, b"\x89PNG\r\n")
