"""Export a session to one audio file (plus cue sidecars), or a program of them plus a playlist.

The session is mastered first (repcue.mix: the cues levelled and the gain that brings
it to the target loudness; one Mix serves every format); then one writing pass renders
the Mix while an encoder thread encodes it (pipeline.py), or, for an MP3 with a rest near
its middle, two encoder threads encode its halves (halves.py). A lossy file is decoded and
measured as it is written (decoded.py): its figures are the ones a player and a loudness
checker see, and one that decodes over -1 dBTP is encoded again, quieter
(``_write_measured``).
The ID3 tag is built from the timeline before any audio exists, so the file is written
front to back, once.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from repcue.clip import Clip
from repcue.config import LOUDNESS_RANGE
from repcue.errors import InputError
from repcue.export import sidecars
from repcue.export.chapters import Chapter, CueLine, cue_lines
from repcue.export.chapters import chapters as chapters_of
from repcue.export.cover import cover_png
from repcue.export.decoded import DecodingMeter, can_decode, measure_decoded
from repcue.export.encoders import mp3_frame_samples
from repcue.export.formats import EXPORT_RATES, FORMATS, EncodeJob, ExportFormat, format_named
from repcue.export.halves import Cut, HalvesJob, HalvesMisfit, encode_halves, find_cut
from repcue.export.pipeline import encode_parts, metered
from repcue.export.safe_write import (
    PendingFile,
    prepare_destination,
    safe_output,
    write_bytes_safely,
)
from repcue.export.tags import TrackInfo
from repcue.mix import DEFAULT_TARGET_LUFS, Mix, master
from repcue.mix.gain_search import Progress
from repcue.mix.loudness import LoudnessMeter
from repcue.render import Renderer
from repcue.timeline import Timeline
from repcue.tones import TonePalette
from repcue.units import SPEECH_RATE, db_to_gain, samples_to_ms

if TYPE_CHECKING:
    from repcue.music import MusicBed, MusicChoice


#: The most a lossy file may peak, as decoded: the loudness norms' -1 dBTP.
MAX_DECODED_PEAK_DBTP = -1.0
#: Taken off beyond the excess when a file decodes too hot, so the second encoding lands
#: under the line although the codec's noise does not scale exactly with the level.
RETRY_MARGIN_DB = 0.3


@dataclass(frozen=True)
class ExportOptions:
    """How to write an export. Defaults suit speech on a phone: mono MP3 at 64 kbps CBR."""

    format: str = "mp3"  # a name in formats.FORMATS
    bitrate_kbps: int | None = None  # None: the format's default (64), or none for wav
    sidecars: bool = True  # .lrc + .vtt next to the file
    force: bool = False
    lead_in_ms: int = 1500  # Bluetooth earbuds wake up before the first word
    lead_in_noise: bool = False  # -60 dBFS noise in the lead-in, for earbuds that sleep on silence
    target_lufs: float = DEFAULT_TARGET_LUFS
    artist: str = "repcue"
    album: str = "repcue workouts"
    track: int | None = None
    date: str | None = None
    sample_rate: int = SPEECH_RATE  # Hz, one of EXPORT_RATES
    music: MusicChoice | None = None  # the lifter's music under the voice
    #: A cache folder: the gain found for the same session and settings is read back from
    #: there instead of measured (as live play does), and each track's level too. Not part
    #: of what the file is (serve's episode keys hash the options' repr).
    remember_in: Path | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.sample_rate not in EXPORT_RATES:
            raise InputError("--sample-rate", f"{self.sample_rate} Hz is not offered",
                             value=self.sample_rate,
                             allowed=", ".join(str(r) for r in EXPORT_RATES))
        # Refused here, before any synthesis, rather than by the encoder halfway through.
        format_named(self.format).check_bitrate(self.sample_rate, self.bitrate_kbps)
        if not 0 <= self.lead_in_ms <= 30_000:
            raise InputError("--lead-in", f"{self.lead_in_ms} ms is out of range",
                             value=self.lead_in_ms, allowed="0 to 30 seconds")
        low, high = LOUDNESS_RANGE
        if not low <= self.target_lufs <= high:
            raise InputError("--loudness", f"{self.target_lufs:g} LUFS is out of range",
                             value=self.target_lufs, allowed=f"{low:g} to {high:g}")

    @property
    def codec(self) -> ExportFormat:
        return FORMATS[self.format]


@dataclass(frozen=True)
class ExportResult:
    """What was written. Loudness and true peak are measured on the file as decoded (lossy
    formats, when ffmpeg is there to decode them) or on the PCM written (WAV)."""

    path: Path
    duration_ms: int
    lufs: float
    true_peak_dbtp: float
    bytes: int
    sidecars: tuple[Path, ...] = ()
    title: str = ""
    #: The music under the voice, in order of first play.
    music: tuple[Path, ...] = ()
    #: Its levels, dB under the voice: in long rests and around the cues (None: no music).
    music_levels: tuple[float, float] | None = None
    #: What the lifter should know, one line each: music tracks that failed part-way and
    #: were skipped; a file encoded quieter to stay under -1 dBTP.
    warnings: tuple[str, ...] = ()


def sidecar_paths(path: Path) -> tuple[Path, Path]:
    return path.with_suffix(".lrc"), path.with_suffix(".vtt")


def export_mix(timeline: Timeline, clips: Mapping[str, Clip], palette: TonePalette,
               options: ExportOptions = ExportOptions(),
               progress: Progress | None = None) -> Mix:
    """The session mastered for ``options``: its rate, lead-in and target loudness, and
    the music bed if ``options.music`` asks for one."""
    mix = master(timeline, clips, palette, rate=options.sample_rate,
                 lead_in_ms=options.lead_in_ms, lead_in_noise=options.lead_in_noise,
                 target_lufs=options.target_lufs, remember_in=options.remember_in,
                 progress=progress)
    if options.music is None:
        return mix
    from repcue.music import with_music

    return with_music(mix, options.music, options.target_lufs + mix.headroom_db,
                      remember_in=options.remember_in)


def _music_bed(mix: Mix) -> MusicBed | None:
    from repcue.music import MusicBed

    return mix.bed if isinstance(mix.bed, MusicBed) else None


def music_credit(paths: Sequence[Path]) -> str | None:
    """The comment that credits the music: ``Music: <track>; <track>``."""
    return "Music: " + "; ".join(p.stem for p in paths) if paths else None


def export_session(
    mix: Mix,
    path: Path,
    options: ExportOptions = ExportOptions(),
    progress: Progress | None = None,
    *,
    cancel: threading.Event | None = None,
) -> ExportResult:
    """Render ``mix`` and write it to ``path`` (plus ``.lrc``/``.vtt`` unless turned off).

    ``mix`` comes from :func:`export_mix` (any format may write it: the render is the same
    for all). Setting ``cancel`` (from another thread) stops the export with an ExportError
    and leaves ``path`` as it was; a Ctrl-C in the calling thread does the same.
    """
    path = Path(path)
    extras = sidecar_paths(path) if options.sidecars else ()
    prepare_destination([path, *extras], force=options.force)

    codec = options.codec
    timeline = mix.timeline
    bed = _music_bed(mix)
    used = tuple(bed.used) if bed is not None else ()
    info = TrackInfo(timeline.title, options.artist, options.album, options.track, options.date,
                     cover_png(), music_credit(used))
    file_chapters = chapters_of(timeline, mix.lead_in_ms)
    cues = cue_lines(timeline, mix.lead_in_ms)
    tag = codec.write_tag(info, file_chapters, cues) if codec.write_tag else None
    renderer = mix.renderer(block_size=mix.rate)
    bitrate = codec.check_bitrate(renderer.rate, options.bitrate_kbps)
    try:
        with safe_output(path, force=options.force) as pending:
            writing = _Writing(renderer, codec, pending, bitrate, tag, progress, cancel)
            lufs, true_peak, trim_db = _write_measured(writing, mix)
    finally:
        if bed is not None:
            bed.close()  # its files and ffmpeg processes; the bed reopens them if asked

    written = (_write_sidecars(path, info, cues, file_chapters,
                               samples_to_ms(renderer.total_samples, renderer.rate))
               if options.sidecars else ())
    return ExportResult(
        path=path,
        duration_ms=mix.lead_in_ms + timeline.duration_ms,
        lufs=lufs,
        true_peak_dbtp=true_peak,
        bytes=path.stat().st_size,
        sidecars=written,
        title=timeline.title,
        music=used,
        music_levels=None if bed is None else _levels(bed),
        warnings=(*(bed.warnings if bed is not None else ()),
                  *([_quieter(codec.name, bitrate, trim_db, lufs)] if trim_db else [])),
    )


def _levels(bed: MusicBed) -> tuple[float, float]:
    ducking = bed.envelope.ducking
    return ducking.rest_level_db, ducking.level_db


def _quieter(codec: str, bitrate: int, trim_db: float, lufs: float) -> str:
    return (f"at {bitrate} kbps the {codec} coding noise lifted the peaks over "
            f"{MAX_DECODED_PEAK_DBTP:g} dBTP, so the file was encoded again {trim_db:.1f} dB "
            f"quieter ({lufs:.1f} LUFS); a higher --bitrate keeps the loudness")


@dataclass(frozen=True)
class _Writing:
    """One file being written: the render, and where and how it is encoded."""

    renderer: Renderer
    codec: ExportFormat
    pending: PendingFile
    bitrate: int
    tag: bytes | None
    progress: Progress | None
    cancel: threading.Event | None

    def encode(self, scale: float, meter: LoudnessMeter | None,
               listener: Callable[[bytes], None] | None = None) -> None:
        """Render the session (through ``meter``, if any) and encode it ``* scale`` into the
        pending file, replacing whatever an earlier pass wrote there."""
        renderer, path = self.renderer, self.pending.target
        self.pending.file.seek(0)
        self.pending.file.truncate()
        encoder = self.codec.open_encoder(EncodeJob(self.pending, renderer.rate, self.bitrate,
                                                    renderer.total_samples, self.tag, listener))
        blocks = renderer.blocks()
        if meter is not None:
            blocks = metered(blocks, meter.add)
        try:
            encode_parts([(blocks, encoder.write)], scale, renderer.total_samples,
                         self.progress, self.cancel, path)
            encoder.finish()
        except BaseException:
            encoder.abort()
            raise
        self.pending.file.flush()  # the decoder reads the file by its name

    @cached_property
    def cut(self) -> Cut | None:
        """Where an MP3 is cut to encode on two cores (halves.py), if anywhere."""
        if not self.codec.is_mp3:
            return None
        return find_cut(self.renderer, mp3_frame_samples(self.renderer.rate))

    def encode_decoded(self, scale: float) -> tuple[float, float] | None:
        """Encode ``* scale`` and return the file's figures as decoded (None: it could not
        be decoded). Decoded while it is encoded where the format allows."""
        if self.cut is not None:
            job = HalvesJob(self.renderer, self.cut, self.pending, self.bitrate, self.tag,
                            self.progress, self.cancel)
            with contextlib.suppress(HalvesMisfit):  # then encoded whole, below
                return encode_halves(job, scale) or self._measure_file()
        decoding = self._stream_meter()
        if decoding is None:
            self.encode(scale, None)
            return self._measure_file()
        try:
            self.encode(scale, None, decoding.feed)
        except BaseException:
            decoding.abort()
            raise
        # A decode that fell short (ffmpeg failed part-way) is done again from the file.
        return decoding.finish() or self._measure_file()

    def _measure_file(self) -> tuple[float, float] | None:
        return measure_decoded(self.pending.temp, self.renderer.rate, mp3=self.codec.is_mp3)

    def _stream_meter(self) -> DecodingMeter | None:
        """A meter that decodes the frames as they are encoded, where the format allows."""
        if self.codec.stream_skip is None:
            return None
        try:
            return DecodingMeter(self.renderer.rate, self.codec.stream_skip,
                                 self.renderer.total_samples)
        except OSError:  # no decoder could be started: the finished file is decoded instead
            return None

    def measure_mix(self) -> tuple[float, float]:
        """Loudness and true peak of the render itself, without encoding it."""
        meter = LoudnessMeter(self.renderer.rate)
        for block in self.renderer.blocks():
            meter.add(block)
        return meter.integrated_lufs, meter.true_peak_dbtp


def _write_measured(writing: _Writing, mix: Mix) -> tuple[float, float, float]:
    """Write the file; return its loudness and true peak (a lossy file's as decoded) and
    the dB it was encoded quieter than the mix (0 unless it had to be).

    A lossy file's figures come from decoding it, so the render is not metered on the way
    (the meter cost as much as the encoder). A file that decodes over MAX_DECODED_PEAK_DBTP
    (low bitrates: the codec's noise rides on the peaks) is encoded once more, that much
    quieter plus RETRY_MARGIN_DB: every file plays under -1 dBTP, at some cost in loudness.
    """
    scale = mix.output_gain * writing.codec.pre_scale
    headroom_db = mix.headroom_db
    rate = writing.renderer.rate
    if not (writing.codec.bitrates and can_decode(mp3=writing.codec.is_mp3)):
        meter = LoudnessMeter(rate)
        writing.encode(scale, meter)
        return meter.integrated_lufs - headroom_db, meter.true_peak_dbtp - headroom_db, 0.0
    figures = writing.encode_decoded(scale)
    trim_db = 0.0
    if figures is not None and figures[1] > MAX_DECODED_PEAK_DBTP:
        trim_db = figures[1] - MAX_DECODED_PEAK_DBTP + RETRY_MARGIN_DB
        figures = writing.encode_decoded(scale * db_to_gain(-trim_db))
    if figures is not None:
        return (*figures, trim_db)
    # ffmpeg is there but could not read the file back: report the render's own figures.
    lufs, true_peak = writing.measure_mix()
    return lufs - headroom_db - trim_db, true_peak - headroom_db - trim_db, trim_db


def _write_sidecars(path: Path, info: TrackInfo, cues: Sequence[CueLine],
                    file_chapters: Sequence[Chapter], duration_ms: int) -> tuple[Path, Path]:
    lrc_path, vtt_path = sidecar_paths(path)
    write_bytes_safely(lrc_path, sidecars.lrc(info.title, info.artist, info.album, duration_ms,
                                              cues, info.comment).encode(), force=True)
    write_bytes_safely(vtt_path, sidecars.vtt(info.title, cues, file_chapters).encode(),
                       force=True)
    return lrc_path, vtt_path


__all__ = ["ExportOptions", "ExportResult", "export_mix", "export_session", "sidecar_paths"]
