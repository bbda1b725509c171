"""The user's config file: timing defaults and voice settings for every session.

It lives in the platform config dir (``repcue/config.toml``) or wherever
``REPCUE_CONFIG`` points, and sits between the built-in defaults and the workout
in the override chain.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeGuard

from repcue.errors import ContentError, did_you_mean, toml_value
from repcue.timing import Layer, validate_layer

VOICE_KEYS = ("engine", "voice", "rate")
TOP_KEYS = ("timing", "voice", "sounds", "loudness", "music")
#: ``[music]``: the same choices as --music, --shuffle, --music-level, --music-duck and
#: --music-rest.
MUSIC_KEYS = ("path", "shuffle", "level", "duck", "rest")
#: How far under the voice the music sits around the cues unless told (--music-level).
DEFAULT_MUSIC_LEVEL_DB = 15.0
#: Integrated loudness a session may be mastered to (LUFS), from the config or --loudness.
LOUDNESS_RANGE = (-30.0, -10.0)


@dataclass(frozen=True)
class Config:
    timing: Layer = field(default_factory=lambda: Layer("defaults", {}, "", "config"))
    voice: dict[str, Any] = field(default_factory=dict)
    path: Path | None = None
    #: Tone role -> the user's own sound file.
    sounds: dict[str, str] = field(default_factory=dict)
    #: Target loudness (LUFS) for play and export; None: the built-in default.
    loudness: float | None = None
    #: Music under the voice (see MUSIC_KEYS).
    music: dict[str, Any] = field(default_factory=dict)


def config_path() -> Path:
    env = os.environ.get("REPCUE_CONFIG")
    if env:
        return Path(env)
    import platformdirs

    return Path(platformdirs.user_config_dir("repcue")) / "config.toml"


def load_config(path: Path | None = None) -> Config:
    """Read the config file if there is one; a bad one is a ContentError like any content."""
    path = path or config_path()
    if not path.is_file():
        return Config()
    source = str(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except tomllib.TOMLDecodeError as err:
        raise ContentError(source, "", f"invalid TOML: {err}", allowed="TOML syntax") from None
    except (OSError, UnicodeDecodeError) as err:
        raise ContentError(source, "", f"cannot be read: {err}") from None
    for key in data:
        if key not in TOP_KEYS:
            suggestion = did_you_mean(key, list(TOP_KEYS))
            raise ContentError(source, key, f"unknown key {key!r}{suggestion}",
                               allowed=", ".join(TOP_KEYS))
    timing = data.get("timing", {})
    voice = data.get("voice", {})
    sounds = data.get("sounds", {})
    music = data.get("music", {})
    for name, table in (("timing", timing), ("voice", voice), ("sounds", sounds),
                        ("music", music)):
        if not isinstance(table, dict):
            raise ContentError(source, name, "is not a table", allowed="a table")
    layer = Layer(source, timing, "timing", "config")
    validate_layer(layer)
    _check_voice(source, voice)
    _check_sounds(source, sounds)
    _check_music(source, music)
    return Config(layer, dict(voice), path, dict(sounds), _loudness(source, data.get("loudness")),
                  dict(music))


def _check_voice(source: str, voice: dict[str, Any]) -> None:
    for key, value in voice.items():
        if key not in VOICE_KEYS:
            raise ContentError(source, f"voice.{key}", f"unknown key {key!r}"
                               f"{did_you_mean(key, VOICE_KEYS)}", allowed=", ".join(VOICE_KEYS))
        if key == "rate" and (isinstance(value, bool) or not isinstance(value, int | float)
                              or not 0.5 <= value <= 2.0):
            raise ContentError(source, "voice.rate", f"{toml_value(value)} is not allowed",
                               allowed="a number from 0.5 to 2.0")
        if key in ("engine", "voice") and (not isinstance(value, str) or not value.strip()):
            raise ContentError(source, f"voice.{key}", f"{toml_value(value)} is not allowed",
                               allowed="a non-empty string")


def _check_sounds(source: str, sounds: dict[str, Any]) -> None:
    for role, value in sounds.items():
        if not isinstance(value, str) or not value.strip():
            raise ContentError(source, f"sounds.{role}", f"{toml_value(value)} is not a file path",
                               allowed="a path to a WAV, MP3 or OGG file")


def _loudness(source: str, value: object) -> float | None:
    low, high = LOUDNESS_RANGE
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise ContentError(source, "loudness", f"{value!r} is not allowed",
                           allowed=f"a number of LUFS from {low:g} to {high:g}, e.g. -19")
    return float(value)


def _is_number(value: object) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _check_music(source: str, music: dict[str, Any]) -> None:
    # The music comes up in rests, never down: no further under the voice than the bed.
    level = music.get("level")
    bed = float(level) if _is_number(level) else DEFAULT_MUSIC_LEVEL_DB
    allowed = {"path": "a path to an audio file, a folder or an .m3u playlist",
               "shuffle": "true or false", "level": "0 to 60 (dB under the voice)",
               "duck": "0 to 40 (dB)",
               "rest": f"0 to {bed:g} (dB under the voice in long rests; at most the level)"}
    for key, value in music.items():
        if key not in MUSIC_KEYS:
            raise ContentError(source, f"music.{key}", f"unknown key {key!r}"
                               f"{did_you_mean(key, MUSIC_KEYS)}", allowed=", ".join(MUSIC_KEYS))
        number = _is_number(value)
        good = {"path": isinstance(value, str) and bool(value.strip()),
                "shuffle": isinstance(value, bool),
                "level": number and 0 <= value <= 60,
                "duck": number and 0 <= value <= 40,
                "rest": number and 0 <= value <= bed}[key]
        if not good:
            raise ContentError(source, f"music.{key}", f"{value!r} is not allowed",
                               allowed=allowed[key])
