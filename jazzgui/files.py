"""Writing files safely: output paths checked before long work, atomic writes with the mode a
normal file gets, and the user's data folder where work is kept when its own path fails."""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO

from jazzgui.errors import OutputPathError

log = logging.getLogger(__name__)


def check_output_path(path: str | Path, what: str = "output", create_folder: bool = False) -> Path:
    """The path, once it is sure a file can be written there; OutputPathError if not.

    Checked before long work (training, rendering) so that a typo costs nothing: the path
    must not be a folder, its folder must exist (or, with `create_folder`, be creatable) and
    be writable (an atomic write creates a temporary file beside it), and an existing file
    must be a regular file.
    """
    target = Path(path)
    if target.is_dir():
        raise OutputPathError(
            target,
            f"the {what} is a folder",
            "Give a file name inside it, e.g. " + str(target / "name"),
        )
    folder = target.parent
    if create_folder:
        while not folder.exists() and folder != folder.parent:
            folder = folder.parent
    if not folder.exists():
        raise OutputPathError(
            target, f"the folder {folder} does not exist", "Create it first or choose another"
        )
    if not folder.is_dir():
        raise OutputPathError(target, f"{folder} is not a folder", "Choose a file in a folder")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OutputPathError(
            target, f"the folder {folder} cannot be written", "Choose a folder you can write to"
        )
    if target.exists() and not target.is_file():
        raise OutputPathError(target, "it is not a regular file", "Choose another file name")
    return target


def new_file_mode() -> int:
    """The mode a newly created file gets here: 0666 less the process's umask."""
    return 0o666 & ~_umask()


def _umask() -> int:
    # Reading /proc avoids setting the umask, which would race with other threads.
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def atomic_write(path: str | Path, write: Callable[[IO[bytes]], None]) -> Path:
    """Write a file through a temporary file in its folder, then rename it into place, so a
    crash or a full disk never leaves half a file under the real name. The file gets an
    existing file's mode, or a new file's (0666 & ~umask), not mkstemp's private 0600."""
    target = Path(path)
    try:
        mode = target.stat().st_mode & 0o7777 if target.is_file() else new_file_mode()
        fd, temp_name = tempfile.mkstemp(
            dir=target.parent, prefix=f".{target.name}.", suffix=".tmp"
        )
    except OSError as exc:
        raise OutputPathError(
            target, f"cannot write there ({exc.strerror or exc})", "Choose another folder"
        ) from exc
    try:
        with os.fdopen(fd, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp_name, mode)
        os.replace(temp_name, target)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        if isinstance(exc, OSError):
            raise OutputPathError(
                target,
                f"writing failed ({exc.strerror or exc})",
                "Check the disk space and the folder's permissions",
            ) from exc
        raise
    return target


def user_data_dir() -> Path:
    """Where JazzGUI keeps a person's data: the platform's user data folder."""
    if sys.platform == "win32":
        base = os.environ.get("APPDATA") or str(Path.home() / "AppData" / "Roaming")
        return Path(base) / "JazzGUI"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "JazzGUI"
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "jazzgui"


def fallback_path(path: str | Path) -> Path:
    """A free path in the user data folder for a file that could not be written at `path`."""
    wanted = Path(path)
    folder = user_data_dir()
    folder.mkdir(parents=True, exist_ok=True)
    candidate = folder / wanted.name
    number = 1
    while candidate.exists():
        candidate = folder / f"{wanted.stem}-{number}{wanted.suffix}"
        number += 1
    return candidate
