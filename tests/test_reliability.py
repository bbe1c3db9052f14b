"""Reliability for unattended pipelines: bad inputs, the resource guard, atomic and
interruptible writes.

Every bad input of :data:`CASES` ends in one ``Error:`` line (at most Click's usage line
and hint above it), exit code 2 (1 for a gallery run where some configs failed), no
traceback and no file left behind. The same list is the table of docs/troubleshooting.md:
``test_the_troubleshooting_table_is_current`` fails when they drift apart, and

    python tests/test_reliability.py

rewrites the table from the list (run it after changing a message, then review the diff).
"""

from __future__ import annotations

import errno
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from deconv_anim.cli import main
from test_fuzz import LIMITS, _text, documents, plausible

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "troubleshooting.md"
BEGIN = "<!-- begin table: python tests/test_reliability.py rewrites it -->"
END = "<!-- end table -->"
BASE = "op: conv\nsize: 5\nkernel: 3\n"
KNOWN = "(known: .gif, .png, .webp, .mp4, .svg, .html)"


@dataclass(frozen=True)
class Case:
    """One bad input: what is wrong, what it looks like, and the exact error line.

    The command runs in an empty folder holding ``files``; ``setup`` may add more (it gets
    the folder and pytest's monkeypatch). ``new`` lists the files a run may write (a
    gallery writes the configs that did not fail).
    """

    problem: str
    example: str
    message: str
    args: tuple[str, ...] = ("render", "x.yaml")
    files: dict[str, str | bytes] = field(default_factory=dict)
    setup: Callable[[Path, pytest.MonkeyPatch], None] | None = None
    code: int = 2
    new: tuple[str, ...] = ()


def yaml(problem: str, text: str | bytes, message: str, *, example: str | None = None,
         args: tuple[str, ...] = (), files: dict[str, str | bytes] | None = None,
         **kwargs) -> Case:
    """A case whose config is ``x.yaml`` holding ``text`` (and ``files``); the example is
    its last line."""
    if example is None:
        assert isinstance(text, str)
        example = f"`{text.strip().splitlines()[-1]}`"
    return Case(problem, example, message, ("render", "x.yaml", *args),
                {"x.yaml": text, **(files or {})}, **kwargs)


def _locked_folder(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A folder nobody may write in (root may: then the OS's refusal is simulated)."""
    (folder / "locked").mkdir()
    (folder / "locked").chmod(0o555)
    if getattr(os, "geteuid", lambda: -1)() == 0:
        import tempfile

        real = tempfile.mkstemp

        def mkstemp(*args, dir=None, **kwargs):
            if dir is not None and Path(dir).name == "locked":
                raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))
            return real(*args, dir=dir, **kwargs)

        monkeypatch.setattr(tempfile, "mkstemp", mkstemp)


def _ffmpeg_disk_full(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """ffmpeg writes its video into /dev/full (the OS says "No space left on device")."""
    import imageio_ffmpeg

    real = imageio_ffmpeg.get_ffmpeg_exe()
    wrapper = folder.parent / f"{folder.name}-ffmpeg"
    wrapper.write_text(f"#!{sys.executable}\nimport os, sys\nargs = sys.argv[1:]\n"
                       f"args[-1] = '/dev/full'\nos.execv({real!r}, [{real!r}, *args])\n")
    wrapper.chmod(0o755)
    monkeypatch.setattr(imageio_ffmpeg, "get_ffmpeg_exe", lambda: str(wrapper))


def _disk_full(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every write of an output file fails with ENOSPC."""
    import deconv_anim.atomic as atomic

    class Full:
        def __init__(self, path: str, mode: str = "rb") -> None:
            self._file = open(path, mode)  # noqa: SIM115 - closed by __exit__
            self.name = path

        def write(self, data: bytes) -> int:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        writelines = write

        def __enter__(self) -> Full:
            return self

        def __exit__(self, *exc: object) -> None:
            self._file.close()

        def __getattr__(self, name: str) -> object:
            return getattr(self._file, name)

    monkeypatch.setattr(atomic, "open", Full, raising=False)


def _mkdir(*names: str) -> Callable[[Path, pytest.MonkeyPatch], None]:
    def setup(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        for name in names:
            (folder / name).mkdir()
    return setup


def _fifo(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    os.mkfifo(folder / "pipe.yaml")


def _unreadable(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Reading any config is refused by the OS (root reads anything: simulated)."""
    import deconv_anim.limits as limits

    def refuse(*args: object, **kwargs: object) -> None:
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))

    monkeypatch.setattr(limits, "open", refuse, raising=False)


def _unsearchable(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A folder whose contents nobody may look at (a root-owned 0700 folder; simulated)."""
    import importlib

    render_module = importlib.import_module("deconv_anim.animation")
    real = render_module.stat_or_none

    def stat_or_none(path: object) -> object:
        if "locked" in Path(str(path)).parts:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))
        return real(path)

    (folder / "locked").mkdir()
    monkeypatch.setattr(render_module, "stat_or_none", stat_or_none)


def _fifo_config(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    os.mkfifo(folder / "configs" / "pipe.yaml")


def _gif_gallery(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from deconv_anim.gallery import build_gallery

    build_gallery(folder / "configs", folder / "out", jobs=1)


ALIAS_BOMB = "a0: &a0 [1, 1, 1, 1, 1, 1, 1, 1, 1]\n" + "".join(
    f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 9)}]\n" for n in range(1, 10))
DEEP = "[" * 40 + "]" * 40
LONG_NAME = "a" * 300


GOOD = "op: conv\nsize: 3\nkernel: 2\nstyle:\n  cell: 8\n"
WRITTEN = ("out", "out/good.gif", "out/README.md", "out/.deconv-anim.json")

CASES: list[Case] = [
    # ------------------------------------------------------------------ the file itself
    Case("config file does not exist", "`deconv-anim render nope.yaml`",
         "nope.yaml: no such config file", ("render", "nope.yaml")),
    Case("config is a directory", "`deconv-anim render configs`",
         "configs: is a directory, not a config file", ("render", "configs"),
         setup=_mkdir("configs")),
    yaml("empty file", "", "x.yaml: is empty: a config is a mapping of keys such as 'op: conv'",
         example="(nothing, or only blanks)"),
    yaml("file is not UTF-8", b"op: conv\nsize: 4\xff\n",
         "x.yaml: is not UTF-8 text (byte 0xff at offset 16)",
         example="a Latin-1 byte such as `0xff`"),
    yaml("YAML syntax error", "op: conv\nsize: [1, 2\nkernel: 3\n",
         "x.yaml: line 3, column 7: invalid YAML: expected ',' or ']', but got ':'",
         example="`size: [1, 2` (unclosed)"),
    yaml("top level is not a mapping", "- 1\n- 2\n",
         "x.yaml: the top level must be a mapping of keys such as 'op: conv' (got list [1, 2])",
         example="`- 1` / `- 2`"),
    yaml("YAML tag that builds a Python object",
         "op: !!python/object/apply:os.system [echo hi]\nsize: 4\nkernel: 3\n",
         "x.yaml: line 1, column 5: YAML tag !!python/object/apply:os.system is not allowed "
         "(configs are plain data, loaded safely)",
         example="`op: !!python/object/apply:os.system [echo hi]`"),
    # ------------------------------------------------------------------ keys and types
    yaml("unknown key", BASE + "strid: 2\n", "x.yaml: strid: unknown key; did you mean stride?"),
    yaml("text where a number is expected", BASE + "stride: two\n",
         'x.yaml: stride: must be a positive integer or a pair of them (got "two")'),
    yaml("float where an integer is expected", BASE + "stride: 1.5\n",
         "x.yaml: stride: must be a positive integer or a pair of them (got 1.5)"),
    yaml("boolean where a number is expected", BASE + "stride: true\n",
         "x.yaml: stride: must be a positive integer or a pair of them (got true)"),
    yaml("null value", BASE + "stride: null\n",
         "x.yaml: stride: must have a value (got null); remove the key to use its default"),
    yaml("nested list where a number is expected", "op: conv\nkernel: 3\nsize: [5, [5]]\n",
         "x.yaml: size: must be a positive integer or a pair of them (got [5])"),
    yaml("NaN where a number is expected", BASE + "stride: .nan\n",
         "x.yaml: stride: must be a positive integer or a pair of them (got NaN)"),
    yaml("zero", BASE + "stride: 0\n",
         "x.yaml: stride: must be a positive integer or a pair of them (got 0)"),
    yaml("negative number", "op: conv\nsize: 5\nkernel: -3\n",
         "x.yaml: kernel: must be a positive integer or a pair of them (got -3)"),
    yaml("huge number", "op: conv\nkernel: 3\nsize: 99999999999999999999\n",
         "x.yaml: size: must be at most 4096 (got 99999999999999999999)"),
    yaml("input too large", "op: conv\nkernel: 3\nsize: [4096, 4096]\n",
         "x.yaml: size: is too large (4096x4096; at most 1048576 cells)"),
    yaml("number out of range", BASE + "duration: 5\n",
         "x.yaml: duration: must be an integer from 20 to 60000 (got 5)"),
    # ------------------------------------------------------------------ shapes
    yaml("kernel larger than the padded input", "op: conv\nsize: 3\nkernel: 5\n",
         "x.yaml: kernel: the dilated kernel (5 rows) is larger than the padded input "
         "(3 + 0 + 0 = 3)", example="`size: 3`, `kernel: 5`"),
    yaml("padding so large the output is empty", "op: transposed\nsize: 1\nkernel: 1\n"
         "padding: 1\n", "x.yaml: padding: is so large that the output is empty: "
         "(1 - 1) * 1 - 1 - 1 + 1 + 0 = -1 rows",
         example="`op: transposed`, `size: 1`, `kernel: 1`, `padding: 1`"),
    yaml("illegal `output_size`", "op: transposed\nsize: 3\nkernel: 3\nstride: 2\n"
         "padding: same\noutput_size: 7\n",
         "x.yaml: output_size: 7 rows is not a legal output for input 3, kernel 3, stride 2, "
         "padding same (legal: 5..6, where ceil(N / 2) == 3)",
         example="`size: 3`, `kernel: 3`, `stride: 2`, `padding: same`, `output_size: 7`"),
    yaml("`output_padding` not smaller than max(stride, dilation)",
         "op: transposed\nsize: 3\nkernel: 3\nstride: 2\noutput_padding: 2\n",
         "x.yaml: output_padding: must be smaller than max(stride, dilation) = 2 on the rows "
         "axis (got 2; PyTorch's rule)", example="`stride: 2`, `output_padding: 2`"),
    # ------------------------------------------------------------------ values
    yaml("`input` of the wrong shape", "op: conv\nkernel: 1\nsize: 3\ninput: [[1, 2], [3, 4]]\n",
         "x.yaml: input: has shape 2x2 but size says 3x3",
         example="`size: 3`, `input: [[1, 2], [3, 4]]`"),
    yaml("ragged rows", "op: conv\nkernel: 1\ninput: [[1, 2], [3]]\n",
         "x.yaml: input: rows must all have the same, non-zero length (row 0 has 2, row 1 "
         "has 1)"),
    yaml("not a number", "op: conv\nkernel: 1\ninput: [[1, a], [3, 4]]\n",
         'x.yaml: input: row 0, column 1: must be a number (got "a")'),
    yaml("NaN value", "op: conv\nkernel: 1\ninput: [[1, .nan], [3, 4]]\n",
         "x.yaml: input: row 0, column 1: must be finite (got nan)"),
    yaml("infinite value", "op: conv\nsize: 4\nweights: [[1, 2], [-.inf, 4]]\n",
         "x.yaml: weights: row 1, column 0: must be finite (got -inf)"),
    yaml("`weights` of the wrong shape", "op: conv\nsize: 4\nkernel: 3\n"
         "weights: [[1, 2], [3, 4]]\n", "x.yaml: weights: has shape 2x2 but kernel says 3x3",
         example="`kernel: 3`, `weights: [[1, 2], [3, 4]]`"),
    # ------------------------------------------------------------------ channels
    yaml("channels not divisible by `groups`", "op: conv\nsize: 5\nkernel: 3\n"
         "in_channels: 4\nout_channels: 3\ngroups: 2\n",
         "x.yaml: groups: must divide both in_channels (4) and out_channels (3) (got 2; "
         "PyTorch's rule)", example="`in_channels: 4`, `out_channels: 3`, `groups: 2`"),
    yaml("4-D `weights` of the wrong shape", "op: conv\nsize: 5\nin_channels: 4\n"
         "out_channels: 2\ngroups: 2\nweights: [[[[1]]], [[[1]]]]\n",
         "x.yaml: weights: has shape 2x1x1x1 but with in_channels 4, out_channels 2, groups 2 "
         "it must be [out_channels][in_channels / groups][kH][kW] = 2x2x1x1",
         example="`in_channels: 4`, `groups: 2`, `weights: [[[[1]]], [[[1]]]]`"),
    yaml("`bias` of the wrong length", "op: conv\nsize: 5\nkernel: 3\nout_channels: 2\n"
         "bias: [1, 2, 3]\n", "x.yaml: bias: has 3 values but out_channels is 2",
         example="`out_channels: 2`, `bias: [1, 2, 3]`"),
    yaml("`in_channels` that disagrees with `input`", "op: conv\nkernel: 1\nin_channels: 2\n"
         "input: [[[1]], [[2]], [[3]]]\n", "x.yaml: input: has 3 channels but in_channels "
         "says 2", example="`in_channels: 2`, `input: [[[1]], [[2]], [[3]]]`"),
    # ------------------------------------------------------------------ chains (stages:)
    yaml("chain stages whose sizes do not chain", "size: 5\nstages:\n  - {op: conv, "
         "kernel: 3}\n  - {op: conv, kernel: 3, size: 4}\n",
         "x.yaml: stages[1].size: is 4x4 but stage 0 outputs 3x3",
         example="`size: 5`, stages `{op: conv, kernel: 3}`, `{op: conv, kernel: 3, size: 4}`"),
    yaml("chain stage too large for what flows in", "size: 3\nstages:\n  - {op: conv, "
         "kernel: 3}\n  - {op: conv, kernel: 3}\n",
         "x.yaml: stages[1].kernel: the dilated kernel (3 rows) is larger than the padded "
         "input (1 + 0 + 0 = 1)",
         example="`size: 3`, two stages `{op: conv, kernel: 3}`"),
    yaml("chain channels that do not chain", "size: 5\nin_channels: 3\nstages:\n  - {op: "
         "conv, kernel: 3, out_channels: 2}\n  - {op: conv, kernel: 1, in_channels: 4}\n",
         "x.yaml: stages[1].in_channels: is 4 but stage 0 outputs 2 channels",
         example="stage 0 `out_channels: 2`, stage 1 `in_channels: 4`"),
    yaml("drawing key inside a chain stage", "size: 5\nstages:\n  - {op: conv, kernel: 3, "
         "values: true}\n", "x.yaml: stages[0].values: is a drawing key: give it at the top "
         "level of the config, not in a stage", example="`stages: [{op: conv, values: true}]`"),
    yaml("empty `stages`", "size: 5\nstages: []\n", "x.yaml: stages: is empty: give at "
         "least one op mapping, e.g. [{op: conv, kernel: 3}]", example="`stages: []`"),
    yaml("`stages` and `op` together", "op: conv\nsize: 5\nstages:\n  - {op: conv, "
         "kernel: 3}\n", "x.yaml: op: give either op: (one op) or stages: (a chain of ops), "
         "not both", example="`op: conv` and `stages:`"),
    yaml("`weights` per group that do not divide `in_channels`", "op: conv\nsize: 4\n"
         "in_channels: 3\nweights: [[[[1]], [[1]]]]\n", "x.yaml: weights: has 2 input channels "
         "per group (its second axis) but in_channels is 3, not a multiple of it",
         example="`in_channels: 3`, `weights: [[[[1]], [[1]]]]`"),
    yaml("2-D `input` with several `in_channels`", "op: conv\nkernel: 1\nin_channels: 2\n"
         "input: [[1, 2], [3, 4]]\n", "x.yaml: input: is a 2-D list (1 channel) but "
         "in_channels says 2", example="`in_channels: 2`, `input: [[1, 2], [3, 4]]`"),
    yaml("`input` channels of different shapes", "op: conv\nkernel: 1\n"
         "input: [[[1, 2]], [[1]]]\n", "x.yaml: input: channel 1 has shape 1x1 but channel 0 "
         "has 1x2"),
    yaml("`input` with four axes", "op: conv\nkernel: 1\ninput: [[[[1]]]]\n",
         "x.yaml: input: must be a 2-D list or a 3-D list [in_channels][H][W] (got a 4-D "
         "list)"),
    yaml("ragged 4-D `weights`", "op: conv\nsize: 3\nweights: [[[[1]], [[1]]], [[[1]]]]\n",
         "x.yaml: weights: must be rectangular: item 0 holds 2 kernels, item 1 holds 1"),
    yaml("`bias` that is not a list", "op: conv\nsize: 5\nkernel: 3\nbias: 1\n",
         "x.yaml: bias: must be a list of out_channels numbers, or true for seeded values "
         "(got 1)"),
    yaml("`bias` value that is not a number", "op: conv\nsize: 5\nkernel: 3\n"
         "out_channels: 2\nbias: [1, a]\n", 'x.yaml: bias: value 1: must be a number (got "a")',
         example="`out_channels: 2`, `bias: [1, a]`"),
    yaml("zero channels", BASE + "in_channels: 0\n",
         "x.yaml: in_channels: must be a positive integer (got 0)"),
    yaml("unknown `step_by`", BASE + "in_channels: 2\nstep_by: row\n",
         'x.yaml: step_by: must be one of element, channel (got "row")',
         example="`in_channels: 2`, `step_by: row`"),
    yaml("channel stack too large", "op: conv\nsize: 20\nkernel: 3\nin_channels: 4096\n",
         "x.yaml: in_channels: makes the input 4096x20x20 = 1638400 values, more than 1048576",
         example="`size: 20`, `in_channels: 4096`"),
    yaml("too many weights", BASE + "in_channels: 4096\nout_channels: 4096\n",
         "x.yaml: weights: would hold 150994944 values, more than 1048576",
         example="`in_channels: 4096`, `out_channels: 4096`"),
    yaml("too much work", "op: conv\nsize: 60\nkernel: 3\nin_channels: 256\n"
         "out_channels: 256\n", "x.yaml: size: with these channels takes 1984167936 "
         "multiply-adds, more than 268435456",
         example="`size: 60`, `in_channels: 256`, `out_channels: 256`"),
    yaml("`bias` for a pool", "op: avgpool\nsize: 4\nkernel: 2\nbias: [1]\n",
         "x.yaml: bias: is not used by op: avgpool (a pool has no weights)",
         example="`op: avgpool`, `bias: [1]`"),
    yaml("`out_channels` for a pool", "op: maxpool\nsize: 4\nkernel: 2\nout_channels: 2\n",
         "x.yaml: out_channels: is not used by op: maxpool (a pool is channel-wise: each of "
         "the in_channels is pooled on its own)", example="`op: maxpool`, `out_channels: 2`"),
    yaml("`groups` for a pool", "op: maxpool\nsize: 4\nkernel: 2\ngroups: 2\n",
         "x.yaml: groups: is not used by op: maxpool (a pool is channel-wise: each of the "
         "in_channels is pooled on its own)", example="`op: maxpool`, `groups: 2`"),
    yaml("`step_by` without channels", BASE + "step_by: channel\n",
         "x.yaml: step_by: is only for channel mode (set in_channels, out_channels or groups)"),
    yaml("the matrix view of a max pool", "op: maxpool\nsize: 4\nkernel: 2\nview: matrix\n",
         "x.yaml: view: maxpool has no matrix: max pooling picks the largest value, it is not "
         "a multiplication by a matrix (view: matrix needs conv, transposed or avgpool)",
         example="`op: maxpool`, `view: matrix`"),
    yaml("a matrix view too large to draw", "op: conv\nsize: 9\nkernel: 3\nview: matrix\n",
         "x.yaml: view: matrix draws at most 64 inputs x 64 outputs; this op has 9x9 = 81 "
         "inputs and 7x7 = 49 outputs (use a smaller size, or info --json --matrix for the "
         "numbers)", example="`size: 9`, `view: matrix`"),
    yaml("a channel-mode config in the matrix view",
         "op: conv\nsize: 3\nkernel: 3\nin_channels: 2\nview: matrix\n",
         "x.yaml: view: matrix draws single-channel ops only (no in_channels, out_channels, "
         "groups or bias); info --json --matrix gives the matrix",
         example="`in_channels: 2`, `view: matrix`"),
    yaml("the matrix view as an HTML player", BASE + "view: matrix\n",
         "x.yaml: --output: the HTML player does not draw view: matrix yet: write .gif, .png, "
         ".webp, .mp4 or .svg", args=("-o", "x.html"), example="`view: matrix`, `-o x.html`"),
    yaml("SVG of `view: both` in channel mode",
         "op: transposed\nsize: 3\nkernel: 3\nin_channels: 2\nview: both\n",
         "x.yaml: view: both is drawn in channel mode as .gif, .png, .webp or .mp4, not yet "
         "as .svg (render view: gather or scatter to .svg)", args=("-o", "x.svg"),
         example="`in_channels: 2`, `view: both`, `-o x.svg`"),
    Case("`info --json` of a stack too large to compute",
         "`in_channels: 4096`, `size: 20`, `info --json`",
         "x.yaml: in_channels: makes the input 4096x20x20 = 1638400 values, more than 1048576 "
         "(--json prints every value; info without it describes a layer of any size)",
         ("info", "x.yaml", "--json"),
         {"x.yaml": "op: conv\nsize: 20\nkernel: 3\nin_channels: 4096\n"}),
    # ------------------------------------------------------------------ names
    yaml("unknown op", "op: deconv\nsize: 4\nkernel: 3\n",
         'x.yaml: op: must be one of conv, transposed, maxpool, avgpool, upsample, pixel_shuffle '
         '(got "deconv")',
         example="`op: deconv`"),
    yaml("unknown view", "op: transposed\nsize: 4\nkernel: 3\nview: sideways\n",
         'x.yaml: view: must be one of gather, scatter, both, matrix (got "sideways")'),
    yaml("unknown theme", BASE + "style:\n  theme: neon\n",
         'x.yaml: style.theme: must be one of classic, dark, colorblind (got "neon")',
         example="`style: {theme: neon}`"),
    Case("unknown preset", "`--preset dilaton`",
         "--preset: unknown preset 'dilaton'; did you mean dilation? (see `deconv-anim "
         "presets`)", ("render", "--preset", "dilaton")),
    yaml("flag value that is not YAML", BASE, '--stride: cannot read the value "[1"',
         args=("--stride", "[1"), example="`--stride '[1'`"),
    yaml("option out of range (Click)", BASE,
         "Invalid value for '--max-frames': 0 is not in the range x>=1.",
         args=("--max-frames", "0"), example="`--max-frames 0`"),
    # ------------------------------------------------------------------ framework calls
    Case("`--torch` call that is not a layer", "`--torch \"__import__('os')\"`",
         "torch: unknown layer '__import__' (known: Conv2d, Conv1d, ConvTranspose2d, "
         "ConvTranspose1d, conv2d, conv_transpose2d, MaxPool2d, MaxPool1d, AvgPool2d, "
         "AvgPool1d)",
         ("render", "--torch", "__import__('os')", "--size", "5")),
    Case("call argument that is not a literal", "`--torch \"nn.Conv2d(1, 1, k)\"`",
         "torch: kernel_size: must be a literal (a number, a tuple of numbers, text, "
         "True/False or None); it is not evaluated (got 'k')",
         ("render", "--torch", "nn.Conv2d(1, 1, k)", "--size", "5")),
    Case("call argument the figure cannot show",
         "`--torch \"nn.Conv2d(1, 1, 3, padding_mode='reflect')\"`",
         "torch: padding_mode='reflect': only zero padding is drawn; use 'zeros' (the default)",
         ("render", "--torch", "nn.Conv2d(1, 1, 3, padding_mode='reflect')", "--size", "5")),
    Case("Keras activation", "`--tf \"Conv2D(8, 3, activation='relu')\"`",
         "tf: activation='relu': the figure shows the convolution before any activation; "
         "drop activation= (or use 'linear')",
         ("render", "--tf", "Conv2D(8, 3, activation='relu')", "--size", "5")),
    Case("flag contradicting the call", "`--torch \"nn.Conv2d(1, 1, 3)\" --stride 2`",
         "stride: contradicts the torch: call (nn.Conv2d gives 1, got 2); change the call or "
         "drop the key", ("render", "--torch", "nn.Conv2d(1, 1, 3)", "--size", "5",
                          "--stride", "2")),
    Case("call without the input's size", "`--torch \"nn.Conv2d(1, 1, 3)\"`",
         "size: nn.Conv2d needs the input's size: give size: N or [H, W] (--size)",
         ("render", "--torch", "nn.Conv2d(1, 1, 3)")),
    Case("1-D layer with a 2-D size", "`--torch \"nn.Conv1d(1, 1, 3)\" --size 4x8`",
         "size: nn.Conv1d is 1-D: give one length L, drawn as [1, L] (got [4, 8])",
         ("render", "--torch", "nn.Conv1d(1, 1, 3)", "--size", "4x8")),
    Case("`tf.nn` call with a named filters tensor and no kernel",
         "`--tf \"tf.nn.conv2d(x, w, strides=1, padding='VALID')\"`",
         "kernel: tf.nn.conv2d takes its kernel size from the filters tensor: give kernel: K "
         "or [KH, KW] (--kernel), or filters=tf.ones([KH, KW, IN, OUT])",
         ("render", "--tf", "tf.nn.conv2d(x, w, strides=1, padding='VALID')", "--size", "5")),
    yaml("`ceil_mode` on a convolution", BASE + "ceil_mode: true\n",
         "x.yaml: ceil_mode: is only for op: maxpool or avgpool (got op: conv)"),
    # ------------------------------------------------------------------ upsampling ops
    yaml("upsample with both `scale` and `output_size`",
         "op: upsample\nsize: 3\nscale: 2\noutput_size: 6\n",
         "x.yaml: scale: give scale or output_size, not both"),
    yaml("upsample with neither `scale` nor `output_size`", "op: upsample\nsize: 3\n",
         "x.yaml: scale: op: upsample needs scale (a factor) or output_size (the target size)"),
    yaml("`align_corners` with nearest", "op: upsample\nsize: 3\nscale: 2\n"
         "align_corners: true\n",
         "x.yaml: align_corners: is only for mode: bilinear (got mode: nearest)"),
    yaml("a kernel key on an upsample", "op: upsample\nsize: 3\nscale: 2\nkernel: 3\n",
         "x.yaml: kernel: is not used by op: upsample (an upsample has no kernel, stride, "
         "padding or weights: it interpolates; give mode and scale or output_size)"),
    yaml("unknown upsample mode", "op: upsample\nsize: 3\nscale: 2\nmode: bicubic\n",
         "x.yaml: mode: must be one of nearest, nearest-exact, bilinear (got \"bicubic\")"),
    yaml("`scale` that leaves nothing", "op: upsample\nsize: 3\nscale: 0.25\n",
         "x.yaml: scale: gives an empty output (0x0: floor(size * scale) must be at least 1)"),
    yaml("`mode` on a convolution", BASE + "mode: bilinear\n",
         "x.yaml: mode: is only for op: upsample (got op: conv)"),
    yaml("pixel shuffle channels not divisible by r²",
         "op: pixel_shuffle\nsize: 3\nupscale_factor: 2\nin_channels: 6\n",
         "x.yaml: in_channels: must be a multiple of upscale_factor\u00b2 = 4 (C * r * r "
         "input channels make C output channels; got 6)"),
    yaml("pixel shuffle without `upscale_factor`", "op: pixel_shuffle\nsize: 3\n"
         "in_channels: 4\n",
         "x.yaml: upscale_factor: op: pixel_shuffle needs upscale_factor r (in_channels = "
         "C * r * r)"),
    yaml("unknown pixel shuffle order", "op: pixel_shuffle\nsize: 3\nupscale_factor: 2\n"
         "in_channels: 4\norder: nchw\n",
         "x.yaml: order: must be one of torch, tf (got \"nchw\")"),
    Case("`--code` with `--json`", "`info --preset dilation --code tf --json`",
         "--code: prints one snippet: give one config, without --json",
         ("info", "--preset", "dilation", "--code", "tf", "--json")),
    Case("`new` over an existing file", "`deconv-anim new x.yaml --preset dilation`",
         "PATH: x.yaml exists; add --force to overwrite it",
         ("new", "x.yaml", "--preset", "dilation"), {"x.yaml": "mine\n"}),
    # ------------------------------------------------------------------ the output
    yaml("unknown suffix in `output:`", BASE + "output: out.jpg\n",
         f"x.yaml: output: unknown file type '.jpg' of out.jpg {KNOWN}"),
    yaml("unknown suffix in `-o`", BASE, f"x.yaml: --output: unknown file type '.bmp' of x.bmp "
         f"{KNOWN}", args=("-o", "x.bmp"), example="`-o x.bmp`"),
    yaml("`--format` that disagrees with `-o`", BASE,
         "x.yaml: --format: is webp but the output x.gif is not .webp",
         args=("--format", "webp", "-o", "x.gif"), example="`--format webp -o x.gif`"),
    yaml("output path is a directory", BASE,
         "x.yaml: --output: pics is a directory; name the file, such as pics/x.gif",
         args=("-o", "pics"), setup=_mkdir("pics"), example="`-o pics` (a folder)"),
    yaml("output folder cannot be created", BASE, "notes.txt/x.gif: cannot create the "
         "folder notes.txt (notes.txt is a file, not a folder)",
         args=("-o", "notes.txt/x.gif"), files={"notes.txt": ""},
         example="`-o notes.txt/x.gif` (a file)"),
    yaml("output folder not writable", BASE,
         "locked/x.gif: cannot write in locked (Permission denied)",
         args=("-o", "locked/x.gif"), setup=_locked_folder,
         example="`-o locked/x.gif` (read-only)"),
    yaml("disk full while writing", BASE + "style:\n  cell: 8\n",
         "x.gif: cannot be written (No space left on device)", setup=_disk_full,
         example="(the disk fills up)"),
    # ------------------------------------------------------------------ the resource guard
    yaml("too many frames", "op: conv\nsize: 101\nkernel: 1\n",
         "x.yaml: size: the animation would have 10202 frames, more than the limit of 10000 "
         "(raise it with --max-frames)",
         example="`size: 101` (101 x 101 steps and the final frame)"),
    yaml("frames too large", "op: conv\nsize: 30\nkernel: 1\nstyle:\n  cell: 300\n",
         "x.yaml: style.cell: each frame would be 15540x20132 = 312851280 pixels, more than "
         "the limit of 40000000 (use a smaller cell or raise it with --max-pixels)",
         example="`size: 30`, `style: {cell: 300}`"),
    yaml("too many in-between frames", BASE,
         "x.yaml: --tween: 9 steps with 60 in-between frames make 490 frames, more than the "
         "limit of 100 (raise it with --max-frames)",
         args=("--tween", "60", "--max-frames", "100"), example="`--tween 60 --max-frames 100`"),
    # ------------------------------------------------------------------ the gallery
    Case("gallery: no such folder", "`deconv-anim gallery nowhere`",
         "nowhere: no such folder of configs", ("gallery", "nowhere")),
    Case("gallery: folder without configs", "`deconv-anim gallery empty`",
         "empty: has no *.yaml configs", ("gallery", "empty"), setup=_mkdir("empty")),
    Case("gallery: output folder cannot be created", "`-o notes.txt/gallery`",
         "notes.txt/gallery: cannot create the folder (notes.txt is a file, not a folder)",
         ("gallery", "configs", "-o", "notes.txt/gallery"),
         {"configs/good.yaml": GOOD, "notes.txt": ""}),
    Case("gallery: invalid `gallery.yaml`", "`sections: 3`",
         "configs/gallery.yaml: sections: must be a list of sections (got 3)",
         ("gallery", "configs", "-o", "out", "--jobs", "1"),
         {"configs/good.yaml": GOOD, "configs/gallery.yaml": "sections: 3\n"}),
    Case("gallery: one config is bad (the others are written)", "`stride: 0`",
         "configs/bad.yaml: stride: must be a positive integer or a pair of them (got 0)",
         ("gallery", "configs", "-o", "out", "--jobs", "1"),
         {"configs/good.yaml": GOOD, "configs/bad.yaml": GOOD + "stride: 0\n"},
         code=1, new=WRITTEN),
    Case("gallery: a config over the limit", "`--max-frames 20`, `size: 5`",
         "configs/long.yaml: size: the animation would have 26 frames, more than the limit "
         "of 20 (raise it with --max-frames)",
         ("gallery", "configs", "-o", "out", "--jobs", "1", "--max-frames", "20"),
         {"configs/good.yaml": GOOD, "configs/long.yaml": "op: conv\nsize: 5\nkernel: 1\n"},
         code=1, new=WRITTEN),
    # ------------------------------------------------------------------ hostile files and values
    yaml("nesting too deep", BASE + f"title: {DEEP}\n",
         "x.yaml: line 4, column 39: nests lists or mappings deeper than 32 levels",
         example="`title: [[[[…]]]]` (40 levels)"),
    yaml("alias bomb", BASE + ALIAS_BOMB,
         "x.yaml: line 9, column 15: its aliases (*name) expand it to more than 100000 values",
         example="`a9: &a9 [*a8, *a8, …]` (nine levels of nine)"),
    yaml("integer too long", "op: conv\nkernel: 3\nsize: 1" + "0" * 5000 + "\n",
         "x.yaml: line 3, column 7: an integer of 5001 digits is too long (at most 100)",
         example="`size: 1000…0` (5001 digits)"),
    yaml("flag integer too long", BASE, "--size: an integer of 5001 digits is too long (at "
         "most 100)", args=("--size", "1" + "0" * 5000), example="`--size 1000…0` (5001 digits)"),
    yaml("flag value nested too deep", BASE, "--stride: nests lists or mappings deeper than 32 "
         "levels", args=("--stride", DEEP), example="`--stride '[[[[…]]]]'` (40 levels)"),
    yaml("more than one YAML document", BASE + "---\n" + BASE,
         "x.yaml: line 4, column 1: holds more than one YAML document (---); one config per file",
         example="`---` between two configs"),
    Case("config is a device", "`deconv-anim render /dev/zero`",
         "/dev/zero: is a character device, not a config file", ("render", "/dev/zero")),
    Case("config is a FIFO", "`mkfifo pipe.yaml`",
         "pipe.yaml: is a FIFO (named pipe), not a config file", ("render", "pipe.yaml"),
         setup=_fifo),
    yaml("config file too large", BASE + "#" + " " * 1_048_576 + "\n",
         "x.yaml: is larger than 1048576 bytes, the most a config file may hold",
         example="(a file over 1 MiB)"),
    yaml("config file not readable", BASE, "x.yaml: cannot be read (Permission denied)",
         setup=_unreadable, example="(no permission to read it)"),
    yaml("control character in text", BASE + 'title: "esc\\e[31m"\n',
         "x.yaml: title: holds U+001B, a control character, at position 3; text must be "
         "printable"),
    yaml("lone surrogate in text", BASE + 'title: "lone \\ud800"\n',
         "x.yaml: title: holds U+D800, a lone surrogate (half a UTF-16 pair, not a character), "
         "at position 5; text must be printable"),
    yaml("empty flag value", BASE, "--op: is empty: give it a value (or leave the flag out)",
         args=("--op", ""), example="`--op ''`"),
    yaml("required key without a value", "op: null\nsize: 5\nkernel: 3\n",
         "x.yaml: op: must have a value (got null): conv, transposed, maxpool, avgpool, "
         "upsample or pixel_shuffle",
         example="`op: null` (or `op:`)"),
    yaml("padding too large", BASE, "x.yaml: padding: makes the grid the window slides over "
         "5x4101 cells, more than 4096 per side or 1048576 cells",
         args=("--padding", "0,0,4096,0"), example="`--padding 0,0,4096,0`"),
    yaml("transposed stride too large", "op: transposed\nsize: 2\nkernel: 3\n",
         "x.yaml: stride: makes the grid the window slides over 4101x4101 cells, more than "
         "4096 per side or 1048576 cells", args=("--stride", "4096"),
         example="`op: transposed`, `--stride 4096`"),
    # ------------------------------------------------------------------ flags of a render
    yaml("frame rate not a finite number", BASE,
         "x.yaml: --fps: must be a number from 0.1 to 120 (got Infinity)",
         args=("--fps", "inf", "-o", "x.mp4"), example="`--fps inf` (or `nan`)"),
    yaml("frame rate out of range", BASE,
         "x.yaml: --fps: must be a number from 0.1 to 120 (got 0.0001)",
         args=("--fps", "0.0001", "-o", "x.mp4"), example="`--fps 0.0001`"),
    yaml("`--sheet` with `--frame`", BASE, "x.yaml: --frame: cannot be combined with a sheet (a "
         "sheet shows every frame, a still one)",
         args=("--sheet", "--frame", "1", "-o", "s.png"), example="`--sheet --frame 1`"),
    yaml("frames folder is a file", BASE,
         "x.yaml: --frames-dir: notes.txt is a file, not a folder",
         args=("--frames-dir", "notes.txt"), files={"notes.txt": ""},
         example="`--frames-dir notes.txt` (a file)"),
    # ------------------------------------------------------------------ output paths
    Case("output is the config file itself", "`deconv-anim render c.png -o c.png`",
         "c.png: --output: c.png is the config file itself; writing it would destroy the "
         "config (name another output)", ("render", "c.png", "-o", "c.png"), {"c.png": BASE}),
    Case("default output is the config file itself", "`deconv-anim render x.gif` (a config "
         "named x.gif)", "x.gif: output: x.gif is the config file itself; writing it would "
         "destroy the config (name another output)", ("render", "x.gif"), {"x.gif": BASE}),
    yaml("output name too long", BASE, "x.yaml: --output: is not a usable file name: its name "
         "a...a.gif is 304 bytes long, more than the 255 a file name may hold",
         args=("-o", LONG_NAME + ".gif"), example="`-o aaa…a.gif` (a 300-character name)"),
    yaml("output folder not searchable", BASE,
         "x.yaml: --output: cannot write locked/x.gif (Permission denied)",
         args=("-o", "locked/x.gif"), setup=_unsearchable,
         example="`-o locked/x.gif` (a root-owned 0700 folder)"),
    # ------------------------------------------------------------------ the cost budgets
    yaml("kernel window too large to draw", "op: conv\nsize: 201\nkernel: 201\n",
         "x.yaml: kernel: the window would cover 40401 kernel cells, more than the budget of "
         "40000 (use a smaller kernel)", example="`size: 201`, `kernel: 201`"),
    yaml("kernel window drawn too often", "op: conv\nsize: 218\nkernel: 120\n",
         "x.yaml: kernel: 9802 frames would each draw the window's 14400 kernel cells, 1.41e+08 "
         "in all, more than the budget of 1e+08 (use a smaller kernel or size, or fewer "
         "in-between frames)", example="`size: 218`, `kernel: 120` (9802 frames)"),
    yaml("grids too large to draw", "op: conv\nsize: 401\nkernel: 1\nstride: 401\n",
         "x.yaml: size: the figure would draw 160802 grid cells, more than the budget of 160000 "
         "(use a smaller size, padding or stride)",
         example="`size: 401`, `kernel: 1`, `stride: 401`"),
    yaml("too many pixels to paint", "op: conv\nsize: 99\nkernel: 1\n",
         "x.yaml: style.cell: 9802 frames would paint 3.24e+11 pixels, more than the budget of "
         "1e+11 (use a smaller cell or size, or fewer in-between frames)",
         example="`size: 99`, `kernel: 1` (9802 frames of 33 MP)"),
    Case("`info --steps` with too many taps", "`size: 150`, `kernel: 51`, `--json --steps`",
         "x.yaml: --steps: would list up to 26010000 taps, more than the budget of 1000000 (use "
         "a smaller size or kernel, or leave out --steps)",
         ("info", "x.yaml", "--json", "--steps"), {"x.yaml": "op: conv\nsize: 150\nkernel: 51\n"}),
    yaml("video too long", BASE + "duration: 55000\nhold: 600000\n",
         "x.yaml: --fps: the video would hold 131400 frames, more than the budget of 100000 "
         "(lower --fps or the duration)", args=("--fps", "120", "-o", "x.mp4"),
         example="`duration: 55000`, `hold: 600000`, `--fps 120`"),
    yaml("too much memory to draw", "op: conv\nsize: 30\nkernel: 30\nstyle: {cell: 80}\n",
         "x.yaml: style.cell: drawing it would take about 942 MB of memory, more than the budget "
         "of 700 MB (use a smaller cell or kernel)",
         example="`size: 30`, `kernel: 30`, `style: {cell: 80}`"),
    yaml("frame side too long", "op: conv\nsize: [1, 2100]\nkernel: 1\nlayout: flat\n"
         "style: {cell: 32}\n", "x.yaml: style.cell: each frame would be 67226x147 pixels; a "
         "frame side is at most 65535, the most GIF, PNG and WebP hold (use a smaller cell)",
         args=("-o", "x.svg"), example="`size: [1, 2100]`, `layout: flat`, `style: {cell: 32}`"),
    # ------------------------------------------------------------------ video (issue 18)
    yaml("given frame rate drops steps", BASE + "duration: 20\n",
         "x.yaml: --fps: at 10 frames per second a 20 ms frame gets no video frame; every step "
         "must reach the video (use at least 48 fps, or leave out --fps)",
         args=("--fps", "10", "-o", "x.mp4"), example="`duration: 20`, `--fps 10`"),
    yaml("frames too short for any video", BASE + "duration: 20\n",
         "x.yaml: duration: frames of 2 ms need more than 120 frames per second in a video; "
         "every step must reach it (use a longer duration or fewer in-between frames, or write "
         ".gif)", args=("--tween", "5", "-o", "x.mp4"), example="`duration: 20`, `--tween 5`"),
    yaml("video frame too wide for x264", "op: conv\nsize: [1, 800]\nkernel: 1\nlayout: flat\n"
         "style: {cell: 24}\n", "x.yaml: style.cell: a video frame side of 19220 pixels is more "
         "than the 16384 x264 encodes (use a smaller cell, or write .gif)",
         args=("-o", "x.mp4"), example="`size: [1, 800]`, `layout: flat`, `style: {cell: 24}`"),
    yaml("video frame too large to encode", "op: conv\nsize: 40\nkernel: 3\nstyle: {cell: 60}\n",
         "x.yaml: style.cell: encoding the video would take about 2,187 MB of memory, more than "
         "the budget of 700 MB (use a smaller cell, or write .gif)",
         args=("-o", "x.mp4"), example="`size: 40`, `style: {cell: 60}`"),
    yaml("disk full while writing a video", BASE,
         "x.mp4: cannot be written (No space left on device)", setup=_ffmpeg_disk_full,
         args=("-o", "x.mp4"), example="(the disk fills up under ffmpeg)"),
    # ------------------------------------------------------------------ more hostile inputs
    yaml("too many values", BASE + "title: [" + ", ".join(["1"] * 100_001) + "]\n",
         "x.yaml: line 4, column 300009: holds more than 100000 values",
         example="`title: [1, 1, …]` (100001 items)"),
    yaml("flag value too long", BASE, "--input: is 100005 characters long; a flag's value is "
         "at most 100000", args=("--input", "[" + "1," * 50_001 + "1]"),
         example="`--input '[1, 1, …]'` (100005 characters)"),
    Case("config file name too long", "`deconv-anim render aaa…a.yaml` (a 300-character "
         "name)", f"{LONG_NAME}.yaml: cannot be read: its name a...a.yaml is 305 bytes long, "
         "more than the 255 a file name may hold", ("render", f"{LONG_NAME}.yaml")),
    yaml("`output:` name too long", BASE + f"output: {LONG_NAME}.gif\n",
         "x.yaml: output: cannot be a file name: its name a...a.gif is 304 bytes long, more than "
         "the 255 a file name may hold", example="`output: aaa…a.gif` (a 300-character name)"),
    # ------------------------------------------------------------------ the gallery, round two
    Case("gallery: output folder name too long", "`-o aaa…a` (a 300-character name)",
         "--output-dir: is not a usable folder name: its name a...aaaaa is 300 bytes long, more "
         "than the 255 a file name may hold", ("gallery", "configs", "-o", LONG_NAME),
         {"configs/good.yaml": GOOD}),
    Case("gallery: a config with a control character", "`title: \"bell\\a\"`",
         "configs/bad.yaml: title: holds U+0007, a control character, at position 4; text must "
         "be printable", ("gallery", "configs", "-o", "out", "--jobs", "1"),
         {"configs/good.yaml": GOOD, "configs/bad.yaml": GOOD + 'title: "bell\\a"\n'},
         code=1, new=WRITTEN),
    Case("gallery: a config that is a FIFO", "`configs/pipe.yaml` (a named pipe)",
         "configs/pipe.yaml: is a FIFO (named pipe), not a config file",
         ("gallery", "configs", "-o", "out", "--jobs", "1"),
         {"configs/good.yaml": GOOD}, setup=_fifo_config, code=1, new=WRITTEN),
    Case("gallery: `gallery.yaml` text with a control character", "`title: \"bell\\a\"`",
         "configs/gallery.yaml: sections[0].title: holds U+0007, a control character, at "
         "position 4; text must be printable", ("gallery", "configs", "-o", "out", "--jobs", "1"),
         {"configs/good.yaml": GOOD,
          "configs/gallery.yaml": 'sections:\n  - title: "bell\\a"\n    tables:\n'
                                  '      - configs: [good]\n'}),
    Case("gallery: `gallery.yaml` nested too deep", "`sections: [[[[…]]]]` (40 levels)",
         "configs/gallery.yaml: line 1, column 42: nests lists or mappings deeper than 32 levels",
         ("gallery", "configs", "-o", "out", "--jobs", "1"),
         {"configs/good.yaml": GOOD, "configs/gallery.yaml": f"sections: {DEEP}\n"}),
]


def _cell(text: str) -> str:
    """``text`` as Markdown inline code in a table cell."""
    text = text.replace("|", "\\|")
    return f"`` {text} ``" if "`" in text else f"`{text}`"


def table() -> str:
    """The Markdown table of docs/troubleshooting.md, from :data:`CASES`."""
    lines = ["| Bad input | Example | Exit | Message (after `Error: `) |",
             "|---|---|---|---|"]
    for case in CASES:
        lines.append(f"| {case.problem} | {case.example} | {case.code} | "
                     f"{_cell(case.message)} |")
    return "\n".join(lines)


# --------------------------------------------------------------------------------------
# Every bad input: its message, exit code, nothing left behind
# --------------------------------------------------------------------------------------


def _snapshot(folder: Path) -> dict[str, bytes | None]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() if p.is_file() else None
            for p in sorted(folder.rglob("*"))}


@pytest.fixture
def cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "work"
    folder.mkdir()
    monkeypatch.chdir(folder)
    yield folder
    for locked in folder.rglob("locked"):  # so that pytest can remove it
        locked.chmod(0o755)


@pytest.mark.parametrize("case", CASES, ids=[case.problem for case in CASES])
def test_bad_input(case: Case, cwd: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, content in case.files.items():
        (cwd / name).parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            (cwd / name).write_bytes(content)
        else:
            (cwd / name).write_text(content, encoding="utf-8")
    if case.setup is not None:
        case.setup(cwd, monkeypatch)
    before = _snapshot(cwd)
    result = CliRunner().invoke(main, list(case.args))
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        result.exception, result.output)
    assert "Traceback" not in result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines, result.output
    # one Error: line, at most Click's usage line and hint above it
    assert lines[-1] == f"Error: {case.message}", lines[-1]
    assert sum(line.startswith("Error:") for line in lines) == 1, lines
    assert len(lines) == 1 or (len(lines) == 3 and lines[0].startswith("Usage: ")
                               and lines[1].startswith("Try ")), lines
    assert result.exit_code == case.code, result.output
    # nothing written but what the case allows; no temp file anywhere
    after = _snapshot(cwd)
    assert {name: data for name, data in after.items() if name not in case.new} == before
    assert all(name in after for name in case.new), sorted(after)
    assert not [name for name in after if name.endswith(".tmp")]
    if case.code == 1:  # a gallery run: the summary line still goes to stdout
        assert re.fullmatch(r"out: rendered 1, up to date 0, failed 1\n", result.stdout)
    else:
        assert result.stdout == ""


def test_the_troubleshooting_table_is_current() -> None:
    text = DOC.read_text(encoding="utf-8")
    for case in CASES:  # the first message missing is the most helpful failure
        assert _cell(case.message) in text, f"{case.problem}: {case.message}"
    assert f"{BEGIN}\n{table()}\n{END}" in text, (
        "docs/troubleshooting.md's table differs: run `python tests/test_reliability.py`")


def test_every_message_is_distinct_and_names_its_source() -> None:
    messages = [case.message for case in CASES]
    assert len(set(messages)) == len(messages)
    for case in CASES:
        if case.args[:2] == ("render", "x.yaml") and not case.message.startswith("Invalid"):
            # the config file, or the output file the OS refused
            assert case.message.startswith(("x.yaml: ", "x.gif: ", "x.mp4: ", "locked/",
                                            "notes.txt/",
                                            "--stride: ", "--size: ", "--op: ", "--input: ")
                                           ), case.message


def test_the_real_program_prints_the_same_lines(tmp_path: Path) -> None:
    """Outside CliRunner: a real process, its real stderr, no traceback."""
    picks = [case for case in CASES if case.problem in (
        "YAML tag that builds a Python object", "output folder cannot be created",
        "unknown suffix in `-o`", "too many frames")]
    runs = []
    for n, case in enumerate(picks):
        folder = tmp_path / str(n)
        folder.mkdir()
        for name, content in case.files.items():
            if isinstance(content, bytes):
                (folder / name).write_bytes(content)
            else:
                (folder / name).write_text(content, encoding="utf-8")
        runs.append(subprocess.Popen([sys.executable, "-m", "deconv_anim", *case.args],
                                     cwd=folder, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE))
    for case, run in zip(picks, runs):
        out, err = run.communicate(timeout=60)
        assert (run.returncode, out, err.decode()) == (case.code, b"",
                                                       f"Error: {case.message}\n")


def test_webp_in_memory_is_refused_up_front(cwd: Path) -> None:
    """The WebP encoder holds every frame: a render too large for it fails before any
    frame is drawn, naming the config."""
    # (within the painting budget: 9802 frames of 1196x1615 pixels)
    (cwd / "w.yaml").write_text("op: conv\nsize: 99\nkernel: 1\nstyle: {cell: 7}\n")
    start = time.process_time()  # CPU time: the wall clock of a loaded machine says nothing
    result = CliRunner().invoke(main, ["render", "w.yaml", "-o", "w.webp"])
    assert time.process_time() - start < 5
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: w.yaml: ")
    assert "WebP" in lines[0] and "9802 frames" in lines[0]
    assert sorted(p.name for p in cwd.iterdir()) == ["w.yaml"]


# --------------------------------------------------------------------------------------
# The API: every public function refuses a bad argument with a DeconvAnimError
# --------------------------------------------------------------------------------------


def _api_calls(folder: Path) -> list[tuple[str, Callable[[], object]]]:
    import numpy as np

    import deconv_anim as da
    from deconv_anim.config import parse_flag_value
    from deconv_anim.report import as_json, describe

    config = da.config_from_mapping({"op": "conv", "size": 3, "kernel": 2})
    spec = config.spec
    (folder / "c.yaml").write_text(BASE)
    out = folder / "x.gif"
    return [
        ("make_spec NumPy NaN", lambda: da.make_spec(op="conv", kernel=1,
                                                     input=[[np.float32("nan")]])),
        ("make_spec NumPy inf", lambda: da.make_spec(op="conv", kernel=1,
                                                     input=[[np.float64("-inf")]])),
        ("make_spec huge integer", lambda: da.make_spec(op="conv", size=10 ** 5000, kernel=1)),
        ("make_spec huge value", lambda: da.make_spec(op="conv", kernel=1,
                                                      input=[[10 ** 5000]])),
        ("make_spec deep list", lambda: da.make_spec(op="conv", kernel=1, input=_deep(5000))),
        ("render_config tween=-1", lambda: da.render_config(config, out, tween=-1)),
        ("render_config tween=1.5", lambda: da.render_config(config, out, tween=1.5)),
        ("render_config fps=inf", lambda: da.render_config(config, folder / "x.mp4",
                                                           fps=float("inf"))),
        ("render_config fps=nan", lambda: da.render_config(config, folder / "x.mp4",
                                                           fps=float("nan"))),
        ("render_config frame=1.5", lambda: da.render_config(config, folder / "x.png",
                                                             frame=1.5)),
        ("render_config sheet and frame", lambda: da.render_config(config, folder / "x.png",
                                                                   sheet=True, frame=1)),
        ("render_config max_frames=0", lambda: da.render_config(config, out, max_frames=0)),
        ("render_config not a config", lambda: da.render_config({"op": "conv"}, out)),
        ("render_config path=3", lambda: da.render_config(config, 3)),
        ("render_config format=3", lambda: da.render_config(config, format=3)),
        ("trace view=sideways", lambda: da.trace(spec, view="sideways")),
        ("trace view=3", lambda: da.trace(spec, view=3)),
        ("trace not a spec", lambda: da.trace({"op": "conv"})),
        ("trace()[1.5]", lambda: da.trace(spec)[1.5]),
        ("trace()['a']", lambda: da.trace(spec)["a"]),
        ("trace()[99]", lambda: da.trace(spec)[99]),
        ("compute not a spec", lambda: da.compute(None)),
        ("as_json not a spec", lambda: as_json(None)),
        ("describe not a spec", lambda: describe(3)),
        ("load_config overrides=[1]", lambda: da.load_config(folder / "c.yaml", overrides=[1])),
        ("load_config overrides={1: 2}", lambda: da.load_config(folder / "c.yaml",
                                                                 overrides={1: 2})),
        ("load_config style=3", lambda: da.load_config(folder / "c.yaml",
                                                        overrides={"style": 3})),
        ("load_config path=None", lambda: da.load_config(None)),
        ("load_config a folder", lambda: da.load_config(folder)),
        ("config_from_mapping cycle", lambda: da.config_from_mapping(_cycle())),
        ("config_from_mapping title", lambda: da.config_from_mapping(
            {"op": "conv", "size": 3, "kernel": 2, "title": "\x1b[31m"})),
        ("parse_flag_value 3", lambda: parse_flag_value("stride", 3)),
    ]


def _deep(levels: int) -> list:
    value: list = [1]
    for _ in range(levels):
        value = [value]
    return value


def _cycle() -> dict:
    mapping: dict = {"op": "conv", "size": 3, "kernel": 2, "style": {}}
    mapping["style"]["me"] = mapping
    return mapping


def test_every_public_function_refuses_bad_arguments_with_its_own_errors(
        tmp_path: Path) -> None:
    from deconv_anim.errors import DeconvAnimError

    calls = _api_calls(tmp_path)
    assert len(calls) >= 30
    for name, call in calls:
        with pytest.raises(DeconvAnimError) as error:
            call()
        message = str(error.value)
        assert "\n" not in message and len(message) < 300, (name, message)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.yaml"]  # nothing written


def test_a_trace_index_error_is_still_an_index_error() -> None:
    """Out of range stays an IndexError (a Sequence's protocol) as well as ours."""
    import deconv_anim as da

    steps = da.trace(da.make_spec(op="conv", size=3, kernel=2))
    with pytest.raises(IndexError):
        steps[4]
    assert [step.index for step in reversed(steps)] == [3, 2, 1, 0]
    import numpy as np

    assert steps[np.int64(-1)].index == 3


def test_as_json_never_writes_nan() -> None:
    """JSON has no NaN: a spec is refused before it could hold one, and as_json's numbers
    are checked (a Spec built by hand bypasses make_spec)."""
    import dataclasses

    import numpy as np

    from deconv_anim import make_spec
    from deconv_anim.errors import DeconvAnimError
    from deconv_anim.report import as_json

    spec = make_spec(op="conv", size=2, kernel=1)
    text = json.dumps(as_json(spec), allow_nan=False)  # would raise on NaN
    assert "NaN" not in text
    forged = dataclasses.replace(spec, input_values=np.full((2, 2), np.nan))
    with pytest.raises(DeconvAnimError):
        as_json(forged)


# --------------------------------------------------------------------------------------
# Outputs: frames folders, SVG text, the gallery's README
# --------------------------------------------------------------------------------------


def test_an_interrupted_render_leaves_no_frames(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """--frames-dir writes into a temp folder, moved into place only at the end."""
    import importlib

    render_module = importlib.import_module("deconv_anim.animation")
    real = render_module._save_frames

    def interrupted(frames, raster, folder):
        for n, frame in enumerate(real(frames, raster, folder)):
            if n == 3:
                raise KeyboardInterrupt
            yield frame

    monkeypatch.setattr(render_module, "_save_frames", interrupted)
    (tmp_path / "x.yaml").write_text(GOOD)
    result = CliRunner().invoke(main, ["render", str(tmp_path / "x.yaml"), "--frames-dir",
                                       str(tmp_path / "frames")])
    assert result.exit_code == 130
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.yaml"]  # no frames, no temp
    monkeypatch.setattr(render_module, "_save_frames", real)
    (tmp_path / "frames").mkdir()
    (tmp_path / "frames" / "notes.txt").write_text("kept")
    result = CliRunner().invoke(main, ["render", str(tmp_path / "x.yaml"), "--frames-dir",
                                       str(tmp_path / "frames")])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "frames").iterdir()) == [
        "frame_0000.png", "frame_0001.png", "frame_0002.png", "frame_0003.png",
        "frame_0004.png", "notes.txt"]  # 4 steps and the final frame
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_svg_titles_are_well_formed_xml(tmp_path: Path) -> None:
    from xml.etree import ElementTree

    title = "<&> \"quotes\" 'and' ünïcode → ok"
    out = tmp_path / "x.svg"
    result = CliRunner().invoke(main, ["render", "--op", "conv", "--size", "3", "--kernel", "2",
                                       "--title", title, "-o", str(out)])
    assert result.exit_code == 0, result.output
    root = ElementTree.parse(out).getroot()
    assert title in "".join(root.itertext())


def test_a_gallery_with_a_bad_title_still_writes_its_readme(tmp_path: Path) -> None:
    configs, out = tmp_path / "configs", tmp_path / "out"
    configs.mkdir()
    (configs / "good.yaml").write_text(GOOD)
    (configs / "bad.yaml").write_text(GOOD + 'title: "lone \\ud800"\n')
    result = CliRunner().invoke(main, ["gallery", str(configs), "-o", str(out), "--jobs", "1",
                                       "--format", "svg"])
    assert result.exit_code == 1
    assert "lone surrogate" in result.stderr
    assert (out / "README.md").is_file() and (out / "good.svg").is_file()


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_permission_errors_are_one_line_as_an_unprivileged_user() -> None:
    """A folder the user may not enter (root's 0700 folder): every command says so in one
    line. Run as an unprivileged user (root drops to nobody with setpriv)."""
    import shutil
    import tempfile

    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("root without setpriv cannot act as an unprivileged user")
        prefix = [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups"]
    else:
        prefix = []
    folder = Path(tempfile.mkdtemp(prefix="deconv-anim-perm-"))
    try:
        folder.chmod(0o777)
        (folder / "a.yaml").write_text(GOOD)
        (folder / "a.yaml").chmod(0o644)
        (folder / "locked").mkdir()
        (folder / "locked" / "b.yaml").write_text(GOOD)
        (folder / "locked").chmod(0o700 if prefix else 0o000)
        runs = {
            ("render", "a.yaml", "-o", "locked/x.gif"):
                "a.yaml: --output: cannot write locked/x.gif (Permission denied)",
            ("render", "a.yaml", "-o", "locked/sub/x.gif"):
                "a.yaml: --output: cannot write locked/sub/x.gif (Permission denied)",
            ("info", "locked/b.yaml"): "locked/b.yaml: cannot be read (Permission denied)",
            ("gallery", ".", "-o", "locked/g"):
                "--output-dir: cannot use locked/g (Permission denied)",
            ("render", "a.yaml", "-o", "y.gif", "--frames-dir", "locked/f"):
                "a.yaml: --frames-dir: cannot write locked/f (Permission denied)",
        }
        for args, message in runs.items():
            run = subprocess.run([*prefix, sys.executable, "-m", "deconv_anim", *args],
                                 cwd=folder, capture_output=True, text=True, timeout=120)
            assert (run.returncode, run.stderr) == (2, f"Error: {message}\n"), args
        assert sorted(p.name for p in folder.iterdir()) == ["a.yaml", "locked"]
    finally:
        (folder / "locked").chmod(0o755)
        shutil.rmtree(folder)


# --------------------------------------------------------------------------------------
# Signals: SIGTERM during a render, Ctrl-C during a parallel gallery
# --------------------------------------------------------------------------------------

SLOW = "op: conv\nsize: 7\nkernel: 3\nvalues: true\nseed: {seed}\n"  # 25 frames, ~0.5 s


def _wait(condition: Callable[[], bool], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def _temps(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*.tmp"))


POSIX = pytest.mark.skipif(os.name != "posix", reason="POSIX signals and process groups")


@POSIX
def test_sigterm_mid_render_leaves_the_previous_file_and_no_temp(tmp_path: Path) -> None:
    (tmp_path / "x.yaml").write_text(SLOW.format(seed=0))
    (tmp_path / "x.gif").write_bytes(b"previous")
    run = subprocess.Popen([sys.executable, "-m", "deconv_anim", "render", "x.yaml"],
                           cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _wait(lambda: bool(_temps(tmp_path)) or run.poll() is not None)
    assert run.poll() is None, "the render finished before it could be stopped"
    run.send_signal(signal.SIGTERM)
    _, err = run.communicate(timeout=30)
    assert (run.returncode, err.decode()) == (
        143, "Error: terminated (SIGTERM); no partial output was left behind\n")
    assert (tmp_path / "x.gif").read_bytes() == b"previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.gif", "x.yaml"]


def _gif_frames(path: Path) -> int:
    from PIL import Image

    with Image.open(path) as image:
        return image.n_frames


@POSIX
def test_ctrl_c_stops_a_parallel_gallery_cleanly_and_a_rerun_resumes(tmp_path: Path) -> None:
    configs, out = tmp_path / "configs", tmp_path / "out"
    configs.mkdir()
    names = [f"c{n}" for n in range(5)]
    for n, name in enumerate(names):
        (configs / f"{name}.yaml").write_text(SLOW.format(seed=n))
    out.mkdir()
    (out / "c4.gif").write_bytes(b"previous")  # stale: it will be rendered again
    command = [sys.executable, "-m", "deconv_anim", "gallery", str(configs), "-o", str(out),
               "--jobs", "2"]
    manifest = out / ".deconv-anim.json"

    def recorded() -> dict:
        try:
            return json.loads(manifest.read_text())["outputs"]
        except (OSError, ValueError):
            return {}

    # Ctrl-C in a terminal signals the whole process group: the parent and its workers
    run = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           start_new_session=True)
    _wait(lambda: bool(recorded()) or run.poll() is not None)
    assert run.poll() is None, "the gallery finished before it could be interrupted"
    os.killpg(run.pid, signal.SIGINT)
    _, err = run.communicate(timeout=30)
    assert run.returncode == 130, err
    assert "Traceback" not in err.decode()
    assert err.decode().splitlines()[-1] == (
        "Error: interrupted; no partial output was left behind")
    with pytest.raises(ProcessLookupError):  # no worker is left running
        _wait_group_gone(run.pid)
    assert _temps(tmp_path) == []
    done = recorded()
    assert 1 <= len(done) < len(names), done
    for path in out.glob("*.gif"):  # the previous bytes, or a whole new animation
        assert path.read_bytes() == b"previous" or _gif_frames(path) == 26, path  # + final
    stamps = {name: (out / name).stat().st_mtime_ns for name in done}

    rerun = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert rerun.returncode == 0, rerun.stderr
    assert rerun.stdout.strip() == (f"{out}: rendered {len(names) - len(done)}, "
                                    f"up to date {len(done)}, failed 0")
    assert {name: (out / name).stat().st_mtime_ns for name in done} == stamps
    assert sorted(recorded()) == [f"{name}.gif" for name in names]
    assert all(_gif_frames(out / f"{name}.gif") == 26 for name in names)  # 25 steps + final
    assert _temps(tmp_path) == []


def _wait_group_gone(pgid: int) -> None:
    """Raise ProcessLookupError once no process of group ``pgid`` is left (or give up)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        os.killpg(pgid, 0)
        time.sleep(0.05)


def test_stale_temp_files_of_killed_writers_are_removed(tmp_path: Path) -> None:
    from deconv_anim.gallery import build_gallery, remove_stale_temps

    configs, out = tmp_path / "configs", tmp_path / "out"
    configs.mkdir()
    (configs / "a.yaml").write_text(GOOD)
    out.mkdir()
    dead = subprocess.Popen(["true"])
    dead.wait()
    alive = os.getppid()
    stale = [f".a.gif.{dead.pid}.k3j4h5g6.tmp", f".README.md.{dead.pid}.0a1b2c3d.tmp",
             f"..deconv-anim.json.{os.getpid()}.0a1b2c3d.tmp", f".a.png.{dead.pid}.x_y.tmp"]
    kept = [f".a.gif.{alive}.k3j4h5g6.tmp",  # a live process is still writing it
            f".notes.txt.{dead.pid}.abcdefgh.tmp",  # not a gallery file
            ".a.gif.k3j4h5g6.tmp", "a.tmp"]  # not our naming pattern
    for name in stale + kept:
        (out / name).write_bytes(b"partial")
    assert remove_stale_temps(out, ["b.gif"]) == []
    report = build_gallery(configs, out, jobs=1)
    assert report.rendered == ["a"]
    assert sorted(p.name for p in out.iterdir() if p.name.endswith(".tmp")) == sorted(kept)


def test_an_interrupted_manifest_write_leaves_no_temp(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from deconv_anim import atomic

    def interrupt(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(atomic.os, "replace", interrupt)
    with pytest.raises(KeyboardInterrupt):
        atomic.write_atomic(tmp_path / "README.md", b"text")
    assert list(tmp_path.iterdir()) == []


def test_gallery_limits_reach_parallel_workers(tmp_path: Path) -> None:
    """--max-pixels travels to the worker processes, like --max-frames."""
    configs = tmp_path / "configs"
    configs.mkdir()
    (configs / "a.yaml").write_text(GOOD)
    (configs / "b.yaml").write_text(GOOD.replace("size: 3", "size: 4"))
    result = CliRunner().invoke(main, ["gallery", str(configs), "-o", str(tmp_path / "out"),
                                       "--jobs", "2", "--max-pixels", "100"])
    assert result.exit_code == 1
    errors = sorted(line for line in result.stderr.splitlines() if line)
    assert len(errors) == 2
    for name, line in zip("ab", errors):
        assert line.startswith(f"Error: {configs / name}.yaml: style.cell: each frame would "
                               "be ")
        assert line.endswith("more than the limit of 100 (use a smaller cell or raise it "
                             "with --max-pixels)")
    assert not list((tmp_path / "out").glob("*.gif"))


# --------------------------------------------------------------------------------------
# Fuzzing the gallery: a folder of random documents
# --------------------------------------------------------------------------------------


@settings(max_examples=int(os.environ.get("DECONV_ANIM_FUZZ", "12")), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(docs=st.lists(st.one_of(plausible, documents), min_size=1, max_size=4))
def test_a_gallery_of_random_documents(tmp_path_factory, docs) -> None:
    """A folder of random documents (those of tests/test_fuzz.py): each config is written or
    named in exactly one ``Error:`` line; exit code 1 when any failed."""
    folder: Path = tmp_path_factory.mktemp("fuzz-gallery")
    configs, out = folder / "configs", folder / "out"
    configs.mkdir()
    names = [f"doc{n}" for n in range(len(docs))]
    for name, doc in zip(names, docs):
        (configs / f"{name}.yaml").write_text(_text(doc), encoding="utf-8")
    result = CliRunner().invoke(main, ["gallery", str(configs), "-o", str(out),
                                       "--jobs", "1", *LIMITS])
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        result.output, result.exception)
    assert "Traceback" not in result.output
    errors = [line for line in result.stderr.splitlines() if line.strip()]
    failed = {name for name in names
              if any(line.startswith(f"Error: {configs / name}.yaml: ") for line in errors)}
    assert len(errors) == len(failed), errors  # one line per failed config, no other
    assert all(len(line) < 400 for line in errors)
    assert result.exit_code == (1 if failed else 0), result.output
    event(f"{len(failed)} of {len(names)} failed")
    assert result.stdout == (f"{out}: rendered {len(names) - len(failed)}, up to date 0, "
                             f"failed {len(failed)}\n")
    for name in names:
        gif = out / f"{name}.gif"
        assert gif.exists() == (name not in failed), name
        if name not in failed:
            info = CliRunner().invoke(main, ["info", str(configs / f"{name}.yaml"),
                                             "--json"])
            assert _gif_frames(gif) == json.loads(info.stdout)["frames"]
    assert (out / "README.md").is_file()
    assert _temps(folder) == []


# --------------------------------------------------------------------------------------
# python tests/test_reliability.py: rewrite the table of docs/troubleshooting.md
# --------------------------------------------------------------------------------------

if __name__ == "__main__":
    text = DOC.read_text(encoding="utf-8")
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    DOC.write_text(f"{head}{BEGIN}\n{table()}\n{END}{tail}", encoding="utf-8")
    print(f"{DOC.relative_to(ROOT)}: {len(CASES)} rows")


def test_check_in_another_format_says_so_once(tmp_path: Path) -> None:
    """A GIF gallery checked as SVG: one line naming both formats, not one per output."""
    from deconv_anim.gallery import build_gallery, check_gallery

    (tmp_path / "configs").mkdir()
    for name in ("a", "b", "c"):
        (tmp_path / "configs" / f"{name}.yaml").write_text(GOOD)
    build_gallery(tmp_path / "configs", tmp_path / "out", jobs=1)
    problems = check_gallery(tmp_path / "configs", tmp_path / "out", format="svg")
    assert [str(p) for p in problems] == [
        f"{tmp_path / 'out'}: holds gif outputs, not svg: check it with --format gif, or "
        "render it with gallery --format svg"]


def test_a_hostile_manifest_is_not_ours(tmp_path: Path) -> None:
    """A manifest of 100,000 '[' (or huge numbers) is ignored: everything is re-checked."""
    from deconv_anim.gallery import build_gallery, check_gallery

    (tmp_path / "configs").mkdir()
    (tmp_path / "configs" / "a.yaml").write_text(GOOD)
    build_gallery(tmp_path / "configs", tmp_path / "out", jobs=1)
    for text in ("[" * 100_000, '{"version": 1' + "0" * 5000 + "}"):
        (tmp_path / "out" / ".deconv-anim.json").write_text(text)
        problems = check_gallery(tmp_path / "configs", tmp_path / "out")
        assert [p.reason for p in problems] == ["not recorded in the manifest"] or problems
        result = build_gallery(tmp_path / "configs", tmp_path / "out", jobs=1)
        assert not result.failed
