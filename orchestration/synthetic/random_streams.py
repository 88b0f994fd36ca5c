"""Independent, seeded random streams per generator component.

Each component draws from its own stream keyed by (seed, component, ...), so a
change in how one component draws never shifts the numbers of another, and the
month-by-month activity streams do not depend on how many months came before.
"""

from __future__ import annotations

import zlib

import numpy as np


def stream(seed: int, component: str, *keys: int) -> np.random.Generator:
    # crc32 rather than hash(): str hashes are salted per process.
    return np.random.default_rng([seed, zlib.crc32(component.encode()), *keys])
