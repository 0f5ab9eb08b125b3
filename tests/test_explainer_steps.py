"""The arithmetic the Explainer's tabs show, as pure functions of cnnweb.stack (the page only
draws them): a receptive field's box and paths, the stack's summary and growth, the output-size
line of the sliding kernel and the two-3×3 comparison."""

import numpy as np
import pytest

from cnnweb import conv, lessons, stack
from cnnweb.conv import LayerSpec


def _cell(specs, size, r, c):
    rf = conv.analyze_stack(size, size, 1, specs)[-1].rf
    return stack.receptive_cell(specs, size, rf, r, c)


def test_one_3x3_conv_sees_a_3x3_box_once_per_pixel():
    cell = _cell([LayerSpec("conv", 3)], 5, 1, 2)
    assert cell.rows == [0, 1, 1, 1, 0] and cell.cols == [0, 0, 1, 1, 1]
    assert cell.box == (1, 2, 3, 4)       # top, left, bottom, right: centred on input (2, 3)
    assert (cell.seen_rows, cell.seen_cols) == ((1, 3), (2, 4))
    assert (cell.outside, cell.most, cell.least) == (0, 1, 1)


def test_a_same_padded_corner_cell_reaches_into_the_padding():
    cell = _cell([LayerSpec("conv", 3, padding="same")], 5, 0, 0)
    assert cell.box == (-1, -1, 1, 1)
    assert (cell.seen_rows, cell.seen_cols) == ((0, 1), (0, 1))
    assert cell.outside == 9 - 4                 # the padded row and column of the 3×3 box


def test_two_stacked_3x3_weigh_the_centre_by_its_paths():
    cell = _cell([LayerSpec("conv", 3)] * 2, 5, 0, 0)
    assert cell.rows == cell.cols == [1, 2, 3, 2, 1]
    assert (cell.most, cell.least, cell.outside) == (9, 1, 0)


def test_dilation_leaves_holes_counted_outside_the_seen_pixels():
    cell = _cell([LayerSpec("conv", 3, dilation=2)], 7, 0, 0)
    assert cell.rows == [1, 0, 1, 0, 1, 0, 0] and cell.box == (0, 0, 4, 4)
    assert cell.outside == 25 - 9


@pytest.mark.parametrize("preset", list(stack.PRESETS))
def test_receptive_cell_agrees_with_the_path_count_grid(preset):
    """most / least / outside against the full grid of paths the chart draws."""
    p = stack.PRESETS[preset]
    size = min(p.size, 64)
    rows = conv.analyze_stack(size, size, p.channels, p.layers)
    traced = [r for r in rows if r.rf]
    if not traced:
        pytest.skip("no receptive field to trace")
    row = traced[-1]
    r, c = row.out_shape[0] // 2, row.out_shape[1] - 1
    cell = stack.receptive_cell(p.layers[:row.index], size, row.rf, r, c)
    grid = np.outer(cell.rows, cell.cols)
    assert cell.most == grid.max() and cell.least == grid[grid > 0].min()
    assert cell.outside == row.rf.size ** 2 - (grid > 0).sum()
    seen = np.nonzero(grid.any(axis=1))[0]
    assert cell.seen_rows == (seen[0], seen[-1])


def test_final_shape_and_rf_of_a_stack_and_of_no_layers():
    specs = [LayerSpec("conv", 3, filters=8), LayerSpec("maxpool", 2, stride=2)]
    rows = conv.analyze_stack(28, 28, 1, specs)
    assert stack.final_shape_and_rf(rows, (28, 28, 1)) == ((13, 13, 8), 4)
    assert stack.final_shape_and_rf([], (28, 28, 1)) == ((28, 28, 1), 1)
    sizes, rfs = stack.growth(rows, 28)
    assert sizes == [28, 26, 13] and rfs == [1, 3, 4]


def test_conv_size_line_gives_the_output_size_and_its_worked_numbers():
    out, tex = stack.conv_size_line(5, 3, 2, "same", 1)
    assert out == 3 and tex.endswith(r"\frac{5 + 1 + 1 - 3}{2}\right\rfloor + 1 = 3")
    out, tex = stack.conv_size_line(7, 3, 1, "valid", 2, "zh")
    assert out == 3 and "输出" in tex and r"\frac{7 + 0 + 0 - 5}{1}" in tex
    with pytest.raises(ValueError):
        stack.conv_size_line(3, 5, 1, "valid", 1)      # the kernel does not fit


def test_the_working_shows_the_same_size_line_as_the_sliding_kernel():
    spec = LayerSpec("conv", 3, stride=2, padding="same", filters=4)
    rows = conv.analyze_stack(9, 9, 1, [spec])
    size_lines = stack.working(rows, [spec], 1)[0].lines
    assert stack.conv_size_line(9, 3, 2, "same", 1)[1] in size_lines


def test_the_stacked_comparison_in_latex_carries_both_counts():
    cmp = lessons.stacked(2, 64)
    tex = stack.stacked_vs_single_tex(cmp)
    assert r"(3\times 3\times 64\times 64 + 64) = 73{,}856" in tex
    assert r"\text{vs}" in tex and "102{,}464" in tex and "×" not in tex
