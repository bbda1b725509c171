"""The shape the module map promises: small modules and functions, a core free of audio."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "repcue"
CORE = ("model", "content", "content_fields", "timing", "settings", "durations", "config",
        "wording", "timeline", "segments", "plan", "schedule", "errors", "units")
AUDIO = ("sounddevice", "soundfile", "soxr", "pydub", "mutagen", "pyttsx3", "piper",
         "lameenc", "onnxruntime", "repcue.speech", "repcue.render", "repcue.mix",
         "repcue.player", "repcue.export", "repcue.music")
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60


def _trees() -> dict[Path, ast.Module]:
    return {path: ast.parse(path.read_text(encoding="utf-8")) for path in SRC.rglob("*.py")}


def test_no_module_over_400_lines_and_no_function_over_60() -> None:
    too_long = []
    for path, tree in _trees().items():
        lines = path.read_text(encoding="utf-8").count("\n")
        if lines > MAX_MODULE_LINES:
            too_long.append(f"{path.relative_to(SRC)}: {lines} lines")
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                assert node.end_lineno is not None
                length = node.end_lineno - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    too_long.append(f"{path.relative_to(SRC)}: {node.name} is {length} lines")
    assert too_long == []


def test_the_core_imports_no_audio_library() -> None:
    found = []
    for name in CORE:
        tree = ast.parse((SRC / f"{name}.py").read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            modules = ([alias.name for alias in node.names] if isinstance(node, ast.Import)
                       else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            found += [f"{name} imports {m}" for m in modules
                      if any(m == a or m.startswith(a + ".") for a in AUDIO)]
    assert found == []
