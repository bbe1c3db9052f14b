"""Benchmarks of deconv-anim: speed, file size, scaling, memory, start-up. Prints tables.

    python benchmarks/bench.py              # everything (a few minutes on two cores)
    python benchmarks/bench.py size speed   # some sections only
    python benchmarks/bench.py --repeat 3   # fewer repetitions

Sections:

* ``overhead`` -- rendering the 15 reference animations in one process versus only
  encoding the very same frames with Pillow's GIF writer (our GIFs decoded back to arrays
  first, not timed): from RGB arrays, as any Pillow pipeline encodes, and from our palette
  images, the bare LZW floor.
* ``size`` -- bits per frame pixel of our 15 GIFs versus the reference GIFs of
  conv_arithmetic (``../shared/reference``), at a cell size that makes the canvases about
  as large as the reference ones.
* ``tools`` -- the same 15 with the whole CLI (``deconv-anim gallery``, all cores,
  start-up included) versus ``../shared/bench/mpl_baseline.py`` (matplotlib
  FuncAnimation + PillowWriter; needs ``pip install matplotlib``), and the TikZ pipeline's
  recorded time.
* ``scaling`` -- inputs of 8x8 to 64x64 (kernel 3, stride 1, padding same; conv and
  transposed): frames, time, time per frame, bytes, peak memory, each in a fresh process.
* ``gallery`` -- ``deconv-anim gallery --force`` of ``configs/`` on all cores versus one,
  and an unchanged re-run.
* ``startup`` -- ``deconv-anim --help`` and ``deconv-anim info``.
* ``channels`` -- issue 19's target 5: ms a frame of a 3->8-channel conv on 32x32 versus
  the single-channel figure of the same size: 96 frames over 96 (set-up included) and the
  marginal frame ((480 frames - 96) / 384), to GIF and painted only.
* ``versus`` -- this tree against an older one (``--base DIR``, a worktree: ``git worktree
  add /tmp/base 7754439``), runs interleaved, each as a fresh CLI process: one long GIF
  (conv 32x32, kernel 3, padding same: 1,024 frames; both files compared byte for byte),
  ``gallery --jobs 2 --force`` of the 15 reference configs, and a 256-frame figure as GIF
  and MP4 (times and sizes).
* ``player`` -- the HTML player of a 64x64-output figure (4,096 steps) in headless
  Chromium: first paint, the script's init, step and hover p95 (``player_bench.py``;
  with ``--base`` the older tree's file too, interleaved). Skipped without Chromium.

Medians of ``--repeat`` runs (default 5; 3 for the slow sections), all in one run on one
machine, so ratios compare like with like.
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
REFERENCE = SHARED / "reference"
BIN = Path(sys.executable).parent
CLI = str(BIN / "deconv-anim")
TIKZ_SECONDS = 384.9  # ../shared/bench/README.md: the original pipeline, the 15, 2 cores


def median_time(func, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def run(cmd: list[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kwargs)


def table(title: str, header: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(str(c)) for c in col) for col in zip(header, *rows)]
    print(f"\n### {title}\n")
    print("| " + " | ".join(h.ljust(w) for h, w in zip(header, widths)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in rows:
        print("| " + " | ".join(str(c).ljust(w) for c, w in zip(row, widths)) + " |")
    sys.stdout.flush()


def reference_configs():
    """The 15 reference animations as configs, without titles (the references have none)."""
    from deconv_anim.config import config_from_mapping
    from deconv_anim.presets import PRESETS, REFERENCE_NAMES

    return [config_from_mapping({k: v for k, v in PRESETS[n].items() if k != "title"},
                                name=n) for n in REFERENCE_NAMES]


def write_reference_yaml(folder: Path) -> None:
    import yaml

    from deconv_anim.presets import PRESETS, REFERENCE_NAMES

    folder.mkdir(parents=True, exist_ok=True)
    for name in REFERENCE_NAMES:
        keys = {k: v for k, v in PRESETS[name].items() if k != "title"}
        (folder / f"{name}.yaml").write_text(yaml.safe_dump(keys))


# ----------------------------------------------------------------------------- sections


def _api():
    """The module holding ``prepare`` and ``render``: ``animation``, or ``render`` in
    versions from before its rename (``versus --base`` runs older checkouts)."""
    import importlib

    try:
        return importlib.import_module("deconv_anim.animation")
    except ImportError:
        return importlib.import_module("deconv_anim.render")


def overhead(repeat: int, work: Path) -> None:
    prepare, render = _api().prepare, _api().render
    from PIL import Image

    configs = reference_configs()
    out = work / "overhead"
    out.mkdir(exist_ok=True)

    def ours() -> None:
        for config in configs:
            render(config, out / f"{config.name}.gif")

    ours()
    rgb_frames, p_frames, durations = [], [], []
    for config in configs:
        palette = _palette_image(prepare(config).palette)
        with Image.open(out / f"{config.name}.gif") as im:
            rgb, pal = [], []
            for n in range(im.n_frames):
                im.seek(n)
                frame = im.convert("RGB")
                rgb.append(frame)
                pal.append(frame.quantize(palette=palette, dither=Image.Dither.NONE))
            rgb_frames.append(rgb)
            p_frames.append(pal)
            durations.append(config.render.duration)

    def encode(frames_list) -> None:
        for frames, ms in zip(frames_list, durations):
            buffer = io.BytesIO()
            frames[0].save(buffer, format="GIF", save_all=True, append_images=frames[1:],
                           duration=ms, loop=0)

    t_ours = median_time(ours, repeat)
    t_rgb = median_time(lambda: encode(rgb_frames), repeat)
    t_pal = median_time(lambda: encode(p_frames), repeat)
    frames = sum(len(f) for f in rgb_frames)
    rows = [["deconv-anim render (15 configs, in process)", f"{t_ours:.3f}", "1.00"],
            ["Pillow GIF writer, RGB frames (encode only)", f"{t_rgb:.3f}",
             f"{t_ours / t_rgb:.2f}"],
            ["Pillow GIF writer, palette frames (LZW floor)", f"{t_pal:.3f}",
             f"{t_ours / t_pal:.2f}"]]
    table(f"Drawing overhead: the 15 reference animations, {frames} frames "
          f"(median of {repeat})", ["what", "seconds", "render / this"], rows)


def _palette_image(colors):
    from PIL import Image

    palette = Image.new("P", (1, 1))
    palette.putpalette(colors.tobytes())
    return palette


def size(repeat: int, work: Path) -> None:
    render = _api().render
    from PIL import Image

    rows = []
    ours_bits = ours_px = ref_bits = ref_px = 0
    for config in reference_configs():
        result = render(config, work / f"{config.name}.gif")
        ref = REFERENCE / f"{config.name}.gif"
        with Image.open(ref) as im:
            r_frames, r_size = im.n_frames, im.size
        r_bytes = ref.stat().st_size
        o_px = result.frames * result.size[0] * result.size[1]
        r_px = r_frames * r_size[0] * r_size[1]
        ours_bits += result.bytes * 8
        ours_px += o_px
        ref_bits += r_bytes * 8
        ref_px += r_px
        o, r = result.bytes * 8 / o_px, r_bytes * 8 / r_px
        rows.append([config.name, f"{result.size[0]}x{result.size[1]}", f"{r_size[0]}x{r_size[1]}",
                     f"{result.bytes:,}", f"{r_bytes:,}", f"{o:.3f}", f"{r:.3f}", f"{o / r:.2f}"])
    o, r = ours_bits / ours_px, ref_bits / ref_px
    rows.append(["**all 15**", "", "", f"{ours_bits // 8:,}", f"{ref_bits // 8:,}",
                 f"{o:.3f}", f"{r:.3f}", f"**{o / r:.2f}**"])
    table(f"File size: bits per frame pixel (canvas area ours / reference: "
          f"{ours_px / ref_px:.2f})",
          ["animation", "ours px", "ref px", "ours bytes", "ref bytes", "ours bits",
           "ref bits", "ratio"], rows)


def tools(repeat: int, work: Path) -> None:
    configs = work / "ref-configs"
    write_reference_yaml(configs)

    def ours() -> None:
        run([CLI, "gallery", str(configs), "-o", str(work / "ours-gallery"), "--force"])

    baseline = SHARED / "bench" / "mpl_baseline.py"
    try:
        import matplotlib  # noqa: F401

        def mpl() -> None:
            run([sys.executable, str(baseline), str(work / "mpl")], cwd=baseline.parent)
    except ImportError:
        mpl = None  # type: ignore[assignment]
    # Interleaved, ours then theirs, so a machine that slows down or speeds up in the
    # middle affects both alike; each ratio compares runs made moments apart.
    ours()  # warm the file cache
    t_ours, t_mpl = [], []
    for _ in range(max(1, repeat)):
        t_ours.append(median_time(ours, 1))
        if mpl is not None:
            t_mpl.append(median_time(mpl, 1))
    ours_s = statistics.median(t_ours)
    rows = [["deconv-anim gallery --force (all cores, CLI start-up included)",
             f"{ours_s:.2f}", "1"]]
    if mpl is not None:
        mpl_s = statistics.median(t_mpl)
        pairs = sorted(m / o for m, o in zip(t_mpl, t_ours))
        rows.append(["mpl_baseline.py (matplotlib FuncAnimation + PillowWriter)",
                     f"{mpl_s:.2f}", f"{mpl_s / ours_s:.1f}x slower (pairwise "
                                     f"{pairs[0]:.1f}x-{pairs[-1]:.1f}x)"])
    else:
        rows.append(["mpl_baseline.py", "skipped (pip install matplotlib)", ""])
    rows.append(["TikZ + ImageMagick + gifsicle (recorded, ../shared/bench)",
                 f"{TIKZ_SECONDS:.1f}", f"{TIKZ_SECONDS / ours_s:.0f}x slower"])
    table(f"Versus the tools people use: the 15 animations, wall time (median of "
          f"{len(t_ours)}, interleaved)", ["pipeline", "seconds", "vs deconv-anim"], rows)


def scaling(repeat: int, work: Path) -> None:
    rows = []
    script = ("import sys, time\n"
              "from deconv_anim.config import config_from_mapping\n"
              "try:\n    from deconv_anim.animation import render\n"
              "except ImportError:  # a version from before the module's rename\n"
              "    from deconv_anim.render import render\n"
              "op, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]\n"
              "c = config_from_mapping({'op': op, 'size': n, 'kernel': 3, 'padding': 'same'})\n"
              "t = time.perf_counter()\n"
              "r = render(c, out, max_frames=10**6, max_pixels=10**9)\n"
              "t = time.perf_counter() - t\n"
              "rss = next(int(line.split()[1]) for line in open('/proc/self/status')\n"
              "           if line.startswith('VmHWM'))  # this process's peak, in kB\n"
              "print(r.frames, t, r.bytes, rss, r.size[0] * r.size[1])\n")
    base = None
    for op in ("conv", "transposed"):
        for n in (8, 16, 32, 64):
            runs = []
            for _ in range(repeat if n <= 32 else 1):
                done = run([sys.executable, "-c", script, op, str(n),
                            str(work / f"scale_{op}_{n}.gif")])
                runs.append(done.stdout.split())
            frames, _, nbytes, rss, area = runs[0]
            seconds = statistics.median(float(r[1]) for r in runs)
            per_frame = seconds / int(frames) * 1000
            if n == 8:
                base = (per_frame, int(area))
            rows.append([op, f"{n}x{n}", frames, f"{int(area) / base[1]:.0f}x",
                         f"{seconds:.2f}", f"{per_frame:.2f}", f"{per_frame / base[0]:.1f}x",
                         f"{int(nbytes):,}", f"{int(rss) / 1024:.0f}"])
    table("Scaling: kernel 3, stride 1, padding same (64x64: one run)",
          ["op", "input", "frames", "canvas vs 8x8", "seconds", "ms / frame",
           "ms / frame vs 8x8", "bytes", "peak RSS MB"], rows)


def gallery(repeat: int, work: Path) -> None:
    out = work / "gallery"
    configs = str(ROOT / "configs")
    cores = os.cpu_count() or 1
    t_all = median_time(lambda: run([CLI, "gallery", configs, "-o", str(out), "--force"]),
                        repeat)
    t_one = median_time(lambda: run([CLI, "gallery", configs, "-o", str(out), "--force",
                                     "--jobs", "1"]), repeat)
    t_again = median_time(lambda: run([CLI, "gallery", configs, "-o", str(out)]), repeat)
    t_help = median_time(lambda: run([CLI, "--help"]), repeat)
    count = len([p for p in Path(configs).glob("*.yaml") if p.name != "gallery.yaml"])
    table(f"Gallery: {count} configs (median of {repeat})", ["run", "seconds"], [
        [f"--force, all {cores} cores", f"{t_all:.2f}"],
        ["--force, --jobs 1", f"{t_one:.2f} ({t_one / t_all:.2f}x the parallel run)"],
        ["unchanged re-run", f"{t_again:.2f} (start-up alone: {t_help:.2f})"]])


def startup(repeat: int, work: Path) -> None:
    config = str(ROOT / "configs" / "seed_conv.yaml")
    rows = []
    for label, cmd in (("deconv-anim --help", [CLI, "--help"]),
                       ("deconv-anim info configs/seed_conv.yaml", [CLI, "info", config])):
        rows.append([label, f"{median_time(lambda c=cmd: run(c), repeat):.3f}"])
    probe = ("import sys, deconv_anim.cli\n"
             "print(','.join(m for m in ('numpy', 'PIL', 'imageio', 'yaml') "
             "if m in sys.modules) or 'none')")
    loaded = run([sys.executable, "-c", probe]).stdout.strip()
    rows.append(["heavy modules imported by the CLI module itself", loaded])
    probe_info = ("import sys\n"
                  "from deconv_anim.cli import main\n"
                  "try:\n"
                  f"    main(['info', {config!r}])\n"
                  "except SystemExit:\n"
                  "    pass\n"
                  "print(','.join(m for m in ('numpy', 'PIL', 'imageio') "
                  "if m in sys.modules) or 'none')")
    loaded = run([sys.executable, "-c", probe_info]).stdout.strip().splitlines()[-1]
    rows.append(["heavy modules imported by `info`", loaded])
    table(f"Start-up (median of {repeat})", ["command", "seconds"], rows)


def versus(repeat: int, work: Path, base: Path | None = None) -> None:
    base = base or Path("/tmp/base")
    if not (base / "src" / "deconv_anim").is_dir():
        print(f"\n### versus: skipped (no tree at {base}: git worktree add {base} 7754439)")
        return
    import compileall

    compileall.compile_dir(str(base / "src" / "deconv_anim"), quiet=1)
    trees = {"before": base / "src", "after": ROOT / "src"}
    configs = work / "ref-configs"
    write_reference_yaml(configs)

    def cli(tree: str, *args: str) -> float:
        env = {**os.environ, "PYTHONPATH": str(trees[tree])}
        start = time.perf_counter()
        run([sys.executable, "-m", "deconv_anim", *args], env=env)
        return time.perf_counter() - start

    big = ["--op", "conv", "--size", "32", "--kernel", "3", "--padding", "same",
           "--max-frames", "2000"]
    mid = ["--op", "conv", "--size", "16", "--kernel", "3", "--padding", "same"]
    jobs = {
        "render conv 32x32 same, 1,024 frames (.gif)":
            lambda t: cli(t, "render", *big, "-o", str(work / f"big-{t}.gif")),
        "gallery --jobs 2 --force, the 15 reference configs":
            lambda t: cli(t, "gallery", str(configs), "-o", str(work / f"gal-{t}"), "--force",
                          "--jobs", "2"),
        "render conv 16x16 same, 256 frames (.gif)":
            lambda t: cli(t, "render", *mid, "-o", str(work / f"mid-{t}.gif")),
        "render conv 16x16 same, 256 frames (.mp4)":
            lambda t: cli(t, "render", *mid, "-o", str(work / f"mid-{t}.mp4")),
    }
    rows = []
    for label, job in jobs.items():
        times: dict[str, list[float]] = {"before": [], "after": []}
        for _ in range(max(1, repeat)):
            for tree in times:  # interleaved: a machine that slows down slows both
                times[tree].append(job(tree))
        b, a = (statistics.median(times[t]) for t in ("before", "after"))
        pairs = sorted(x / y for x, y in zip(times["after"], times["before"]))
        rows.append([label, f"{b:.2f}", f"{a:.2f}",
                     f"**{a / b:.2f}** ({pairs[0]:.2f}-{pairs[-1]:.2f})"])
    same = (work / "big-before.gif").read_bytes() == (work / "big-after.gif").read_bytes()
    table(f"Before ({base.name}) and after, wall seconds (median of {max(1, repeat)}, "
          f"interleaved; pairwise ratios in brackets); the 1,024-frame GIFs "
          f"{'are byte-identical' if same else 'DIFFER'}",
          ["run", "before", "after", "after / before"], rows)
    sizes = [[f"{kind}, {tree}", f"{(work / f'mid-{tree}.{kind}').stat().st_size:,}"]
             for kind in ("gif", "mp4") for tree in ("before", "after")]
    table("The 256-frame figure's files (bytes)", ["file", "bytes"], sizes)


def player(repeat: int, work: Path, base: Path | None = None) -> None:
    sys.path.insert(0, str(Path(__file__).parent))
    from player_bench import player as run_player

    run_player(repeat, work, base, table=table)


CHANNEL_FRAMES = 96  # frames rendered of each figure (the 3->8 layer has 8,192)
CHANNEL_CELL = 12  # style.cell of both (at the default 30 the 3->8 layer passes the budget)


class _First:
    """The first ``count`` frames of a run that draws ranges of frames (so the GIF writer
    draws them in two processes, as a render of the whole figure does)."""

    def __init__(self, run: Any, count: int) -> None:
        self.run, self.count = run, count

    def prepare(self, peer: Any = None, role: int = 0) -> None:
        self.run.prepare(peer, role)

    def frames_between(self, start: int, stop: int) -> Any:
        return self.run.frames_between(start, min(stop, self.count))

    def __iter__(self) -> Any:
        return self.run.frames_between(0, self.count)


def _first(frames: Any, count: int) -> Any:
    """The first ``count`` of ``frames``: in ranges where the painter draws them so."""
    import itertools

    if callable(getattr(frames, "frames_between", None)):
        return _First(frames, count)
    return itertools.islice(frames, count)


def channels(repeat: int, work: Path) -> None:
    """Issue 19, target 5: the per-frame time of a 3->8-channel conv on 32x32 versus the
    single-channel figure of the same size (kernel 3, padding same, both at cell 12).

    Each figure is prepared and its first 96 frames, then (a fresh run) its first 480,
    written through the GIF writer in this process, runs interleaved, medians. Two
    numbers per figure: the time of 96 frames over 96 (set-up included: the static
    picture is painted once), and the marginal time of a frame, (t(480) - t(96)) / 384
    (set-up excluded). The same again without the GIF writer (the frames only) says how
    much of it is painting."""
    from deconv_anim.config import resolve_config
    from deconv_anim.encode import Timing, write
    from deconv_anim.prepare import prepare

    base = {"op": "conv", "size": 32, "kernel": 3, "padding": "same",
            "style": {"cell": CHANNEL_CELL}}
    figures = {"single channel": base,
               "3->8 channels": {**base, "in_channels": 3, "out_channels": 8}}
    counts = (CHANNEL_FRAMES, 5 * CHANNEL_FRAMES)  # (192 - 96 frames of the single-channel
    # figure cost about as much as its run-to-run noise: its marginal ratio came out negative)
    times: dict[tuple, list[float]] = {}
    sizes: dict[str, tuple[int, int]] = {}

    def cpu() -> float:  # this process and its children (the GIF worker, once ended)
        own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(
            resource.RUSAGE_CHILDREN)
        return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime

    for _ in range(repeat):
        for gif in (True, False):
            for name, keys in figures.items():
                for count in counts:
                    start, start_cpu = time.perf_counter(), cpu()
                    raster = prepare(resolve_config(keys))
                    frames = _first(raster.frames(), count)
                    if gif:  # count frames: count - 1 steps and a held last frame
                        write(work / "channels.gif", frames, size=raster.size,
                              palette=raster.palette, count=count - 1, timing=Timing())
                    else:
                        for _frame in frames:
                            pass
                    times.setdefault(("wall", gif, name, count), []).append(
                        time.perf_counter() - start)
                    times.setdefault(("cpu", gif, name, count), []).append(cpu() - start_cpu)
                    sizes[name] = raster.size
    for gif in (True, False):
        for clock in ("wall", "cpu"):
            med = {(name, n): statistics.median(times[(clock, gif, name, n)])
                   for name in figures for n in counts}
            per = {name: med[(name, counts[0])] / counts[0] for name in figures}
            marginal = {name: (med[(name, counts[1])] - med[(name, counts[0])])
                        / (counts[1] - counts[0]) for name in figures}
            single = "single channel"
            rows = [[name, f"{sizes[name][0]}x{sizes[name][1]}", f"{per[name] * 1000:.1f}",
                     f"{per[name] / per[single]:.1f}", f"{marginal[name] * 1000:.2f}",
                     f"{marginal[name] / marginal[single]:.1f}"] for name in figures]
            what = "to GIF" if gif else "frames only, no encoding"
            unit = ("wall ms" if clock == "wall"
                    else "CPU ms (this process + the GIF worker)")
            table(f"Channels: conv 32x32, kernel 3, padding same, cell {CHANNEL_CELL}, "
                  f"{what}, {unit} (median of {repeat} interleaved)",
                  ["figure", "canvas", f"a frame ({counts[0]}, set-up incl.)", "/ single",
                   f"marginal a frame ({counts[1]} - {counts[0]})", "/ single"], rows)


SECTIONS = {"overhead": overhead, "size": size, "tools": tools, "scaling": scaling,
            "gallery": gallery, "startup": startup, "versus": versus, "player": player,
            "channels": channels}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sections", nargs="*", choices=[*SECTIONS, []], default=[])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--base", type=Path, default=None,
                        help="the older tree of `versus` (default /tmp/base)")
    args = parser.parse_args()
    chosen = args.sections or list(SECTIONS)
    # Byte-compile the package, as installing a wheel does: an editable install run with
    # PYTHONDONTWRITEBYTECODE set would otherwise compile every module in every process.
    import compileall

    import deconv_anim

    compileall.compile_dir(str(Path(deconv_anim.__file__).parent), quiet=1)
    print(f"deconv-anim benchmarks: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory() as tmp:
        for name in chosen:
            slow = name in ("tools", "scaling", "gallery", "versus", "channels")
            times = max(1, min(args.repeat, 3)) if slow else args.repeat
            if name in ("versus", "player"):
                SECTIONS[name](times, Path(tmp), args.base)
            else:
                SECTIONS[name](times, Path(tmp))
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
