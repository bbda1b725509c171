"""Export a program: one file per session, written two at a time, plus a playlist."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

from repcue.clip import Clip
from repcue.errors import InputError
from repcue.export import playlist
from repcue.export.exporter import (
    ExportOptions,
    ExportResult,
    export_mix,
    export_session,
    sidecar_paths,
)
from repcue.export.safe_write import prepare_destination, write_bytes_safely
from repcue.mix.gain_search import Progress, palette_at
from repcue.timeline import Timeline
from repcue.tones import TonePalette

SessionFactory = Callable[[], tuple[Timeline, Mapping[str, Clip]]]


def export_program(
    items: Sequence[tuple[str, SessionFactory]],
    out_dir: Path,
    palette: TonePalette,
    options: ExportOptions = ExportOptions(),  # noqa: B008  frozen
    jobs: int = 2,
    playlist_name: str = "program",
    progress: Progress | None = None,
    music_seeds: Sequence[int] | None = None,
) -> list[ExportResult]:
    """Export one file per ``(name, factory)`` into ``out_dir``, in parallel, plus a playlist.

    Track numbers follow the order of ``items`` unless ``options.track`` is set.
    ``music_seeds`` shuffles each item's music with its own seed (each workout's, as a single
    export of it would); without it every item takes ``options.music``'s.
    """
    out_dir = Path(out_dir)
    names = [name for name, _ in items]
    if len(set(names)) != len(names):
        raise InputError("export", "the same workout is listed twice", value=names,
                         allowed="each workout once")
    targets = [out_dir / f"{name}.{options.codec.suffix}" for name in names]
    playlist_path = out_dir / f"{playlist_name}.m3u8"
    every = [*targets, playlist_path]
    if options.sidecars:
        every += [p for t in targets for p in sidecar_paths(t)]
    prepare_destination(every, force=options.force)
    palette = palette_at(palette, options.sample_rate)  # once, not once per session
    cancel = threading.Event()

    def one(index: int) -> ExportResult:
        _, factory = items[index]
        timeline, clips = factory()
        track = options.track if options.track is not None else index + 1
        mine = replace(options, track=track)
        if music_seeds is not None and options.music is not None:
            mine = replace(mine, music=replace(options.music, seed=music_seeds[index]))
        mix = export_mix(timeline, clips, palette, mine, progress)
        return export_session(mix, targets[index], mine, progress, cancel=cancel)

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures = [pool.submit(one, i) for i in range(len(items))]
        try:
            results = [future.result() for future in futures]
        except BaseException:
            # Ctrl-C or one failed export: stop the others rather than finish them.
            cancel.set()
            for future in futures:
                future.cancel()
            raise
    entries = [(r.path, r.title or r.path.stem, r.duration_ms) for r in results]
    write_bytes_safely(playlist_path, playlist.m3u8(playlist_path, entries).encode(),
                       force=options.force)
    return results
