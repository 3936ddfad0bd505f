"""Generate ``vfscore_studio.hdr``, the project's own neutral studio HDRI. Deterministic.

A neutral grey gradient (darker floor, brighter ceiling) with three soft-edged white soft boxes:
a key light front-left and above, a fill front-right, and a rim light behind and above. Everything
is neutral (R = G = B) so the lighting never tints a product's colours.

Directions use the camera rig's convention (azimuth 0 = the front, the -Y side of the object;
azimuth grows towards +X) and Cycles' equirectangular mapping: u = 0.5 - atan2(y, x) / 2pi, so
the image centre faces +X and u = 0.75 faces the front (-Y).

    python -m hdri.make_studio_hdri [OUT]      (default: hdri/vfscore_studio.hdr)
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import numpy.typing as npt

WIDTH, HEIGHT = 512, 256

# (azimuth°, elevation°, width°, height°, radiance): soft boxes, in the rig's convention.
SOFT_BOXES = (
    (-40.0, 35.0, 50.0, 35.0, 10.0),  # key
    (55.0, 15.0, 60.0, 40.0, 3.5),  # fill
    (180.0, 55.0, 90.0, 25.0, 5.0),  # rim
)
FLOOR, CEILING = 0.18, 0.55
EDGE_DEG = 8.0  # width of each box's soft edge


def _smooth_inside(distance_outside: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """1 inside, 0 beyond EDGE_DEG outside, smoothstep in between."""
    t = np.clip(1.0 - distance_outside / EDGE_DEG, 0.0, 1.0)
    return t * t * (3.0 - 2.0 * t)


def radiance() -> npt.NDArray[np.float64]:
    """Row 0 = top (elevation +90°), as Radiance files store it; shape (HEIGHT, WIDTH)."""
    u = (np.arange(WIDTH) + 0.5) / WIDTH
    v = 1.0 - (np.arange(HEIGHT) + 0.5) / HEIGHT
    phi = (0.5 - u) * 2.0 * np.pi
    elev = (v - 0.5) * np.pi
    el, ph = np.meshgrid(elev, phi, indexing="ij")
    x = np.cos(el) * np.cos(ph)
    y = np.cos(el) * np.sin(ph)
    # Back to the rig's azimuth: direction (sin az, -cos az).
    az = np.degrees(np.arctan2(x, -y))
    el_deg = np.degrees(el)
    out = FLOOR + (CEILING - FLOOR) * (0.5 + 0.5 * np.sin(el))
    for b_az, b_el, b_w, b_h, power in SOFT_BOXES:
        d_az = (az - b_az + 180.0) % 360.0 - 180.0
        # Width measured along the horizon shrinks with cos(elevation).
        out_az = np.abs(d_az) * np.cos(np.radians(b_el)) - b_w / 2.0
        out_el = np.abs(el_deg - b_el) - b_h / 2.0
        outside = np.hypot(np.maximum(out_az, 0.0), np.maximum(out_el, 0.0))
        out = out + power * _smooth_inside(outside)
    return out  # type: ignore[no-any-return]


def encode_rgbe(lum: npt.NDArray[np.float64]) -> bytes:
    """Grey radiance → uncompressed RGBE pixels.

    Uncompressed scanlines are valid Radiance data as long as no scanline starts with the bytes
    2, 2 (the RLE marker); a normalised mantissa is always >= 128, so grey pixels never do.
    """
    mant, exp = np.frexp(lum)
    m = np.clip(np.floor(mant * 256.0), 0, 255).astype(np.uint8)
    e = (exp + 128).astype(np.uint8)
    zero = lum < 1e-32
    m[zero] = 0
    e[zero] = 0
    return bytes(np.stack([m, m, m, e], axis=-1).tobytes())


def hdr_bytes() -> bytes:
    """The whole file."""
    header = f"#?RADIANCE\nFORMAT=32-bit_rle_rgbe\n\n-Y {HEIGHT} +X {WIDTH}\n".encode("ascii")
    return header + encode_rgbe(radiance())


def main(argv: list[str]) -> None:
    out = Path(argv[0]) if argv else Path(__file__).with_name("vfscore_studio.hdr")
    out.write_bytes(hdr_bytes())
    print(out)


if __name__ == "__main__":
    main(sys.argv[1:])
