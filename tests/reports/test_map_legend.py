"""The map's legend steps the way the figures do: for a funder in the rounding base (fives), never by 2."""
from __future__ import annotations

from dataclasses import dataclass

from hypothesis import given
from hypothesis import strategies as st

from outreach.reports.charts import LEVELS, legend_bounds, region_tiles


@dataclass
class Cell:
    value: int | None
    suppressed: bool = False
    hidden_text: str = ""


@given(top=st.integers(1, 100_000), threshold=st.sampled_from([None, 10]), base=st.sampled_from([None, 1, 5, 10]))
def test_bounds_step_in_the_rounding_base_and_cover_the_largest_value(top, threshold, base):
    low = min(threshold or 0, top)
    bounds = legend_bounds(top, low, base)
    assert 1 <= len(bounds) <= LEVELS and bounds[-1] >= top
    assert all(b > a for a, b in zip([low, *bounds], bounds))
    step = bounds[0] - low
    assert all(b - a == step for a, b in zip(bounds, bounds[1:]))
    if base and not low % base:
        assert all(b % base == 0 for b in bounds)


def test_a_funders_map_legend_reads_in_fives_and_each_tile_is_within_its_shade():
    values = {"KZ-75": 20, "KZ-71": 15, "KZ-11": 10, "KZ-19": 10}
    cells = {code: Cell(v) for code, v in values.items()}
    regions = {code: (code, "region") for code in values}
    tiles, legend = region_tiles(cells, regions, "fewer than 10", threshold=10, rounding_base=5)
    uppers = [int(upper) for _style, upper, _css in legend]
    assert all(u % 5 == 0 for u in uppers), uppers  # the legend read 12 / 14 / 16 / 18 / 20
    by_code = {t["code"]: t for t in tiles}
    assert by_code["KZ-75"]["level"] == LEVELS  # the largest value is the darkest shade
    assert legend[-1][2] == by_code["KZ-75"]["css"].split()[0]
    firsts = LEVELS - len(uppers)
    for tile in tiles:
        if tile["code"] in values:
            tile = {**tile, "level": tile["level"] - firsts}
            assert values[tile["code"]] <= uppers[tile["level"] - 1]
            assert tile["level"] == 1 or values[tile["code"]] > uppers[tile["level"] - 2]
