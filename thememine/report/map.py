"""The report's map of themes: a self-contained SVG a researcher can read.

Each theme is a circle whose area is its number of statements, placed by its centroid in a 2-D
view of the embeddings and labelled beside it; the statements are faint dots behind, in their
theme's colour. The view is the plane that spreads the theme centroids most (PCA of the centroids
of the centred embeddings), so themes that differ lie apart even when their statements overlap;
circles that would still cover each other are nudged apart, and each label takes the first free
place around its circle. Everything is deterministic: the same run gives the same picture.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from thememine.embed.base import normalise_rows
from thememine.themes.model import UNASSIGNED

Points = npt.NDArray[np.float64]
Box = tuple[float, float, float, float]  # x0, y0, x1, y1

WIDTH, HEIGHT = 760, 560
PAD = 10  # px between the picture's edge and any circle or label
R_MIN, R_MAX = 5.0, 36.0  # px: a theme's radius from its share of the largest theme (area ∝ statements)
GAP = 3.0  # px kept between two circles
LABEL_CHARS = 32  # a longer label is cut, with …
CHAR_WIDTH, LABEL_HEIGHT = 6.2, 13.0  # px of an 11 px sans-serif label, estimated
RELAX_ROUNDS = 300


@dataclass(frozen=True)
class Bubble:
    """A theme on the map: its circle, and where its label goes (``anchor``: start, end, middle)."""

    theme_id: int
    x: float
    y: float
    r: float
    size: int
    label: str
    label_x: float
    label_y: float
    anchor: str


@dataclass(frozen=True)
class ThemeMap:
    bubbles: list[Bubble]
    dots: list[tuple[int, float, float]]  # (row of the statement, x, y), inside the picture


def short_label(text: str, limit: int = LABEL_CHARS) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def plane(vectors: npt.ArrayLike, assignment: Sequence[int]) -> tuple[Points, dict[int, Points]]:
    """Every statement and every theme's centroid in the plane that spreads the centroids most.

    With fewer than three themes the plane is the statements' own first two components.
    """
    x = normalise_rows(np.asarray(vectors, dtype=np.float32)).astype(np.float64)
    x = x - x.mean(axis=0)
    ids = sorted({t for t in assignment if t != UNASSIGNED})
    labels = np.asarray(assignment)
    centres = {t: x[labels == t].mean(axis=0) for t in ids}
    basis_of = np.stack([centres[t] for t in ids]) if len(ids) >= 3 else x
    middle = basis_of.mean(axis=0)
    basis = np.zeros((2, x.shape[1]))
    if len(basis_of) >= 2:
        _, singular, vt = np.linalg.svd(basis_of - middle, full_matrices=False)
        for axis in range(min(2, len(vt))):
            if singular[axis] > 1e-12:
                component = vt[axis]
                basis[axis] = -component if component[np.argmax(np.abs(component))] < 0 else component
    points: Points = (x - middle) @ basis.T
    return points, {t: (centre - middle) @ basis.T for t, centre in centres.items()}


def layout(
    vectors: npt.ArrayLike,
    assignment: Sequence[int],
    labels: dict[int, str],
    width: int = WIDTH,
    height: int = HEIGHT,
) -> ThemeMap:
    """Where each theme's circle and label, and each statement's dot, go in a ``width`` × ``height`` picture."""
    points, centres = plane(vectors, assignment)
    sizes = {t: sum(1 for a in assignment if a == t) for t in centres}
    ids = sorted(centres, key=lambda t: (-sizes[t], t))
    if not ids:
        return ThemeMap([], [])
    largest = max(sizes.values())
    radius = np.array([R_MIN + (R_MAX - R_MIN) * np.sqrt(sizes[t] / largest) for t in ids])
    where = np.stack([centres[t] for t in ids])
    low, high = where.min(axis=0), where.max(axis=0)
    span = np.where(high - low > 1e-12, high - low, 1.0)
    margin = PAD + R_MAX
    scale = np.array([width - 2 * margin, height - 2 * margin]) / span

    def to_pixels(p: Points) -> Points:
        pixels: Points = margin + (p - low) * scale
        pixels[..., 1] = height - pixels[..., 1]  # up is up
        return pixels

    xy = _relax(to_pixels(where), radius, width, height)
    dots = [
        (row, float(px), float(py))
        for row, (px, py) in enumerate(to_pixels(points).tolist())
        if PAD <= px <= width - PAD and PAD <= py <= height - PAD
    ]
    texts = [f"{t}: {short_label(labels.get(t, ''))}" for t in ids]
    placed = _place_labels(xy, radius, texts, width, height)
    bubbles = [
        Bubble(t, float(xy[i, 0]), float(xy[i, 1]), float(radius[i]), sizes[t], texts[i], *placed[i])
        for i, t in enumerate(ids)
    ]
    return ThemeMap(bubbles, dots)


def _relax(xy: Points, radius: npt.NDArray[np.float64], width: int, height: int) -> Points:
    """Nudge circles apart until none covers another (or the rounds run out), inside the picture."""
    xy = xy.astype(np.float64).copy()
    n = len(xy)
    if n < 2:
        return xy
    wanted = radius[:, None] + radius[None, :] + GAP
    offsets = np.arange(n, dtype=np.float64)
    for _ in range(RELAX_ROUNDS):
        diff = xy[:, None, :] - xy[None, :, :]
        dist = np.sqrt((diff**2).sum(axis=2))
        overlap = np.clip(wanted - dist, 0.0, None)
        np.fill_diagonal(overlap, 0.0)
        if overlap.max() < 0.5:
            break
        # two circles on the same spot part along a fixed direction, so the result is deterministic
        same = dist < 1e-9
        direction = np.where(
            same[:, :, None],
            np.stack(
                [np.cos(offsets[:, None] - offsets[None, :]), np.sin(offsets[:, None] - offsets[None, :])], 2
            ),
            diff / np.where(same, 1.0, dist)[:, :, None],
        )
        xy += 0.5 * (overlap[:, :, None] * direction).sum(axis=1)
        xy[:, 0] = np.clip(xy[:, 0], PAD + radius, width - PAD - radius)
        xy[:, 1] = np.clip(xy[:, 1], PAD + radius, height - PAD - radius)
    return xy


def _place_labels(
    xy: Points, radius: npt.NDArray[np.float64], texts: Sequence[str], width: int, height: int
) -> list[tuple[float, float, str]]:
    """For each circle (largest first), the first place around it where its label covers nothing.

    Tried in turn: right, left, above, below; when all are taken, the one covering least.
    """
    boxes: list[Box] = []  # x0, y0, x1, y1 of labels placed so far
    result: list[tuple[float, float, str]] = []
    for i, text in enumerate(texts):
        x, y, r = float(xy[i, 0]), float(xy[i, 1]), float(radius[i])
        w = CHAR_WIDTH * len(text)
        options = [
            (
                x + r + 4,
                y + 4,
                "start",
                (x + r + 4, y - LABEL_HEIGHT / 2, x + r + 4 + w, y + LABEL_HEIGHT / 2),
            ),
            (x - r - 4, y + 4, "end", (x - r - 4 - w, y - LABEL_HEIGHT / 2, x - r - 4, y + LABEL_HEIGHT / 2)),
            (x, y - r - 5, "middle", (x - w / 2, y - r - 5 - LABEL_HEIGHT, x + w / 2, y - r - 5)),
            (x, y + r + 13, "middle", (x - w / 2, y + r + 2, x + w / 2, y + r + 2 + LABEL_HEIGHT)),
        ]

        costs = [_cost(option[3], i, xy, radius, boxes, width, height) for option in options]
        best = next((k for k, c in enumerate(costs) if c == 0.0), int(np.argmin(costs)))
        lx, ly, anchor, box = options[best]
        boxes.append(box)
        result.append((lx, ly, anchor))
    return result


def _cost(
    box: Box,
    own: int,
    xy: Points,
    radius: npt.NDArray[np.float64],
    boxes: Sequence[Box],
    width: int,
    height: int,
) -> float:
    """How much a label at ``box`` would cover: the picture's edge (heavily), other labels, other circles."""
    outside = max(0.0, -box[0]) + max(0.0, box[2] - width) + max(0.0, -box[1]) + max(0.0, box[3] - height)
    covered = sum(_area(box, other) for other in boxes)
    for j, ((x, y), r) in enumerate(zip(xy.tolist(), radius.tolist(), strict=True)):
        if j != own:
            covered += _area(box, (x - r, y - r, x + r, y + r))
    return 100.0 * outside + covered


def _area(a: Box, b: Box) -> float:
    """The area two boxes share."""
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    return float(w * h) if w > 0 and h > 0 else 0.0
