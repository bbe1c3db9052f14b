"""The public API (deconv_anim.animation): animate, Animation, render.

Frames are checked against files the writers made from them (a still PNG per frame, the
sheet), ``info`` against what the command line prints, errors against their keys.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image

import deconv_anim as da
from deconv_anim import animation
from deconv_anim.animation import Animation, RenderResult, animate, render
from deconv_anim.cli import main
from deconv_anim.config import Config
from deconv_anim.errors import ConfigError
from deconv_anim.formats import FORMATS

REPO = Path(__file__).resolve().parents[1]
SMALL = {"op": "conv", "size": 4, "kernel": 3, "style": {"cell": 8}}


# ------------------------------------------------------------------ sources and overrides

def test_every_kind_of_source_gives_the_same_config():
    path = REPO / "configs" / "seed_transposed.yaml"
    from_path = animate(path)
    from_text = animate(str(path))
    from_preset = animate("seed_transposed")
    from_mapping = animate(dict(da.PRESETS["seed_transposed"]))
    from_config = animate(from_path.config)
    assert from_text.config == from_path.config
    assert from_config.config is from_path.config
    for anim in (from_preset, from_mapping):
        assert anim.config.spec == from_path.config.spec
    assert from_path.config.source == str(path) and from_path.config.name == "seed_transposed"
    assert from_preset.config.name == "seed_transposed" and from_preset.config.source is None


def test_overrides_are_config_keys_style_nested_or_dotted():
    anim = animate("dilation", values=True, stride=2, style={"theme": "dark"})
    assert anim.config.render.values and anim.config.spec.stride == (2, 2)
    assert anim.config.render.style.theme == "dark"
    dotted = animate("seed_transposed", **{"style.theme": "dark", "style.cell": 9})
    assert (dotted.config.render.style.theme, dotted.config.render.style.cell) == ("dark", 9)
    # style overrides merge into the file's style block, key by key
    base = animate(SMALL, style={"theme": "colorblind"})
    assert base.config.render.style.cell == 8
    assert base.config.render.style.theme == "colorblind"


def test_overrides_on_a_config_revalidate_it():
    anim = animate(animate("dilation").config, stride=2)
    assert anim.config.spec.stride == (2, 2) and anim.config.name == "dilation"


def test_the_overrides_alone_describe_an_op():
    anim = animate(op="transposed", size=2, kernel=3)
    assert anim.info["output_size"] == [4, 4] and anim.step_count == 16
    assert anim.frame_count == 17  # and the held clean final frame


@pytest.mark.parametrize(("source", "overrides", "message"), [
    ("dilaton", {}, "preset: unknown preset 'dilaton'; did you mean dilation?"),
    ("dilation", {"strid": 2}, "strid: unknown key; did you mean stride?"),
    ("dilation", {"stride": 0}, "stride: must be a positive integer or a pair of them (got 0)"),
    ("dilation", {"style": {"theme": "neon"}},
     "style.theme: must be one of classic, dark, colorblind (got \"neon\")"),
    ("nope.yaml", {}, "nope.yaml: no such config file"),
    (None, {"size": 3}, "op: is required"),
    (42, {}, "a config is a file path, a preset name, a mapping or a Config (got int)"),
])
def test_bad_sources_and_overrides_are_one_line_errors_naming_the_key(source, overrides,
                                                                       message):
    with pytest.raises(ConfigError) as caught:
        animate(source, **overrides)
    assert str(caught.value).startswith(message)
    assert "\n" not in str(caught.value) and "--" not in str(caught.value)


def test_animation_takes_a_config_only():
    with pytest.raises(TypeError, match=r"use deconv_anim\.animate"):
        Animation("dilation")  # type: ignore[arg-type]


# ------------------------------------------------------------------ frames


def still(anim: Animation, index: int, tmp_path: Path) -> np.ndarray:
    """Frame ``index`` as the still-PNG writer wrote it, decoded."""
    out = anim.save(tmp_path / f"still{index}.png", frame=index)
    with Image.open(out.path) as image:
        return np.asarray(image.convert("RGBA" if image.mode == "RGBA" else "RGB"))


def test_frames_are_rgb_uint8_arrays_one_per_step(tmp_path):
    anim = animate(SMALL)
    frames = list(anim.frames())
    width, height = anim.size
    assert len(frames) == anim.frame_count == anim.step_count + 1 == 5
    for k, frame in enumerate(frames):
        assert frame.dtype == np.uint8 and frame.shape == (height, width, 3)
        assert np.array_equal(frame, still(anim, k, tmp_path))
    assert not np.array_equal(frames[0], frames[1])
    assert not np.shares_memory(frames[0], frames[1])  # each is its own array


def test_transparent_frames_have_an_alpha_channel(tmp_path):
    anim = animate(SMALL, style={"background": "transparent"})
    frames = list(anim.frames())
    width, height = anim.size
    assert all(f.shape == (height, width, 4) and f.dtype == np.uint8 for f in frames)
    alpha = frames[0][..., 3]
    assert set(np.unique(alpha)) == {0, 255}
    assert alpha[0, 0] == 0  # the corner is background
    assert np.array_equal(frames[2], still(anim, 2, tmp_path))


def test_tweened_frames_count_and_two_iterators_do_not_interfere():
    anim = animate(SMALL)
    assert len(list(anim.frames(tween=2))) == (4 - 1) * 3 + 1 + 1
    one, two = anim.frames(), anim.frames()
    interleaved = [(a, b) for a, b in zip(one, two)]
    alone = list(anim.frames())
    assert all(np.array_equal(a, c) and np.array_equal(b, c)
               for (a, b), c in zip(interleaved, alone))


def test_frames_keep_the_resource_guard():
    with pytest.raises(ConfigError, match=r"^size: the animation would have 5 frames, more "
                                          r"than the limit of 3 \(raise it with max_frames\)"):
        next(animate(SMALL).frames(max_frames=3))
    with pytest.raises(ConfigError, match=r"^tween: must be an integer from 0 to 60"):
        next(animate(SMALL).frames(tween=61))


# ------------------------------------------------------------------ files


@pytest.mark.parametrize("fmt", list(FORMATS.values()), ids=list(FORMATS))
def test_save_writes_every_suffix(tmp_path, fmt):
    anim = animate(SMALL)
    result = anim.save(tmp_path / f"out{fmt.suffix}")
    assert isinstance(result, RenderResult)
    assert result.path == tmp_path / f"out{fmt.suffix}"
    assert result.bytes == result.path.stat().st_size > 0
    assert result.frames == 5 and result.size == anim.size
    head = result.path.read_bytes()[:64]
    magic = {"gif": b"GIF89a", "png": b"\x89PNG", "webp": b"RIFF", "mp4": b"\x00\x00\x00",
             "svg": b"<svg", "html": b"<!DOCTYPE html>"}[fmt.name]
    assert head.startswith(magic) or (fmt.name == "svg" and b"<svg" in head)


def test_save_defaults_to_the_config_name_beside_it(cwd):
    result = animate(SMALL).save()
    assert result.path == Path("deconv-anim.gif") and result.path.exists()
    result = animate(SMALL).save(format="webp")
    assert result.path == Path("deconv-anim.webp")


def test_render_is_animate_then_save(tmp_path):
    a = render(SMALL, tmp_path / "a.gif", tween=1, stride=1)
    b = animate(SMALL, stride=1).save(tmp_path / "b.gif", tween=1)
    assert a.frames == b.frames == 8
    assert a.path.read_bytes() == b.path.read_bytes()


@pytest.mark.parametrize(("path", "options", "message"), [
    ("x.jpg", {}, "output: unknown file type '.jpg' of"),
    ("x.gif", {"format": "webp"}, "format: is webp but the output"),
    ("x.gif", {"format": "bmp"}, "format: unknown format 'bmp'"),
    ("x.gif", {"fps": 10}, "fps: sets a video's frame rate"),
    ("x.gif", {"sheet": True}, "sheet: writes one PNG image"),
    ("x.gif", {"frame": 0}, "frame: writes one PNG image"),
    ("x.png", {"frame": 5}, "frame: must be from -5 to 4"),
    ("x.png", {"sheet": True, "tween": 1}, "tween: makes in-between frames"),
    ("x.gif", {"tween": 60, "max_frames": 10}, "tween: 4 steps with 60 in-between frames"),
    ("x.gif", {"max_pixels": 10}, "style.cell: each frame would be"),
])
def test_save_errors_name_keys_not_flags(tmp_path, path, options, message):
    with pytest.raises(ConfigError) as caught:
        animate(SMALL).save(tmp_path / path, **options)
    assert str(caught.value).startswith(message)
    assert "--" not in str(caught.value)
    assert list(tmp_path.iterdir()) == []


def test_an_output_folder_is_refused_naming_output(tmp_path):
    with pytest.raises(ConfigError, match=r"^output: .* is a directory; name the file"):
        animate(SMALL).save(tmp_path)


# ------------------------------------------------------------------ info and the package


def test_info_is_what_info_json_prints():
    path = REPO / "configs" / "seed_transposed.yaml"
    printed = CliRunner().invoke(main, ["info", "--json", str(path)])
    assert printed.exit_code == 0
    assert animate(path).info == json.loads(printed.stdout)
    assert animate(path).info["name"] == "seed_transposed"


def test_the_package_exports_the_api_and_render_is_the_function():
    import importlib

    with pytest.raises(ModuleNotFoundError):  # the module is animation; render is a function
        importlib.import_module("deconv_anim.render")
    assert da.render is animation.render and callable(da.render)
    assert da.animate is animate and da.Animation is Animation
    assert da.render_config is animation.render
    assert isinstance(da.resolve_config("dilation"), Config)
    assert set(da.__all__) <= set(dir(da))


def test_repr_names_the_op():
    assert repr(animate("dilation")) == "<Animation dilation: conv 7x7 -> 3x3, 10 frames>"


def test_an_unwritable_name_is_refused_before_any_work(tmp_path):
    with pytest.raises(ConfigError, match=r"^output: is not a usable file name: its name "
                                          r"x\.\.\.x\.gif is 304 bytes long"):
        animate(SMALL).save(tmp_path / ("x" * 300 + ".gif"))
    assert list(tmp_path.iterdir()) == []


def python_blocks(text: str) -> str:
    return "\n".join(block.split("```")[0] for block in text.split("```python\n")[1:])


def test_the_python_examples_of_the_readme_and_formats_doc_run(cwd):
    import shutil

    readme = (REPO / "README.md").read_text()
    code = python_blocks(readme[readme.index("## Python API"):readme.index("## Performance")])
    code += "\n" + python_blocks((REPO / "docs" / "formats.md").read_text())
    shutil.copytree(REPO / "configs", cwd / "configs")
    exec(compile(code, "examples", "exec"), {})
    assert {p.name for p in cwd.iterdir()} >= {"out.gif", "out.mp4", "out.webp",
                                                "dilation.mp4", "dilation-sheet.png"}


@pytest.mark.parametrize("target", [400, 517, 640, 1000])
def test_style_width_picks_the_largest_cell_that_fits(target):
    anim = animate("both_views", style={"width": target})
    width = anim.size[0]
    assert width <= target
    # the cell it picked: one more would not fit
    from deconv_anim.animation import prepare

    cell = prepare(anim.config).look.cell
    assert animate("both_views", style={"cell": cell}).size[0] == width
    assert animate("both_views", style={"cell": cell + 1}).size[0] > target


def test_style_width_rules():
    with pytest.raises(ConfigError, match=r"^style\.width: picks the cell size to fit the "
                                          r"width: give style\.cell or style\.width, not both"):
        animate("dilation", style={"width": 300, "cell": 10})
    with pytest.raises(ConfigError, match=r"^style\.width: is too narrow for this figure: even "
                                          r"at the smallest cell \(4 pixels\) it is \d+ pixels "
                                          r"wide \(got 40\)"):
        _ = animate("both_views", style={"width": 40}).size
    with pytest.raises(ConfigError, match=r"^style\.width: must be"):
        animate("dilation", style={"width": 0})
