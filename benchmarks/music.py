"""Music benchmark: what a music bed costs an export, memory by length, and the ducking depth.

    PYTHONPATH=src python benchmarks/music.py [--engine auto|piper|pyttsx3] [--synthetic]

Prints:
- the export time of a 60-minute session with a music folder and without, in the same run
  (best of RUNS each), and their ratio (target <= 1.5): the first time (nothing cached),
  cold (levels remembered, decoded samples not kept yet) and warm (samples kept);
- the MP3 encoder's own CPU with music and without (one thread: the ratio's floor);
- peak RSS of a whole export with a playlist of real compressed tracks (MP3, M4A, OGG made
  here with ffmpeg) for 20, 60 and 180 minute sessions, each in a fresh process
  (target <= 150 MB and flat in length);
- the ducking measured from an exported WAV with a steady 9 kHz probe tone as the music:
  its level in rests against the voice (target: the chosen bed level within 1 dB), its dip
  under speech (the chosen dip within 1 dB), and how many clips find the dip complete in
  the 140 ms before their first sample.

Speech comes from the real engine through the session builder; with ``--synthetic`` (or
when no engine works) the sessions are built by hand at a real workout's density.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "tests"), str(ROOT / "benchmarks")]

from repcue.clip import Clip  # noqa: E402
from repcue.timeline import Timeline  # noqa: E402

RUNS = 2
#: Generated once and kept: making 40 minutes of compressed music takes a while.
MUSIC_DIR = Path(tempfile.gettempdir()) / "repcue-bench-music"
TRACKS = [("01-intro.mp3", 240), ("02-drive.m4a", 300), ("03-lift.ogg", 270),
          ("04-push.mp3", 330), ("05-grind.m4a", 280), ("06-out.mp3", 260),
          ("07-deep.ogg", 310), ("08-last.m4a", 290)]
PROBE_HZ = 9000.0


def music_folder() -> Path:
    """Eight real compressed tracks (about 38 minutes) of music-like noise, made once."""
    from music_support import CODECS

    MUSIC_DIR.mkdir(exist_ok=True)
    for index, (name, seconds) in enumerate(TRACKS):
        path = MUSIC_DIR / name
        if path.exists():
            continue
        # Pink noise pulsing at a tempo: a spectrum and dynamics like a busy mix.
        source = (f"anoisesrc=d={seconds}:c=pink:a=0.4:seed={index},"
                  f"volume='0.6+0.4*sin(2*PI*{2 + index % 3}*t)':eval=frame")
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", source,
                        "-ar", "44100" if index % 2 else "48000", "-ac", "2",
                        *CODECS[path.suffix], str(path)], check=True)
    return MUSIC_DIR


def probe_file(folder: Path) -> Path:
    path = folder / "probe.wav"
    if not path.exists():
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i",
                        f"sine=frequency={PROBE_HZ}:sample_rate=44100:duration=120",
                        "-ac", "1", str(path)], check=True)
    return path


def session(minutes: float, engine: str, synthetic: bool
            ) -> tuple[Timeline, Mapping[str, Clip], str]:
    from export import real
    from export import synthetic as made

    if not synthetic:
        from repcue.errors import RepcueError

        try:
            timeline, clips = real("long-session", engine)
            if abs(timeline.duration_ms / 60_000 - minutes) < 10:
                return timeline, clips, "real"
        except RepcueError as err:
            print(f"no speech engine ({err}); using a synthetic session")
    timeline, clips = made(minutes)
    return timeline, clips, "synthetic"


def export(timeline: Timeline, clips: Mapping[str, Clip], path: Path, music: Path | None,
           **options: object) -> tuple[float, object]:
    from repcue.export import ExportOptions, export_mix, export_session
    from repcue.music import MusicChoice
    from repcue.tones import default_palette

    choice = MusicChoice(music) if music is not None else None
    opts = ExportOptions(force=True, music=choice, **options)  # type: ignore[arg-type]
    started = time.perf_counter()
    mix = export_mix(timeline, clips, default_palette(), opts)
    result = export_session(mix, path, opts)
    return time.perf_counter() - started, result


def _peak_rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return math.nan


def child(minutes: float) -> None:
    """In a fresh process: one whole export with the playlist, then the peak RSS as JSON."""
    timeline, clips, _ = session(minutes, "auto", synthetic=True)
    before = _peak_rss_mb()
    with tempfile.TemporaryDirectory() as folder:
        playlist = Path(folder) / "gym.m3u8"
        playlist.write_text("\n".join(str(MUSIC_DIR / name) for name, _ in TRACKS),
                            encoding="utf-8")
        seconds, result = export(timeline, clips, Path(folder) / "s.mp3", playlist)
    print(json.dumps({"minutes": timeline.duration_ms / 60_000, "before_mb": before,
                      "peak_mb": _peak_rss_mb(), "seconds": seconds,
                      "lufs": result.lufs, "true_peak": result.true_peak_dbtp}))  # type: ignore[attr-defined]


def speed(timeline: Timeline, clips: Mapping[str, Clip]) -> None:
    """Best of RUNS each: without music, and with it as a lifter meets it the first time,
    the second (levels remembered, decoded samples not kept yet) and after (kept)."""
    folder = music_folder()
    best: dict[str, float] = {}

    def timed(name: str, music: Path | None, cache: Path | None) -> object:
        seconds, result = export(timeline, clips, Path(out) / f"{name}.mp3", music,
                                 remember_in=cache)
        best[name] = min(best.get(name, math.inf), seconds)
        return result

    with tempfile.TemporaryDirectory() as out:
        for run in range(RUNS):
            first, again = Path(out) / f"first{run}", Path(out) / f"again{run}"
            timed("plain", None, None)
            timed("first", folder, first)
            levels = again / "music" / "tracks.json"
            levels.parent.mkdir(parents=True)
            levels.write_bytes((first / "music" / "tracks.json").read_bytes())
            timed("cold", folder, again)
            timed("plain warm", None, again)  # the gain is remembered now, as for music
            result = timed("warm", folder, again)
        kept = sum(p.stat().st_size for p in (again / "music" / "pcm").glob("*"))
    plain, warm_plain = best["plain"], best["plain warm"]
    print(f"export without music {plain:.2f} s; with a music folder: first time "
          f"{best['first']:.2f} s (ratio {best['first'] / plain:.2f}), levels remembered "
          f"but no samples kept {best['cold']:.2f} s (cold ratio {best['cold'] / plain:.2f}, "
          f"target <= 1.5)")
    print(f"samples kept ({kept / 2**20:.0f} MB on disk): without music {warm_plain:.2f} s, "
          f"with {best['warm']:.2f} s (warm ratio {best['warm'] / warm_plain:.2f}); with music "
          f"{result.lufs:.2f} LUFS, true peak {result.true_peak_dbtp:.2f} dBTP")  # type: ignore[attr-defined]


def encoder_share(timeline: Timeline, clips: Mapping[str, Clip]) -> None:
    """How much longer the MP3 encoder alone takes on the session with music than without.

    The encoder is one thread, and without music it is the export's longest: the ratio an
    export with music can reach however cheap the music itself is made.
    """
    import lameenc

    from repcue.export import ExportOptions, export_mix
    from repcue.export.encoders import LAME_QUALITY, to_pcm16
    from repcue.music import MusicBed, MusicChoice
    from repcue.tones import default_palette

    took = {}
    for name, music in (("without", None), ("with", music_folder())):
        options = ExportOptions(music=MusicChoice(music) if music is not None else None)
        mix = export_mix(timeline, clips, default_palette(), options)
        encoder = lameenc.Encoder()
        encoder.set_bit_rate(64)
        encoder.set_in_sample_rate(mix.rate)
        encoder.set_out_sample_rate(mix.rate)
        encoder.set_channels(1)
        encoder.set_quality(LAME_QUALITY)
        spent = 0.0
        for block in mix.renderer(block_size=mix.rate).blocks():
            pcm = to_pcm16(block, mix.output_gain)
            started = time.thread_time()
            encoder.encode(pcm)
            spent += time.thread_time() - started
        took[name] = spent
        if isinstance(mix.bed, MusicBed):
            mix.bed.close()
    print(f"the MP3 encoder alone: {took['without']:.2f} s CPU without music, "
          f"{took['with']:.2f} s with (ratio {took['with'] / took['without']:.2f}: music is "
          f"sound to encode where the rests were silence)")


def memory() -> None:
    music_folder()
    print("peak RSS of a whole export with a playlist of 8 compressed tracks, fresh processes:")
    for length in (20, 60, 180):
        out = subprocess.run([sys.executable, __file__, "--child", str(length)],
                             capture_output=True, text=True, check=True)
        figures = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"  {figures['minutes']:6.1f} min: peak {figures['peak_mb']:6.1f} MB "
              f"(session built: {figures['before_mb']:6.1f} MB), export "
              f"{figures['seconds']:.1f} s, {figures['lufs']:.2f} LUFS, "
              f"true peak {figures['true_peak']:.2f} dBTP")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--engine", default="auto")
    parser.add_argument("--synthetic", action="store_true")
    parser.add_argument("--child", type=float, help=argparse.SUPPRESS)
    parser.add_argument("--only", choices=("speed", "memory", "ducking"), help="one part")
    args = parser.parse_args()
    if args.child is not None:
        child(args.child)
        return
    from ducking_probe import ducking

    timeline, clips, source = session(60, args.engine, args.synthetic)
    print(f"session: {source}, {timeline.duration_ms / 60_000:.1f} min; "
          f"load average {os.getloadavg()[0]:.2f} (the machine is shared)")
    if args.only in (None, "speed"):
        speed(timeline, clips)
        encoder_share(timeline, clips)
    if args.only in (None, "ducking"):
        ducking(timeline, clips, probe_file(music_folder()))
    if args.only in (None, "memory"):
        memory()
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
