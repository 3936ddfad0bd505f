"""The report's agreement section: per judge, a table of the figures with their intervals, and a
scatter of the judge's score against the people's mean rating per dimension; then people's
reliability and each rater's bias. Server-side HTML and inline SVG; every text escaped."""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

SIDE, PAD = 160, 22  # scatter size and margin, px


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value))


def _figure(f: Mapping[str, Any], digits: int = 2) -> str:
    if f["value"] is None:
        return f"&ndash; <small>n={f['n']}</small>"
    ci = "" if f["low"] is None else f" [{f['low']:.{digits}f}, {f['high']:.{digits}f}]"
    return f"{f['value']:.{digits}f}{ci} <small>n={f['n']}</small>"


def scatter(points: list[Mapping[str, Any]], dim: str) -> str:
    """Judge score (x, 0-100) against mean human rating (y, 1-5), one dot per job."""
    span = SIDE - 2 * PAD
    dots = "".join(
        f'<circle cx="{PAD + p["judge"] / 100 * span:.1f}" '
        f'cy="{SIDE - PAD - (p["human"] - 1) / 4 * span:.1f}" r="3" fill="#2a6fdb" '
        f'fill-opacity=".6"><title>{_e(p["job_id"])}: judge {p["judge"]:g}, people '
        f"{p['human']:.2f}</title></circle>"
        for p in points
    )
    return (
        f'<figure class="scatter"><svg width="{SIDE}" height="{SIDE}" role="img" '
        f'aria-label="{_e(dim)}: judge against people, {len(points)} jobs">'
        f'<rect x="{PAD}" y="{PAD}" width="{span}" height="{span}" fill="none" stroke="#bbb"/>'
        f'<text x="{PAD}" y="{SIDE - 6}" font-size="9">judge 0&ndash;100 &rarr;</text>'
        f'<text x="2" y="{PAD - 8}" font-size="9">people 1&ndash;5 &uarr;</text>{dots}</svg>'
        f"<figcaption>{_e(dim)}</figcaption></figure>"
    )


def _judge(name: str, dims: Mapping[str, Mapping[str, Any]]) -> str:
    rows = "".join(
        f"<tr><th>{_e(d)}</th><td>{_figure(f['spearman'])}</td><td>{_figure(f['kendall'])}</td>"
        f"<td>{_figure(f['pairwise_accuracy'])}</td><td>{_figure(f['repeat_std'], 1)}</td>"
        f"<td>{_figure(f['flip_rate'])}</td></tr>"
        for d, f in dims.items()
    )
    plots = "".join(scatter(f["scatter"], d) for d, f in dims.items())
    return (
        f'<h3>Judge {_e(name)}</h3><table class="grid"><thead><tr><th>dimension</th>'
        "<th>Spearman &rho;</th><th>Kendall &tau;</th><th>pairwise accuracy</th><th>repeat std</th>"
        f"<th>flip rate</th></tr></thead><tbody>{rows}</tbody></table>"
        f'<div class="scatters">{plots}</div>'
    )


def _people(people: Mapping[str, Any]) -> str:
    dims = list(people["krippendorff_alpha"])
    alpha = "".join(f"<td>{_figure(people['krippendorff_alpha'][d])}</td>" for d in dims)
    head = "".join(f"<th>{_e(d)}</th>" for d in dims)
    bias = "".join(
        f"<tr><th>{_e(r)}</th>"
        + "".join(
            f"<td>{_figure(people['bias'][d][r]) if r in people['bias'][d] else '&ndash;'}</td>"
            for d in dims
        )
        + "</tr>"
        for r in people["raters"]
    )
    return (
        f"<h3>People</h3><p>{len(people['raters'])} rater(s), {people['ratings']} rating(s), "
        f'{people["comparisons"]} comparison(s).</p><table class="grid"><thead><tr><th></th>'
        f"{head}</tr></thead><tbody><tr><th>Krippendorff's &alpha;</th>{alpha}</tr>"
        f"{bias}</tbody></table><p><small>Rows under &alpha;: each rater's bias, the mean of their "
        "rating minus everyone's mean on the same job (1&ndash;5 scale).</small></p>"
    )


def agreement_section(agreement: Mapping[str, Any] | None) -> str:
    """The section, or a line saying how to get one when nobody has rated the run."""
    if not agreement:
        return (
            '<section id="agreement"><h2>Agreement with people</h2><p>Nobody has rated this '
            "run yet: <code>vfscore rate --run-id …</code> opens the inspector.</p></section>"
        )
    judges = "".join(_judge(name, dims) for name, dims in agreement["judges"].items())
    return (
        '<section id="agreement"><h2>Agreement with people</h2><p>95 % bootstrap intervals; '
        "n counts jobs (&rho;, &tau;, repeat std), preferences (pairwise accuracy) or "
        f"verdicts (flip rate).</p>{judges}{_people(agreement['people'])}</section>"
    )
