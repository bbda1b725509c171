"""The lifter's own music under the voice: files in, a ducked bed out, sample by sample.

``choose_tracks`` turns ``--music PATH`` into levelled tracks (bad input is one
ContentError naming the file); ``session_bed`` lays them over a session and plans the
ducking from its timeline. The bed is summed into the mix before the limiter, so play
and export hear the same music.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from repcue.clip import Clip
from repcue.mix import Mix
from repcue.mix.voice import unmastered
from repcue.music.bed import CROSSFADE_MS, LevelledTrack, MusicBed
from repcue.music.decode import (
    FFMPEG_SUFFIXES,
    PLAYED_BY_FFMPEG,
    bad_track,
    probe,
    require_ffmpeg,
)
from repcue.music.ducking import Ducking, Envelope
from repcue.music.level import track_loudness
from repcue.music.playlist import music_files
from repcue.music.remembered import TrackMemory
from repcue.music.rest_level import rest_level_db
from repcue.timeline import Timeline

__all__ = ["Ducking", "LevelledTrack", "MusicBed", "MusicChoice", "bed_for", "check_music",
           "choose_tracks", "music_choice", "session_bed", "with_music"]

#: Shorter than this, a "track" is a click, not music.
MIN_TRACK_SECONDS = 0.5


@dataclass(frozen=True)
class MusicChoice:
    """What the lifter asked for: ``--music PATH``, ``--shuffle``, and the levels."""

    path: Path
    shuffle: bool = False
    ducking: Ducking = field(default_factory=Ducking)
    seed: int = 0  # the session's: --shuffle with the same seed plays the same order


def music_choice(path: Path | None, *, no_music: bool = False, shuffle: bool | None = None,
                 level_db: float | None = None, duck_db: float | None = None,
                 rest_db: float | None = None, config: Mapping[str, object] | None = None,
                 config_dir: Path | None = None) -> MusicChoice | None:
    """What to play under the voice: the flags over the config's ``[music]``, or None.

    A relative ``path`` in the config is taken from the config file's folder.
    """
    config = config or {}
    if no_music:
        return None
    if path is None and isinstance(config.get("path"), str):
        path = Path(str(config["path"])).expanduser()
        if not path.is_absolute() and config_dir is not None:
            path = config_dir / path
    if path is None:
        return None
    defaults = Ducking()

    def pick(flag: float | None, key: str, default: float) -> float:
        value = config.get(key)
        if flag is not None:
            return flag
        return float(value) if isinstance(value, int | float) else default

    rest = config.get("rest")
    if rest_db is None and isinstance(rest, int | float) and not isinstance(rest, bool):
        rest_db = float(rest)
    ducking = Ducking(level_db=pick(level_db, "level", defaults.level_db),
                      duck_db=pick(duck_db, "duck", defaults.duck_db), rest_db=rest_db)
    shuffled = shuffle if shuffle is not None else bool(config.get("shuffle", False))
    return MusicChoice(Path(path).expanduser(), shuffled, ducking)


def check_music(choice: MusicChoice) -> None:
    """The quick checks, before any speech is made: the path, the playlist, the first file,
    and ffmpeg when a track needs it (not an hour into an export, at the track that does)."""
    files = music_files(choice.path)
    probe(files[0])
    for path in files:
        suffix = path.suffix.lower()
        if suffix in FFMPEG_SUFFIXES:
            require_ffmpeg(path, "ffprobe")
        if suffix in FFMPEG_SUFFIXES or suffix in PLAYED_BY_FFMPEG:
            require_ffmpeg(path, "ffmpeg")


def choose_tracks(choice: MusicChoice, session_ms: int, remember_in: Path | None = None
                  ) -> list[LevelledTrack]:
    """The tracks a session of ``session_ms`` plays, each checked and levelled.

    Only as many as the session needs are opened (it loops over them if it is longer).
    With ``remember_in`` (the cache folder) a track measured before is not measured again.
    """
    memory = TrackMemory(remember_in)
    files = music_files(choice.path, shuffle=choice.shuffle, seed=choice.seed)
    tracks: list[LevelledTrack] = []
    seen: dict[Path, LevelledTrack] = {}  # a playlist may list a track more than once
    covered = 0.0
    for path in files:
        track = seen.get(path) or memory.recall(path)
        if track is None:
            info = probe(path)
            if info.seconds < MIN_TRACK_SECONDS:
                raise bad_track(path, f"is too short to play under a session "
                                f"({info.seconds:.2f} s; at least {MIN_TRACK_SECONDS} s)")
            # As remembered: its samples are kept once decoded, so a loop replays them.
            track = memory.remember(LevelledTrack(info, track_loudness(info)))
        seen[path] = track
        tracks.append(track)
        covered += track.info.seconds - CROSSFADE_MS / 1000
        if covered * 1000 >= session_ms:
            break
    memory.save()
    return tracks


def session_bed(tracks: Sequence[LevelledTrack], timeline: Timeline,
                speech: Sequence[tuple[int, int]], rate: int, lead_in: int, total: int,
                ducking: Ducking, voice_lufs: float) -> MusicBed:
    """The bed for one session: ``speech`` spans and ``lead_in``/``total`` in output samples,
    ``voice_lufs`` the voice's level where the bed is summed.

    The music fades in after the lead-in and out from the finish chime to the end.
    """
    finish = finish_ms(timeline)
    fade_out_at = (lead_in + finish * rate // 1000 if finish is not None
                   else total - ducking.fade_out_ms * rate // 1000)
    tones = [(lead_in + a * rate // 1000, lead_in + b * rate // 1000)
             for a, b in tone_spans(timeline)]
    envelope = Envelope(speech, rate, ducking, lead_in, fade_out_at, total, tones)
    return MusicBed(tracks, rate, envelope, voice_lufs)


def bed_for(choice: MusicChoice, timeline: Timeline, clips: Mapping[str, Clip], rate: int,
            lead_in_ms: int, voice_lufs: float, remember_in: Path | None = None) -> MusicBed:
    """The bed a renderer of ``timeline`` at ``rate`` sums in, after the mix's gain.

    Speech spans are placed with the renderer's own rounding, so the dip lands where the
    voice does to the sample.
    """
    lead_in = lead_in_ms * rate // 1000
    total = lead_in + timeline.duration_ms * rate // 1000
    speech = []
    for start_ms, clip in spoken(timeline, clips):
        start = lead_in + start_ms * rate // 1000
        speech.append((start, start + -(-len(clip.samples) * rate // clip.rate)))
    tracks = choose_tracks(choice, timeline.duration_ms, remember_in)
    return session_bed(tracks, timeline, speech, rate, lead_in, total, choice.ducking, voice_lufs)



def spoken(timeline: Timeline, clips: Mapping[str, Clip]) -> list[tuple[int, Clip]]:
    """Each cue's start (timeline ms) and its clip as spoken: the mastered cues' lengths,
    without mastering them."""
    as_spoken = unmastered(clips)
    return [(e.start_ms, as_spoken[e.text]) for e in timeline.speech()
            if e.text is not None and e.text in as_spoken]


def finish_ms(timeline: Timeline) -> int | None:
    """When the finish chime sounds (the music fades out under it), if it does."""
    finish = [e.start_ms for e in timeline.events if e.kind == "tone" and e.role == "finish"]
    return finish[-1] if finish else None


def tone_spans(timeline: Timeline) -> list[tuple[int, int]]:
    """The tones' (start, end) in timeline ms."""
    return [(e.start_ms, max(e.end_ms, e.start_ms + 1)) for e in timeline.events
            if e.kind == "tone"]


def with_music(mix: Mix, choice: MusicChoice, level_lufs: float,
               remember_in: Path | None = None) -> Mix:
    """``mix`` (its voice measured at ``level_lufs``) with the music summed in under it.

    The gain stays the one measured on voice and tones: the voice sits on the target with
    or without music. The music comes up in long rests as far as brings the whole file to
    the target (rest_level.py), unless the choice sets its rest level.
    """
    if choice.ducking.rest_db is None:
        speech = [(start, start + clip.duration_ms) for start, clip in
                  spoken(mix.timeline, mix.clips)]
        rest_db = rest_level_db(speech, mix.timeline.duration_ms, choice.ducking, level_lufs,
                                finish_ms(mix.timeline), tone_spans(mix.timeline))
        choice = replace(choice, ducking=replace(choice.ducking, rest_db=rest_db))
    bed = bed_for(choice, mix.timeline, mix.clips, mix.rate, mix.lead_in_ms, level_lufs,
                  remember_in)
    return replace(mix, bed=bed)
