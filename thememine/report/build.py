"""The HTML report of a run folder: one self-contained file, all text escaped, nothing fetched.

Sections: the run's settings and versions, the pseudonymisation summary (counts only), the
documents, the themes with quotes, themes × document groups, a map of the themes and the
themes in each interview. A part the run folder lacks is named as missing, not guessed.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from html import escape
from pathlib import Path

from thememine import __version__
from thememine.io import atomic_write_text
from thememine.report.assets import CONTENT_SECURITY_POLICY, CSS, JS, UNASSIGNED_COLOUR, theme_colour
from thememine.report.load import ReportInput, load_report_input
from thememine.report.map import HEIGHT as MAP_HEIGHT
from thememine.report.map import WIDTH as MAP_WIDTH
from thememine.report.map import layout
from thememine.runfolder import REPORT_FILE, step
from thememine.themes.model import CONFIRMED, INTERVIEWER, UNASSIGNED, Theme, ThemeRun, Unit

MAP_POINTS = 4000  # at most this many statements on the map (an even sample beyond that)
TOOLTIP_CHARS = 160

SECTIONS = (
    ("temaer", "Temaer", "themes"),
    ("kort", "Kort over temaer", "map of themes"),
    ("grupper", "Temaer × grupper", "themes × document groups"),
    ("interviews", "Temaer pr. interview", "themes per interview"),
    ("citater", "Temaer med citater", "themes with quotes"),
    ("pseudonymisering", "Pseudonymisering", "pseudonymisation"),
    ("dokumenter", "Dokumenter", "documents"),
    ("korsel", "Kørsel og versioner", "run and versions"),
)


def e(value: object) -> str:
    """Text as HTML, quotes included (safe in attributes too)."""
    return escape(str(value), quote=True)


def _heading(anchor: str) -> str:
    for key, danish, english in SECTIONS:
        if key == anchor:
            return f'<h2 id="{key}">{e(danish)} <span class="en">({e(english)})</span></h2>'
    raise KeyError(anchor)


def _note(text: str) -> str:
    return f'<p class="note">{text}</p>'


def _table(head: Sequence[str], rows: Iterable[Sequence[str]], cls: str = "", numeric: int = 0) -> str:
    """A table from cells that are already HTML; the last ``numeric`` columns align right."""
    first_num = len(head) - numeric

    def cell(tag: str, index: int, content: str) -> str:
        return f'<{tag} class="num">{content}</{tag}>' if index >= first_num else f"<{tag}>{content}</{tag}>"

    out = [f'<table class="{e(cls)}">' if cls else "<table>", "<thead><tr>"]
    out += [cell("th", i, h) for i, h in enumerate(head)]
    out.append("</tr></thead><tbody>")
    for row in rows:
        out.append("<tr>" + "".join(cell("td", i, c) for i, c in enumerate(row)) + "</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def _kv(rows: Iterable[tuple[str, object]]) -> str:
    body = "".join(f"<tr><th>{label}</th><td>{e(value)}</td></tr>" for label, value in rows)
    return f'<table class="kv"><tbody>{body}</tbody></table>'


def _label(danish: str, english: str) -> str:
    return f'{e(danish)} <span class="en">({e(english)})</span>'


def _fmt(value: object) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _status(theme: Theme) -> str:
    if theme.status == CONFIRMED:
        return f'<span class="badge conf">{_label("bekræftet", "confirmed")}</span>'
    return f'<span class="badge cand">{_label("kandidat", e(theme.status))}</span>'


def _swatch(colour: str) -> str:
    return f'<span class="swatch" style="background:{e(colour)}"></span>'


def _short(text: str, limit: int = TOOLTIP_CHARS) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


ASKING = -2  # a row of its own in the tables: the interviewer's statements, which a fit leaves out
ASKING_COLOUR = "#ececec"


class _Themes:
    """The themes in report order, with their colours."""

    def __init__(self, run: ThemeRun) -> None:
        self.run = run
        self.order = sorted(run.themes.values(), key=lambda t: t.id)
        self.colour = {t.id: theme_colour(i) for i, t in enumerate(self.order)}
        self.colour[UNASSIGNED] = UNASSIGNED_COLOUR
        self.colour[ASKING] = ASKING_COLOUR
        self._asked = bool(run.settings.get("include_interviewer"))

    def name(self, theme_id: int) -> str:
        if theme_id == UNASSIGNED:
            return "uden tema (no theme)"
        if theme_id == ASKING:
            return "interviewer, ikke i temaer (interviewer, not in themes)"
        return f"{theme_id}: {self.run.themes[theme_id].label}"

    def row(self, unit: Unit, theme_id: int) -> int:
        """The table row of a statement: its theme, or :data:`ASKING` for the interviewer's
        statements a fit left out, so that "no theme" counts only statements that could have one."""
        if theme_id == UNASSIGNED and unit.role == INTERVIEWER and not self._asked:
            return ASKING
        return theme_id


# --- sections ------------------------------------------------------------------------------


def _settings_section(data: ReportInput) -> str:
    corpus, audit = data.corpus, data.audit
    run_settings = data.run.settings if data.run else {}
    rows: list[tuple[str, object]] = [
        (_label("Rapport lavet med thememine", "report made with"), __version__),
        (_label("Kørsel lavet med thememine", "run made with"), _fmt(corpus and corpus.thememine_version)),
        (_label("Indlæst", "ingested"), _fmt(corpus and corpus.created)),
    ]
    if audit:
        rows += [
            (_label("Pseudonymiseret med thememine", "pseudonymised with"), _fmt(audit.thememine_version)),
            (_label("Pseudonymiseret", "pseudonymised at"), _fmt(audit.created)),
        ]
    split = corpus.split if corpus else None
    if isinstance(split, dict):
        rows.append((_label("Opdeling i udsagn", "statement split"), _fmt(split)))
    if data.run:
        wanted = (
            ("Embedder", "embedder", "embedder"),
            ("Embedder-version", "embedder version", "embedder_version"),
            ("Seed", "random seed", "seed"),
            ("Metode", "fit method", "method"),
            ("Mindste klynge", "min cluster size", "min_cluster_size"),
            ("Ønsket antal temaer", "requested themes", "n_themes"),
            ("Kodebog", "codebook", "codebook"),
        )
        shown = {**run_settings, "n_themes": run_settings.get("n_themes") or "auto"}
        rows += [(_label(da, en), _fmt(shown.get(key))) for da, en, key in wanted]
    out = [_heading("korsel"), _kv(rows)]
    if run_settings:
        everything = _kv((e(key), _fmt(value)) for key, value in sorted(run_settings.items()))
        out.append(
            f"<details><summary>{_label('Alle indstillinger', 'all settings')}</summary>{everything}</details>"
        )
    if not data.run:
        out.append(
            _note(e("Ingen temaer i denne kørsel (no themes in this run): kør `thememine themes RUN_DIR`."))
        )
    return "".join(out)


def _pseudonymisation_section(data: ReportInput) -> str:
    out = [_heading("pseudonymisering")]
    audit = data.audit
    if audit is None:
        if data.pseudonymised:
            out.append(
                _note(e("Kørslen er pseudonymiseret, men audit.json mangler (audit.json is missing)."))
            )
        else:
            out.append(_note(e("Ikke pseudonymiseret (not pseudonymised): der er ingen audit.json.")))
        return "".join(out)
    settings = audit.settings
    leaks = audit.leaks or 0
    leak_badge = (
        f'<span class="badge ok">0 — {_label("ingen lækager", "no leaks")}</span>'
        if leaks == 0
        else f'<span class="badge warn">{leaks} — {_label("lækager fundet", "leaks found")}</span>'
    )
    per_doc = audit.replacements_per_document
    uncertain = audit.uncertain_per_document
    totals = audit.replacements
    labels = sorted(set(totals) | {label for counts in per_doc.values() for label in counts})
    out.append(
        _kv(
            [
                (_label("Stil", "surrogate style"), _fmt(settings.get("style"))),
                (_label("Navnegenkendelse", "NER"), _fmt(settings.get("ner"))),
                (_label("Erstatninger i alt", "replacements"), sum(totals.values())),
                (_label("Til gennemsyn", "uncertain, to review"), sum(uncertain.values())),
            ]
        )
    )
    out.append(f"<p>{_label('Lækagetjek', 'leak check')}: {leak_badge}</p>")
    docs = [d.id for d in data.documents] or sorted(per_doc)
    docs += [d for d in sorted(set(per_doc) | set(uncertain)) if d not in docs]
    head = [
        _label("Dokument", "document"),
        *(e(label) for label in labels),
        _label("Til gennemsyn", "to review"),
    ]
    rows = [
        [e(doc), *(str(per_doc.get(doc, {}).get(label, 0)) for label in labels), str(uncertain.get(doc, 0))]
        for doc in docs
    ]
    total_row = [
        _label("I alt", "total"),
        *(str(totals.get(label, sum(c.get(label, 0) for c in per_doc.values()))) for label in labels),
        str(sum(uncertain.values())),
    ]
    table = _table(head, [*rows, total_row], numeric=len(labels) + 1)
    table = table.replace(f"<tr><td>{total_row[0]}", f'<tr class="total"><td>{total_row[0]}', 1)
    out.append(
        f"<h3>{_label('Erstatninger pr. kategori og fil', 'replacements per label and file')}</h3>{table}"
    )
    out.append(
        _note(
            e(
                "Rapporten viser kun antal — aldrig de oprindelige personoplysninger. "
                "Usikre fund gennemgås i review-filen ved nøglen. "
                "(Counts only, never the original personal data; review the uncertain items in the review file beside the key.)"
            )
        )
    )
    return "".join(out)


def _documents_section(data: ReportInput) -> str:
    out = [_heading("dokumenter")]
    documents = data.documents
    if not documents and not data.statements_per_doc:
        out.append(_note(e("Ingen corpus.json eller statements.jsonl (no corpus.json or statements.jsonl).")))
        return "".join(out)
    head = [
        _label("Dokument", "document"),
        _label("Gruppe", "group"),
        _label("Format", "format"),
        _label("Talere", "speakers"),
        _label("Replikker", "turns"),
        _label("Udsagn", "statements"),
        _label("Kun fyldord", "filler only"),
    ]
    rows = [
        [
            e(doc.id),
            e(_fmt(doc.group)),
            e(_fmt(doc.format)),
            str(len(doc.speakers)),
            e(_fmt(doc.turns)),
            e(data.statements_per_doc.get(doc.id, doc.statements)),
            str(data.filler_per_doc.get(doc.id, 0)),
        ]
        for doc in documents
    ]
    if not documents:  # statements without corpus.json: what they tell
        rows = [
            [e(doc_id), "–", "–", "–", "–", e(count), str(data.filler_per_doc.get(doc_id, 0))]
            for doc_id, count in sorted(data.statements_per_doc.items())
        ]
    out.append(_table(head, rows, numeric=4))
    return "".join(out)


def _themes_section(themes: _Themes | None) -> str:
    out = [_heading("temaer")]
    if themes is None:
        out.append(_note(e("Ingen temaer i denne kørsel (no themes in this run).")))
        return "".join(out)
    run = themes.run
    content = len(run.with_content())  # the base of the unassigned share
    out.append(
        f"<p>{len(run.themes)} {_label('temaer', 'themes')} · {len(run.units)} {_label('udsagn', 'statements')} · "
        f"{run.unassigned_share:.0%} {_label('af udsagn med indhold er uden tema', 'of statements with content are unassigned')}"
        f" ({content} {_label('med indhold', 'with content')})</p>"
        f"<p class='muted'>{_label('Stabilitet er andelen af tilpasningens kørsler, hvor to af temaets udsagn havner i samme klynge: 0,9 og derover er et tema, som hver kørsel finder; 0,5-0,7 et tema, hvis kanter flytter sig (læs dets citater, før du stoler på det)', 'stability: the share of the runs in which two of its statements share a cluster; 0.9 and above, every run finds it; 0.5-0.7, its edges move')}.</p>"
    )
    head = [
        "#",
        _label("Tema", "theme"),
        _label("Status", "status"),
        _label("Nøgleord", "keywords"),
        _label("Udsagn", "size"),
        _label("Stabilitet", "stability"),
    ]
    rows = [
        [
            str(t.id),
            f'{_swatch(themes.colour[t.id])}<a href="#tema-{t.id}">{e(t.label)}</a>',  # to its quotes
            _status(t),
            e(", ".join(t.keywords)),
            str(t.size),
            "–" if t.stability is None else f"{t.stability:.2f}",  # share of runs keeping it together
        ]
        for t in themes.order
    ]
    out.append(_table(head, rows, numeric=2))
    return "".join(out)


def _quotes_section(themes: _Themes | None) -> str:
    out = [_heading("citater")]
    if themes is None:
        out.append(_note(e("Ingen temaer (no themes).")))
        return "".join(out)
    for t in themes.order:
        card = [
            f'<section class="theme" id="tema-{t.id}"><h3>{_swatch(themes.colour[t.id])}{t.id}: {e(t.label)} ',
            f"{_status(t)}</h3>",
            f'<p class="keywords">{_label("Nøgleord", "keywords")}: {e(", ".join(t.keywords)) or "–"} · '
            f"{t.size} {_label('udsagn', 'statements')}</p>",
        ]
        if t.suggested_label and t.suggested_label != t.label:
            card.append(
                f'<p class="muted">{_label("Foreslået navn", "suggested label")}: {e(t.suggested_label)}</p>'
            )
        if t.note:
            card.append(f'<p class="muted">{e(t.note)}</p>')
        if t.codes:
            codes = ", ".join(f"{name} ({score:.2f})" for name, score in t.codes)
            card.append(
                f"<p>{_label('Kodebogens forslag', 'codebook suggestions: the members’ mean confidence')}: {e(codes)}</p>"
            )
        if t.by_speaker:
            speakers = ", ".join(f"{name} {share:.0%}" for name, share in t.by_speaker.items())
            card.append(f'<p class="muted">{_label("Talere", "speakers")}: {e(speakers)}</p>')
        for quote in t.quotes:
            who = f"{quote.speaker or '–'} · {quote.doc_id} · {quote.statement_id}"
            card.append(f'<blockquote><span class="who">{e(who)}</span>{e(quote.text)}</blockquote>')
        card.append("</section>")
        out.append("".join(card))
    return "".join(out)


def _groups_section(themes: _Themes | None) -> str:
    out = [_heading("grupper")]
    if themes is None:
        out.append(_note(e("Ingen temaer (no themes).")))
        return "".join(out)
    run = themes.run
    counts: Counter[tuple[int, str]] = Counter()
    group_sizes: Counter[str] = Counter()
    for unit, theme_id in zip(run.units, run.assignment, strict=True):
        if unit.filler:
            continue
        group = unit.group or "–"
        counts[(themes.row(unit, theme_id), group)] += 1
        group_sizes[group] += 1
    groups = sorted(group_sizes)
    out.append(
        f"<p>{_label('Antal udsagn pr. tema og dokumentgruppe; farven viser temaets andel af gruppens udsagn', 'statements per theme and document group; the shade is the share of the group')}.</p>"
    )
    head = [
        _label("Tema", "theme"),
        *(f"{e(g)}<br><span class='en'>n={group_sizes[g]}</span>" for g in groups),
        _label("I alt", "total"),
    ]
    rows = []
    for theme_id in [t.id for t in themes.order] + [UNASSIGNED, ASKING]:
        total = sum(counts[(theme_id, g)] for g in groups)
        if theme_id in (UNASSIGNED, ASKING) and total == 0:
            continue
        cells = [f"{_swatch(themes.colour[theme_id])}{e(themes.name(theme_id))}"]
        for g in groups:
            n = counts[(theme_id, g)]
            share = n / group_sizes[g] if group_sizes[g] else 0.0
            alpha = min(1.0, share * 2.5)  # a quarter of the group is full colour
            cells.append(
                f'<td class="cell" style="background:rgba(78,121,167,{alpha:.2f});'
                f'color:{"#fff" if alpha > 0.55 else "inherit"}" title="{e(f"{share:.0%} af {g}")}">{n}</td>'
            )
        cells.append(f'<td class="num">{total}</td>')
        rows.append(cells)
    body = "".join(f"<tr><td>{r[0]}</td>{''.join(r[1:])}</tr>" for r in rows)
    head_html = "".join(f"<th>{h}</th>" for h in head)
    out.append(f'<table class="heat"><thead><tr>{head_html}</tr></thead><tbody>{body}</tbody></table>')
    return "".join(out)


def _map_section(themes: _Themes | None) -> str:
    out = [_heading("kort")]
    if themes is None:
        out.append(_note(e("Ingen temaer og ingen embeddings (no themes, no embeddings).")))
        return "".join(out)
    run = themes.run
    chosen = [i for i, u in enumerate(run.units) if not u.filler]
    if len(chosen) > MAP_POINTS:
        step = len(chosen) / MAP_POINTS
        chosen = [chosen[int(k * step)] for k in range(MAP_POINTS)]
    if not chosen:
        out.append(_note(e("Ingen udsagn med indhold (no statements with content).")))
        return "".join(out)
    assignment = [run.assignment[i] for i in chosen]
    drawn = layout(run.embeddings[chosen], assignment, {t: th.label for t, th in run.themes.items()})
    out.append(
        f"<p>{_label('Hvert tema er en cirkel: arealet er antallet af udsagn, og temaer med beslægtet indhold ligger nær hinanden (hovedkomponenter af temaernes embeddings). De svage prikker bag dem er udsagnene. Klik på et tema for at fremhæve det', 'each theme is a circle whose area is its number of statements; themes with related content lie close (principal components of the theme embeddings); the faint dots behind are the statements; click a theme to highlight it')}.</p>"
    )
    dots = []
    # unassigned first, so that theme dots are drawn on top
    for row, x, y in sorted(drawn.dots, key=lambda d: (assignment[d[0]] != UNASSIGNED, d[0])):
        i, theme_id = chosen[row], assignment[row]
        unit = run.units[i]
        cls = "dot unassigned" if theme_id == UNASSIGNED else "dot"
        tip = f"{themes.name(theme_id)} — {unit.speaker or '–'} ({unit.id}): {_short(unit.text)}"
        dots.append(
            f'<circle class="{cls}" cx="{x:.1f}" cy="{y:.1f}" r="2.2" fill="{e(themes.colour[theme_id])}" '
            f'data-theme="{theme_id}"><title>{e(tip)}</title></circle>'
        )
    bubbles, labels = [], []
    for b in drawn.bubbles:
        colour = e(themes.colour[b.theme_id])
        tip = f"{themes.name(b.theme_id)} — {b.size} udsagn (statements)"
        bubbles.append(
            f'<circle class="theme" cx="{b.x:.1f}" cy="{b.y:.1f}" r="{b.r:.1f}" fill="{colour}" '
            f'stroke="{colour}" data-theme="{b.theme_id}"><title>{e(tip)}</title></circle>'
        )
        labels.append(
            f'<text class="label" x="{b.label_x:.1f}" y="{b.label_y:.1f}" text-anchor="{b.anchor}" '
            f'data-theme="{b.theme_id}">{e(b.label)}</text>'
        )
    svg = (
        f'<svg class="map" viewBox="0 0 {MAP_WIDTH} {MAP_HEIGHT}" width="{MAP_WIDTH}" height="{MAP_HEIGHT}" '
        f'role="img" aria-label="{e("Kort over temaer (map of themes)")}">'
        f'<rect x="0" y="0" width="{MAP_WIDTH}" height="{MAP_HEIGHT}" fill="#fff"></rect>'
        f'<g class="dots">{"".join(dots)}</g><g class="themes">{"".join(bubbles)}</g>'
        f'<g class="labels">{"".join(labels)}</g></svg>'
    )
    legend = ['<ul class="legend">']
    sizes = Counter(assignment)
    for theme_id in [t.id for t in themes.order] + [UNASSIGNED]:
        if sizes[theme_id] == 0 and theme_id == UNASSIGNED:
            continue
        legend.append(
            f'<li><button type="button" data-theme="{theme_id}" aria-pressed="false">'
            f"{_swatch(themes.colour[theme_id])}{e(themes.name(theme_id))} "
            f'<span class="muted">({sizes[theme_id]})</span></button></li>'
        )
    legend.append("</ul>")
    out.append(f'<div class="map-wrap">{svg}{"".join(legend)}</div>')
    notes = []
    if len(chosen) < sum(1 for u in run.units if not u.filler):
        notes.append(f"Viser {len(chosen)} jævnt udvalgte udsagn (showing an even sample of {len(chosen)}).")
    if len(drawn.dots) < len(chosen):
        # The frame is scaled to the themes' centres, which spread far less than the statements:
        # a dot outside it may well belong to a theme, so say only where it is.
        outside = len(chosen) - len(drawn.dots)
        notes.append(
            f"{outside} af {len(chosen)} udsagn ligger uden for kortets udsnit, som er lagt efter temaernes "
            f"midtpunkter; de tæller med i temaerne ({outside} of {len(chosen)} statements lie outside the "
            "frame, which is set by the themes' centres; they still count in their themes)."
        )
    if notes:
        out.append(_note(e(" ".join(notes))))
    return "".join(out)


def _interviews_section(themes: _Themes | None, data: ReportInput) -> str:
    out = [_heading("interviews")]
    if themes is None:
        out.append(_note(e("Ingen temaer (no themes).")))
        return "".join(out)
    run = themes.run
    per_doc: dict[str, Counter[int]] = {}
    for unit, theme_id in zip(run.units, run.assignment, strict=True):
        if not unit.filler:
            per_doc.setdefault(unit.doc_id, Counter())[themes.row(unit, theme_id)] += 1
    order = [d.id for d in data.documents if d.id in per_doc]
    order += [d for d in per_doc if d not in order]
    out.append(
        f"<p>{_label('Fordelingen af hvert interviews udsagn med indhold på temaer; hold musen over et felt for antal', 'how the statements with content of each interview spread over the themes; hover for counts')}.</p>"
    )
    head = [
        _label("Dokument", "document"),
        _label("Temaer", "themes"),
        _label("Udsagn", "statements"),
        _label("Største tema", "largest theme"),
    ]
    rows = []
    theme_order = [t.id for t in themes.order] + [UNASSIGNED, ASKING]
    for doc_id in order:
        counts = per_doc[doc_id]
        total = sum(counts.values())
        segments = []
        for theme_id in theme_order:
            n = counts[theme_id]
            if n == 0:
                continue
            tip = f"{themes.name(theme_id)}: {n} ({n / total:.0%})"
            segments.append(
                f'<span style="width:{100 * n / total:.3f}%;background:{e(themes.colour[theme_id])}" '
                f'title="{e(tip)}" data-theme="{theme_id}"></span>'
            )
        assigned = [(n, t) for t, n in counts.items() if t not in (UNASSIGNED, ASKING)]
        largest = max(assigned, key=lambda p: (p[0], -p[1])) if assigned else None
        rows.append(
            [
                e(doc_id),
                f'<div class="stack">{"".join(segments)}</div>',
                str(total),
                e(f"{themes.name(largest[1])} ({largest[0]})") if largest else "–",
            ]
        )
    table = _table(head, rows, cls="bars")
    table = table.replace('<td><div class="stack">', '<td class="bar"><div class="stack">')
    out.append(table)
    return "".join(out)


def _summary(data: ReportInput, themes: _Themes | None) -> str:
    """One line of counts at the top: documents, statements, themes, and the leak check."""
    parts = [
        f"{len(data.documents) or len(data.statements_per_doc)} {_label('dokumenter', 'documents')}",
        f"{sum(data.statements_per_doc.values()) or (len(themes.run.units) if themes else 0)} {_label('udsagn', 'statements')}",
        f"{len(themes.order)} {_label('temaer', 'themes')}"
        if themes
        else _label("ingen temaer", "no themes"),
    ]
    if data.audit is not None:
        leaks = data.audit.leaks or 0
        badge = "ok" if leaks == 0 else "warn"
        parts.append(f'<span class="badge {badge}">{leaks} {_label("lækager", "leaks")}</span>')
    return f'<p class="summary">{" · ".join(parts)}</p>'


# --- the whole page ------------------------------------------------------------------------


def render_report(data: ReportInput) -> str:
    """The report as one HTML document (a string)."""
    themes = _Themes(data.run) if data.run is not None else None
    title = f"thememine — {data.folder.resolve().name}"
    created = (data.audit and data.audit.created) or (data.corpus and data.corpus.created) or ""
    nav = "".join(
        f'<li><a href="#{key}">{e(danish)} <span class="en">({e(english)})</span></a></li>'
        for key, danish, english in SECTIONS
    )
    warning = ""
    if not data.pseudonymised:
        warning = (
            '<p class="banner"><strong>Ikke pseudonymiseret (not pseudonymised).</strong> '
            + e(
                "Denne kørsel blev kun indlæst; citaterne kan indeholde personoplysninger. Del ikke rapporten. "
                "(This run was only ingested; quotes may hold personal data. Do not share this report.)"
            )
            + "</p>"
        )
    parts = [
        "<!DOCTYPE html>",
        '<html lang="da"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{e(CONTENT_SECURITY_POLICY)}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="generator" content="thememine">',
        f"<title>{e(title)}</title><style>{CSS}</style></head><body><main>",
        f"<header><h1>{_label('Temarapport', 'theme report')}</h1>",
        f'<p class="muted">{e(data.folder.resolve().name)}{" · " + e(created) if created else ""}</p></header>',
        warning,
        _summary(data, themes),
        f"<nav><strong>{_label('Indhold', 'contents')}</strong><ol>{nav}</ol></nav>",
        _themes_section(themes),
        _map_section(themes),
        _groups_section(themes),
        _interviews_section(themes, data),
        _quotes_section(themes),
        _pseudonymisation_section(data),
        _documents_section(data),
        _settings_section(data),
        f"<footer>{e(f'Lavet med thememine {__version__} (made with thememine {__version__}).')} "
        f"{e('Temaer er forslag til forskerens analyse, ikke resultater (themes are suggestions, not findings).')}</footer>",
        f"</main><script>{JS}</script></body></html>",
    ]
    return "\n".join(part for part in parts if part) + "\n"


def build_report(run_dir: Path, out: Path | None = None) -> Path:
    """Write the report of ``run_dir`` to ``out`` (default ``run_dir/report.html``), atomically."""
    data = load_report_input(run_dir)
    target = out if out is not None else run_dir / REPORT_FILE
    html = render_report(data)
    if target.parent.resolve() == run_dir.resolve():  # a file of the run folder: written as a step
        with step(run_dir) as writing:
            writing.write_text(target.name, html)
    else:
        atomic_write_text(target, html)
    return target
