"""Speech: every cue text becomes a real, measured, cached audio clip.

``synthesize(texts, VoiceSettings(...))`` returns a clip per unique text; the
engines behind it are pluggable (:mod:`repcue.speech.engine`) and always run in
worker processes with a time limit (:mod:`repcue.speech.worker`).
"""

from repcue.speech.engine import (
    SpeechEngine,
    UnknownEngineError,
    UnknownVoiceError,
    VoiceInfo,
    engine_names,
    register_engine,
)
from repcue.speech.synthesis import (
    VoiceSettings,
    cache_clear,
    cache_info,
    default_cache_dir,
    list_voices,
    neural_available,
    resolve_engine,
    synthesize,
)

__all__ = [
    "SpeechEngine",
    "UnknownEngineError",
    "UnknownVoiceError",
    "VoiceInfo",
    "VoiceSettings",
    "cache_clear",
    "cache_info",
    "default_cache_dir",
    "engine_names",
    "list_voices",
    "neural_available",
    "register_engine",
    "resolve_engine",
    "synthesize",
]
