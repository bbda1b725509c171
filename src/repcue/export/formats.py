"""The export formats, one record each, the way pysubs2 keeps one class per subtitle format.

A record says everything the exporter and the CLI need to know about a format: its
name and file suffixes, how PCM is scaled on the way in, which bitrates it offers at
each mix rate, how to open its encoder and how to write its tag. Nothing else branches
on a format's name.

To add a format: write its encoder (``encoders.py``), its tag writer if it carries
one (``tags.py``), and a record here; ``--format`` and the suffix check pick it up.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from repcue.errors import InputError
from repcue.export.chapters import Chapter, CueLine
from repcue.export.encoders import (
    LAME_ENCODER_DELAY,
    LAME_MONO_GAIN,
    MP3_DECODER_DELAY,
    MPEG_BITRATES,
    Encoder,
    FfmpegEncoder,
    Mp3Encoder,
)
from repcue.export.safe_write import PendingFile
from repcue.export.tags import TrackInfo, mp4_ffmetadata, tag_bytes, vorbis_ffmetadata, wav_info
from repcue.export.wav import WavEncoder
from repcue.units import MIX_RATE, SPEECH_RATE

#: Mix rates an export may use. 22.05 kHz is the speech engines' own rate: nothing of the
#: voice is lost, and at 64 kbps MP3 spends twice the bits per sample (measured on Piper
#: speech: quantisation noise pushed decoded peaks 1.6-2.4 dB over the mix at 44.1 kHz,
#: 0.9-1.2 dB at 22.05 kHz), while render, measure and encode do half the work.
#: 44.1 kHz is there for sounds above 11 kHz (user tones, a later music bed).
EXPORT_RATES = (SPEECH_RATE, MIX_RATE)
DEFAULT_BITRATE = 64


@dataclass(frozen=True)
class EncodeJob:
    """What an encoder factory gets: where to write, at what rate and bitrate, and the tag."""

    file: PendingFile
    rate: int
    bitrate_kbps: int
    total_samples: int
    #: The format's tag writer's output, or None for a format without one.
    tag: bytes | None
    #: Gets the encoded stream as it is written, for a format with ``stream_skip``.
    listener: Callable[[bytes], None] | None = None


TagWriter = Callable[[TrackInfo, Sequence[Chapter], Sequence[CueLine]], bytes]


@dataclass(frozen=True)
class ExportFormat:
    """One audio format an export can write."""

    name: str
    #: File suffixes (without the dot) that mean this format; the first is written.
    suffixes: tuple[str, ...]
    #: Bitrates (kbps) the encoder offers at each mix rate; empty for uncompressed audio.
    bitrates: Mapping[int, tuple[int, ...]]
    open_encoder: Callable[[EncodeJob], Encoder]
    #: Names, chapters and cue text in the format's own tag, or None when it carries none.
    write_tag: TagWriter | None = None
    #: Further scale on the PCM handed to the encoder, for an encoder that changes the level.
    pre_scale: float = 1.0
    #: For a format whose bare encoded stream can be decoded while it is being written
    #: (the encoder hands it to ``EncodeJob.listener``): the samples that decode comes out
    #: ahead of the finished file's. None: the file is decoded once written.
    stream_skip: int | None = None

    @property
    def is_mp3(self) -> bool:
        """Whether the file is an MP3 (which decoded.py decodes without ffmpeg)."""
        return self.name == "mp3"

    @property
    def suffix(self) -> str:
        return self.suffixes[0]

    def allowed_bitrates(self, rate: int) -> tuple[int, ...]:
        return self.bitrates.get(rate, ())

    def check_bitrate(self, rate: int, bitrate_kbps: int | None) -> int:
        """The bitrate to encode at (None: the default), or an InputError listing the offer."""
        if not self.bitrates:
            if bitrate_kbps is not None:
                raise InputError("--bitrate", f"{self.name} is uncompressed and has no bitrate",
                                 value=bitrate_kbps, hint="leave out --bitrate")
            return 0
        allowed = self.allowed_bitrates(rate)
        wanted = DEFAULT_BITRATE if bitrate_kbps is None else bitrate_kbps
        if wanted not in allowed:
            raise InputError("--bitrate", f"{self.name} at {rate} Hz cannot use {wanted} kbps",
                             value=wanted, allowed=", ".join(map(str, allowed)),
                             hint=_other_rate_hint(self, rate, wanted))
        return wanted


def _other_rate_hint(fmt: ExportFormat, rate: int, wanted: int) -> str | None:
    others = [r for r in EXPORT_RATES if r != rate and wanted in fmt.allowed_bitrates(r)]
    return f"{fmt.name} offers {wanted} kbps with --sample-rate {others[0]}" if others else None


def _mp3(job: EncodeJob) -> Encoder:
    if job.tag:
        job.file.file.write(job.tag)
    return Mp3Encoder(job.file.file, job.rate, job.bitrate_kbps, job.listener)


def _wav(job: EncodeJob) -> Encoder:
    return WavEncoder(job.file.file, job.rate, job.total_samples, job.tag or b"")


def _ffmpeg(codec: str, muxer: str, label: str) -> Callable[[EncodeJob], Encoder]:
    def open_encoder(job: EncodeJob) -> Encoder:
        return FfmpegEncoder(codec, muxer, label, job.file.temp, job.rate, job.bitrate_kbps,
                             job.tag)

    return open_encoder


# The codecs' headroom is the limiter's ceiling (repcue.limiter), the same for every format.
# Bitrates: MP3 offers the Layer III table of its MPEG version (MPEG-2 at 22.05 kHz).
# libvorbis refuses mono outside 16-80 kbps at 22.05 kHz and 32-224 at 44.1 kHz (ffmpeg 5.1,
# each standard bitrate tried); ffmpeg's AAC takes any number but delivers no more than about
# 100 kbps mono at 22.05 kHz and 200 at 44.1 kHz, so only what it honours is offered.
MP3 = ExportFormat("mp3", ("mp3",), {22050: MPEG_BITRATES["mpeg2"][1:],
                                          44100: MPEG_BITRATES["mpeg1"][1:]},
                   _mp3, tag_bytes, pre_scale=1 / LAME_MONO_GAIN,
                   stream_skip=LAME_ENCODER_DELAY + MP3_DECODER_DELAY)
WAV = ExportFormat("wav", ("wav",), {}, _wav, wav_info)
OGG = ExportFormat("ogg", ("ogg", "oga"),
                   {22050: (16, 24, 32, 40, 48, 56, 64, 80),
                    44100: (32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160, 192, 224)},
                   _ffmpeg("libvorbis", "ogg", "ogg"), vorbis_ffmetadata)
M4A = ExportFormat("m4a", ("m4a",),
                   {22050: (16, 24, 32, 40, 48, 56, 64, 80, 96),
                    44100: (16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160, 192)},
                   _ffmpeg("aac", "ipod", "m4a"), mp4_ffmetadata)

#: Every format by name, in the order ``--format`` lists them.
FORMATS: dict[str, ExportFormat] = {f.name: f for f in (MP3, WAV, OGG, M4A)}
_BY_SUFFIX = {suffix: f for f in FORMATS.values() for suffix in f.suffixes}


def format_named(name: str) -> ExportFormat:
    try:
        return FORMATS[name]
    except KeyError:
        raise InputError("--format", f"unknown format {name!r}", value=name,
                         allowed=", ".join(FORMATS)) from None


def format_of(path: Path) -> ExportFormat | None:
    """The format a file name's suffix means, or None when it has no suffix we write."""
    return _BY_SUFFIX.get(path.suffix.lower().lstrip("."))


def known_suffixes() -> str:
    return ", ".join(f".{s}" for s in _BY_SUFFIX)
