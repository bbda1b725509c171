"""Write an output file so that the destination only ever holds a whole file.

The bytes go to a temporary file in the destination folder (same file system, so
the final ``os.replace`` is atomic), are synced, and only then take the real name.
An interrupted run leaves at most a temporary file, named with the writer's
process id; the next run in that folder removes those whose process is gone.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from repcue.errors import ExportError, FileInTheWayError

_TEMP_RE = re.compile(r"^\..+\.(\d+)\.[0-9a-f]{8}\.repcue-part$")


@dataclass
class PendingFile:
    """An open temporary file that becomes ``target`` when the ``with`` block ends cleanly."""

    target: Path
    temp: Path
    file: BinaryIO


def describe_os_error(path: Path, exc: OSError) -> str:
    """One line naming the path and the reason, in words rather than errno numbers."""
    if exc.errno == errno.ENOSPC:
        reason = "no space left on the device"
    elif exc.errno == errno.EFBIG:
        reason = "the file is larger than the destination allows (full, or a size limit)"
    elif exc.errno == errno.EDQUOT:
        reason = "disk quota exceeded"
    elif isinstance(exc, PermissionError) or exc.errno == errno.EROFS:
        reason = "permission denied (the folder is not writable)"
    else:
        reason = exc.strerror or str(exc)
    return f"cannot write {path}: {reason}"


def process_alive(pid: int) -> bool:
    """Whether a process with this id exists (one we may not signal still counts)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale_temps(folder: Path) -> list[Path]:
    """Delete temporary files left in ``folder`` by runs whose process no longer exists."""
    removed: list[Path] = []
    try:
        names = os.listdir(folder)
    except OSError:
        return removed
    for name in names:
        match = _TEMP_RE.match(name)
        if match and not (int(match.group(1)) == os.getpid() or process_alive(int(match.group(1)))):
            with contextlib.suppress(FileNotFoundError):
                (folder / name).unlink()
                removed.append(folder / name)
    return removed


def prepare_destination(paths: list[Path], *, force: bool) -> None:
    """Create the folders, clear stale temporaries and refuse to replace files unless forced."""
    cleaned: set[Path] = set()
    for path in paths:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ExportError(describe_os_error(path.parent, exc)) from exc
        if path.is_dir():
            raise ExportError(f"cannot write {path}: it is a folder")
        if path.parent not in cleaned:  # a program's files share a folder: list it once
            cleaned.add(path.parent)
            remove_stale_temps(path.parent)
        if path.exists() and not force:
            raise FileInTheWayError(
                f"{path} already exists; pass --force to replace it",
                hint="or choose another name with -o",
            )


def _fsync_folder(folder: Path) -> None:
    # Makes the rename itself durable; not every file system allows opening a folder.
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@contextlib.contextmanager
def safe_output(target: Path, *, force: bool = False) -> Iterator[PendingFile]:
    """Yield a temporary file beside ``target``; on a clean exit it replaces ``target``.

    On any exception (including KeyboardInterrupt and SystemExit) the temporary file
    is removed and ``target`` is left as it was.
    """
    prepare_destination([target], force=force)
    temp = target.parent / f".{target.name}.{os.getpid()}.{os.urandom(4).hex()}.repcue-part"
    try:
        # 0o666 so the finished file gets the user's usual permissions via the umask.
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except OSError as exc:
        raise ExportError(describe_os_error(target, exc)) from exc
    file = os.fdopen(fd, "w+b")
    try:
        try:
            yield PendingFile(target, temp, file)
            file.flush()
            os.fsync(file.fileno())
        finally:
            file.close()
        if target.exists() and not force:
            raise FileInTheWayError(
                f"{target} appeared while exporting; pass --force to replace it")
        os.replace(temp, target)
    except OSError as exc:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()
        raise ExportError(describe_os_error(target, exc)) from exc
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()
        raise
    _fsync_folder(target.parent)


def write_bytes_safely(target: Path, data: bytes, *, force: bool = False) -> None:
    """Write a small file (a sidecar, a playlist) with the same guarantees."""
    with safe_output(target, force=force) as pending:
        pending.file.write(data)
