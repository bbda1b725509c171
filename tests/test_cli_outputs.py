"""What ``export`` and ``say`` write, and what they refuse, through the real entry point."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import mutagen
import mutagen.mp3
import pytest

from audio_fixtures import jack_server_fixture  # noqa: F401  (the jack_server fixture)
from repcue.cli import main
from repcue.errors import ExitStatus

ROOT = Path(__file__).resolve().parents[1]


def run_main(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as done:
        main(args)
    out, err = capsys.readouterr()
    return int(done.value.code or 0), out, err


def one_error_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), err
    return lines[0]


@pytest.mark.parametrize(("output", "fragment"), [
    ("x.flac", "-o: x.flac ends in .flac, not an audio format repcue writes "
               "(allowed: .mp3, .wav, .ogg, .oga, .m4a, or a folder ending in /)"),
    ("-", "-o: repcue writes audio files, not to standard output"),
    ("plainfile", "-o: plainfile is a file with no suffix to say its format (allowed: .mp3"),
])
def test_export_refuses_an_output_whose_format_is_unclear(
        output: str, fragment: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "plainfile").write_bytes(b"mine")
    code, _, err = run_main(["export", "activation", "-o", output, "--force"], capsys)
    assert code == ExitStatus.BAD_INPUT
    assert fragment in one_error_line(err)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plainfile"]
    assert (tmp_path / "plainfile").read_bytes() == b"mine"


@pytest.mark.parametrize(("args", "message"), [
    (["-o", "x.ogg", "--bitrate", "96"],
     "Error: --bitrate: ogg at 22050 Hz cannot use 96 kbps (allowed: 16, 24, 32, 40, 48, 56, 64, "
     "80) (hint: ogg offers 96 kbps with --sample-rate 44100)"),
    (["-o", "x.mp3", "--bitrate", "100", "--sample-rate", "44100"],
     "Error: --bitrate: mp3 at 44100 Hz cannot use 100 kbps (allowed: 32, 40, 48, 56, 64, 80, 96, "
     "112, 128, 160, 192, 224, 256, 320)"),
    (["-o", "x.wav", "--bitrate", "64"],
     "Error: --bitrate: wav is uncompressed and has no bitrate (hint: leave out --bitrate)"),
])
def test_export_refuses_a_bitrate_the_format_does_not_offer(
        args: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = run_main(["export", "activation", *args], capsys)
    assert code == ExitStatus.BAD_INPUT
    assert one_error_line(err) == message
    assert list(tmp_path.iterdir()) == []


def test_export_checks_every_name_before_writing_anything(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "dir"
    code, _, err = run_main(["export", "activation", "nonexist", "-o", f"{out}/"], capsys)
    assert code == ExitStatus.BAD_INPUT
    assert one_error_line(err).startswith("Error: no workout named 'nonexist'")
    assert not out.exists()


def test_export_help_lists_what_the_registry_offers(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_main(["export", "--help"], capsys)
    assert code == ExitStatus.OK
    flat = " ".join(out.split())
    assert "[mp3|wav|ogg|m4a]" in flat and "[22050|44100]" in flat
    assert "mp3 8-160/32-320, ogg 16-80/32-224, m4a 16-96/16-192" in flat


@pytest.mark.parametrize("text", ["", "...", "  "])
def test_say_with_nothing_to_speak_exits_2(text: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_main(["say", text], capsys)
    assert code == ExitStatus.BAD_INPUT
    assert one_error_line(err) == (f"Error: say: {text!r} has nothing to speak "
                                   "(allowed: words or numbers, e.g. repcue say \"Brace.\")")


@pytest.mark.speech
def test_say_writes_the_format_its_suffix_names_and_keeps_files_without_force(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    mp3 = tmp_path / "b.mp3"
    code, out, err = run_main(["say", "Brace.", "-o", str(mp3), "--engine", "pyttsx3"], capsys)
    assert code == ExitStatus.OK, err
    assert out.startswith(f"Wrote {mp3} (")
    assert isinstance(mutagen.File(mp3), mutagen.mp3.MP3)

    wav = tmp_path / "kept.wav"
    wav.write_bytes(b"mine")
    code, _, err = run_main(["say", "Brace.", "-o", str(wav), "--engine", "pyttsx3"], capsys)
    assert code == ExitStatus.BAD_INPUT
    assert f"{wav} already exists; pass --force" in one_error_line(err)
    assert wav.read_bytes() == b"mine"
    code, _, err = run_main(["say", "Brace.", "-o", str(wav), "--engine", "pyttsx3", "--force"],
                            capsys)
    assert code == ExitStatus.OK, err
    assert wav.read_bytes()[:4] == b"RIFF"

    code, _, err = run_main(["say", "Brace.", "-o", str(tmp_path / "b.flac")], capsys)
    assert code == ExitStatus.BAD_INPUT
    assert "b.flac does not end in the suffix of an audio format" in one_error_line(err)


@pytest.mark.speech
def test_say_without_a_device_gives_plays_message(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "REPCUE_CACHE": str(tmp_path / "c"),
           "JACK_NO_START_SERVER": "1", "PYTHONPATH": str(ROOT / "src")}

    def repcue(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "repcue", *args], capture_output=True,
                              text=True, env=env, timeout=120)

    if repcue("devices").returncode == 0:
        pytest.skip("this machine has a sound card")
    runs = [repcue("say", "Brace.", "--engine", "pyttsx3"), repcue("play", "activation")]
    assert [r.returncode for r in runs] == [ExitStatus.FAILURE] * 2, [r.stderr for r in runs]
    assert runs[0].stderr == runs[1].stderr
    assert runs[0].stderr.startswith("Error: no audio output device found")


@pytest.mark.audio
@pytest.mark.speech
def test_say_plays_on_a_44k_only_device_chosen_with_device(jack_server: dict[str, str]) -> None:
    """JACK runs at one rate (44.1 kHz here); the voice speaks at 22.05 kHz."""
    run = subprocess.run(
        [sys.executable, "-m", "repcue", "say", "Now press.", "--engine", "pyttsx3",
         "--device", "system"],
        capture_output=True, text=True, env={**jack_server, "PYTHONPATH": str(ROOT / "src")},
        timeout=120)
    assert (run.returncode, run.stdout, run.stderr) == (0, "", "")


@pytest.mark.speech
@pytest.mark.slow
def test_exported_chapters_tile_the_file_and_the_vtt_lists_them(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "a.mp3"
    code, _, err = run_main(["export", "activation", "-o", str(out), "--engine", "pyttsx3",
                             "--lead-in", "2"], capsys)
    assert code == ExitStatus.OK, err
    audio = mutagen.File(out)
    assert audio is not None and audio.tags is not None
    toc = audio.tags.getall("CTOC")[0]
    chaps = {c.element_id: c for c in audio.tags.getall("CHAP")}
    listed = [chaps[i] for i in toc.child_element_ids]  # what a phone shows, in its order
    spans = [(c.start_time, c.end_time) for c in listed]
    assert spans[0][0] == 0
    ends, next_starts = [end for _, end in spans[:-1]], [start for start, _ in spans[1:]]
    assert ends == next_starts  # in order, no gap, no overlap
    assert all(start < end for start, end in spans)
    assert abs(spans[-1][1] - audio.info.length * 1000) < 100  # to the end of the file
    titles = [c.sub_frames["TIT2"].text[0] for c in listed]
    assert titles[0] == "Intro"
    sets = [t for t in titles if " — set " in t]
    assert sets and all(t.startswith("Pelvic tilt drill — set ") for t in sets)
    note = out.with_suffix(".vtt").read_text().split("\n\n")[1].splitlines()
    assert note[0] == "NOTE chapters"
    assert [line.split(" ", 1)[1] for line in note[1:]] == titles


@pytest.mark.speech
@pytest.mark.slow
def test_closing_the_terminal_mid_export_leaves_nothing_half_written(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    process = subprocess.Popen(
        [sys.executable, "-m", "repcue", "export", "back-strength", "-o", f"{out}/",
         "--engine", "pyttsx3"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
    deadline = time.monotonic() + 300
    while not list(out.glob(".*.repcue-part")) and process.poll() is None:
        assert time.monotonic() < deadline, "the export never started writing"
        time.sleep(0.01)
    process.send_signal(signal.SIGHUP)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 128 + signal.SIGHUP, err
    assert "Traceback" not in err
    assert list(out.iterdir()) == []
