"""Served workouts as episodes: rendered once through the normal export, kept by what shapes
their sound.

An episode's folder is named by a SHA-256 over everything that changes the audio (the
placed timeline, every speech clip's samples, the tone palette, the export options and
repcue's version), so an unchanged workout is found again instead of rendered, and a
changed one lands in a new folder. The episode's GUID is the SHA-256 of the MP3 itself:
it changes exactly when the audio does. A folder is built under a temporary name and
renamed when whole, so a crash never leaves a half episode that looks finished.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from repcue import __version__
from repcue.clip import Clip
from repcue.export import ExportOptions, export_mix, export_session
from repcue.export.chapters import Chapter, chapters
from repcue.export.safe_write import process_alive
from repcue.serve import ServeError
from repcue.timeline import Timeline
from repcue.tones import TonePalette

SCHEMA = "repcue.episode/1"
AUDIO = "audio.mp3"
TRANSCRIPT = "audio.vtt"
META = "episode.json"
_PARTIAL = re.compile(r"^\.partial-(\d+)-[0-9a-f]+$")


@dataclass(frozen=True)
class Episode:
    """One served workout: its audio and cue files, and what the feed and pages say of it."""

    slug: str
    name: str
    timeline: Timeline
    lead_in_ms: int
    folder: Path
    bytes: int
    sha256: str
    rendered_at: float

    @property
    def title(self) -> str:
        return self.timeline.title

    @property
    def audio(self) -> Path:
        return self.folder / AUDIO

    @property
    def transcript(self) -> Path:
        return self.folder / TRANSCRIPT

    @property
    def duration_ms(self) -> int:
        """Length of the file: the lead-in plus the session."""
        return self.lead_in_ms + self.timeline.duration_ms

    @property
    def guid(self) -> str:
        return f"repcue-{self.slug}-{self.sha256[:24]}"

    @property
    def chapters(self) -> list[Chapter]:
        """The MP3's own chapters (file time), the same list its CHAP frames hold."""
        return chapters(self.timeline, self.lead_in_ms)

    @property
    def exercises(self) -> list[str]:
        return list(dict.fromkeys(m.text or m.exercise or "" for m in
                                  self.timeline.markers("exercise")))


def default_root() -> Path:
    import platformdirs

    return platformdirs.user_cache_path("repcue") / "episodes"


def slugs(names: Iterable[str]) -> dict[str, str]:
    """Workout name -> the id its URLs use: lower-case letters, digits and dashes, unique."""
    found: dict[str, str] = {}
    for name in names:
        base = re.sub(r"[^a-z0-9]+", "-", Path(name).stem.lower()).strip("-") or "workout"
        slug, n = base, 2
        while slug in found.values():
            slug, n = f"{base}-{n}", n + 1
        found[name] = slug
    return found


def episode_key(timeline: Timeline, clips: Mapping[str, Clip], palette: TonePalette,
                options: ExportOptions) -> str:
    digest = hashlib.sha256(f"{SCHEMA} repcue {__version__}\n{options!r}\n".encode())
    digest.update(timeline.to_json().encode())
    for label, clip in [*sorted(clips.items()), *sorted(palette.tones.items())]:
        digest.update(f"\n{label}\n{clip.rate}\n".encode())
        digest.update(clip.samples.tobytes())
    return digest.hexdigest()


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def _read_meta(folder: Path) -> dict[str, object] | None:
    """The finished folder's record, or None when it is missing, damaged or incomplete."""
    try:
        meta = json.loads((folder / META).read_text(encoding="utf-8"))
        whole = (isinstance(meta, dict) and meta.get("schema") == SCHEMA
                 and (folder / AUDIO).stat().st_size == meta.get("bytes")
                 and (folder / TRANSCRIPT).is_file())
    except (OSError, ValueError):
        return None
    return meta if whole else None


class EpisodeShelf:
    """The folder of rendered episodes (the user's cache dir unless told otherwise)."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = root or default_root()

    def episode(self, name: str, slug: str, timeline: Timeline, clips: Mapping[str, Clip],
                palette: TonePalette, options: ExportOptions) -> tuple[Episode, bool]:
        """``(episode, rendered)``: the kept episode for this exact audio, or a new render."""
        options = replace(options, format="mp3", sidecars=True, force=True)
        key = episode_key(timeline, clips, palette, options)
        folder = self.root / key[:40]
        meta = _read_meta(folder)
        rendered = meta is None
        if meta is None:
            meta = self._render(folder, name, timeline, clips, palette, options)
        return Episode(slug, name, timeline, options.lead_in_ms, folder, int(str(meta["bytes"])),
                       str(meta["sha256"]), float(str(meta["rendered_at"]))), rendered

    def _render(self, folder: Path, name: str, timeline: Timeline, clips: Mapping[str, Clip],
                palette: TonePalette, options: ExportOptions) -> dict[str, object]:
        self.remove_stale_partials()
        partial = self.root / f".partial-{os.getpid()}-{os.urandom(4).hex()}"
        try:
            partial.mkdir(parents=True)
            mix = export_mix(timeline, clips, palette, options)
            result = export_session(mix, partial / AUDIO, options)
            meta: dict[str, object] = {
                "schema": SCHEMA, "workout": name, "title": timeline.title,
                "bytes": result.bytes, "sha256": _file_sha256(result.path),
                "rendered_at": time.time(), "duration_ms": result.duration_ms}
            (partial / META).write_text(json.dumps(meta, indent=1), encoding="utf-8")
            if folder.exists() and _read_meta(folder) is None:
                shutil.rmtree(folder)  # damaged (a truncated MP3, a lost record): replace it
            try:
                os.replace(partial, folder)
            except OSError:
                # Another repcue finished the same episode first: theirs is as good.
                kept = _read_meta(folder)
                if kept is None:
                    raise
                meta = kept
        except OSError as exc:
            raise ServeError(f"cannot keep the rendered {name} in {self.root}: "
                             f"{exc.strerror or exc}") from exc
        finally:
            shutil.rmtree(partial, ignore_errors=True)
        return meta

    def remove_stale_partials(self) -> None:
        """Folders left by a repcue that died while rendering."""
        with contextlib.suppress(OSError):
            for entry in self.root.iterdir():
                match = _PARTIAL.match(entry.name)
                if match and not process_alive(int(match.group(1))):
                    shutil.rmtree(entry, ignore_errors=True)

    def forget_older(self, kept: Iterable[Episode]) -> None:
        """Remove earlier renders of the workouts just served: each is megabytes, and going
        back to an earlier version of a workout is rarer than changing it again."""
        kept = list(kept)
        names = {e.name for e in kept}
        folders = {e.folder for e in kept}
        with contextlib.suppress(OSError):
            for entry in self.root.iterdir():
                if entry in folders or entry.name.startswith("."):
                    continue
                meta = _read_meta(entry)
                if meta is not None and meta.get("workout") in names:
                    shutil.rmtree(entry, ignore_errors=True)


