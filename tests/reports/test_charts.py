"""Static charts (PNG, SVG): the files, what each figure draws, the labels' language, and
Chinese names drawn with a real CJK font, never as missing-glyph boxes.

The figures are inspected through the functions that build them without writing
(``allocation_figure``, ``cash_flow_figure``, ``sweep_figure``): bars, lines and the core
band are compared with the result's numbers. The font tests fail (they do not skip) when no
CJK font is installed: CI installs Debian's ``fonts-noto-cjk``.

``test_the_readme_charts_are_written`` writes the README's pictures into ``docs/charts/``, so
they stay current.
"""

from __future__ import annotations

import itertools
import subprocess
import sys
import warnings
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

import fairpool
from fairpool.models.family import PlanResult, ProposalCheck, SweepLine, SweepResult
from fairpool.optimizer.errors import CaseError
from fairpool.reports import charts, fonts
from fairpool.reports.i18n import phrase

ROOT = Path(__file__).resolve().parents[2]
CASES = ROOT / "cases"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


# -- shared results: the Chinese joint park case, a proposal check, a cost case ----------------


@pytest.fixture(scope="module")
def park_case():
    return fairpool.read_case(CASES / "sichuan_zhejiang_park.xlsx")


@pytest.fixture(scope="module")
def park(park_case) -> PlanResult:
    return fairpool.solve(park_case)


@pytest.fixture(scope="module")
def park_sweep(park_case) -> SweepResult:
    """The province's VAT ratio in phase 2: a core band inside (0, 1), none of it within the
    case's rules, the proposal's ratio 20%."""
    return fairpool.sweep(park_case, SweepLine("PROV", "VAT", "2"), np.linspace(0.0, 1.0, 21))


@pytest.fixture(scope="module")
def river() -> PlanResult:
    return fairpool.solve(fairpool.read_case(CASES / "river_program.xlsx"))


@pytest.fixture(scope="module")
def river_sweep() -> SweepResult:
    """Anhui's share of every project: the budgets cut the core band; the proposal's 15%."""
    case = fairpool.read_case(CASES / "river_program.xlsx")
    return fairpool.sweep(case, SweepLine("AH"), np.linspace(0.0, 1.0, 41))


@pytest.fixture(scope="module")
def park_check(park_case) -> ProposalCheck:
    return fairpool.check(park_case, None)


@pytest.fixture(scope="module")
def water() -> PlanResult:
    return fairpool.solve(fairpool.read_case(CASES / "water_plant.xlsx"))


def by_gid(figure, gid: str) -> list:
    return [artist for artist in figure.findobj() if artist.get_gid() == gid]


def only_axes(figure):
    (axes,) = figure.axes
    return axes


# -- files -------------------------------------------------------------------------------------


def test_every_chart_is_written_as_valid_png_and_svg(park, park_sweep, tmp_path: Path) -> None:
    from PIL import Image

    paths = charts.write_charts(park, tmp_path / "charts", sweep=park_sweep)
    names = [p.name for p in paths]
    assert names == [f"{c}.{f}" for c in charts.CHART_NAMES for f in ("png", "svg")]
    assert sorted(p.name for p in (tmp_path / "charts").iterdir()) == sorted(names)  # no temp
    for path in paths:
        if path.suffix == ".png":
            assert path.read_bytes()[:8] == PNG_SIGNATURE
            with Image.open(path) as image:
                image.verify()
            with Image.open(path) as image:
                width, height = image.size
                assert width >= 1000 and height >= 500
                assert len(image.convert("L").getcolors(1 << 16) or ()) > 16  # not blank
        else:
            root = ET.parse(path).getroot()
            assert root.tag == "{http://www.w3.org/2000/svg}svg"
            assert "<text" not in path.read_text(encoding="utf-8")  # glyphs as paths


def test_a_cost_case_without_years_gets_no_cash_flow_chart(water, tmp_path: Path) -> None:
    assert charts.cash_flow_figure(water) is None
    paths = charts.write_charts(water, tmp_path, formats=("svg",))
    assert [p.name for p in paths] == ["allocations.svg"]


def test_existing_charts_are_kept_unless_forced(park, park_sweep, tmp_path: Path) -> None:
    (tmp_path / "sweep.svg").write_text("mine", encoding="utf-8")
    with pytest.raises(CaseError, match=r"sweep\.svg exists; pass --force"):
        charts.write_charts(park, tmp_path, sweep=park_sweep)
    assert [p.name for p in tmp_path.iterdir()] == ["sweep.svg"]  # nothing written before
    paths = charts.write_charts(park, tmp_path, sweep=park_sweep, force=True)
    assert (tmp_path / "sweep.svg").read_text(encoding="utf-8").startswith("<?xml")
    assert len(paths) == 6


def test_an_unknown_format_or_a_file_in_the_way_is_a_case_error(park, tmp_path: Path) -> None:
    with pytest.raises(CaseError, match="unknown chart format pdf: use png, svg"):
        charts.write_charts(park, tmp_path, formats=("png", "pdf"))
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    with pytest.raises(CaseError, match="is a file, not a folder"):
        charts.check_charts_folder(blocker)
    assert not any(p.suffix in (".png", ".svg") for p in tmp_path.iterdir())


# -- what the figures draw -----------------------------------------------------------------------


def test_the_bars_are_the_plan_and_the_methods_per_party(park) -> None:
    figure = charts.allocation_figure(park, "en")
    axes = only_axes(figure)
    methods = [m for m in charts.CHART_METHODS if m in park.allocations]
    assert len(methods) == len(charts.CHART_METHODS)  # the park case has all of them
    expected = [("Plan", park.amounts)] + [
        (phrase(m, "en"), park.allocations[m].as_dict()) for m in methods
    ]
    assert len(axes.containers) == len(expected)
    scale = max(abs(v) for v in park.amounts.values())
    for container, (label, amounts) in zip(axes.containers, expected, strict=True):
        assert container.get_label() == label
        heights = [bar.get_height() for bar in container]
        assert heights == pytest.approx([amounts[p] for p in park.players], abs=1e-9 * scale)
    # one bar per party in each series, grouped: the groups' centres are the tick positions
    assert {len(c) for c in axes.containers} == {park.game.n}
    assert [t.get_text() for t in axes.get_xticklabels()] == list(park.names)


def test_each_party_s_stand_alone_value_is_marked_across_its_group(park) -> None:
    figure = charts.allocation_figure(park, "en")
    (segments,) = by_gid(figure, "standalone")
    lines = segments.get_segments()
    assert len(lines) == park.game.n
    for k, line in enumerate(lines):
        (x0, y0), (x1, y1) = line
        assert y0 == y1 == pytest.approx(float(park.game.standalone_values[k]))
        assert x0 < k < x1  # across the party's group of bars


def test_a_proposal_check_draws_the_proposal_first(park_check) -> None:
    figure = charts.allocation_figure(park_check, "zh")
    first = only_axes(figure).containers[0]
    assert first.get_label() == "提议"
    assert [bar.get_height() for bar in first] == pytest.approx(
        [park_check.amounts[p] for p in park_check.players]
    )


def test_a_cost_game_marks_stand_alone_costs_and_labels_cost_shares(water) -> None:
    figure = charts.allocation_figure(water, "en")
    axes = only_axes(figure)
    assert figure.get_suptitle() == phrase("chart_allocations_cost", "en")
    assert axes.get_ylabel() == f"Cost share ({water.unit})"
    (segments,) = by_gid(figure, "standalone")
    heights = [float(line[0][1]) for line in segments.get_segments()]
    assert heights == pytest.approx(list(water.game.standalone_values))


def test_one_yearly_cash_line_per_party(park) -> None:
    figure = charts.cash_flow_figure(park, "en")
    assert figure is not None
    flows = park.cash_flows
    for party in park.players:
        (line,) = by_gid(figure, f"cash:{party}")
        rows = flows[flows.party == party].sort_values("year")
        assert list(line.get_xdata()) == list(rows.year.astype(float))
        assert list(line.get_ydata()) == pytest.approx(list(rows.net))
    assert len(only_axes(figure).get_lines()) == park.game.n + 1  # and the zero line


def test_the_sweep_draws_each_party_and_shades_the_exact_core_band(park_sweep) -> None:
    figure = charts.sweep_figure(park_sweep, "en")
    table = park_sweep.table
    for party in park_sweep.players:
        (line,) = by_gid(figure, f"sweep:{party}")
        assert list(line.get_xdata()) == pytest.approx(list(table.ratio))
        assert list(line.get_ydata()) == pytest.approx(list(table[f"npv_{party}"]))
    assert park_sweep.core_band is not None
    (band,) = by_gid(figure, "core_band")
    extent = band.get_bbox()  # x in data units, y across the axes
    assert (extent.x0, extent.x1) == pytest.approx(park_sweep.core_band)
    assert not by_gid(figure, "no_core_band")
    assert park_sweep.band_within_rules is None
    (note,) = by_gid(figure, "no_band_within_rules")
    assert note.get_text() == phrase("chart_no_band_within_rules", "en")
    (baseline,) = by_gid(figure, "baseline")
    assert park_sweep.baseline_value is not None
    assert list(baseline.get_xdata()) == pytest.approx([park_sweep.baseline_value] * 2)
    assert baseline.get_label() == "Proposal"
    axes = only_axes(figure)
    assert axes.get_xlabel() == "四川省's split ratio of VAT, phase 2"
    assert axes.xaxis.get_major_formatter()(0.25) == "25%"


def test_the_band_within_the_rules_is_hatched_inside_the_core_band(river_sweep) -> None:
    figure = charts.sweep_figure(river_sweep, "zh")
    assert river_sweep.core_band is not None and river_sweep.band_within_rules is not None
    assert river_sweep.band_within_rules != river_sweep.core_band
    (band,) = by_gid(figure, "core_band")
    (within,) = by_gid(figure, "band_within_rules")
    assert (band.get_bbox().x0, band.get_bbox().x1) == pytest.approx(river_sweep.core_band)
    assert (within.get_bbox().x0, within.get_bbox().x1) == pytest.approx(
        river_sweep.band_within_rules
    )
    assert within.get_label() == phrase("chart_band_within_rules", "zh")
    assert only_axes(figure).get_xlabel() == "安徽承担全部项目的份额"
    assert len(by_gid(figure, "baseline")) == 1


def test_a_sweep_without_core_band_says_so(park_sweep) -> None:
    import dataclasses

    no_band = dataclasses.replace(park_sweep, core_band=None, band_within_rules=None)
    figure = charts.sweep_figure(no_band, "zh")
    assert not by_gid(figure, "core_band")
    (note,) = by_gid(figure, "no_core_band")
    assert note.get_text() == phrase("chart_no_core_band", "zh")


def test_a_sweep_alone_writes_its_chart_only(river_sweep, tmp_path: Path) -> None:
    (tmp_path / "allocations.png").write_bytes(b"another run's")  # not in the way
    paths = charts.write_charts(river_sweep, tmp_path, formats=("png",))
    assert [p.name for p in paths] == ["sweep.png"]
    assert (tmp_path / "allocations.png").read_bytes() == b"another run's"


def test_labels_follow_the_language_and_names_stay_as_typed(park) -> None:
    default = charts.allocation_figure(park)  # a Chinese case: Chinese labels
    english = charts.allocation_figure(park, "en")
    assert default.get_suptitle() == "各分配方法下各方的净现值"
    assert english.get_suptitle() == "Each party's NPV by method"
    assert only_axes(default).get_ylabel() == "净现值（万元）"
    assert only_axes(english).get_ylabel() == "NPV (万元)"
    for figure in (default, english):
        assert [t.get_text() for t in only_axes(figure).get_xticklabels()] == list(park.names)
        assert only_axes(figure).get_title() == park.case_name


def test_money_ticks_have_thousands_separators_and_the_decimals_they_need(park) -> None:
    axes = only_axes(charts.allocation_figure(park, "en"))
    formatter = axes.yaxis.get_major_formatter()
    formatter.set_locs([0.0, 12_500.0, 25_000.0])
    assert [formatter(v) for v in (0.0, 12_500.0, 25_000.0)] == ["0", "12,500", "25,000"]
    formatter.set_locs([0.0, 2.5, 5.0])
    assert formatter(2.5) == "2.5"
    assert charts.tick_decimals([0.0, 0.002, 0.004]) == 3


def test_importing_the_charts_or_the_cli_does_not_load_matplotlib() -> None:
    code = (
        "import sys\n"
        "import fairpool.reports.charts, fairpool.reports.fonts, fairpool.cli\n"
        "from typer.testing import CliRunner\n"
        "result = CliRunner().invoke(fairpool.cli.app, ['--help'])\n"
        "assert result.exit_code == 0, result.output\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] == 'matplotlib')\n"
        "print(','.join(loaded))\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == ""


# -- Chinese text: a real CJK font, no missing-glyph box -----------------------------------------


def cjk_characters(figure) -> str:
    """Every distinct CJK character of the figure's texts."""
    from matplotlib.text import Text

    texts = [t.get_text() for t in figure.findobj(Text)]
    return "".join(dict.fromkeys(ch for text in texts for ch in text if fonts.has_cjk(ch)))


def glyph_raster(character: str, properties) -> np.ndarray:
    """``character`` drawn alone at 40 pt with ``properties`` (the chart text's own font
    properties) on matplotlib's Agg canvas, as a grey-level array."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(0.8, 0.8), dpi=100)
    canvas = FigureCanvasAgg(figure)
    font = properties.copy()
    font.set_size(40)
    figure.text(0.5, 0.5, character, fontproperties=font, ha="center", va="center")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the missing character's "Glyph … missing" warning
        canvas.draw()
    return np.asarray(canvas.buffer_rgba())[..., 0].copy()


def a_character_no_font_has(families: list[str]) -> str:
    """A CJK ideograph (else a private-use character) that none of ``families`` covers."""
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    faces = []
    for family in families:
        found = font_manager.findfont(font_manager.FontProperties(family=family))
        faces.append(FT2Font(found, face_index=getattr(found, "face_index", 0)))
    candidates = itertools.chain(range(0x9FF0, 0xA000), range(0x30000, 0x30100), [0xE000])
    for code in candidates:
        if all(face.get_char_index(code) == 0 for face in faces):
            return chr(code)
    raise AssertionError(f"every candidate character is covered by {families}")


def test_a_cjk_font_is_installed_and_covers_the_chinese_texts(park, park_sweep) -> None:
    from matplotlib.ft2font import FT2Font

    font = fonts.find_cjk_font()
    assert font is not None, f"no CJK font found; {fonts.INSTALL_HINT}"
    figures = charts.chart_figures(park, "zh", park_sweep)
    characters = "".join(cjk_characters(f) for f in figures.values())
    assert set(park.names[0]) <= set(characters)
    face = FT2Font(font.path, face_index=font.face_index)
    uncovered = [ch for ch in characters if face.get_char_index(ord(ch)) == 0]
    assert uncovered == []
    assert font.missing("四川省" + chr(0xE000)) == chr(0xE000)  # the check can fail


def test_chinese_names_render_as_distinct_glyphs_not_boxes(park) -> None:
    """Each CJK character of the chart, drawn alone with the font properties of the chart
    text that holds it, differs from every other one and from the drawing of a character the
    fonts lack: missing-glyph boxes are all alike."""
    from matplotlib.text import Text

    figure = charts.allocation_figure(park, "zh")
    drawn: dict[str, np.ndarray] = {}
    families: list[str] = []
    for text in figure.findobj(Text):
        properties = text.get_fontproperties()
        for ch in text.get_text():
            if fonts.has_cjk(ch) and ch not in drawn:
                drawn[ch] = glyph_raster(ch, properties)
                families = list(properties.get_family())
    assert set("".join(park.names)) - {"（", "）"} <= set(drawn)
    assert families[0] == fonts.find_cjk_font().name
    box = glyph_raster(a_character_no_font_has(families), figure.texts[0].get_fontproperties())
    for ch, raster in drawn.items():
        assert raster.min() < 128, f"{ch!r} drew nothing"
        assert not np.array_equal(raster, box), f"{ch!r} is drawn as the missing-glyph box"
    for (a, first), (b, second) in itertools.combinations(drawn.items(), 2):
        assert not np.array_equal(first, second), f"{a!r} and {b!r} are drawn alike"


def test_saving_a_chinese_chart_misses_no_glyph(park, park_sweep, tmp_path: Path) -> None:
    """matplotlib warns "Glyph … missing from font(s)" for every character it draws as a box."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        charts.write_charts(park, tmp_path, sweep=park_sweep, formats=("png",))
    assert [str(w.message) for w in caught if "missing from" in str(w.message)] == []
    assert not [w for w in caught if issubclass(w.category, fonts.FontWarning)]


def test_without_a_cjk_font_the_charts_warn_and_fall_back_to_latin(
    park, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fonts, "CJK_FONT_NAMES", ("No Such CJK Font",))
    with pytest.warns(fonts.FontWarning, match="no CJK font found.*fonts-noto-cjk"):
        figure = charts.allocation_figure(park)
    axes = only_axes(figure)
    assert [t.get_text() for t in axes.get_xticklabels()] == list(park.players)
    assert figure.get_suptitle() == phrase("chart_allocations_npv", "en")
    assert axes.get_ylabel() == "NPV"  # the unit 万元 would be boxes
    assert axes.get_title() == ""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        charts.save_figure(figure, tmp_path / "a.png", "png", fonts.chart_fonts(["Latin"]))
    assert [str(w.message) for w in caught if "missing from" in str(w.message)] == []


def test_latin_charts_do_not_need_a_cjk_font() -> None:
    chosen = fonts.chart_fonts(["River programme", "Anhui", "τ-value", "€"])
    assert chosen.families == (fonts.LATIN_FONT,) and chosen.warning is None


# -- the README's pictures -----------------------------------------------------------------------


def test_the_readme_charts_are_written(park, park_sweep, river, river_sweep) -> None:
    """docs/charts/zh/: the demo park case in its own language (Chinese); docs/charts/en/: the
    river programme in English (party names stay Chinese, as typed)."""
    for lang, result, sweep in (("zh", park, park_sweep), ("en", river, river_sweep)):
        folder = ROOT / "docs" / "charts" / lang
        paths = charts.write_charts(
            result, folder, lang=lang, sweep=sweep, formats=("png",), force=True
        )
        assert [p.name for p in paths] == ["allocations.png", "cash_flows.png", "sweep.png"]
        assert all(p.read_bytes()[:8] == PNG_SIGNATURE for p in paths)
