"""Can an MP3 be encoded in two halves joined inside sound? Figures for issue 11.

Exports with music have no silent rest to cut in (``repcue.export.halves`` needs one), so
they run on one LAME thread. This measures the join such an export would need, on ten
minutes of music-like sound (pink noise with a kick drum every half second, so LAME
switches to short blocks on the beats):

- the first encoder runs past the cut, the second starts ``--pre`` seconds before it, on
  the same 576-sample frame grid;
- at a frame near the cut where both chose long blocks and the first encoder's unused
  bit reservoir is at least what the second one's frame reaches back for, the first
  half's frames end; the second encoder's reservoir bytes are copied into the first
  half's unused tail, and its frames follow from there.

LAME never empties its reservoir at 64 kbps (``main_data_begin`` 0), so a plain splice
would hand the second half's first frame the first half's bytes. Prints, per cut: how
many frames near it qualify, and how the decoded joined stream compares with one
encoder's around the join and with the input.

    PYTHONPATH=src .venv/bin/python benchmarks/mp3_join.py
"""

from __future__ import annotations

import argparse
import subprocess
from dataclasses import dataclass

import lameenc
import numpy as np
import numpy.typing as npt

from repcue.export.encoders import FrameHeader

RATE = 22050
FRAME = 576  # samples per MPEG-2 Layer III frame (one granule)
#: Samples ffmpeg puts before the input when no LAME tag says otherwise (576 + 529).
DELAY = 1105
#: Frames either side of the cut searched for a join.
REACH = 40
Samples = npt.NDArray[np.int16]
Floats = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Frame:
    raw: bytes
    head: int  # header, CRC and side info: main data starts here
    reservoir: int  # main_data_begin: bytes of earlier frames this one's data starts in
    long_blocks: bool


def music(seconds: float, seed: int = 7) -> Samples:
    n = int(seconds * RATE)
    rng = np.random.default_rng(seed)
    white = rng.standard_normal(n)
    spectrum = np.fft.rfft(white) / np.sqrt(np.arange(1, n // 2 + 2))  # pink
    noise = np.fft.irfft(spectrum, n)
    noise *= 0.15 / np.sqrt(np.mean(noise ** 2))
    t = np.arange(int(0.12 * RATE)) / RATE
    kick = 0.6 * np.sin(2 * np.pi * 60 * t * (1 + 2 * np.exp(-t * 40))) * np.exp(-t * 25)
    for start in range(0, n - len(kick), RATE // 2):
        noise[start:start + len(kick)] += kick
    return np.clip(noise * 32767, -32768, 32767).astype(np.int16)


def encode(x: Samples) -> bytes:
    encoder = lameenc.Encoder()
    encoder.set_bit_rate(64)
    encoder.set_in_sample_rate(RATE)
    encoder.set_channels(1)
    encoder.set_quality(5)
    return bytes(encoder.encode(x.tobytes()) + encoder.flush())


def frames(stream: bytes) -> list[Frame]:
    found, at = [], 0
    while at + 4 <= len(stream):
        header = FrameHeader.parse(stream[at:at + 4])
        crc = 0 if stream[at + 1] & 1 else 2
        head = 4 + crc + header.side_info
        raw = stream[at:at + header.size]
        bits, n = int.from_bytes(raw[4 + crc:head], "big"), 8 * header.side_info
        # MPEG-2 mono side info: main_data_begin 8, private 1, part2_3_length 12,
        # big_values 9, global_gain 8, scalefac_compress 9, window_switching_flag 1.
        switching = (bits >> (n - 48)) & 1
        found.append(Frame(raw, head, raw[4 + crc], not switching))
        at += header.size
    return found


def join(first: list[Frame], second: list[Frame], at: int, offset: int) -> bytes:
    """First's frames before ``at``, then second's from ``at - offset``, the reservoir
    the latter reaches back for copied into the former's unused tail."""
    need = second[at - offset].reservoir
    reservoir = b"".join(f.raw[f.head:] for f in second[:at - offset])[-need:] if need else b""
    kept = [bytearray(f.raw) for f in first[:at]]
    left, i = need, at - 1
    while left > 0:
        area = len(kept[i]) - first[i].head
        take = min(area, left)
        kept[i][len(kept[i]) - take:] = reservoir[left - take:left]
        left -= take
        i -= 1
    return b"".join(bytes(f) for f in kept) + b"".join(f.raw for f in second[at - offset:])


def decode(stream: bytes) -> Floats:
    out = subprocess.run(["ffmpeg", "-v", "error", "-f", "mp3", "-i", "-", "-f", "s16le", "-"],
                         input=stream, capture_output=True, check=True).stdout
    return np.frombuffer(out, "<i2").astype(np.float64)


def sdr(test: Floats, reference: Floats) -> float:
    noise = float(np.sum((test - reference) ** 2))
    return float("inf") if noise == 0 else 10 * np.log10(float(np.sum(reference ** 2)) / noise)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--pre", type=float, default=2.0, help="seconds the second encoder "
                        "starts before the cut")
    args = parser.parse_args()
    x = music(args.minutes * 60)
    single_stream = encode(x)
    single = decode(single_stream)
    pre = int(args.pre * RATE) // FRAME * FRAME
    post = 2 * RATE // FRAME * FRAME
    print(f"{args.minutes:g} min of pink noise and kicks, 64 kbps at {RATE} Hz, LAME quality 5, "
          f"second encoder from {args.pre:g} s before the cut")
    single_frames = frames(single_stream)
    reservoir_empty = sum(1 for f in single_frames if f.reservoir == 0)
    print(f"one encoder: main_data_begin 0 in {reservoir_empty} of {len(single_frames)} frames")
    total = len(x) // FRAME
    for share in (0.3, 0.4, 0.5, 0.6, 0.7):
        cut = int(total * share)
        first = frames(encode(x[:(cut + REACH) * FRAME + post]))
        second = frames(encode(x[(cut - REACH) * FRAME - pre:]))
        offset = (cut - REACH) - pre // FRAME  # second's frame i is first's frame offset + i
        fits = [g for g in range(cut - REACH + 2, cut + REACH)
                if second[g - offset].reservoir <= first[g].reservoir
                and first[g - 1].long_blocks and second[g - offset].long_blocks
                and second[g - offset - 1].long_blocks]
        if not fits:
            print(f"  cut at {share:.0%}: no frame of {2 * REACH} fits")
            continue
        at = min(fits, key=lambda g: abs(g - cut))
        joined = decode(join(first, second, at, offset))
        here = at * FRAME + DELAY
        near = slice(here - FRAME, here + 2 * FRAME)
        second_around = slice(here - RATE, here + RATE)
        source = x.astype(np.float64)[at * FRAME - RATE:at * FRAME + RATE]
        step = float(np.max(np.abs(np.diff(joined[near]))))
        length = "same length" if len(joined) == len(single) else "LENGTH DIFFERS"
        print(f"  cut at {share:.0%}: {len(fits)} of {2 * REACH - 2} frames near it fit; "
              f"joined at frame {at}, {length}")
        print(f"    joined vs one encoder, 1.5 frames around the join: "
              f"{sdr(joined[near], single[near]):.1f} dB; largest sample step there {step:.0f} "
              f"(one encoder {float(np.max(np.abs(np.diff(single[near])))):.0f})")
        print(f"    against the input, 1 s either side: one encoder "
              f"{sdr(single[second_around], source):.1f} dB, joined "
              f"{sdr(joined[second_around], source):.1f} dB")

if __name__ == "__main__":
    main()
