"""Channel mode's ``view: both``: the gather and scatter figures of one transposed op in one
canvas, on one clock.

The gather panel (:class:`~deconv_anim.channel_raster.ChannelRaster`) and the scatter panel
(:class:`~deconv_anim.channel_scatter_raster.ChannelScatterRaster`) are placed side by side
(``arrange: side``, a cell apart, both top-aligned) or one above the other
(``arrange: stacked``, each centred), with the shared title under the lowest panel; their
frames are laid into the canvas by :func:`deconv_anim.panels.side_by_side_frames`, the same
clock as the single-channel ``view: both`` (the panel with fewer steps spread over the
other's, both ending together on the finished output).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from .channel_raster import ChannelRaster
from .channel_scatter_raster import ChannelScatterRaster
from .errors import ConfigError
from .layout import Look, shared_title
from .panels import side_by_side_frames
from .raster import RasterFrame
from .scene import Scene

__all__ = ["ChannelPanels"]


class ChannelPanels:
    """Two channel-mode panels (gather, scatter) in one canvas: the face of
    :class:`~deconv_anim.panels.SideBySide` the frame loop and the writers use."""

    def __init__(self, gather: Scene, scatter: Scene, look: Look, *, arrange: str = "side"
                 ) -> None:
        self.title = gather.title or scatter.title  # shared: centred under both panels
        self.left = ChannelRaster(replace(gather, title=None), look, heading="Gather view")
        self.right = ChannelScatterRaster(replace(scatter, title=None), look,
                                          heading="Scatter view")
        # the same theme and group fills give both panels the same palette
        assert self.left.palette.tobytes() == self.right.palette.tobytes()
        self.look, self.theme = look, look.theme
        self.palette, self.lut = self.left.palette, self.left.lut
        gap = look.cell
        (lw, lh), (rw, rh) = self.left.size, self.right.size
        if arrange == "stacked":
            width = max(lw, rw)
            self.offsets = (((width - lw) // 2, 0), ((width - rw) // 2, lh + gap))
            size = (width, lh + gap + rh)
        else:
            self.offsets = ((0, 0), (lw + gap, 0))
            size = (lw + gap + rw, max(lh, rh))
        self.title_lines, self.size = shared_title(self.title, size, self.left.layout)

    @property
    def figure(self) -> ChannelPanels:
        """What a vector writer draws (it refuses: see :meth:`svg`)."""
        return self

    def svg(self, timing: object) -> str:
        raise ConfigError("view", "both is drawn in channel mode as .gif, .png, .webp or "
                                  ".mp4, not yet as .svg (render view: gather or scatter "
                                  "to .svg)")

    def frames(self, tween: int = 0) -> Iterator[RasterFrame]:
        """Both panels' frames in one canvas, on one clock."""
        return side_by_side_frames(self, tween)  # type: ignore[arg-type]
