"""Mono audio with its sample rate: what speech engines produce and the renderer mixes."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

Samples = npt.NDArray[np.float32]


@dataclass(frozen=True, eq=False)
class Clip:
    """Mono float32 samples in [-1, 1] at ``rate`` Hz."""

    samples: Samples
    rate: int

    def __post_init__(self) -> None:
        if self.samples.ndim != 1:
            raise ValueError("a clip is mono: samples must be one-dimensional")
        if self.samples.dtype != np.float32:
            raise ValueError("clip samples must be float32")
        if self.rate <= 0:
            raise ValueError("clip rate must be positive")

    @property
    def duration_ms(self) -> int:
        """Length rounded up to a whole millisecond, so a cue never ends after its event."""
        return -(-len(self.samples) * 1000 // self.rate)
