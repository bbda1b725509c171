"""Read a music file block by block as mono float32 at its own rate.

libsndfile (through ``soundfile``) reads WAV, FLAC, OGG and MP3 and seeks in them to the
exact sample; everything else (M4A/AAC, Opus, WMA…) goes through ffmpeg on a pipe, which
can only run forwards, so a seek there starts the file again and skips ahead (exact, and
fast enough: ffmpeg decodes AAC a few hundred times faster than real time).

libsndfile's bundled mpg123 prints ``part2_3_length … too large`` lines to the C-level
stderr on ordinary LAME files, although its samples are right: every libsndfile call runs
with file descriptor 2 pointed at /dev/null, so the lifter's screen stays clean.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Protocol

import numpy as np
import numpy.typing as npt

from repcue.clip import Samples
from repcue.errors import ContentError
from repcue.pipes import widen

#: Suffixes libsndfile reads well; anything else goes to ffmpeg.
SNDFILE_SUFFIXES = (".wav", ".flac", ".ogg", ".oga", ".mp3", ".aif", ".aiff")
FFMPEG_SUFFIXES = (".m4a", ".aac", ".mp4", ".opus", ".wma", ".webm", ".mka")
AUDIO_SUFFIXES = SNDFILE_SUFFIXES + FFMPEG_SUFFIXES
#: Compressed files libsndfile reads, but which play through ffmpeg all the same: decoding
#: and resampling then run in ffmpeg's process, beside the renderer rather than in its
#: thread (measured: a 60-minute bed took the render thread ~3x as long with in-process
#: MP3/Vorbis decoding and soxr). libsndfile still reads their headers (exact lengths).
PLAYED_BY_FFMPEG = (".mp3", ".ogg", ".oga")
#: Bytes per ffmpeg pipe read: a few hundred ms of audio.
_PIPE_BYTES = 1 << 16


@dataclass(frozen=True)
class TrackInfo:
    """A music file as its header describes it."""

    path: Path
    rate: int
    channels: int
    frames: int  # at ``rate``; the decoder pads or trims to exactly this many
    via_ffmpeg: bool = False
    #: Where its samples at the mix rate are kept once decoded (kept.py); None: nowhere.
    kept_in: Path | None = field(default=None, compare=False)

    @property
    def seconds(self) -> float:
        return self.frames / self.rate


class Source(Protocol):
    """Mono samples of one file at its own rate, read forwards from where ``seek`` put it."""

    def seek(self, frame: int) -> None: ...

    def read(self, frames: int) -> Samples: ...

    def close(self) -> None: ...


def bad_track(path: Path, why: str) -> ContentError:
    return ContentError(str(path), "", why,
                        allowed="WAV, FLAC, OGG, MP3, M4A/AAC or Opus audio")


# --- C-level stderr ---------------------------------------------------------------------------

_quiet_lock = threading.Lock()
_quiet_depth = 0
_saved_fd = -1


@contextlib.contextmanager
def quiet_stderr() -> Iterator[None]:
    """File descriptor 2 on /dev/null while libsndfile runs (nested and thread-safe)."""
    global _quiet_depth, _saved_fd
    with _quiet_lock:
        if _quiet_depth == 0:
            _saved_fd = os.dup(2)
            null = os.open(os.devnull, os.O_WRONLY)
            os.dup2(null, 2)
            os.close(null)
        _quiet_depth += 1
    try:
        yield
    finally:
        with _quiet_lock:
            _quiet_depth -= 1
            if _quiet_depth == 0:
                os.dup2(_saved_fd, 2)
                os.close(_saved_fd)


# --- probing ----------------------------------------------------------------------------------


def probe(path: Path) -> TrackInfo:
    """What ``path`` holds, from its header; a ContentError naming the file if it is unusable."""
    if not path.is_file():
        raise bad_track(path, "no such file" if not path.exists() else "is not a file")
    if path.suffix.lower() in SNDFILE_SUFFIXES:
        import soundfile

        try:
            with quiet_stderr():
                info = soundfile.info(str(path))
        except (soundfile.LibsndfileError, RuntimeError) as err:
            if path.suffix.lower() == ".mp3":
                raise bad_track(path, f"cannot be decoded ({_short(err)})") from None
            return _probe_ffmpeg(path)  # e.g. an Opus stream in .ogg, which libsndfile lacks
        if info.frames <= 0 or info.samplerate <= 0:
            raise bad_track(path, "holds no audio")
        return TrackInfo(path, int(info.samplerate), int(info.channels), int(info.frames),
                         via_ffmpeg=path.suffix.lower() in PLAYED_BY_FFMPEG)
    if path.suffix.lower() in FFMPEG_SUFFIXES:
        return _probe_ffmpeg(path)
    raise bad_track(path, f"is not an audio file repcue reads ({path.suffix or 'no suffix'})")


def _short(err: BaseException) -> str:
    text = str(err).strip().splitlines()[-1] if str(err).strip() else type(err).__name__
    return text.removeprefix("Error opening ").strip()


def require_ffmpeg(path: Path, tool: str = "ffmpeg") -> str:
    """Where ``tool`` (ffmpeg or ffprobe) is; a ContentError naming ``path`` when missing."""
    return _ffmpeg(tool, path)


def _ffmpeg(tool: str, path: Path) -> str:
    found = shutil.which(tool)
    if found is None:
        raise ContentError(str(path), "", f"needs {tool} to be decoded, and {tool} is not "
                           "installed", hint="install ffmpeg (Debian/Ubuntu: apt install "
                           "ffmpeg; scripts/setup does it), or use WAV or FLAC files")
    return found


def _probe_ffmpeg(path: Path) -> TrackInfo:
    command = [_ffmpeg("ffprobe", path), "-v", "error", "-select_streams", "a:0",
               "-show_entries", "stream=sample_rate,channels,duration:format=duration",
               "-of", "json", str(path)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    try:
        data = json.loads(done.stdout or "{}")
        stream = data["streams"][0]
        seconds = float(stream.get("duration") or data["format"]["duration"])
        rate, channels = int(stream["sample_rate"]), int(stream["channels"])
    except (KeyError, IndexError, ValueError, TypeError):
        why = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "no audio stream"
        raise bad_track(path, f"cannot be decoded ({why.removeprefix(str(path) + ': ')})"
                        ) from None
    frames = round(seconds * rate)
    if frames <= 0 or rate <= 0 or channels <= 0:
        raise bad_track(path, "holds no audio")
    return TrackInfo(path, rate, channels, frames, via_ffmpeg=True)


# --- reading ----------------------------------------------------------------------------------


def open_source(info: TrackInfo, rate: int | None = None) -> Source:
    """Read ``info``'s file: at its own rate, or at ``rate`` where ffmpeg can resample on the
    way (one process does both, on the other core)."""
    return FfmpegSource(info, rate) if info.via_ffmpeg else SndfileSource(info)


def ffmpeg_window(info: TrackInfo, start: int, frames: int) -> Samples:
    """``frames`` from frame ``start`` of a file ffmpeg reads, found by ffmpeg's own seek.

    Close to the sample, not exact: for measuring a level, not for playing.
    """
    command = [_ffmpeg("ffmpeg", info.path), "-v", "error", "-nostdin",
               "-ss", f"{start / info.rate:.6f}", "-i", str(info.path), "-vn",
               "-map", "0:a:0", "-ac", str(info.channels),
               "-t", f"{frames / info.rate:.6f}", "-f", "f32le", "-acodec", "pcm_f32le", "-"]
    done = subprocess.run(command, capture_output=True, timeout=120, check=False)
    if done.returncode != 0:
        why = done.stderr.decode(errors="replace").strip()
        raise bad_track(info.path, f"cannot be decoded ({why.splitlines()[-1] if why else ''})")
    whole = len(done.stdout) // (4 * info.channels) * 4 * info.channels
    return _mono(np.frombuffer(done.stdout[:whole], dtype="<f4").reshape(-1, info.channels))


def _mono(block: npt.NDArray[np.floating]) -> Samples:
    if block.ndim == 1:
        return block.astype(np.float32, copy=False)
    # Column by column: np.mean along the short axis is ~10x slower on interleaved frames.
    total = block[:, 0].astype(np.float32)
    for channel in range(1, block.shape[1]):
        total += block[:, channel]
    if block.shape[1] > 1:
        total *= np.float32(1.0 / block.shape[1])
    return total


def _downmix(channels: int) -> str:
    """An ffmpeg filter averaging ``channels`` into one, as :func:`_mono` does, ended by a
    comma; none for mono.

    Before the resampler, so it resamples one channel, not all (~10 % of ffmpeg's time on
    stereo; measured: the same samples as resampling both and averaging, to 3e-8). Not
    ffmpeg's own ``-ac 1``, which adds 3 dB to stereo.
    """
    if channels == 1:
        return ""
    share = f"{1 / channels:.17g}"
    return "pan=mono|c0=" + "+".join(f"{share}*c{i}" for i in range(channels)) + ","


class SndfileSource:
    """A file libsndfile reads; seeks are exact."""

    def __init__(self, info: TrackInfo) -> None:
        import soundfile

        self.info = info
        with quiet_stderr():
            self._file = soundfile.SoundFile(str(info.path))

    def seek(self, frame: int) -> None:
        with quiet_stderr():
            self._file.seek(min(frame, self.info.frames))

    def read(self, frames: int) -> Samples:
        with quiet_stderr():
            block = self._file.read(frames, dtype="float32", always_2d=True)
        return _mono(block)

    def close(self) -> None:
        self._file.close()


class FfmpegSource:
    """A file ffmpeg decodes to mono float32 on a pipe; a seek backwards restarts it.

    With ``rate`` ffmpeg resamples too, and frames count at that rate.
    """

    def __init__(self, info: TrackInfo, rate: int | None = None) -> None:
        self.info = info
        self.rate = rate or info.rate
        self._process: subprocess.Popen[bytes] | None = None
        self._errors: IO[bytes] | None = None
        self._at = 0  # frames handed out since the start of the file
        self._pending = b""
        self._ended = False

    def _start(self) -> None:
        command = [_ffmpeg("ffmpeg", self.info.path), "-v", "error", "-nostdin",
                   "-i", str(self.info.path), "-vn", "-map", "0:a:0",
                   "-af", _downmix(self.info.channels) + f"aresample={self.rate}",
                   "-ac", "1", "-f", "f32le", "-acodec", "pcm_f32le", "-"]
        self.close()
        # stderr to a file, not a pipe: a corrupt file's error lines could fill a pipe and
        # stall ffmpeg while this side waits on stdout.
        self._errors = tempfile.TemporaryFile()  # noqa: SIM115  closed in close()
        self._process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=self._errors)
        assert self._process.stdout is not None
        widen(self._process.stdout.fileno())
        self._at, self._pending, self._ended = 0, b"", False

    def seek(self, frame: int) -> None:
        if (self._process is None and not self._ended) or frame < self._at:
            self._start()
        while self._at < frame and len(self.read(min(frame - self._at, 1 << 16))):
            pass

    def read(self, frames: int) -> Samples:
        if self._process is None and not self._ended:
            self._start()
        frame_bytes = 4  # mono, downmixed by ffmpeg
        want = frames * frame_bytes
        data = self._pending
        while len(data) < want and self._process is not None:
            assert self._process.stdout is not None
            more = self._process.stdout.read(max(_PIPE_BYTES, want - len(data)))
            if not more:
                self._finish()
                break
            data += more
        whole = min(len(data), want) // frame_bytes * frame_bytes
        self._pending = data[whole:]
        samples = np.frombuffer(data[:whole], dtype="<f4")
        self._at += len(samples)
        return samples

    def _finish(self) -> None:
        assert self._process is not None and self._errors is not None
        code = self._process.wait()
        self._errors.seek(0)
        why = self._errors.read().decode(errors="replace").strip()
        self.close()
        self._ended = True
        if code != 0:
            last = why.splitlines()[-1] if why else f"ffmpeg exit {code}"
            raise bad_track(self.info.path, f"stopped decoding ({last})")

    def close(self) -> None:
        if self._process is not None:
            self._process.kill()
            self._process.wait()
            if self._process.stdout is not None:
                self._process.stdout.close()
            self._process = None
        if self._errors is not None:
            self._errors.close()
            self._errors = None
