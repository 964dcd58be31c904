"""Glass-to-glass stamps: frames whose top rows carry the wall-clock millisecond they were made.

A 640x360 gray frame has two rows of 32 blocks (20x32 px each at 640x360): row A holds the 32
bits of (unix ms mod 2^32), black = 0 and white = 1, most significant bit first; row B holds
their complement, so a frame whose rows disagree (a broken or blended decode) is rejected rather
than misread. The rest of the frame is a moving gradient, so the encoder has real work to do.
Reading samples the centre of each block at positions relative to the frame's size, so a
scaled-down layer (the transcoded ladder's 320x180, say) reads the same.

`Generator` writes such frames at 30 fps as rawvideo to a publisher's stdin (ffmpeg encodes
and sends them over RTMP); `read_stamp` turns a decoded luma plane back into the millisecond.
"""

from __future__ import annotations

import asyncio
import os
import time

import numpy as np

WIDTH, HEIGHT, FPS = 640, 360, 30
BITS = 32
ROW_A = (8, 40)  # y range of the bits, at 640x360
ROW_B = (48, 80)  # y range of the complement
MASK = (1 << BITS) - 1


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def make_frame(index: int, stamp_ms: int) -> bytes:
    """One 640x360 gray frame carrying `stamp_ms` (mod 2^32)."""
    x = (np.arange(WIDTH, dtype=np.int32) + index * 4) % 256
    frame = np.empty((HEIGHT, WIDTH), np.uint8)
    frame[:] = x.astype(np.uint8)
    frame[: ROW_B[1] + 8, :] = 128
    value = stamp_ms & MASK
    bw = WIDTH // BITS
    for i in range(BITS):
        bit = (value >> (BITS - 1 - i)) & 1
        frame[ROW_A[0] : ROW_A[1], i * bw : (i + 1) * bw] = 255 if bit else 0
        frame[ROW_B[0] : ROW_B[1], i * bw : (i + 1) * bw] = 0 if bit else 255
    return frame.tobytes()


def _row_bits(y_plane: np.ndarray, rows: tuple[int, int]) -> int | None:
    h, w = y_plane.shape
    y0 = int((rows[0] + (rows[1] - rows[0]) * 0.3) * h / HEIGHT)
    y1 = max(y0 + 1, int((rows[1] - (rows[1] - rows[0]) * 0.3) * h / HEIGHT))
    bw = w / BITS
    value = 0
    for i in range(BITS):
        x0 = int((i + 0.3) * bw)
        x1 = max(x0 + 1, int((i + 0.7) * bw))
        mean = float(y_plane[y0:y1, x0:x1].mean())
        if 100 < mean < 156:  # neither black nor white: not a stamp
            return None
        value = (value << 1) | (1 if mean >= 128 else 0)
    return value


def read_stamp(y_plane: np.ndarray) -> int | None:
    """The stamp (ms mod 2^32) of a decoded luma plane (h x w), or None if it is not legible."""
    a = _row_bits(y_plane, ROW_A)
    b = _row_bits(y_plane, ROW_B)
    if a is None or b is None or a != (~b & MASK):
        return None
    return a


def latency_ms(stamp: int, received_ms: int) -> int:
    """received − stamped, both ms; the stamp is mod 2^32."""
    return (received_ms - stamp) & MASK


def y_plane_of(plane: memoryview | bytes, width: int, height: int) -> np.ndarray:
    """A luma plane (`height` rows of a stride of at least `width` bytes) as an h x w array."""
    buf = np.frombuffer(plane, np.uint8)
    stride = max(width, len(buf) // height)
    return buf[: height * stride].reshape(height, stride)[:, :width]


class Generator:
    """Writes stamped frames at 30 fps (wall-clock paced) to a process's stdin until stopped."""

    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc
        self.frames = 0
        self.late = 0  # times the writer fell more than a frame behind and re-based its clock

    async def run(self, seconds: float) -> None:
        assert self.proc.stdin is not None
        start = time.monotonic()
        total = int(seconds * FPS)
        for i in range(total):
            slot = start + i / FPS
            delay = slot - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            elif delay < -1 / FPS:
                # Blocked (the encoder's start, a busy CPU): carry on from now, never burst.
                self.late += 1
                start -= delay
            try:
                self.proc.stdin.write(make_frame(i, now_ms()))
                await self.proc.stdin.drain()
            except (BrokenPipeError, ConnectionResetError):
                break
            self.frames += 1
        self.proc.stdin.close()


class Samples:
    """Latencies of legible frames, kept after a warm-up from the first one received."""

    def __init__(self, warmup_s: float = 1.0) -> None:
        self.warmup_ms = warmup_s * 1000
        self.first_ms: int | None = None
        self.last_ms = 0
        self.values: list[int] = []
        self.illegible = 0
        self.frames = 0
        self.sizes: dict[tuple[int, int], int] = {}
        self.at: list[int] = []  # receive time of each kept value, ms after the first frame
        self.dump = os.environ.get("INGEST_DUMP_ILLEGIBLE")  # a directory: first illegible frame per size

    def add(self, y: np.ndarray, received_ms: int) -> None:
        self.frames += 1
        key = (y.shape[1], y.shape[0])
        self.sizes[key] = self.sizes.get(key, 0) + 1
        stamp = read_stamp(y)
        if stamp is None:
            self.illegible += 1
            if self.dump:
                path = os.path.join(self.dump, f"illegible-{key[0]}x{key[1]}-{id(self)}.pgm")
                if not os.path.exists(path):
                    with open(path, "wb") as f:
                        f.write(f"P5 {key[0]} {key[1]} 255\n".encode() + np.ascontiguousarray(y).tobytes())
            return
        if self.first_ms is None:
            self.first_ms = received_ms
        if received_ms - self.first_ms >= self.warmup_ms:
            self.values.append(latency_ms(stamp, received_ms))
            self.at.append(received_ms - self.first_ms)
            self.last_ms = received_ms

    def summary(self) -> dict:
        v = np.array(self.values, dtype=np.float64)
        out = {"frames": self.frames, "legible_kept": len(self.values), "illegible": self.illegible,
               "sizes": {f"{w}x{h}": n for (w, h), n in self.sizes.items()},
               "window_s": round((self.last_ms - self.first_ms - self.warmup_ms) / 1000, 1) if self.values and self.first_ms else 0}
        if len(v):
            out.update(p50_ms=float(np.percentile(v, 50)), p95_ms=float(np.percentile(v, 95)),
                       max_ms=float(v.max()), min_ms=float(v.min()))
            # The median of each 5 s of reception: shows drift (a reader falling behind).
            at = np.array(self.at) // 5000
            out["p50_by_5s"] = [float(np.median(v[at == k])) for k in np.unique(at)]
        return out
