"""Every shipped case's results workbook, printed: LibreOffice converts it to PDF
(``soffice --headless --convert-to pdf``) and poppler reads the pages back.

Each printed page carries its sheet's name in the page header (right), so the pages of a
sheet are found by reading each page's first line (``pdftotext``). The summary must be one
page, the whole workbook a handful, every chart on a page of its own, drawn (not blank) and
labelled in Chinese. Page 1 is rasterised (``pdftoppm``) to a PNG beside the PDF.

LibreOffice and poppler are required, not optional: CI installs them (``libreoffice-calc``,
``poppler-utils``, ``fonts-noto-cjk``), and a machine without them fails here rather than
skipping the only test that looks at the printed workbook.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

import fairpool
from fairpool.models.family import PlanResult
from fairpool.reports.excel import write_results_workbook
from fairpool.reports.i18n import PHRASES, phrase

CASES = Path(__file__).resolve().parents[2] / "cases"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
SHIPPED = [
    "sichuan_zhejiang_park",
    "jingjinji_relocation",
    "river_program",
    "water_plant",
]
MOST_PAGES = 14
"""The most pages a shipped case's workbook may print to (9–11 today; 14–49 before)."""

CONVERT_SECONDS = 240
"""A hang guard for LibreOffice (a conversion of the four takes about 10 s)."""


def tool(name: str) -> str:
    found = shutil.which(name)
    assert found, (
        f"{name} is needed to print the results workbook: apt-get install "
        "libreoffice-calc poppler-utils fonts-noto-cjk"
    )
    return found


@dataclass(frozen=True)
class Printed:
    """A workbook printed to PDF: its pages' sheet names and texts."""

    result: PlanResult
    pdf: Path
    sheets: list[str]  # the sheet name of each page, from its page header
    texts: list[str]

    def pages_of(self, code: str) -> list[int]:
        """The page numbers (from 1) of the sheet whose code name is ``code``."""
        title = phrase(f"wb_sheet_{code}", "zh")
        return [k + 1 for k, sheet in enumerate(self.sheets) if sheet == title]


def page_sheet(text: str, titles: set[str]) -> str:
    """The sheet a page belongs to: the title its header line ends with (the longest)."""
    header = next((line.strip() for line in text.splitlines() if line.strip()), "")
    matching = [t for t in titles if header.endswith(t)]
    return max(matching, key=len) if matching else ""


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Printed]:
    soffice, pdftotext = tool("soffice"), tool("pdftotext")
    folder = tmp_path_factory.mktemp("printed")
    results = {}
    for name in SHIPPED:
        results[name] = fairpool.solve(fairpool.read_case(CASES / f"{name}.xlsx"))
        write_results_workbook(results[name], folder / f"{name}.xlsx")
    profile = (folder / "libreoffice-profile").as_uri()  # not the user's: no lock, no clash
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(folder),
            *(str(folder / f"{name}.xlsx") for name in SHIPPED),
        ],
        check=True,
        capture_output=True,
        timeout=CONVERT_SECONDS,
    )
    titles = {zh for key, (_, zh) in PHRASES.items() if key.startswith("wb_sheet_")}
    books = {}
    for name in SHIPPED:
        pdf = folder / f"{name}.pdf"
        assert pdf.is_file(), f"LibreOffice wrote no {pdf.name}"
        text = subprocess.run(
            [pdftotext, "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
        ).stdout
        pages = text.split("\f")[: page_count(pdf)]
        books[name] = Printed(results[name], pdf, [page_sheet(t, titles) for t in pages], pages)
    return books


def page_count(pdf: Path) -> int:
    info = subprocess.run(
        [tool("pdfinfo"), str(pdf)], check=True, capture_output=True, text=True
    ).stdout
    return int(next(line for line in info.splitlines() if line.startswith("Pages:")).split()[1])


def raster(pdf: Path, page: int, dpi: int = 30) -> np.ndarray:
    """Page ``page`` as a grey image (0 black … 255 white), from pdftoppm's PGM output."""
    data = subprocess.run(
        [tool("pdftoppm"), "-gray", "-r", str(dpi), "-f", str(page), "-l", str(page), str(pdf)],
        check=True,
        capture_output=True,
    ).stdout
    fields = data.split(maxsplit=4)  # P5 width height maxval pixels
    assert fields[0] == b"P5", fields[0]
    width, height = int(fields[1]), int(fields[2])
    return np.frombuffer(fields[4][-width * height :], dtype=np.uint8).reshape(height, width)


@pytest.mark.parametrize("name", SHIPPED)
def test_the_summary_is_one_page_and_the_workbook_a_few(
    name: str, printed: dict[str, Printed]
) -> None:
    book = printed[name]
    pages = len(book.sheets)
    assert all(book.sheets), f"{name}: pages without a known sheet header: {book.sheets}"
    assert book.pages_of("summary") == [1], f"{name}: summary on pages {book.pages_of('summary')}"
    assert pages <= MOST_PAGES, f"{name}: {pages} pages ({book.sheets})"
    assert book.result.case_name in book.texts[0]
    for code in ("allocations", "plan", "fairness"):
        assert len(book.pages_of(code)) == 1, f"{name}: {code} on {book.pages_of(code)}"


@pytest.mark.parametrize("name", SHIPPED)
def test_every_chart_is_drawn_on_its_own_page(name: str, printed: dict[str, Printed]) -> None:
    book = printed[name]
    cost = book.result.game.orientation == "cost"
    expected = [phrase("wb_chart_allocations", "zh", amount="成本分摊" if cost else "净现值")]
    if not book.result.cash_flows.empty:
        expected.append(phrase("wb_chart_cash", "zh", what="方案"))
    pages = book.pages_of("charts")
    assert len(pages) == len(expected), f"{name}: charts on pages {pages}"
    for page, title in zip(pages, expected, strict=True):
        assert title in book.texts[page - 1]
        for party in book.result.names:  # the legend or the axis names every party
            if len(book.result.names) <= 4 or title == expected[0]:
                assert party in book.texts[page - 1], (name, title, party)
        image = raster(book.pdf, page)
        height, width = image.shape
        plot = image[height // 5 : height * 4 // 5, width // 10 : width * 6 // 10]
        inked = float((plot < 200).mean())
        assert inked > 0.04, f"{name} page {page}: the chart looks blank ({inked:.1%} inked)"


def test_page_one_rasterises_with_its_verdict(printed: dict[str, Printed]) -> None:
    """Page 1 of the demo case's workbook as printed, also the README's screenshot
    (``docs/screenshots/workbook_summary.png``, rewritten on every run so it stays current)."""
    book = printed["sichuan_zhejiang_park"]
    png = book.pdf.with_name("summary")
    first_page = ["-f", "1", "-l", "1", "-singlefile"]
    subprocess.run(
        [tool("pdftoppm"), "-png", "-r", "80", *first_page, str(book.pdf), str(png)],
        check=True,
        timeout=60,
    )
    assert png.with_suffix(".png").stat().st_size > 10_000
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(png.with_suffix(".png"), SCREENSHOTS / "workbook_summary.png")
    assert phrase("verdict_stable", "zh", what="方案") in book.texts[0].replace(" ", "")
    image = raster(book.pdf, 1, dpi=40)
    verdict_band = image[image.shape[0] // 6 : image.shape[0] // 4]
    assert (verdict_band < 250).mean() > 0.05  # the green band behind the verdict
