"""A Sphinx extension: ``.. deconv-anim::`` renders an animation while the docs build.

In ``conf.py``::

    extensions = ["deconv_anim.sphinx"]
    deconv_anim_format = "gif"      # default :format: (gif, png, webp, mp4, svg, html)
    deconv_anim_cache_dir = None    # default: <doctree dir>/deconv-anim (never published)

In a page, a config file (relative to the page, or to the source folder with a leading
``/``), a ``:preset:``, or options alone; every config key is an option (``:op:``,
``:size:``, ``:output_padding:``, ``:cell:``, ...) and overrides the file's::

    .. deconv-anim:: ../configs/padding_strides_transposed.yaml
       :format: svg
       :width: 300px

    .. deconv-anim::
       :op: transposed
       :size: 3
       :stride: 2
       :alt: A 3x3 map upsampled to 5x5

Options of the directive itself: ``:format:``, ``:width:``, ``:align:``, ``:alt:`` (default:
the op and its shapes in words, see :func:`deconv_anim.embed.alt_text`), ``:frame:``
(the frame a builder that cannot animate shows, LaTeX for one: from 0, negative from the
end; default -1, the last, where the output is complete), ``:code:`` (``torch``,
``tf`` or ``keras``: a runnable snippet computing the op in that framework, as a code block
under the figure) and ``:player:`` (a flag, the same as ``:format: html``: the interactive
HTML player, inline in the page, instead of the GIF; LaTeX builds still get the PNG)::

    .. deconv-anim:: ../configs/dilation.yaml
       :player:

Each render is cached under the build folder by the sha256 of the resolved config, the
format and the renderer's ``FORMAT_VERSION``: an unchanged figure is not rendered again,
and editing a config file rebuilds the pages that use it.
"""

from __future__ import annotations

import hashlib
import json
import os
import posixpath
from pathlib import Path
from typing import Any

from .errors import DeconvAnimError, MissingDependencyError
from .formats import FORMAT_NAMES
from .formats import FORMATS as FORMAT_TABLE

try:
    from docutils import nodes
    from docutils.parsers.rst import directives
    from sphinx.transforms.post_transforms import SphinxPostTransform
    from sphinx.util.docutils import SphinxDirective
except ImportError:  # pragma: no cover - the docs extra is missing
    raise MissingDependencyError("the Sphinx extension needs Sphinx: "
                                 "pip install 'deconv-anim[docs]'") from None

__all__ = ["DeconvAnimDirective", "setup"]

FORMATS = FORMAT_NAMES
"""The ``:format:`` choices: the names of :data:`deconv_anim.formats.FORMATS`, whose MIME
type is matched against a builder's image types (an APNG is ``image/apng``, not the still
``image/png`` a LaTeX builder takes: it would show the APNG's first frame)."""
_OWN_OPTIONS = ("preset", "format", "width", "align", "alt", "frame", "class", "code",
                "player")


class deconv_anim_figure(nodes.General, nodes.Element):  # docutils names nodes in lower case
    """Both renditions of a figure: the animation, then the still; a post-transform keeps
    the one the builder can show."""


class deconv_anim_video(nodes.image):
    """An MP4, copied like an image, written as a ``<video>`` by HTML builders."""


def _config_keys() -> list[str]:
    from .config import KEYS, STYLE_KEYS

    keys = [k for k in KEYS if k not in ("style", "output")]
    return [*keys, *(k for k in STYLE_KEYS if k not in keys)]


def _flag_value(text: str | None) -> str:
    return "true" if text is None or not text.strip() else text


def _option_spec() -> dict[str, Any]:
    spec: dict[str, Any] = {}
    for key in _config_keys():
        spec[key] = _flag_value
        spec[key.replace("_", "-")] = _flag_value
    spec.update({
        "preset": directives.unchanged_required,
        "format": lambda arg: directives.choice(arg, FORMATS),
        "width": directives.length_or_percentage_or_unitless,
        "align": lambda arg: directives.choice(arg, ("left", "center", "right")),
        "alt": directives.unchanged,
        "frame": int,
        "class": directives.class_option,
        "code": lambda arg: directives.choice(arg, ("torch", "tf", "keras")),
        "player": directives.flag,
    })
    return spec


def _overrides(options: dict[str, Any]) -> dict[str, Any]:
    """The directive's config-key options, parsed as the command line parses its flags."""
    from .config import flag_overrides

    return flag_overrides({name.replace("-", "_"): text for name, text in options.items()
                           if name not in _OWN_OPTIONS})


class DeconvAnimDirective(SphinxDirective):
    """``.. deconv-anim:: [CONFIG]`` with config keys and display options."""

    optional_arguments = 1
    final_argument_whitespace = False
    has_content = False
    option_spec = _option_spec()

    def run(self) -> list[nodes.Node]:
        from . import __version__
        from .animation import FORMAT_VERSION, render
        from .config import resolve_config
        from .embed import alt_text

        env = self.env
        fmt = self.options.get("format") or env.config.deconv_anim_format
        if "player" in self.options:
            fmt = "html"
        if fmt not in FORMATS:
            return [self.reporter.error(f"deconv-anim: unknown format {fmt!r} (known: "
                                        f"{', '.join(FORMATS)})", line=self.lineno)]
        try:
            overrides = _overrides(self.options)
            if self.arguments:
                rel, path = env.relfn2path(self.arguments[0], env.docname)
                env.note_dependency(rel)
                config = resolve_config(path, overrides, kind="path")
            else:
                config = resolve_config(self.options.get("preset"), overrides, kind="preset",
                                        base_dir=env.srcdir)
            name = config.name
            mapping = {k: v for k, v in (config.document or {}).items() if k != "output"}
            frame = self.options.get("frame", -1)
            key = json.dumps({"config": mapping, "format_version": FORMAT_VERSION,
                              "version": __version__}, sort_keys=True, default=str)
            digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]
            cache = _cache_dir(self.env.app)
            animation = cache / f"{name}-{digest}.{fmt}"
            still = cache / f"{name}-{digest}-still{frame:+d}.png"
            if not animation.exists() and fmt == "html":  # the player: a fragment
                from .animation import Animation

                animation.write_text(Animation(config).to_html(), encoding="utf-8")
            elif not animation.exists():
                render(config, animation)
            if not still.exists():
                render(config, still, frame=frame)
        except DeconvAnimError as error:
            return [self.reporter.error(f"deconv-anim: {error}", line=self.lineno)]

        alt = self.options.get("alt") or alt_text(config)
        attrs: dict[str, Any] = {"alt": alt}
        for option in ("width", "align"):
            if option in self.options:
                attrs[option] = self.options[option]
        classes = ["deconv-anim", *self.options.get("class", [])]
        video = FORMAT_TABLE[fmt].video
        kind = deconv_anim_video if video else nodes.image
        extra = ["no-scaled-link"] if video else []
        if fmt == "html":
            moving = nodes.raw("", animation.read_text(encoding="utf-8"), format="html",
                               classes=classes)
        else:
            moving = kind(uri=self._uri(animation), classes=[*classes, *extra], **attrs)
        frozen = nodes.image(uri=self._uri(still), classes=classes, **attrs)
        holder = deconv_anim_figure("", moving, frozen, mime=FORMAT_TABLE[fmt].mime)
        self.set_source_info(holder)
        if "code" not in self.options:
            return [holder]
        from .codegen import snippet as code_snippet

        text = code_snippet(config.spec, self.options["code"]).rstrip("\n")
        block = nodes.literal_block(text, text, language="python",
                                    classes=["deconv-anim-code"])
        self.set_source_info(block)
        return [holder, block]

    def _uri(self, path: Path) -> str:
        """``path`` as an image URI Sphinx resolves (relative to the source folder)."""
        return "/" + Path(os.path.relpath(path, self.env.srcdir)).as_posix()


def _cache_dir(app: Any) -> Path:
    folder = app.config.deconv_anim_cache_dir
    if folder:
        return Path(app.confdir, folder).resolve()
    return Path(app.doctreedir).resolve() / "deconv-anim"


class ChooseRendition(SphinxPostTransform):
    """Keep the animation where the builder can show it (HTML, or its image types), else
    the still frame (LaTeX and other print builders)."""

    default_priority = 5  # before Sphinx's image converters

    def run(self, **kwargs: Any) -> None:
        builder = self.app.builder
        for holder in list(self.document.findall(deconv_anim_figure)):
            moving, frozen = holder.children
            animated = builder.format == "html" or (
                holder["mime"] in builder.supported_image_types)
            holder.replace_self(moving if animated else frozen)


def _visit_video(self: Any, node: deconv_anim_video) -> None:
    uri = node["uri"]
    if uri in self.builder.images:
        uri = posixpath.join(self.builder.imgpath, self.builder.images[uri])
    attrs = {"src": uri, "title": node.get("alt", ""), "aria-label": node.get("alt", "")}
    if "width" in node:
        attrs["width"] = node["width"]
    tag = self.starttag(node, "video", "", CLASS="deconv-anim", **attrs).rstrip("\n")
    tag = tag[:-1] + " autoplay loop muted playsinline>"
    self.body.append(tag + "</video>\n")
    raise nodes.SkipNode


def _skip(self: Any, node: nodes.Node) -> None:
    raise nodes.SkipNode


def setup(app: Any) -> dict[str, Any]:
    """Register the directive, its nodes and its config values."""
    from . import __version__

    app.add_config_value("deconv_anim_format", "gif", "env", types=[str])
    app.add_config_value("deconv_anim_cache_dir", None, "env")
    app.add_node(deconv_anim_figure, html=(_skip, None), latex=(_skip, None),
                 text=(_skip, None), man=(_skip, None), texinfo=(_skip, None))
    app.add_node(deconv_anim_video, html=(_visit_video, None), latex=(_skip, None),
                 text=(_skip, None), man=(_skip, None), texinfo=(_skip, None))
    app.add_directive("deconv-anim", DeconvAnimDirective)
    app.add_post_transform(ChooseRendition)
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
