"""Files that hold personal data or keys: created readable by their owner only, written whole or not at all.

Databases, signing keys, issued documents and credentials are created mode 0600 in directories of mode 0700,
whatever the process's umask (a 022 umask would leave them world-readable). Every such write in the project goes
through these helpers, so the rule lives in one place:

- :func:`private_dir` makes a directory (and any missing parents) 0700;
- :func:`write_private` replaces a file atomically (temporary file, flush, rename), 0600 from its first byte;
- :func:`touch_private` creates an empty 0600 file if there is none (SQLite then fills it, and gives its ``-wal``
  and ``-shm`` files the same mode as the database file).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

FILE_MODE = 0o600
DIR_MODE = 0o700


def private_dir(path: Path, *, tighten: bool = True) -> Path:
    """Create ``path`` and its missing parents with mode 0700; return it.

    With ``tighten`` (the default, for the federation's own directories) an existing directory is set to 0700 too;
    a directory the user chose for output (``--out``) is left as it is when it exists already.
    """
    missing = []
    for parent in (path, *path.parents):
        if parent.exists():
            break
        missing.append(parent)
    for directory in reversed(missing):
        try:
            directory.mkdir(mode=DIR_MODE)
        except FileExistsError:  # made meanwhile by another process
            continue
        os.chmod(directory, DIR_MODE)  # mkdir's mode is filtered by the umask
    if tighten and not missing and path.is_dir():
        mode = path.stat().st_mode
        # A shared directory (sticky bit: /tmp, /var/tmp) or one open to others by design is never ours to close:
        # closing /tmp to 0700 breaks every other user of the machine (the PostgreSQL server among them).
        shared = mode & stat.S_ISVTX or mode & 0o002
        if not shared and (mode & 0o777) != DIR_MODE:
            os.chmod(path, DIR_MODE)
    return path


def write_private(path: Path, data: bytes, *, durable: bool = False, tighten_dir: bool = True) -> None:
    """Write ``data`` to ``path`` (mode 0600) through a temporary file renamed into place.

    With ``durable`` the file and its directory are flushed to disk before this returns, so the file outlives a
    power cut that a record written after it might survive.
    """
    private_dir(path.parent, tighten=tighten_dir)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        os.chmod(tmp, FILE_MODE)  # an older temporary file of the same name keeps its mode under O_CREAT
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    if durable:
        directory = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)


def touch_private(path: Path) -> None:
    """Create ``path`` empty with mode 0600 unless it exists; a missing directory is made 0700.

    An existing directory is left as it is: a database URL may point anywhere (``sqlite:///vitnemal.db`` in a
    checkout or a home directory), and closing the directory a user chose is not ours to do; the file itself is
    0600 either way.
    """
    private_dir(path.parent, tighten=False)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        return
    os.close(fd)
    os.chmod(path, FILE_MODE)

def copy_private(source: Path, target: Path) -> None:
    """Copy ``source`` to a new 0600 file ``target`` (in a 0700 directory), e.g. a template database."""
    import shutil

    target.unlink(missing_ok=True)
    touch_private(target)
    shutil.copyfile(source, target)  # writes into the existing file, which keeps its mode


def sqlite_path(url: str) -> Path | None:
    """The file of an SQLite URL (``sqlite:///path``), None for other engines and in-memory databases."""
    if not url.startswith("sqlite"):
        return None
    path = url.split(":///", 1)[1] if ":///" in url else ""
    path = path.split("?", 1)[0]
    return Path(path) if path and path != ":memory:" else None
