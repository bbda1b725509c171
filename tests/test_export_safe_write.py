"""The destination only ever holds a whole file; failures leave no temporary behind."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from repcue.errors import ExportError
from repcue.export.safe_write import (
    prepare_destination,
    remove_stale_temps,
    safe_output,
    write_bytes_safely,
)


def _temps(folder: Path) -> list[str]:
    return [n for n in os.listdir(folder) if n.endswith(".repcue-part")]


def test_missing_folders_are_created(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "out.mp3"
    write_bytes_safely(target, b"data")
    assert target.read_bytes() == b"data"
    assert _temps(target.parent) == []


def test_an_existing_file_is_kept_unless_forced(tmp_path: Path) -> None:
    target = tmp_path / "out.mp3"
    target.write_bytes(b"old")
    with pytest.raises(ExportError, match="already exists; pass --force"):
        write_bytes_safely(target, b"new")
    assert target.read_bytes() == b"old"
    write_bytes_safely(target, b"new", force=True)
    assert target.read_bytes() == b"new"


def test_a_failure_midway_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "out.mp3"
    target.write_bytes(b"old")
    with pytest.raises(KeyboardInterrupt), safe_output(target, force=True) as pending:
        pending.file.write(b"half of the new")
        assert pending.temp.exists() and pending.temp.parent == tmp_path
        raise KeyboardInterrupt
    assert target.read_bytes() == b"old"
    assert _temps(tmp_path) == []


def test_the_finished_file_gets_normal_permissions(tmp_path: Path) -> None:
    target = tmp_path / "out.mp3"
    write_bytes_safely(target, b"x")
    umask = os.umask(0)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask


def test_stale_temporaries_of_dead_processes_are_removed(tmp_path: Path) -> None:
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    stale = tmp_path / f".out.mp3.{dead.stdout.strip()}.0123abcd.repcue-part"
    stale.write_bytes(b"left by a killed run")
    ours = tmp_path / f".other.mp3.{os.getpid()}.0123abcd.repcue-part"
    ours.write_bytes(b"being written right now")
    unrelated = tmp_path / "notes.txt"
    unrelated.write_text("keep")
    assert remove_stale_temps(tmp_path) == [stale]
    assert ours.exists() and unrelated.exists()
    write_bytes_safely(tmp_path / "next.mp3", b"x")  # every run sweeps its folder
    assert not stale.exists()


def test_a_folder_that_cannot_be_made_is_one_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(ExportError, match=r"^cannot write .*file/sub: ") as err:
        prepare_destination([blocker / "sub" / "out.mp3"], force=False)
    assert "\n" not in str(err.value)
    with pytest.raises(ExportError, match="it is a folder"):
        prepare_destination([tmp_path], force=True)


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_an_unwritable_folder_is_one_clear_error(tmp_path: Path) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(ExportError, match="permission denied"):
            write_bytes_safely(folder / "out.mp3", b"x")
    finally:
        folder.chmod(0o700)


def test_a_full_destination_is_one_clear_error_and_leaves_nothing(tmp_path: Path) -> None:
    # A file size limit fails writes the way a full disk does, without filling one.
    script = f"""
import resource, signal, sys
from pathlib import Path
sys.path.insert(0, {str(Path(__file__).parents[1] / 'src')!r})
from repcue.errors import ExportError
from repcue.export.safe_write import write_bytes_safely
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (100_000, 100_000))
try:
    write_bytes_safely(Path({str(tmp_path / 'out.mp3')!r}), bytes(1_000_000))
except ExportError as err:
    print(err)
"""
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         check=True).stdout
    assert out.startswith(f"cannot write {tmp_path / 'out.mp3'}: the file is larger")
    assert os.listdir(tmp_path) == []
