"""Music at the Mix boundary: play and export hear the same bed, sample for sample."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from export_support import decode, workout
from music_support import make_noise, make_tone
from repcue.clip import Clip
from repcue.export import ExportOptions, export_mix, export_session
from repcue.mix import PCM_HEADROOM_DB
from repcue.mix.loudness import measure
from repcue.music import MusicBed, MusicChoice
from repcue.timeline import Timeline
from repcue.tones import default_palette

RATE = 44100


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("mix-music")
    make_noise(folder / "a.mp3", 7.0, 48000, 2, amplitude=0.5)
    make_tone(folder / "b.m4a", 5.0, 44100, 2, freq=523.0)
    return folder


@pytest.mark.slow
def test_play_hears_what_a_wav_export_writes_with_music(folder: Path, tmp_path: Path) -> None:
    timeline, clips = workout(sets=2, reps=3, rest_ms=12_000)
    options = ExportOptions(format="wav", sample_rate=RATE, sidecars=False,
                            music=MusicChoice(folder))
    mix = export_mix(timeline, clips, default_palette(), options)
    assert mix.headroom_db == PCM_HEADROOM_DB  # the live player's own headroom
    out = tmp_path / "session.wav"
    result = export_session(mix, out, options)
    assert [p.name for p in result.music] == ["a.mp3", "b.m4a"]
    written = decode(out, RATE)

    # The live player: a renderer of the same mix, in its own block size, from the start...
    live = mix.renderer(block_size=1024)
    heard = np.concatenate(list(live.blocks()))
    assert len(heard) == len(written)
    assert float(np.max(np.abs(written - heard * mix.output_gain))) < 2 / 32768
    # ...and after a jump into the middle of a track (a skip to the next set).
    jump = live.total_samples // 2 + 777
    after = np.concatenate(list(mix.renderer(block_size=512).blocks(jump)))
    assert np.array_equal(after, heard[jump:])

    lufs, true_peak = measure(written, RATE)
    # The whole file lands on the target: the music comes up in the long rests.
    assert lufs == pytest.approx(options.target_lufs, abs=1.0)
    assert true_peak <= -1.0 + PCM_HEADROOM_DB
    # The voice stays the loudest thing: alone it measures the target, and wherever it
    # speaks the music (the mix's own bed) is the bed and the dip under it.
    voice = replace(mix, bed=None).renderer()
    voice_lufs, _ = measure(voice.render_range(0, voice.total_samples), RATE)
    assert voice_lufs == pytest.approx(options.target_lufs, abs=0.5)
    assert isinstance(mix.bed, MusicBed)
    bed = mix.bed.render(0, live.total_samples)
    mix.bed.close()
    assert bed is not None
    spoken = np.concatenate([bed[live.sample_at(e.start_ms) : live.sample_at(e.end_ms)]
                             for e in timeline.speech()])
    under_speech, _ = measure(spoken, RATE)
    assert voice_lufs - under_speech >= 20.0  # 15 dB of bed, 10 of dip, less the ramps
    rests_lufs, _ = measure(bed, RATE)
    ducking = mix.bed.envelope.ducking
    assert ducking.rest_db is not None and 0.0 <= ducking.rest_db < ducking.level_db
    assert rests_lufs <= voice_lufs + 0.5  # in the rests at most as loud as the voice


def test_a_program_shuffles_each_workouts_music_with_its_own_seed(tmp_path: Path) -> None:
    from repcue.export import export_program
    from repcue.music.playlist import music_files

    tracks = tmp_path / "tracks"
    for name in "abcdef":
        make_noise(tracks / f"{name}.wav", 30.0, RATE, 1, amplitude=0.3)
    # Seeds whose shuffles start differently, so a shared seed would show.
    seeds = [3, 7]
    firsts = [music_files(tracks, shuffle=True, seed=s)[0] for s in seeds]
    assert firsts[0] != firsts[1]

    def session() -> tuple[Timeline, dict[str, Clip]]:
        return workout(sets=1, reps=2, rest_ms=4000)

    options = ExportOptions(format="wav", sample_rate=RATE, sidecars=False,
                            music=MusicChoice(tracks, shuffle=True))
    results = export_program([("one", session), ("two", session)],
                             tmp_path / "out", default_palette(), options, jobs=1,
                             music_seeds=seeds)
    assert [r.music[0] for r in results] == firsts
