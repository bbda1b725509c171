"""The tone palette: synthesised tones, the bundled files, and users' own sounds via pydub."""

from __future__ import annotations

import itertools
import subprocess
import wave
from pathlib import Path

import numpy as np
import pytest

from repcue.errors import AudioError, ContentError
from repcue.timeline import TONE_ROLES as TIMELINE_TONE_ROLES
from repcue.tones import TONE_ROLES, TonePalette, default_palette, load_palette

ROOT = Path(__file__).resolve().parents[1]
RATE = 44100


def _dominant_hz(samples: np.ndarray, rate: int) -> float:
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(len(samples))))
    return float(np.argmax(spectrum) * rate / len(samples))


def _write_wav(path: Path, samples: np.ndarray, rate: int, channels: int = 1) -> None:
    pcm = np.round(np.clip(samples, -1, 1) * 32767).astype("<i2")
    if channels == 2:
        pcm = np.repeat(pcm, 2)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(pcm.tobytes())


def _sine(hz: float, seconds: float, rate: int) -> np.ndarray:
    return 0.5 * np.sin(2 * np.pi * hz * np.arange(int(seconds * rate)) / rate)


@pytest.fixture(scope="module")
def palette() -> TonePalette:
    return default_palette(RATE)


def test_roles_match_the_timeline_contract() -> None:
    assert TONE_ROLES == TIMELINE_TONE_ROLES


def test_default_palette_has_every_role_at_full_scale(palette: TonePalette) -> None:
    assert palette.rate == RATE
    assert set(palette.tones) == set(TONE_ROLES)
    for role in TONE_ROLES:
        tone = palette.tone(role)
        assert tone.rate == RATE
        assert tone.samples.dtype == np.float32
        assert np.max(np.abs(tone.samples)) == pytest.approx(1.0, abs=1e-6)
        assert 0.05 <= len(tone.samples) / RATE <= 1.0, role


def test_every_tone_starts_and_ends_silent_without_a_click(palette: TonePalette) -> None:
    for role in TONE_ROLES:
        s = palette.tone(role).samples
        assert s[0] == 0.0 and s[-1] == 0.0, role
        # A click is a jump: the envelope rises over milliseconds, so neighbours stay close.
        assert np.max(np.abs(s[:20])) < 0.2, role
        assert np.max(np.abs(s[-20:])) < 0.2, role
        assert np.max(np.abs(np.diff(s))) < 0.5, role


def test_tones_are_distinct(palette: TonePalette) -> None:
    # Compare magnitude spectra on a common grid: no two roles should sound alike.
    n = 1 << 15
    spectra = {}
    for role in TONE_ROLES:
        s = palette.tone(role).samples
        mag = np.abs(np.fft.rfft(s, n))
        spectra[role] = mag / np.linalg.norm(mag)
    for a, b in itertools.combinations(TONE_ROLES, 2):
        similarity = float(spectra[a] @ spectra[b])
        assert similarity < 0.9, (a, b, similarity)
    # The glides go the way the bar goes: down for the eccentric, up for the concentric.
    ecc = palette.tone("eccentric").samples
    con = palette.tone("concentric").samples
    assert _dominant_hz(ecc[: len(ecc) // 4], RATE) > _dominant_hz(ecc[-len(ecc) // 3 :], RATE)
    assert _dominant_hz(con[: len(con) // 4], RATE) < _dominant_hz(con[-len(con) // 3 :], RATE)


def test_palette_synthesises_at_other_rates() -> None:
    low = default_palette(22050)
    assert low.rate == 22050
    countdown = low.tone("countdown")
    assert countdown.rate == 22050
    assert _dominant_hz(countdown.samples, 22050) == pytest.approx(1000, abs=15)


def test_unknown_role_names_the_allowed_ones(palette: TonePalette) -> None:
    with pytest.raises(AudioError, match="no tone for role 'squat'.*eccentric.*finish"):
        palette.tone("squat")
    with pytest.raises(AudioError, match="positive"):
        default_palette(0)


def test_bundled_assets_are_the_synthesised_tones(palette: TonePalette) -> None:
    folder = ROOT / "audio_assets" / "tones"
    for role in TONE_ROLES:
        with wave.open(str(folder / f"{role}.wav"), "rb") as f:
            assert (f.getnchannels(), f.getsampwidth(), f.getframerate()) == (1, 2, RATE)
            pcm = np.frombuffer(f.readframes(f.getnframes()), dtype="<i2")
        assert (folder / f"{role}.wav").stat().st_size < 100_000
        expected = palette.tone(role).samples
        assert len(pcm) == len(expected), role
        assert np.max(np.abs(pcm / 32767 - expected)) < 2 / 32767, role


def test_user_wav_is_resampled_to_mono_and_levelled(tmp_path: Path) -> None:
    path = tmp_path / "clap.wav"
    _write_wav(path, _sine(880, 0.25, 48000), 48000, channels=2)
    palette = load_palette({"top": path}, RATE)
    top = palette.tone("top")
    assert top.rate == RATE
    assert len(top.samples) == pytest.approx(0.25 * RATE, abs=2)
    assert np.max(np.abs(top.samples)) == pytest.approx(1.0, abs=1e-6)
    assert top.samples[0] == 0.0 and top.samples[-1] == 0.0
    assert _dominant_hz(top.samples, RATE) == pytest.approx(880, abs=10)
    # The other roles keep the built-in sounds.
    assert np.array_equal(palette.tone("bottom").samples,
                          default_palette(RATE).tone("bottom").samples)


@pytest.mark.parametrize(("suffix", "codec"), [(".mp3", "libmp3lame"), (".ogg", "libvorbis")])
def test_user_compressed_sound_decodes_through_ffmpeg(tmp_path: Path, suffix: str,
                                                       codec: str) -> None:
    path = tmp_path / f"bell{suffix}"
    subprocess.run(
        ["ffmpeg", "-nostdin", "-loglevel", "error", "-f", "lavfi",
         "-i", "sine=frequency=660:duration=0.4:sample_rate=22050",
         "-c:a", codec, "-ac", "1", str(path)],
        check=True,
    )
    palette = load_palette({"finish": path}, RATE)
    finish = palette.tone("finish")
    assert finish.rate == RATE
    # Encoders pad a little; the sound is still about 0.4 s of 660 Hz.
    assert 0.38 <= len(finish.samples) / RATE <= 0.5
    assert _dominant_hz(finish.samples, RATE) == pytest.approx(660, abs=10)
    assert finish.samples[0] == 0.0 and finish.samples[-1] == 0.0


def test_unknown_role_in_overrides(tmp_path: Path) -> None:
    path = tmp_path / "a.wav"
    _write_wav(path, _sine(440, 0.1, RATE), RATE)
    with pytest.raises(ContentError) as err:
        load_palette({"squat": path})
    message = str(err.value)
    assert str(path) in message and "eccentric" in message
    assert "sounds.squat: unknown tone role squat" in message
    assert err.value.exit_code == 2


def test_bad_sound_files_name_file_role_and_what_is_allowed(tmp_path: Path) -> None:
    not_audio = tmp_path / "notes.wav"
    not_audio.write_text("this is not a sound")
    with pytest.raises(ContentError, match=r"notes\.wav: sounds\.start: cannot decode.*allowed"):
        load_palette({"start": not_audio})

    flac = tmp_path / "beep.flac"
    flac.write_bytes(b"fLaC")
    with pytest.raises(ContentError,
                       match=r"beep\.flac: sounds\.top: unsupported.*WAV, MP3 or OGG"):
        load_palette({"top": flac})

    missing = tmp_path / "gone.mp3"
    with pytest.raises(ContentError, match=r"gone\.mp3: sounds\.hold: sound file not found"):
        load_palette({"hold": missing})

    silent = tmp_path / "silent.wav"
    _write_wav(silent, np.zeros(4410), RATE)
    with pytest.raises(ContentError, match=r"silent\.wav: sounds\.bottom: .*silent"):
        load_palette({"bottom": silent})

    song = tmp_path / "song.wav"
    _write_wav(song, _sine(220, 6.0, 8000), 8000)
    with pytest.raises(ContentError, match=r"song\.wav: sounds\.finish: sound is 6\.0 s long"):
        load_palette({"finish": song})
