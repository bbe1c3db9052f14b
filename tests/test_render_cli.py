"""`deconv-anim render`: where it writes, what it prints, what it refuses."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image

from deconv_anim.cli import main
from deconv_anim.raster import Raster

CONV = "op: conv\nsize: 5\nkernel: 3\nstride: 2\npadding: 1\nstyle:\n  cell: 16\n"
WROTE = re.compile(r"^wrote (?P<path>.+) \((?P<frames>\d+) frames, (?P<w>\d+)x(?P<h>\d+), "
                   r"(?P<bytes>[\d,]+) bytes\)$")


def run(*args: str):
    result = CliRunner().invoke(main, ["render", *args])
    assert "Traceback" not in result.output
    return result


def wrote(result) -> dict:
    """The parsed 'wrote ...' line, checked against the file it names."""
    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1, lines
    match = WROTE.match(lines[0])
    assert match, lines[0]
    path = Path(match["path"])
    info = {"path": path, "frames": int(match["frames"]),
            "size": (int(match["w"]), int(match["h"])),
            "bytes": int(match["bytes"].replace(",", ""))}
    assert path.stat().st_size == info["bytes"]
    with Image.open(path) as im:
        assert im.size == info["size"]
        assert im.n_frames == info["frames"]
    return info


def gifs(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()
                  and p.suffix != ".yaml")


def test_config_file_writes_stem_gif_beside_it(cwd):
    (cwd / "configs").mkdir()
    (cwd / "configs" / "strided.yaml").write_text(CONV)
    info = wrote(run("configs/strided.yaml"))
    assert info["path"] == Path("configs/strided.gif")
    assert info["frames"] == 10  # 9 steps and the final frame
    assert gifs(cwd) == ["configs/strided.gif"]


def test_output_key_is_relative_to_the_config_folder(cwd):
    (cwd / "configs").mkdir()
    (cwd / "configs" / "a.yaml").write_text(CONV + "output: out/deeper/b.gif\n")
    info = wrote(run("configs/a.yaml"))
    assert info["path"].resolve() == (cwd / "configs" / "out" / "deeper" / "b.gif").resolve()
    assert gifs(cwd) == ["configs/out/deeper/b.gif"]


def test_dash_o_wins(cwd):
    (cwd / "configs").mkdir()
    (cwd / "configs" / "a.yaml").write_text(CONV + "output: b.gif\n")
    info = wrote(run("configs/a.yaml", "-o", "mine.gif"))
    assert info["path"] == Path("mine.gif")
    assert gifs(cwd) == ["mine.gif"]


def test_preset_writes_preset_gif_in_cwd(cwd):
    info = wrote(run("--preset", "padding_strides", "--cell", "8"))
    assert info["path"].resolve() == cwd / "padding_strides.gif"
    assert info["frames"] == 10  # 9 steps and the final frame
    assert gifs(cwd) == ["padding_strides.gif"]


def test_flags_only_write_deconv_anim_gif(cwd):
    info = wrote(run("--op", "transposed", "--size", "2", "--kernel", "3", "--cell", "8"))
    assert info["path"].resolve() == cwd / "deconv-anim.gif"
    assert info["frames"] == 17
    assert gifs(cwd) == ["deconv-anim.gif"]


def test_missing_parent_folder_is_created(cwd):
    info = wrote(run("--op", "conv", "--size", "4", "--kernel", "3", "--cell", "8",
                     "-o", "new/folder/x.gif"))
    assert info["path"] == Path("new/folder/x.gif")
    assert (cwd / "new" / "folder" / "x.gif").is_file()


def test_frames_dir_writes_one_png_per_frame(cwd):
    info = wrote(run("--op", "conv", "--size", "5", "--kernel", "3", "--stride", "2",
                     "--padding", "1", "--cell", "8", "--frames-dir", "frames"))
    assert info["frames"] == 10  # 9 steps and the final frame
    pngs = sorted((cwd / "frames").iterdir())
    assert [p.name for p in pngs] == [f"frame_{n:04d}.png" for n in range(info["frames"])]
    with Image.open(info["path"]) as gif:
        for n, png in enumerate(pngs):
            gif.seek(n)
            with Image.open(png) as frame:
                assert frame.size == info["size"]
                assert frame.convert("RGB").tobytes() == gif.convert("RGB").tobytes()


@pytest.mark.parametrize("flag, value, words", [
    ("--max-frames", "4", ["10 frames", "limit of 4", "--max-frames"]),
    ("--max-pixels", "1000", ["pixels", "limit of 1000", "--max-pixels"]),
])
def test_limits_refuse_and_write_nothing(cwd, flag, value, words):
    result = run("--op", "conv", "--size", "5", "--kernel", "3", "--stride", "2",
                 "--padding", "1", "--cell", "8", flag, value)
    assert result.exit_code == 2
    assert result.stdout == ""
    error = result.stderr.strip()
    assert error.startswith("Error:") and len(error.splitlines()) == 1
    for word in words:
        assert word in error
    if flag == "--max-pixels":
        size = re.search(r"(\d+)x(\d+) = (\d+) pixels", error)
        assert size and int(size[1]) * int(size[2]) == int(size[3]) > 1000
    assert list(cwd.iterdir()) == []


def test_canvas_wider_than_a_gif_can_hold_is_a_user_error(cwd):
    result = CliRunner().invoke(main, ["render", "--op", "conv", "--size", "1,400",
                                       "--kernel", "1", "--layout", "flat", "--cell", "200"])
    assert list(cwd.iterdir()) == []
    assert result.exit_code == 2, result.exception
    assert result.stderr.startswith("Error:") and "65535" in result.stderr


def test_unknown_suffix_exits_2_and_writes_nothing(cwd):
    result = run("--op", "conv", "--size", "4", "--kernel", "3", "--cell", "8", "-o", "x.bmp")
    assert result.exit_code == 2
    assert result.stderr.startswith("Error:") and ".bmp" in result.stderr
    assert list(cwd.iterdir()) == []


def test_bad_config_exits_2_and_writes_nothing(cwd):
    (cwd / "bad.yaml").write_text("op: conv\nsize: 5\nkernel: 3\nstride: -1\n")
    result = run("bad.yaml")
    assert result.exit_code == 2
    assert "stride" in result.stderr
    assert gifs(cwd) == []
    result = run("--size", "4")
    assert result.exit_code == 2 and "--op" in result.stderr
    result = run("bad.yaml", "--preset", "padding_strides")
    assert result.exit_code == 2 and "--preset" in result.stderr
    assert gifs(cwd) == []


def test_interrupt_exits_130_and_keeps_the_previous_file(cwd, monkeypatch):
    (cwd / "x.gif").write_bytes(b"previous")
    original = Raster.frames

    def frames(self, tween=0):
        for n, frame in enumerate(original(self, tween)):
            if n == 2:
                raise KeyboardInterrupt
            yield frame

    monkeypatch.setattr(Raster, "frames", frames)
    result = run("--op", "conv", "--size", "5", "--kernel", "3", "--cell", "8", "-o", "x.gif")
    assert result.exit_code == 130
    assert "interrupted" in result.stderr
    assert (cwd / "x.gif").read_bytes() == b"previous"
    assert sorted(p.name for p in cwd.iterdir()) == ["x.gif"]


def test_title_cell_and_layout_change_the_canvas(cwd):
    base = ["--op", "conv", "--size", "5", "--kernel", "3", "--stride", "2", "--padding", "1",
            "--cell", "12"]
    plain = wrote(run(*base, "-o", "plain.gif"))["size"]
    titled = wrote(run(*base, "--title", "Padding, strides", "-o", "titled.gif"))["size"]
    bare = wrote(run(*base, "--title", "", "-o", "bare.gif"))["size"]
    # flags alone: a caption made from the spec (several lines at 12 px cells); a short
    # title one line; an empty title none
    assert titled[0] == plain[0] == bare[0] and plain[1] > titled[1] > bare[1]
    bigger = wrote(run(*base, "--cell", "24", "--title", "", "-o", "big.gif"))["size"]
    assert bigger[0] > 1.8 * bare[0] and bigger[1] > 1.8 * bare[1]
    flat = wrote(run(*base, "--layout", "flat", "-o", "flat.gif"))
    assert flat["frames"] == 10 and flat["size"] != plain
    with Image.open("flat.gif") as im:
        assert im.n_frames == 10


def test_scatter_view_from_flags(cwd):
    info = wrote(run("--op", "transposed", "--size", "3", "--kernel", "3", "--stride", "2",
                     "--view", "scatter", "--cell", "8"))
    assert info["frames"] == 10  # 9 steps and the final frame


def test_library_keys_are_shown_as_the_flags_typed():
    from deconv_anim.cli import flag_hints, with_flags
    from deconv_anim.errors import ConfigError, OutputError

    error = ConfigError("tween", "too many (raise it with max_frames)", "x.yaml")
    assert str(with_flags(error)) == "x.yaml: --tween: too many (raise it with --max-frames)"
    output = ConfigError("output", "unknown file type '.jpg' of a.jpg")
    assert str(with_flags(output)) == "output: unknown file type '.jpg' of a.jpg"  # output:
    assert str(with_flags(output, output_flag=True)).startswith("--output: ")  # -o
    assert str(with_flags(ConfigError("stride", "bad"))) == "stride: bad"  # a config key
    assert with_flags(OutputError("x.gif: full")).args == ("x.gif: full",)
    assert flag_hints("limit (raise it with max_pixels)") == "limit (raise it with --max-pixels)"


def test_flags_that_change_the_op_replace_a_stale_title(cwd):
    """render configs/dilation.yaml --dilation 3 --size 9: the file's title described a
    7x7 dilation-2 figure; the caption is made from the spec the flags give instead."""
    from deconv_anim.animation import prepare
    from deconv_anim.config import resolve_config
    from deconv_anim.presets import PRESETS
    from deconv_anim.report import summary

    changed = resolve_config("dilation", {"dilation": 3, "size": 9})
    assert changed.render.title is None
    raster = prepare(changed)
    assert raster.scene.title == summary(changed.spec)
    assert "9x9 input" in raster.scene.title and "dilation 3" in raster.scene.title
    assert not any("7x7" in line for line in raster.layout.static_lines)
    # a flag that changes no op key keeps the title; so does a title of one's own
    same = resolve_config("dilation", {"size": PRESETS["dilation"]["size"], "values": False})
    assert same.render.title == PRESETS["dilation"]["title"]
    own = resolve_config("dilation", {"size": 9, "title": "Mine"})
    assert own.render.title == "Mine"
