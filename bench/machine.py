"""What benchmarks record about the machine: CPU model (from /proc/cpuinfo), load, measured peak FLOP/s.

The peak fp32 rate is measured, not assumed from a CPU model's data sheet: the best of several large
float32 matrix products (numpy's BLAS and, where TensorFlow is importable, TF's own kernels), using
every core. On shared cores the figure is what the machine gave while it was measured; the load
average at the time is recorded beside it.

    .venv/bin/python bench/machine.py        # prints the JSON that the benchmarks embed
"""

from __future__ import annotations

import json
import os
import platform
import time
from pathlib import Path


def cpu_model() -> str:
    """`model name` of the first CPU in /proc/cpuinfo (platform.processor() where there is none)."""
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def cpu_flags() -> list[str]:
    """The SIMD flags that bound the fp32 rate (avx2, fma, avx512f, ...), as the kernel reports them."""
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("flags"):
                flags = set(line.split(":", 1)[1].split())
                return sorted(f for f in flags if f in {"avx", "avx2", "fma", "avx512f", "avx512_bf16"})
    except OSError:
        pass
    return []


def _best_matmul_flops(matmul, n: int, repeats: int) -> float:
    """Best FLOP/s of `repeats` n x n x n float32 products (2 n^3 FLOPs each), after one warm-up."""
    matmul()
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        matmul()
        best = min(best, time.perf_counter() - started)
    return 2.0 * n**3 / best


def peak_flops(n: int = 2048, repeats: int = 7, tensorflow: bool = True) -> dict:
    """Measured fp32 peak of this machine: best of `repeats` n x n matmuls in numpy and in TF."""
    import numpy as np

    rng = np.random.default_rng(0)
    a = rng.standard_normal((n, n), dtype=np.float32)
    b = rng.standard_normal((n, n), dtype=np.float32)
    load_start = os.getloadavg()
    rates = {"numpy": _best_matmul_flops(lambda: a @ b, n, repeats)}
    if tensorflow:
        try:
            import tensorflow as tf
        except ImportError:
            tf = None
        if tf is not None:
            ta, tb = tf.constant(a), tf.constant(b)
            rates["tensorflow"] = _best_matmul_flops(lambda: tf.linalg.matmul(ta, tb).numpy(), n, repeats)
    best = max(rates, key=rates.get)
    return {
        "peak_fp32_flop_per_s": round(rates[best]),
        "peak_from": best,
        "by_library": {k: round(v) for k, v in rates.items()},
        "method": f"best of {repeats} float32 {n}x{n} @ {n}x{n} matmuls (2n^3 FLOPs) per library, all cores",
        "loadavg_during": [round(x, 2) for x in load_start],
    }


def describe(load_start: tuple[float, ...] | list[float], flops: dict | None = None) -> dict:
    """The `machine` block of a results JSON; the load at the end is read now."""
    out = {
        "cpu_model": cpu_model(),
        "cpu_flags": cpu_flags(),
        "cpu_count": os.cpu_count(),
        "platform": platform.platform(),
        "loadavg_start": [round(x, 2) for x in load_start],
        "loadavg_end": [round(x, 2) for x in os.getloadavg()],
    }
    if flops is not None:
        out["peak_flops"] = flops
    return out


if __name__ == "__main__":
    print(json.dumps(describe(os.getloadavg(), peak_flops()), indent=2))
