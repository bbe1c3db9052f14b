"""The cost estimate of deconv_anim.budget against what a render and a trace really do, and
the memory a render admitted by the guard really takes (in a subprocess under a limit)."""

from __future__ import annotations

import resource
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deconv_anim import budget, config_from_mapping, make_spec, trace
from deconv_anim.animation import look_of, prepare, render
from deconv_anim.encode import Timing, _repeats, _video_fps
from deconv_anim.errors import ConfigError

small_specs = st.fixed_dictionaries(
    {"op": st.sampled_from(["conv", "transposed", "maxpool", "avgpool"]),
     "size": st.integers(1, 7), "kernel": st.integers(1, 4)},
    optional={"stride": st.integers(1, 3), "padding": st.sampled_from(["valid", "same", 1]),
              "dilation": st.integers(1, 2), "view": st.sampled_from(["gather", "scatter",
                                                                      "both"])})


def _spec(kwargs):
    try:
        return make_spec(**kwargs)
    except ConfigError:
        return None


@settings(max_examples=200, deadline=None)
@given(kwargs=small_specs)
def test_taps_bound_the_trace(kwargs) -> None:
    """The taps estimate is steps x kernel cells: at least the taps the trace lists, and
    exactly them when every window lies inside the input (a valid convolution)."""
    spec = _spec(kwargs)
    if spec is None:
        return
    views = ("gather", "scatter") if spec.view == "both" else (spec.view,)
    listed = sum(len(step.taps) for view in views for step in trace(spec, view))
    cost = budget.estimate(spec)
    assert cost.taps >= listed
    naive = sum(1 for view in views for _ in range(spec.steps(view))
                for _ in range(spec.kernel_size[0] * spec.kernel_size[1]))
    assert cost.taps == naive
    if spec.op in ("conv", "maxpool", "avgpool") and spec.padding == (0, 0, 0, 0):
        assert cost.taps == listed


def _shown(durations, rate) -> list[int]:
    """Naive: the video frames each animation frame covers, from its start and end times."""
    shown, start = [], 0
    for ms in durations:
        shown.append(round((start + ms) * rate / 1000) - round(start * rate / 1000))
        start += ms
    return shown


@settings(max_examples=150, deadline=None)
@given(duration=st.integers(5, 5000), hold=st.integers(0, 5000), tween=st.integers(0, 60),
       steps=st.integers(1, 50), fps=st.none() | st.floats(0.1, 120))
def test_video_frames_are_what_the_mp4_writer_sends(duration, hold, tween, steps, fps) -> None:
    """Every step reaches the video (issue 18, item 17), or the rate is refused; the
    guard's rate and video frames are the MP4 writer's."""
    timing = Timing(duration, hold, tween)
    durations = timing.durations(steps)
    spec = make_spec(op="conv", size=[1, steps], kernel=1)  # `steps` steps
    try:
        rate = _video_fps(durations, fps, tween, duration)
    except ConfigError as error:
        assert error.key == ("--fps" if fps is not None else "duration")
        top = Fraction(fps).limit_denominator(1001) if fps is not None else budget.MAX_FPS
        assert min(_shown(durations, top)) < 1  # it would have dropped a step
        with pytest.raises(ConfigError):
            budget.check(budget.estimate(spec, tween=tween, duration=duration, hold=hold,
                                         video=True, fps=fps))
        return
    sent = _repeats(durations, rate)
    assert sent == _shown(durations, rate) and min(sent) >= 1
    if fps is not None:
        assert rate == Fraction(fps).limit_denominator(1001)
    assert budget.video_rate(duration, hold, tween, fps, steps) == pytest.approx(float(rate),
                                                                                 rel=1e-3)
    cost = budget.estimate(spec, tween=tween, duration=duration, hold=hold, video=True, fps=fps)
    # the writer's rate is the float's nearest fraction with a denominator up to 1001
    assert abs(cost.video_frames - sum(sent)) <= 1 + sum(sent) // 1000


@pytest.mark.parametrize("duration, hold, tween, steps, rate", [
    (20, 1, 0, 4, 56),      # --duration 20 --hold 1: 30 fps would show 2 of 4 steps (and
                            # the 1 ms final frame needs 56)
    (1000, 0, 60, 4, 120),  # --tween 60: 60 in-between frames share 500 ms: 120 fps
    (1000, 0, 0, 4, 1),     # one video frame per step
    (1000, 0, 2, 3, 4),     # one per in-between frame: 2 share 500 ms
])
def test_an_automatic_rate_is_raised_until_every_step_shows(duration, hold, tween, steps,
                                                             rate) -> None:
    durations = Timing(duration, hold, tween).durations(steps)
    assert _video_fps(durations, None, tween, duration) == rate
    assert min(_repeats(durations, Fraction(rate))) >= 1
    if rate > 1:
        assert min(_repeats(durations, Fraction(rate - 1))) < 1  # the least such rate


def test_x264_limits_are_refused_before_ffmpeg_starts() -> None:
    """Issue 18, items 10 and 18: a frame side x264 refuses, and frames whose encoding
    would exceed the memory budget, are refused by the guard with a line."""
    spec = make_spec(op="conv", size=5, kernel=3)
    budget.check(budget.estimate(spec, canvas=(16384, 40), video=True))
    with pytest.raises(ConfigError, match="side of 16386 pixels is more than the 16384 x264"):
        budget.check(budget.estimate(spec, canvas=(16385, 40), video=True))
    budget.check(budget.estimate(spec, canvas=(16385, 40)))  # a GIF may be that wide
    side = 2700  # 7.3 MP: about 780 MB in ffmpeg
    with pytest.raises(ConfigError, match="encoding the video would take about"):
        budget.check(budget.estimate(spec, canvas=(side, side), video=True))


@pytest.mark.parametrize("mapping, tween", [
    ({"op": "conv", "size": 4, "kernel": 2}, 0),
    ({"op": "transposed", "size": 2, "kernel": 3, "stride": 2, "view": "both"}, 2),
    ({"op": "maxpool", "size": 4, "kernel": 2, "values": True}, 1),
])
def test_frames_and_pixels_are_what_a_render_writes(tmp_path: Path, mapping, tween) -> None:
    config = config_from_mapping({**mapping, "style": {"cell": 8}})
    raster = prepare(config)
    cost = budget.estimate(config.spec, canvas=raster.size, cell=look_of(config).cell,
                           tween=tween)
    result = render(config, tmp_path / "x.gif", tween=tween)
    assert cost.frames == result.frames
    assert cost.painted_pixels == result.frames * result.size[0] * result.size[1]
    panels = 2 if config.spec.view == "both" else 1
    kernel = config.spec.kernel_size[0] * config.spec.kernel_size[1]
    assert cost.window_work == result.frames * kernel * panels


def test_each_budget_refuses_just_over_its_limit() -> None:
    spec = make_spec(op="conv", size=5, kernel=3)
    base = budget.estimate(spec)
    budget.check(base)
    for field, limit in (("window_cells", budget.MAX_WINDOW_CELLS),
                         ("window_work", budget.MAX_WINDOW_WORK),
                         ("static_cells", budget.MAX_STATIC_CELLS),
                         ("painted_pixels", budget.MAX_PAINTED_PIXELS),
                         ("video_frames", budget.MAX_VIDEO_FRAMES),
                         ("memory", budget.MAX_MEMORY_BYTES)):
        budget.check(_with(base, field, limit))
        with pytest.raises(ConfigError, match="budget"):
            budget.check(_with(base, field, limit + 1))
    budget.check(_with(base, "taps", budget.MAX_TAPS + 1))  # taps: only for --steps
    budget.check(_with(base, "taps", budget.MAX_TAPS), steps=True)
    with pytest.raises(ConfigError, match=r"^--steps: "):
        budget.check(_with(base, "taps", budget.MAX_TAPS + 1), steps=True)


def _with(cost: budget.Cost, field: str, value: int) -> budget.Cost:
    from dataclasses import replace

    return replace(cost, **{field: value})


def test_the_guard_refuses_before_any_drawing(monkeypatch: pytest.MonkeyPatch) -> None:
    """A refused figure builds no raster: the window and grid budgets come first."""
    from deconv_anim import prepare as render_module

    def no_drawing(*args, **kwargs):
        raise AssertionError("drawn")

    monkeypatch.setattr(render_module, "build_scene", no_drawing)
    for mapping, key in (({"op": "conv", "size": 1000, "kernel": 1000}, "kernel"),
                         ({"op": "conv", "size": 1000, "kernel": 902}, "kernel"),
                         ({"op": "conv", "size": 1000, "kernel": 1, "stride": 1000}, "size")):
        with pytest.raises(ConfigError) as error:
            prepare(config_from_mapping({**mapping, "style": {"cell": 4}}))
        assert error.value.key == key


# --------------------------------------------------------------------------------------
# Memory: the largest admitted figure renders within 1 GB of address space
# --------------------------------------------------------------------------------------

LARGEST = ["--op", "conv", "--size", "30", "--kernel", "30", "--cell", "68"]
"""The figure with the largest memory estimate the guard admits at default settings
(a search over shapes and cells; two more pixels per cell are refused)."""
LIMIT = 1 << 30


def _run_limited(args: list[str], cwd: Path) -> tuple[int, str]:
    """Run ``deconv-anim ARGS`` under RLIMIT_AS = 1 GiB: (exit code, stderr)."""
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (LIMIT, LIMIT))

    run = subprocess.run([sys.executable, "-m", "deconv_anim", *args], cwd=cwd,
                         preexec_fn=limit, capture_output=True, text=True, timeout=900)
    return run.returncode, run.stderr


def test_the_largest_admitted_figure_is_at_the_memory_budget() -> None:
    config = config_from_mapping({"op": "conv", "size": 30, "kernel": 30, "style": {"cell": 68}})
    raster = prepare(config)  # admitted
    cost = budget.estimate(config.spec, canvas=raster.size, cell=68)
    assert cost.memory > 0.95 * budget.MAX_MEMORY_BYTES
    with pytest.raises(ConfigError, match="MB of memory"):
        prepare(config_from_mapping({"op": "conv", "size": 30, "kernel": 30,
                                     "style": {"cell": 70}}))


@pytest.mark.slow
@pytest.mark.skipif(sys.platform != "linux", reason="RLIMIT_AS as on Linux")
def test_the_largest_admitted_figure_renders_within_1_gb(tmp_path: Path) -> None:
    code, err = _run_limited(["render", *LARGEST, "-o", "x.gif"], tmp_path)
    assert code == 0, err
    assert (tmp_path / "x.gif").stat().st_size > 0


PEAK = """\
import resource, sys
from deconv_anim.cli import main
try:
    main(sys.argv[1:])
except SystemExit as stop:
    assert not stop.code, stop.code
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


@pytest.mark.slow
@pytest.mark.skipif(sys.platform != "linux", reason="ru_maxrss in kB as on Linux")
def test_memory_does_not_grow_with_the_frame_count(tmp_path: Path) -> None:
    """Four times the frames (in-between frames), the same canvas: the same peak."""
    peaks = []
    for tween in (0, 3):
        run = subprocess.run(
            [sys.executable, "-c", PEAK, "render", "--op", "conv", "--size", "12", "--kernel",
             "1", "--cell", "40", "--tween", str(tween), "-o", f"t{tween}.gif"],
            cwd=tmp_path, capture_output=True, text=True, timeout=900)
        assert run.returncode == 0, run.stderr
        peaks.append(int(run.stdout.split()[-1]))
    assert peaks[1] <= peaks[0] * 1.1 + 20_000, peaks  # kB
