"""The Sphinx extension, through real ``sphinx-build`` runs of a tiny project: HTML shows
the animations (an ``<img>``, a ``<video>`` for MP4), LaTeX includes a still PNG, and a
second build renders nothing again."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("sphinx", reason="the docs extra (sphinx) is not installed")

from deconv_anim.sphinx import DeconvAnimDirective

CONF = """\
project = "tiny"
extensions = ["deconv_anim.sphinx"]
deconv_anim_cache_dir = "../cache"
"""

INDEX = """\
Tiny
====

.. deconv-anim:: ../configs/up.yaml
   :width: 200px

.. deconv-anim::
   :op: transposed
   :size: 2
   :kernel: 3
   :cell: 10
   :format: mp4
   :alt: Two by two up to four by four

.. toctree::

   sub/page
"""

PAGE = """\
Page
====

.. deconv-anim:: /../configs/up.yaml
   :format: svg
   :frame: 0
   :code: torch

.. deconv-anim:: /../configs/up.yaml
   :player:
   :frame: 1
"""

CONFIG = "title: Up\nop: transposed\nsize: 3\nkernel: 3\nstride: 2\npadding: 1\n" \
         "style:\n  cell: 10\n"


def build(project: Path, builder: str, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sphinx", "-q", "-W", "-b", builder,
                           *extra, str(project / "src"), str(project / "out" / builder)],
                          capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("tiny")
    (root / "src" / "sub").mkdir(parents=True)
    (root / "configs").mkdir()
    (root / "src" / "conf.py").write_text(CONF)
    (root / "src" / "index.rst").write_text(INDEX)
    (root / "src" / "sub" / "page.rst").write_text(PAGE)
    (root / "configs" / "up.yaml").write_text(CONFIG)
    for builder in ("html", "latex"):
        result = build(root, builder)
        assert result.returncode == 0, result.stderr
    return root


def test_every_config_key_is_an_option():
    from deconv_anim.config import KEYS, STYLE_KEYS

    spec = DeconvAnimDirective.option_spec
    for key in [*KEYS, *STYLE_KEYS]:
        if key not in ("style", "output"):
            assert key in spec and key.replace("_", "-") in spec
    for own in ("format", "width", "alt", "frame", "preset", "player"):
        assert own in spec


def test_html_shows_the_animations(project):
    html = (project / "out" / "html" / "index.html").read_text()
    img = re.search(r'<img [^>]*src="(_images/up-[0-9a-f]{16}\.gif)"[^>]*>', html)
    assert img, html
    assert ('alt="Transposed convolution: 3x3 input, 3x3 kernel, stride 2, padding 1 -&gt; '
            '5x5 output, 26 frames"') in img[0]
    assert "width: 200px" in img[0]
    gif = project / "out" / "html" / img[1]
    assert gif.read_bytes()[:6] == b"GIF89a"
    video = re.search(r'<video [^>]*src="(_images/[^"]+\.mp4)"[^>]*>', html)
    assert video and 'title="Two by two up to four by four"' in video[0]
    assert "autoplay loop muted playsinline" in video[0]
    assert (project / "out" / "html" / video[1]).stat().st_size > 1000
    page = (project / "out" / "html" / "sub" / "page.html").read_text()
    svg = re.search(r'<img [^>]*src="\.\./(_images/up-[0-9a-f]{16}\.svg)"', page)
    assert svg and (project / "out" / "html" / svg[1]).read_text().startswith("<svg")
    assert not list((project / "out" / "html" / "_images").glob("*.png"))  # no stills


def test_player_option_embeds_the_player(project):
    page = (project / "out" / "html" / "sub" / "page.html").read_text()
    assert page.count("<div data-deconv-anim ") == 1 and "<img data-fallback" not in page
    assert 'data-steps="25"' in page and "<script>(function (me)" in page
    assert not list((project / "out" / "html" / "_images").glob("*.html"))


def test_code_option_adds_the_framework_snippet(project):
    import html as html_lib

    page = (project / "out" / "html" / "sub" / "page.html").read_text()
    block = re.search(r'<div class="deconv-anim-code highlight-python notranslate">'
                      r'(.*?)</div>\s*</div>', page, re.S)
    assert block, page
    text = html_lib.unescape(re.sub(r"<[^>]+>", "", block[1]))
    assert "nn.ConvTranspose2d(1, 1, kernel_size=(3, 3), stride=(2, 2)" in text
    assert "print(tuple(" in text
    index = (project / "out" / "html" / "index.html").read_text()
    assert "deconv-anim-code" not in index  # only where asked


def test_latex_includes_a_still_png(project):
    tex = next((project / "out" / "latex").glob("*.tex")).read_text()
    names = re.findall(r"\\sphinxincludegraphics(?:\[[^\]]*\])?\{\{([^}]+)\}\.png\}", tex)
    assert len(names) == 4, tex  # the player's figure too
    for name in names:
        png = project / "out" / "latex" / f"{name}.png"
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert any(name.endswith("still-1") for name in names)  # the last frame by default
    assert any(name.endswith("still+0") for name in names)  # :frame: 0
    assert any(name.endswith("still+1") for name in names)  # the player's still
    assert "data-deconv-anim" not in tex
    assert not list((project / "out" / "latex").glob("*.gif"))


def test_renders_are_cached(project):
    cache = project / "cache"
    files = {p: p.stat().st_mtime_ns for p in cache.iterdir()}
    assert len(files) == 8  # 2 configs (+2 formats) x (animation + still), shared by builders
    result = build(project, "html", "-E")  # read every page again
    assert result.returncode == 0, result.stderr
    assert {p: p.stat().st_mtime_ns for p in cache.iterdir()} == files


@pytest.mark.slow
def test_a_bad_config_fails_the_build(tmp_path):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "conf.py").write_text(CONF)
    (tmp_path / "src" / "index.rst").write_text(
        "Bad\n===\n\n.. deconv-anim::\n   :op: conv\n   :size: 3\n   :kernel: 5\n")
    result = build(tmp_path, "html")
    assert result.returncode != 0
    assert "deconv-anim:" in result.stderr and "kernel" in result.stderr
