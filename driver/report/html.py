"""index.html: one self-contained page (inline CSS and JS, no network) that opens from disk.

The summary, the algorithm comparison and the errors are written as HTML; the job table
(sortable, filterable, paginated) and the product sections (photos and every candidate's views,
scores, repeats, rationales) are drawn by the page's script from the embedded data, a page at a
time, so a 10,000-job report opens as fast as a 10-job one. Every text from the data is escaped.
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from driver.report.agreement_html import agreement_section
from driver.report.controls_html import judge_checks_section

PAGE_SIZE = 100


def score_colour(score: float | None) -> str:
    """Red (0) through amber to green (100); grey for no score."""
    if score is None:
        return "#ddd"
    hue = max(0.0, min(100.0, score)) * 1.2
    return f"hsl({hue:.0f},70%,80%)"


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value))


def _summary(report: Mapping[str, Any]) -> str:
    s = report["summary"]
    counts = " ".join(
        f'<span class="pill {k}">{_e(k)}: {v}</span>' for k, v in s["counts"].items() if v
    )
    skips = "".join(f"<li>{_e(r)}: {n}</li>" for r, n in s["skip_reasons"].items())
    rows = "".join(
        f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>"
        for k, v in [
            ("run", report["run_id"]),
            ("aggregate status", report["aggregate_status"]),
            ("fail under", report["options"].get("fail_under")),
            ("judge(s)", ", ".join(s["judges"])),
            ("rubric", s["rubric"]),
            ("render", s["render"]),
            ("render device", ", ".join(f"{d} ({n})" for d, n in s["devices"].items())),
            ("versions", s["versions"]),
            ("started / ended", f"{report.get('started') or '?'} / {report.get('ended') or '?'}"),
            ("tokens (input / output)", f"{s['tokens']['input']:,} / {s['tokens']['output']:,}"),
            ("cost", "unknown" if s["cost_usd"] is None else f"${s['cost_usd']:.4f}"),
        ]
    )
    status = _e(report["aggregate_status"])
    return (
        f'<section id="summary"><h2>Run <span class="pill {status}">{status}</span></h2>'
        f'<p>{counts}</p><table class="kv">{rows}</table>'
        + (f"<h3>Skipped</h3><ul>{skips}</ul>" if skips else "")
        + "</section>"
    )


def _bar(value: float | None, low: float | None, high: float | None) -> str:
    """An inline SVG: the median as a bar, the 95 % interval as a whisker (0-100 scale)."""
    if value is None:
        return ""
    w = 200
    whisker = (
        f'<line x1="{low * w / 100:.1f}" x2="{(high or 0) * w / 100:.1f}" y1="7" y2="7" '
        'stroke="#333" stroke-width="2"/>'
        if low is not None and high is not None
        else ""
    )
    return (
        f'<svg width="{w}" height="14" role="img" aria-label="median {value:.1f}">'
        f'<rect width="{value * w / 100:.1f}" height="14" fill="{score_colour(value)}"/>'
        f"{whisker}</svg>"
    )


def _algorithms(comparison: Mapping[str, Any], dimensions: Sequence[str]) -> str:
    if not comparison:
        return '<section id="algorithms"><h2>Algorithms</h2><p>No scored job.</p></section>'
    head = "".join(f"<th>{_e(d)}</th>" for d in dimensions)
    body = ""
    for algo, data in comparison.items():
        o = data["overall"]
        cells = "".join(
            f'<td style="background:{score_colour(data["dimensions"][d]["median"])}">'
            f"{_fmt(data['dimensions'][d]['median'])}</td>"
            for d in dimensions
        )
        wins = ", ".join(
            f"vs {_e(k)}: {_fmt(v['win_rate'], pct=True)} of {v['products']}"
            for k, v in data["win_rate_vs"].items()
        )
        body += (
            f"<tr><th>{_e(algo)}</th><td>{o['n']}</td><td>{_fmt(o['median'])} "
            f"[{_fmt(o['low'])}, {_fmt(o['high'])}] {_bar(o['median'], o['low'], o['high'])}"
            f"</td>{cells}<td>{wins}</td></tr>"
        )
    return (
        '<section id="algorithms"><h2>Algorithms</h2><table class="grid"><thead><tr>'
        f"<th>algo</th><th>jobs</th><th>overall median [95 % CI]</th>{head}"
        f"<th>win rate within products</th></tr></thead><tbody>{body}</tbody></table></section>"
    )


def _fmt(value: float | None, pct: bool = False) -> str:
    if value is None:
        return "-"
    return f"{value * 100:.0f} %" if pct else f"{value:.1f}"


def _errors(jobs: Sequence[Mapping[str, Any]]) -> str:
    bad = [j for j in jobs if j["status"] in ("error", "not_evaluated_after_error")]
    if not bad:
        return ""
    items = "".join(
        f'<li><code>{_e(j["job_id"])}</code> <span class="pill {_e(j["status"])}">'
        f"{_e(j['status'])}</span> {_e(j.get('root_error') or j.get('error'))}"
        + (f"<br><em>{_e(j['retry_hint'])}</em>" if j.get("retry_hint") else "")
        + "</li>"
        for j in bad
    )
    return f'<section id="errors"><h2>Errors ({len(bad)})</h2><ul>{items}</ul></section>'


ASSETS = Path(__file__).resolve().parent / "assets"


def render_html(report: Mapping[str, Any], root: str) -> str:
    """The page; ``root`` is the path from the report's folder to the workspace root."""
    dims = report["summary"]["dimensions"]
    data = {
        "jobs": report["jobs_view"],
        "dimensions": dims,
        "page_size": PAGE_SIZE,
        "root": root,
    }
    # "</" would end the script element early; JSON allows "<\/".
    blob = json.dumps(data, ensure_ascii=False).replace("</", "<\\/")
    labels = {"vfscore_overall": "overall"}
    keys = ["job_id", "product_id", "algo", "status", "vfscore_overall", *dims]
    columns = [(k, labels.get(k, k)) for k in keys]
    head = "".join(f'<th data-key="{_e(key)}">{_e(label)}</th>' for key, label in columns)
    style = (ASSETS / "report.css").read_text(encoding="utf-8")
    script = (ASSETS / "report.js").read_text(encoding="utf-8")
    statuses = "".join(f'<option value="{s}">{s}</option>' for s in report["summary"]["counts"])
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>VFScore report — {_e(report["run_id"])}</title><style>{style}</style></head>
<body><h1>VFScore report — run {_e(report["run_id"])}</h1>
{_summary(report)}
{judge_checks_section(report.get("controls"), dims, root)}
{_algorithms(report["algorithms"], dims)}
{_errors(report["jobs"])}
{agreement_section(report.get("agreement"))}
<section><h2>Jobs</h2><div id="controls">
<input id="filter" placeholder="filter: job, product, algo, error">
<select id="status"><option value="">every status</option>{statuses}</select>
<button id="prev">◀</button><button id="next">▶</button> <span id="pageinfo"></span></div>
<table id="jobs"><thead><tr>{head}</tr></thead><tbody></tbody></table></section>
<section><h2>Products</h2><div id="products"></div></section>
<script type="application/json" id="data">{blob}</script>
<script>{script}</script></body></html>
"""
