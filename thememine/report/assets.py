"""The report's inline style sheet and script (no files, no network)."""

from __future__ import annotations

# A policy the browser enforces: nothing may be fetched, inline style and script only.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:"
)

# Distinct colours for themes (Tableau 20 order: strong shades first); more themes cycle hues.
PALETTE = (
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
    "#9c755f", "#1f77b4", "#aec7e8", "#ffbb78", "#98df8a", "#c5b0d5", "#8c564b", "#e377c2",
    "#7f7f7f", "#bcbd22", "#17becf", "#393b79",
)  # fmt: skip
UNASSIGNED_COLOUR = "#c8c8c8"


def theme_colour(index: int) -> str:
    """The colour of the ``index``-th theme (0-based, in report order)."""
    if index < len(PALETTE):
        return PALETTE[index]
    hue = (index * 137.508) % 360  # golden angle: neighbours stay apart
    return f"hsl({hue:.0f}, 55%, 50%)"


CSS = """
:root { --ink: #1d1d1f; --muted: #5f6368; --line: #dadce0; --bg: #ffffff; --soft: #f6f7f9;
  --ok: #1e7f3c; --warn: #b3261e; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  color: var(--ink); background: var(--bg); }
main { max-width: 1180px; margin: 0 auto; padding: 24px 28px 64px; }
h1 { font-size: 1.9em; margin: 0.2em 0 0.1em; }
h2 { font-size: 1.35em; margin: 2em 0 0.6em; padding-bottom: 0.25em; border-bottom: 2px solid var(--line); }
h3 { font-size: 1.08em; margin: 1.2em 0 0.4em; }
.summary { font-size: 1.05em; margin: 0.4em 0 1em; }
.en { color: var(--muted); font-weight: normal; font-size: 0.85em; }
.muted { color: var(--muted); }
nav ol { columns: 2; padding-left: 1.4em; margin: 0.6em 0; }
nav a { color: #1a56a6; text-decoration: none; }
nav a:hover { text-decoration: underline; }
table { border-collapse: collapse; margin: 0.4em 0 1em; font-size: 0.92em; }
th, td { border: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: var(--soft); font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.total td { font-weight: 600; background: var(--soft); }
.kv th { width: 16em; }
.badge { display: inline-block; white-space: nowrap; padding: 0 8px; border-radius: 10px; font-size: 0.85em; font-weight: 600; }
.badge.ok { background: #e6f4ea; color: var(--ok); }
.badge.warn { background: #fce8e6; color: var(--warn); }
.badge.cand { background: #fef7e0; color: #8a5a00; }
.badge.conf { background: #e6f4ea; color: var(--ok); }
.banner { border-left: 5px solid var(--warn); background: #fce8e6; padding: 10px 14px; margin: 1em 0; }
.note { border-left: 5px solid var(--line); background: var(--soft); padding: 8px 14px; margin: 0.8em 0; }
.swatch { display: inline-block; width: 0.9em; height: 0.9em; border-radius: 2px; vertical-align: -0.1em;
  margin-right: 6px; border: 1px solid rgba(0,0,0,0.15); }
.theme { border: 1px solid var(--line); border-radius: 8px; padding: 10px 16px; margin: 12px 0; break-inside: avoid; }
.theme h3 { margin: 0.2em 0; }
.keywords { color: var(--muted); }
blockquote { margin: 8px 0; padding: 4px 12px; border-left: 3px solid var(--line); white-space: pre-wrap; }
blockquote .who { display: block; font-size: 0.85em; color: var(--muted); }
.heat td.cell { text-align: right; min-width: 4.5em; font-variant-numeric: tabular-nums; }
.map-wrap { display: flex; gap: 18px; align-items: flex-start; flex-wrap: wrap; }
svg.map { border: 1px solid var(--line); background: #fff; max-width: 100%; height: auto; }
svg.map circle.dot { opacity: 0.22; }
svg.map circle.dot.unassigned { opacity: 0.3; }
svg.map circle.theme { fill-opacity: 0.55; stroke-width: 1.5; cursor: pointer; }
svg.map text.label { font-size: 11px; fill: var(--ink); paint-order: stroke; stroke: #fff; stroke-width: 3px;
  stroke-linejoin: round; }
svg.map.focus circle.dot:not(.dim) { opacity: 0.85; }
svg.map circle.theme.dim, svg.map text.label.dim { opacity: 0.15; }
svg.map circle.dot.dim { opacity: 0.04; }
ul.legend { list-style: none; padding: 0; margin: 0; min-width: 240px; max-width: 360px; }
ul.legend li { margin: 2px 0; }
ul.legend button { font: inherit; background: none; border: 1px solid transparent; border-radius: 4px;
  padding: 1px 6px; cursor: pointer; text-align: left; }
ul.legend button:hover { border-color: var(--line); }
ul.legend button[aria-pressed="true"] { border-color: var(--ink); background: var(--soft); }
.bars td.bar { width: 62%; min-width: 300px; }
.stack { display: flex; height: 18px; width: 100%; background: var(--soft); border-radius: 3px; overflow: hidden; }
.stack span { display: block; height: 100%; }
footer { margin-top: 3em; color: var(--muted); font-size: 0.85em; }
@media print { nav, ul.legend button { display: none; } h2 { break-after: avoid; } }
"""

# Reads only the page itself: theme ids in data attributes, never text put into the script.
JS = """
(function () {
  "use strict";
  var buttons = document.querySelectorAll("ul.legend button[data-theme]");
  var dots = document.querySelectorAll("svg.map [data-theme]");
  var maps = document.querySelectorAll("svg.map");
  var focus = null;
  function show() {
    for (var m = 0; m < maps.length; m++) {
      maps[m].classList.toggle("focus", focus !== null);
    }
    for (var i = 0; i < dots.length; i++) {
      var dot = dots[i];
      dot.classList.toggle("dim", focus !== null && dot.getAttribute("data-theme") !== focus);
    }
    for (var j = 0; j < buttons.length; j++) {
      var b = buttons[j];
      b.setAttribute("aria-pressed", String(b.getAttribute("data-theme") === focus));
    }
  }
  var clickable = document.querySelectorAll("ul.legend button[data-theme], svg.map circle.theme[data-theme]");
  for (var k = 0; k < clickable.length; k++) {
    clickable[k].addEventListener("click", function (event) {
      var id = event.currentTarget.getAttribute("data-theme");
      focus = focus === id ? null : id;
      show();
    });
  }
  show();
  document.documentElement.setAttribute("data-report-ready", "1");
})();
"""
