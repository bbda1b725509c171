"""Exported files: one audio file per session with tags, chapters and cue text, or a program."""

from repcue.export.exporter import (
    ExportOptions,
    ExportResult,
    export_mix,
    export_session,
    sidecar_paths,
)
from repcue.export.program import export_program

__all__ = ["ExportOptions", "ExportResult", "export_mix", "export_program", "export_session",
           "sidecar_paths"]
