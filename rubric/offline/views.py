"""One image prepared for measuring: its Lab pixels and its product mask."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from rubric.offline.colour import srgb_to_lab
from rubric.offline.foreground import Foreground

Array = npt.NDArray[np.float64]
PALETTE_SAMPLE = 6000


@dataclass(frozen=True)
class ImageView:
    """One image prepared for measuring: Lab pixels and its product mask."""

    lab: Array  # (H, W, 3)
    mask: npt.NDArray[np.bool_]
    support: npt.NDArray[np.bool_] | None = None  # see ``Foreground.support``

    @classmethod
    def from_rgb(cls, rgb: npt.NDArray[np.uint8], fg: Foreground) -> ImageView:
        return cls(srgb_to_lab(rgb), fg.mask, fg.support)

    def with_support(self) -> ImageView:
        """This image read with its support as product (itself when it has no such reading)."""
        return self if self.support is None else ImageView(self.lab, self.support)

    def pixels(self) -> Array:
        return self.lab[self.mask]

    def bbox(self) -> tuple[int, int, int, int]:
        ys, xs = np.nonzero(self.mask)
        return int(ys.min()), int(ys.max()) + 1, int(xs.min()), int(xs.max()) + 1


def _sample(points: Array, n: int) -> Array:
    if len(points) <= n:
        return points
    return points[np.linspace(0, len(points) - 1, n).astype(int)]  # type: ignore[no-any-return]


def pooled_pixels(views: Sequence[ImageView]) -> Array:
    return np.concatenate(
        [_sample(v.pixels(), PALETTE_SAMPLE // max(1, len(views))) for v in views]
    )


def lightness_patch(view: ImageView) -> tuple[Array, npt.NDArray[np.bool_]]:
    y0, y1, x0, x1 = view.bbox()
    return view.lab[y0:y1, x0:x1, 0], view.mask[y0:y1, x0:x1]
