"""Atomic writes (deconv_anim.atomic): a file appears whole or not at all."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from deconv_anim import atomic
from deconv_anim.atomic import atomic_output, write_atomic
from deconv_anim.errors import OutputError

TEMP = re.compile(r"^\.(?P<name>.+)\.(?P<pid>\d+)\.\w+\.tmp$")


def temps(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_nothing_at_the_path_until_the_block_succeeds(tmp_path):
    path = tmp_path / "new" / "x.bin"
    with atomic_output(path) as handle:
        handle.write(b"abc")
        assert not path.exists()
        (temp,) = temps(path.parent)
        match = TEMP.match(temp)  # the name remove_stale_temps recognises
        assert match and match["name"] == "x.bin" and int(match["pid"]) == os.getpid()
        assert handle.name == str(path.parent / temp)
    assert path.read_bytes() == b"abc"
    assert temps(path.parent) == []


def test_the_file_gets_the_umask_permissions(tmp_path):
    path = tmp_path / "x.bin"
    write_atomic(path, b"abc")
    umask = os.umask(0)
    os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask


@pytest.mark.parametrize("exc", [ValueError("boom"), KeyboardInterrupt()],
                         ids=["error", "interrupt"])
def test_a_failure_keeps_the_previous_file_and_no_temp(tmp_path, exc):
    path = tmp_path / "x.bin"
    write_atomic(path, b"previous")
    with pytest.raises(type(exc)), atomic_output(path) as handle:
        handle.write(b"partial")
        raise exc
    assert path.read_bytes() == b"previous"
    assert temps(tmp_path) == []


def test_an_interrupted_rename_leaves_no_temp(tmp_path, monkeypatch):
    def interrupt(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(atomic.os, "replace", interrupt)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(tmp_path / "README.md", b"text")
    assert list(tmp_path.iterdir()) == []


def test_os_errors_are_one_line_output_errors_naming_the_path(tmp_path):
    with pytest.raises(OutputError, match="is a directory"):
        write_atomic(tmp_path, b"")
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(OutputError, match=r"cannot create the folder .*file is a file"):
        write_atomic(blocker / "x.gif", b"")
    with pytest.raises(OutputError) as caught:
        write_atomic(tmp_path / ("x" * 300), b"")  # a name too long for the file system
    assert "\n" not in str(caught.value) and str(caught.value).startswith(str(tmp_path))
    assert temps(tmp_path) == []


@pytest.mark.skipif(not hasattr(__import__("signal"), "pthread_sigmask"), reason="POSIX")
def test_an_interrupt_while_the_temp_file_is_made_leaves_none(tmp_path, monkeypatch):
    """Ctrl-C right after the temp file exists, before its name is returned: held back
    until the name is known, then raised, and the file removed."""
    import signal
    import tempfile

    real = tempfile.mkstemp

    def mkstemp(*args: object, **kwargs: object) -> tuple[int, str]:
        import threading

        made = real(*args, **kwargs)  # type: ignore[call-overload]
        # to this thread (a signal to the process may be taken by any other thread, and
        # then handled a moment later, outside the block under test)
        signal.pthread_kill(threading.get_ident(), signal.SIGINT)
        return made

    monkeypatch.setattr(tempfile, "mkstemp", mkstemp)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(tmp_path / "x.gif", b"data")
    assert list(tmp_path.iterdir()) == []


# ----------------------------------------------------------------------------- issue 18


def test_a_failed_write_removes_the_folders_it_created(tmp_path):
    """Item 16: a write into new/sub/deep/x.gif that fails leaves no empty folder behind,
    and a folder that was there before stays."""
    (tmp_path / "a").mkdir()
    target = tmp_path / "a" / "new" / "sub" / "deep" / "x.gif"
    with pytest.raises(RuntimeError), atomic_output(target) as handle:
        handle.write(b"part")
        raise RuntimeError("disk full")
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["a"]
    with atomic_output(target) as handle:  # a successful write keeps them
        handle.write(b"whole")
    assert target.read_bytes() == b"whole"


def test_a_failed_frames_folder_removes_the_folders_it_created(tmp_path):
    from deconv_anim.atomic import atomic_folder

    with pytest.raises(RuntimeError), atomic_folder(tmp_path / "n" / "m" / "frames") as temp:
        (temp / "1.png").write_bytes(b"x")
        raise RuntimeError("interrupted")
    assert list(tmp_path.iterdir()) == []


def test_a_244_character_name_is_written(tmp_path):
    """Item 18: the temp file of a legal 244-character name fits in 255 bytes; the
    gallery's clean-up still knows it."""
    from deconv_anim.atomic import temp_stem
    from deconv_anim.gallery.manifest import remove_stale_temps

    name = "a" * 240 + ".gif"
    seen = []
    with atomic_output(tmp_path / name) as handle:
        seen.append(Path(handle.name).name)
        handle.write(b"ok")
    assert (tmp_path / name).read_bytes() == b"ok"
    assert len(seen[0].encode()) <= 255 and seen[0].startswith("." + temp_stem(name) + ".")
    stale = tmp_path / f".{temp_stem(name)}.999999999.abcdefgh.tmp"
    stale.write_bytes(b"")
    assert remove_stale_temps(tmp_path, [name]) == [stale.name]
    assert temp_stem("é" * 200) == "é" * 115  # never cut inside a character


@pytest.mark.skipif(not hasattr(__import__("signal"), "pthread_sigmask"), reason="POSIX")
def test_an_interrupt_with_numpy_loaded_is_held_back_too(tmp_path):
    """With NumPy loaded (its BLAS starts threads that do not block signals), Ctrl-C
    right after the temp file exists is still raised only once its name is known."""
    script = (
        "import os, signal, tempfile, numpy\n"
        "from deconv_anim.atomic import write_atomic\n"
        "real = tempfile.mkstemp\n"
        "def mkstemp(*args, **kwargs):\n"
        "    made = real(*args, **kwargs)\n"
        "    os.kill(os.getpid(), signal.SIGINT)\n"
        "    return made\n"
        "tempfile.mkstemp = mkstemp\n"
        "import time\n"
        "try:\n"
        f"    write_atomic({str(tmp_path / 'x.gif')!r}, b'data')\n"
        "    time.sleep(5)  # a BLAS thread that took the signal may hand it on late\n"
        "except KeyboardInterrupt:\n"
        "    print('interrupted')\n")
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.endswith("_NUM_THREADS")}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          env=env, timeout=60)
    assert done.stdout.strip() == "interrupted", done.stderr
    # never the temp file: the interrupt came before the rename (nothing) or after it
    # (the whole file), as the machine's scheduling decided
    assert [p.name for p in tmp_path.iterdir()] in ([], ["x.gif"])
