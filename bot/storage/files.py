"""Files only the bot's own user may read: folders 0700, files 0600.

The database, its WAL and SHM, backups, exports and the heartbeat hold members' names and
program data. SQLite creates the WAL and SHM with the database file's own mode, so a database
created 0600 keeps them 0600 too; the process umask (set by `python -m bot`) covers the rest.
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Iterator
from pathlib import Path

PRIVATE_UMASK = 0o077
DIR_MODE = 0o700
FILE_MODE = 0o600


@contextlib.contextmanager
def private_umask() -> Iterator[None]:
    """New files and folders private to this user (0600 / 0700) while inside."""
    previous = os.umask(PRIVATE_UMASK)
    try:
        yield
    finally:
        os.umask(previous)


def make_private_dir(path: Path) -> None:
    """Create a folder (and missing parents) that only this user can enter."""
    if path.is_dir():
        return
    missing = []
    for folder in (path, *path.parents):
        if folder.exists():
            break
        missing.append(folder)
    path.mkdir(parents=True, exist_ok=True)
    for folder in missing:
        # mkdir's mode is filtered by the umask; set it exactly on what we created.
        with contextlib.suppress(OSError):
            os.chmod(folder, DIR_MODE)


def create_private_file(path: Path) -> bool:
    """Create an empty file with mode 0600 unless one exists; True if it was created."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        return False
    os.close(fd)
    os.chmod(path, FILE_MODE)  # O_CREAT's mode is filtered by the umask too
    return True


def new_private_file(path: Path) -> None:
    """An empty file with mode 0600 in place of any file of that name (write to it next)."""
    path.unlink(missing_ok=True)
    create_private_file(path)


def write_private(path: Path, data: bytes) -> None:
    """Write a whole file atomically with mode 0600 (written beside it, then renamed)."""
    partial = path.with_name(f".{path.name}.part")
    new_private_file(partial)
    try:
        partial.write_bytes(data)
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def readable_by_others(path: Path) -> bool:
    """Whether the group or other users may read (or write) the file."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    return bool(mode & (stat.S_IRWXG | stat.S_IRWXO))
