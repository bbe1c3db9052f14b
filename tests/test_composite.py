"""Compositing: painted sprites are shared by figures that look alike."""

from __future__ import annotations

from deconv_anim.animation import prepare
from deconv_anim.config import config_from_mapping


def test_sprites_are_shared_between_figures_that_look_alike():
    from deconv_anim import composite

    def window_offsets(params):
        raster = prepare(config_from_mapping(params))
        next(raster.frames())
        return [v for k, v in composite.sprite_cache.items()
                if k[0] is raster.blender]

    composite.sprite_cache.clear()
    first = window_offsets({"op": "conv", "size": 5, "kernel": 3})
    # a different grid, the same kernel, cell size and colours: the same sprites
    second = window_offsets({"op": "conv", "size": 7, "kernel": 3, "padding": 2})
    assert len(first) == len(second) == 2 and all(
        any(a is b for b in second) for a in first)
    # another colour or kernel: new ones
    third = window_offsets({"op": "conv", "size": 5, "kernel": 3,
                            "style": {"overlay_color": [200, 0, 0]}})
    assert not any(a is b for a in third for b in first + second)
