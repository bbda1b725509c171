"""The pyttsx3 engine: espeak-ng on Linux, SAPI5 on Windows, NSSpeechSynthesizer on macOS.

pyttsx3's quirks handled here: only the last of several ``save_to_file`` calls
queued before ``runAndWait`` is written, so each text gets its own run; an
unknown voice is silently ignored, so voices are checked against the engine's
own list first; the WAV header, not an assumption, gives the sample rate. The
"Audio saved to" line it prints is silenced by the worker at the file
descriptor level.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import importlib.util
import os
import sys
import tempfile
import wave
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from repcue.clip import Clip
from repcue.errors import SpeechError
from repcue.speech.engine import SpeechEngine, UnknownVoiceError, VoiceInfo
from repcue.units import SPEECH_RATE

#: pyttsx3's own default speed on every platform; reading it back from espeak right after
#: start-up sometimes returns espeak's 175 instead, which made whole runs 14% slower.
NORMAL_WPM = 200
#: A guard: should espeak still end an utterance with no samples, it is asked again.
ATTEMPTS = 3

INSTALL_HINT = (
    "install espeak-ng with: sudo apt-get install libespeak-ng1 "
    "(or use the neural voice: pip install 'repcue[neural]')"
)


def _system_espeak() -> str | None:
    return ctypes.util.find_library("espeak-ng")


def _loader_paths() -> tuple[str, str] | None:
    """Library and data paths from the ``espeakng-loader`` wheel, when it is installed."""
    if importlib.util.find_spec("espeakng_loader") is None:
        return None
    import espeakng_loader

    return str(espeakng_loader.get_library_path()), str(espeakng_loader.get_data_path())


def _espeak_library() -> tuple[str, str | None]:
    """The espeak-ng library to use and, for the loader wheel's copy, its data folder."""
    system = _system_espeak()
    if system:
        return system, None
    paths = _loader_paths()
    if paths is None:
        raise SpeechError(f"pyttsx3 found no espeak-ng library; {INSTALL_HINT}")
    return paths


def prepare_espeak() -> None:
    """Make sure pyttsx3 will find an espeak-ng library, before pyttsx3 is imported.

    Without a system library, the loader wheel's copy is loaded globally so
    pyttsx3's own ``LoadLibrary("libespeak-ng.so.1")`` resolves to it, and
    ``ESPEAK_DATA_PATH`` is set because espeak exits the process without it.
    """
    if not sys.platform.startswith("linux"):
        return
    library, data = _espeak_library()
    if data is None:  # the system's own library, which pyttsx3 finds by itself
        return
    os.environ["ESPEAK_DATA_PATH"] = data
    try:
        ctypes.CDLL(library, mode=ctypes.RTLD_GLOBAL)
    except OSError as error:
        message = f"cannot load espeak-ng from {library}: {error}; {INSTALL_HINT}"
        raise SpeechError(message) from error


@functools.cache
def _espeak_version() -> str:
    """espeak-ng's version, asked in this process: ``espeak_Info`` reads a constant and,
    unlike ``espeak_Initialize``, cannot end the process on a broken install."""
    name = _espeak_library()[0]
    try:
        library = ctypes.CDLL(name)
        info = library.espeak_Info
        info.restype = ctypes.c_char_p
        info.argtypes = [ctypes.c_void_p]
        version: bytes = info(None)
    except (OSError, AttributeError) as error:
        message = f"cannot load espeak-ng library {name}: {error}; {INSTALL_HINT}"
        raise SpeechError(message) from error
    return f"espeak-ng {version.decode(errors='replace')}"


def read_wav(path: Path) -> Clip:
    """A WAV file as a mono float32 clip at the rate its header states."""
    try:
        with wave.open(str(path), "rb") as wav:
            rate = wav.getframerate()
            width = wav.getsampwidth()
            channels = wav.getnchannels()
            raw = wav.readframes(wav.getnframes())
    except (OSError, EOFError, wave.Error) as error:
        raise SpeechError(f"engine wrote an unreadable WAV file {path}: {error}") from error
    if width == 1:
        samples = (np.frombuffer(raw, dtype=np.uint8).astype(np.float32) - 128) / 128
    elif width == 2:
        samples = np.frombuffer(raw, dtype="<i2").astype(np.float32) / 32768
    elif width == 4:
        samples = np.frombuffer(raw, dtype="<i4").astype(np.float32) / 2147483648
    else:
        raise SpeechError(f"engine wrote {width * 8}-bit WAV {path}; expected 8, 16 or 32 bit")
    if channels > 1:
        samples = samples.reshape(-1, channels).mean(axis=1)
    return Clip(np.ascontiguousarray(samples, dtype=np.float32), rate)


def _text(value: object) -> str:
    return value.decode(errors="replace") if isinstance(value, bytes) else str(value)


def _espeak_driver(engine: Any) -> Any:
    """pyttsx3's espeak driver object, or ``None`` on other platforms' drivers."""
    driver = getattr(getattr(engine, "proxy", None), "_driver", None)
    if type(driver).__module__ != "pyttsx3.drivers.espeak" or not hasattr(driver, "_onSynth"):
        return None
    return driver


class Pyttsx3Engine(SpeechEngine):
    """The system voice through pyttsx3."""

    name = "pyttsx3"
    #: pyttsx3's loop sleeps 10 ms per utterance, longer than espeak takes to speak a cue,
    #: so two workers per core are what keeps every core busy.
    workers_per_core = 2

    @classmethod
    def fingerprint(cls, voice: str | None) -> str:
        driver = _espeak_version() if sys.platform.startswith("linux") else sys.platform
        return f"pyttsx3 {metadata.version('pyttsx3')} {driver} {NORMAL_WPM}wpm"

    def __init__(self) -> None:
        prepare_espeak()
        try:
            import pyttsx3
        except (ImportError, RuntimeError, OSError) as error:
            raise SpeechError(f"cannot start pyttsx3: {error}; {INSTALL_HINT}") from error
        try:
            self._engine: Any = pyttsx3.init()
        except (RuntimeError, OSError) as error:
            raise SpeechError(f"cannot start pyttsx3: {error}; {INSTALL_HINT}") from error
        self._settle: Callable[[], object] = lambda: None
        driver = _espeak_driver(self._engine)
        if driver is not None:
            from pyttsx3.drivers import _espeak

            # espeak speaks on its own thread and writes the file from there. A fresh
            # engine's first runAndWait returns after one 10 ms tick, before espeak has
            # finished: the file was then read while espeak wrote it (a clip cut short,
            # now and then under load). And runAndWait's stop() cancels whatever espeak
            # still plays, which was the next cue (a silent or missing file in about 3%
            # of calls under load). Waiting for espeak to go idle before each utterance
            # and before reading its file closes both windows.
            self._settle = _espeak.Synchronize
        self._default_voice = _text(self._engine.getProperty("voice"))
        self._voices = [
            VoiceInfo(
                id=_text(v.id),
                language=_text(v.languages[0]) if v.languages else "",
                name=_text(v.name),
            )
            for v in self._engine.getProperty("voices")
        ]

    def voices(self) -> list[VoiceInfo]:
        return list(self._voices)

    def voice_id(self, voice: str | None) -> str:
        """The engine's id for ``voice``, given as an id, a name or a language code."""
        if voice is None:
            return self._default_voice
        wanted = voice.casefold()
        exact = [v.id for v in self._voices if v.id == voice]
        by_id = [v.id for v in self._voices if v.id.casefold() == wanted]
        by_name = [v.id for v in self._voices if v.name.casefold() == wanted]
        by_language = [v.id for v in self._voices if v.language.casefold() == wanted]
        for found in (exact, by_id, by_name, by_language):
            if found:
                return found[0]
        known = [n for v in self._voices for n in (v.id, v.name, v.language) if n]
        raise UnknownVoiceError(self.name, voice, known)

    def speak(self, text: str, voice: str | None, rate: float) -> Clip:
        self._engine.setProperty("voice", self.voice_id(voice))
        self._engine.setProperty("rate", max(1, round(NORMAL_WPM * rate)))
        for _attempt in range(ATTEMPTS):
            clip = self._speak_once(text)
            if len(clip.samples):
                return clip
        raise SpeechError(f"pyttsx3 produced no audio for {text!r} in {ATTEMPTS} attempts")

    def _speak_once(self, text: str) -> Clip:
        self._settle()
        handle, name = tempfile.mkstemp(prefix="repcue-", suffix=".wav")
        os.close(handle)
        target = Path(name)
        try:
            self._engine.save_to_file(text, name)
            self._engine.runAndWait()
            self._settle()
            if target.stat().st_size == 0:
                return Clip(np.zeros(0, dtype=np.float32), SPEECH_RATE)
            return read_wav(target)
        finally:
            target.unlink(missing_ok=True)
