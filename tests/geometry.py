"""Where a cell is drawn, worked out independently of the code under test.

From the drawing facts of the reference figures (../shared/README.md: the oblique view maps
grid units to the page as x' = x - 0.7 y, y' = 0.5 x + 0.65 y, page y up) and the
placement rules of docs/architecture.md (unit vectors rounded to whole pixels, the figure
centred in the canvas under a margin of max(4, round(0.4 cell))). The only things read off
the raster are its scene (cells in grid units), its cell size and line width and its canvas
width: pixel tests then look for each cell where these rules put it.
"""

from __future__ import annotations

import math

import numpy as np

PROJECTION = {  # page images of the unit x and unit y vectors
    "oblique": ((1.0, 0.5), (-0.7, 0.65)),
    "flat": ((1.0, 0.0), (0.0, 1.0)),
}


class Geometry:
    """Pixel positions of the cells of one raster's scene."""

    def __init__(self, raster, width=None):
        scene, cell = raster.scene, raster.look.cell
        (ax, ay), (bx, by) = PROJECTION[scene.layout]
        self.ex = np.array([round(cell * ax), -round(cell * ay)], float)  # y down
        self.ey = np.array([round(cell * bx), -round(cell * by)], float)
        self.scene = scene
        self.offset = {g.name: np.array([round(cell * g.offset[0]), -round(cell * g.offset[1])],
                                        float) for g in (scene.input, scene.output)}
        self.origin = np.zeros(2)
        # the notes (notes.py: kernel grid, labels) widen the figure box: their extents
        # relative to the grids are read off the layout (the only thing read from it)
        layout = getattr(raster, "layout", None)
        notes = getattr(layout, "notes", None)
        self.notes = []
        if notes:
            shift = np.array(layout.origins["input"], float) - self.offset["input"]
            self.notes = [(x0 - shift[0], y0 - shift[1], x1 - shift[0], y1 - shift[1])
                          for x0, y0, x1, y1 in notes.boxes()]
        margin = max(4, round(cell * 0.4))
        x0, y0, x1, _ = self._figure_box()
        width = raster.size[0] if width is None else width
        self.origin = np.array([(width - (x1 - x0)) // 2 - x0, margin - y0], float)

    def _grid(self, grid):
        return self.scene.grid(grid) if isinstance(grid, str) else grid

    def corner(self, grid, r, c):
        g = self._grid(grid)
        return self.origin + self.offset[g.name] + c * self.ex + (g.rows - r) * self.ey

    def polygon(self, grid, r, c, h=1, w=1):
        """Corners of the h x w block at (r, c): top-left, top-right, bottom-right,
        bottom-left."""
        tl = self.corner(grid, r, c)
        return np.array([tl, tl + w * self.ex, tl + w * self.ex - h * self.ey, tl - h * self.ey])

    def centre(self, grid, r, c):
        """The pixel (x, y) holding the centre of cell (r, c)."""
        x, y = self.polygon(grid, r, c).mean(axis=0)
        return math.floor(x), math.floor(y)

    def _figure_box(self):
        scene = self.scene
        polys = []
        for grid in (scene.input, scene.output):
            (r0, c0), (rows, cols) = grid.first, grid.kinds.shape
            polys.append(self.polygon(grid, r0, c0, rows, cols))
        if scene.view == "scatter":  # stamps reach past the output grid
            spec = scene.spec
            kh, kw = spec.k_eff
            rows = [-spec.padding[0], (spec.input_size[0] - 1) * spec.stride[0] - spec.padding[0]]
            cols = [-spec.padding[2], (spec.input_size[1] - 1) * spec.stride[1] - spec.padding[2]]
            polys += [self.polygon(scene.output, r, c, kh, kw) for r in rows for c in cols]
        pts = np.concatenate(polys)
        (x0, y0), (x1, y1) = np.floor(pts.min(0)), np.ceil(pts.max(0))
        for bx0, by0, bx1, by1 in self.notes:  # the kernel grid and labels, if any
            x0, y0 = min(x0, math.floor(bx0)), min(y0, math.floor(by0))
            x1, y1 = max(x1, math.ceil(bx1)), max(y1, math.ceil(by1))
        return int(x0), int(y0), int(x1), int(y1)


def geometry(raster):
    """The :class:`Geometry` of a raster (of each panel of a side-by-side figure: use
    ``figure.left`` / ``figure.right``)."""
    return Geometry(raster)
