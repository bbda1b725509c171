"""The lifter's own music under the voice: files in, a ducked bed out, sample by sample.

``choose_tracks`` turns ``--music PATH`` into levelled tracks (bad input is one
ContentError naming the file); ``session_bed`` lays them over a session and plans the
ducking from its timeline. The bed is summed into the mix before the limiter, so play
and export hear the same music.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from repcue.music.bed import CROSSFADE_MS, LevelledTrack, MusicBed
from repcue.music.decode import bad_track, probe
from repcue.music.ducking import Ducking, Envelope
from repcue.music.level import track_loudness
from repcue.music.playlist import music_files
from repcue.timeline import Timeline

__all__ = ["Ducking", "LevelledTrack", "MusicBed", "MusicChoice", "choose_tracks",
           "session_bed"]

#: The voice's loudness before the mix's gain: speech clips are polished to an active
#: speech level of -20 dBFS, which for speech lands close to -20 LUFS (speech/polish.py).
VOICE_LUFS = -20.0
#: A track quieter than this much below the voice is raised no further: it is near silence.
MAX_TRACK_GAIN_DB = 24.0
#: Shorter than this, a "track" is a click, not music.
MIN_TRACK_SECONDS = 0.5


@dataclass(frozen=True)
class MusicChoice:
    """What the lifter asked for: ``--music PATH``, ``--shuffle``, and the levels."""

    path: Path
    shuffle: bool = False
    ducking: Ducking = field(default_factory=Ducking)


def choose_tracks(choice: MusicChoice, session_ms: int, seed: int = 0) -> list[LevelledTrack]:
    """The tracks a session of ``session_ms`` plays, each checked and levelled.

    Only as many as the session needs are opened (it loops over them if it is longer).
    """
    files = music_files(choice.path, shuffle=choice.shuffle, seed=seed)
    tracks: list[LevelledTrack] = []
    covered = 0.0
    for path in files:
        info = probe(path)
        if info.seconds < MIN_TRACK_SECONDS:
            raise bad_track(path, f"is too short to play under a session ({info.seconds:.2f} s; "
                            f"at least {MIN_TRACK_SECONDS} s)")
        gain = min(MAX_TRACK_GAIN_DB, VOICE_LUFS - track_loudness(info))
        tracks.append(LevelledTrack(info, gain))
        covered += info.seconds - CROSSFADE_MS / 1000
        if covered * 1000 >= session_ms:
            break
    return tracks


def session_bed(tracks: Sequence[LevelledTrack], timeline: Timeline,
                speech: Sequence[tuple[int, int]], rate: int, lead_in: int, total: int,
                ducking: Ducking) -> MusicBed:
    """The bed for one session: ``speech`` spans and ``lead_in``/``total`` in output samples.

    The music fades in after the lead-in and out from the finish chime to the end.
    """
    finish = [e.start_ms for e in timeline.events if e.kind == "tone" and e.role == "finish"]
    fade_out_at = (lead_in + finish[-1] * rate // 1000 if finish
                   else total - ducking.fade_out_ms * rate // 1000)
    envelope = Envelope(speech, rate, ducking, lead_in, fade_out_at, total)
    return MusicBed(tracks, rate, envelope)
