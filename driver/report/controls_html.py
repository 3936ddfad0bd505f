"""The report's "Judge checks" section: per judge, control accuracy with its interval per
dimension and per negative kind, a dimension that does not discriminate flagged, and each
product's ground truth and controls as thumbnails. Server-side HTML; every text escaped."""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Any

from rubric import NEGATIVES, OVERALL

FLAG = "not discriminating in this run"


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value))


def _acc(a: Mapping[str, Any]) -> str:
    if a.get("value") is None:
        return "&ndash;"
    return f"{a['value']:.2f} [{a['low']:.2f}, {a['high']:.2f}] <small>n={a['n']}</small>"


def _judge_table(judge: str, f: Mapping[str, Any], dims: Sequence[str]) -> str:
    cells = []
    for dim in (OVERALL, *dims):
        a = f["accuracy"].get(dim) or {}
        flag = f' <span class="pill fail">{FLAG}</span>' if a.get("discriminating") is False else ""
        cells.append(f"<tr><th>{_e(dim)}</th><td>{_acc(a)}{flag}</td></tr>")
    kinds = []
    for kind in NEGATIVES:
        k = f["by_kind"].get(kind)
        if k is None:
            continue
        moved = ", ".join(
            f"{_e(d)} {'moved' if m['moved'] else 'did not move'}"
            for d, m in k["expected_dimensions"].items()
        )
        kinds.append(
            f"<tr><th>{_e(kind)}</th><td>{_acc(k['accuracy'])}</td>"
            f"<td>{k['median_margin']:g}</td><td>{moved}</td></tr>"
        )
    return (
        f'<h3>{_e(judge)}</h3><table class="grid"><thead><tr><th>dimension</th>'
        "<th>control accuracy [95 % interval]</th></tr></thead>"
        f"<tbody>{''.join(cells)}</tbody></table>"
        '<table class="grid"><thead><tr><th>negative</th><th>accuracy</th>'
        "<th>median margin gt &minus; negative</th><th>dimensions it should move</th></tr>"
        f"</thead><tbody>{''.join(kinds)}</tbody></table>"
    )


def _thumb(c: Mapping[str, Any], root: str) -> str:
    img = f'<img src="{_e(root + c["render"])}" alt="" width="96">' if c.get("render") else ""
    score = "&ndash;" if c.get("overall") is None else f"{c['overall']:g}"
    note = _e(c.get("error") or c.get("source_product") or "")
    return (
        f'<figure class="control {_e(c["status"])}">{img}<figcaption>{_e(c["control"])}: '
        f"{score}<br><small>{note}</small></figcaption></figure>"
    )


def judge_checks_section(controls: Mapping[str, Any] | None, dims: Sequence[str], root: str) -> str:
    """The section, or a line saying how to get it when the run judged no controls."""
    if not controls:
        return (
            '<section id="judge-checks"><h2>Judge checks</h2><p>No controls in this run: '
            "rerun with <code>--controls</code> to see whether this judge tells each product's "
            "ground truth from known-wrong copies of it.</p></section>"
        )
    tables = "".join(_judge_table(j, f, dims) for j, f in sorted(controls["judges"].items()))
    products = "".join(
        f'<div class="product-controls"><h4>{_e(p["product"])}</h4>'
        + "".join(_thumb(c, root) for c in p["controls"] if c["judge"] == p["controls"][0]["judge"])
        + "</div>"
        for p in controls["products"]
    )
    gate = controls.get("gate")
    gate_line = (
        f"<p>--fail-under-controls {gate['fail_under']:g}: "
        f"{'passed' if gate['passed'] else 'FAILED'} (lowest accuracy {gate['accuracy']})</p>"
        if gate
        else ""
    )
    return (
        f'<section id="judge-checks"><h2>Judge checks</h2><p>{_e(controls["summary"])}</p>'
        f"{gate_line}{tables}<h3>Controls per product</h3>{products}</section>"
    )
