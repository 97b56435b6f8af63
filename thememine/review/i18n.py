"""The review page's words, in Danish and English.

The language is chosen by ``thememine review --lang``; with ``auto`` (the default) by the
researcher's choice on the page (a cookie), else by the browser's Accept-Language, else Danish.
Messages from the decisions themselves ("renamed 3 → Krydspres") are English in the log; the page
shows them with Danish verbs when it speaks Danish.
"""

from __future__ import annotations

import re

LANGUAGES = ("da", "en")
DEFAULT = "da"

# The templates read these as ``t.name``, which Jinja looks up as an attribute first: a name that
# is also a dict method ("keys", "items", "values") would show the method, not the words.
STRINGS: dict[str, dict[str, str]] = {
    "da": {
        "title": "Gennemsyn af temaer",
        "skip": "Spring til indhold",
        "themes": "Temaer",
        "theme": "Tema",
        "label": "Navn",
        "status": "Status",
        "candidate": "forslag",
        "confirmed": "bekræftet",
        "size": "Udsagn",
        "stability": "Stabilitet",
        "stability_help": "Andelen af tilpasningens kørsler, hvor to af temaets udsagn havner i samme klynge (0-1)",
        "keywords": "Nøgleord",
        "codes": "Kodebogens forslag",
        "code": "Kode",
        "score": "Score",
        "suggested": "Foreslået navn",
        "select": "Vælg",
        "summary": "{themes} temaer · {unassigned} af udsagnene med indhold er uden tema",
        "unassigned": "Uden tema",
        "unassigned_link": "Udsagn uden tema ({n}, heraf {interviewer} interviewerens, der ikke indgår i temaerne)",
        "merge_legend": "Flet valgte temaer",
        "merge_into": "Flet ind i",
        "merge_first": "det første valgte",
        "merge_label": "Nyt navn (valgfrit)",
        "merge": "Flet",
        "confirm": "Bekræft",
        "rename": "Omdøb",
        "new_label": "Nyt navn",
        "split": "Opdel",
        "split_k": "Antal nye temaer",
        "preview": "Vis forslag",
        "split_preview": "Forslag: {label} opdelt i {k}",
        "split_accept": "Opdel sådan",
        "split_cancel": "Fortryd, behold temaet",
        "split_note": "Intet er ændret endnu. Opdelingen gemmes først, når du vælger «Opdel sådan».",
        "delete": "Slet tema",
        "delete_note": "Temaets udsagn bliver uden tema.",
        "move": "Flyt",
        "move_to": "Flyt til",
        "no_theme": "intet tema",
        "undo": "Fortryd",
        "undo_last": "Fortryd: {what}",
        "nothing_to_undo": "Intet at fortryde",
        "statements": "Udsagn",
        "context": "Sammenhæng",
        "document": "Dokument",
        "speaker": "Taler",
        "previous": "Forrige tema",
        "next": "Næste tema",
        "back": "Alle temaer",
        "speakers": "Andel pr. taler",
        "groups": "Andel pr. gruppe",
        "note": "Bemærk",
        "pending": "themes.yaml indeholder {n} beslutning(er), der ikke er anvendt. Siden ændrer intet, før de er anvendt (ellers ville de gå tabt).",
        "apply_file": "Anvend beslutningerne i themes.yaml",
        "shown": "Viser {shown} af {n} udsagn.",
        "show_all": "Vis alle",
        "error": "Det gik ikke",
        "keyboard": "Tastatur: j/k næste/forrige tema · c bekræft · r omdøb · s opdel · u fortryd · g temaliste",
        "saved": "Gemt i decisions.log og themes.yaml.",
        "language": "Sprog",
        "footer": "Kun pseudonymiseret tekst. Siden kører på din egen computer og sender intet videre.",
        "quotes": "Eksempler",
    },
    "en": {
        "title": "Theme review",
        "skip": "Skip to content",
        "themes": "Themes",
        "theme": "Theme",
        "label": "Label",
        "status": "Status",
        "candidate": "candidate",
        "confirmed": "confirmed",
        "size": "Statements",
        "stability": "Stability",
        "stability_help": "The share of the fit's runs in which two of the theme's statements share a cluster (0-1)",
        "keywords": "Keywords",
        "codes": "Codebook suggestions",
        "code": "Code",
        "score": "Score",
        "suggested": "Suggested label",
        "select": "Select",
        "summary": "{themes} themes · {unassigned} of the statements with content have no theme",
        "unassigned": "No theme",
        "unassigned_link": "Statements without a theme ({n}, of them {interviewer} the interviewer's, who is left out of themes)",
        "merge_legend": "Merge selected themes",
        "merge_into": "Merge into",
        "merge_first": "the first selected",
        "merge_label": "New label (optional)",
        "merge": "Merge",
        "confirm": "Confirm",
        "rename": "Rename",
        "new_label": "New label",
        "split": "Split",
        "split_k": "Number of new themes",
        "preview": "Preview",
        "split_preview": "Preview: {label} split into {k}",
        "split_accept": "Split like this",
        "split_cancel": "Cancel, keep the theme",
        "split_note": "Nothing has changed yet. The split is saved only when you choose “Split like this”.",
        "delete": "Delete theme",
        "delete_note": "Its statements will have no theme.",
        "move": "Move",
        "move_to": "Move to",
        "no_theme": "no theme",
        "undo": "Undo",
        "undo_last": "Undo: {what}",
        "nothing_to_undo": "Nothing to undo",
        "statements": "Statements",
        "context": "Context",
        "document": "Document",
        "speaker": "Speaker",
        "previous": "Previous theme",
        "next": "Next theme",
        "back": "All themes",
        "speakers": "Share per speaker",
        "groups": "Share per group",
        "note": "Note",
        "pending": "themes.yaml holds {n} decision(s) not applied yet. The page changes nothing until they are applied (they would be lost).",
        "apply_file": "Apply the decisions in themes.yaml",
        "shown": "Showing {shown} of {n} statements.",
        "show_all": "Show all",
        "error": "That did not work",
        "keyboard": "Keys: j/k next/previous theme · c confirm · r rename · s split · u undo · g theme list",
        "saved": "Saved in decisions.log and themes.yaml.",
        "language": "Language",
        "footer": "Pseudonymised text only. The page runs on your own computer and sends nothing anywhere.",
        "quotes": "Examples",
    },
}

# Danish verbs for the English decision messages, at the start of each message.
_DANISH_VERBS = {
    "confirmed ": "bekræftede ",
    "renamed ": "omdøbte ",
    "merged ": "flettede ",
    "split ": "delte ",
    "deleted ": "slettede ",
    "moved ": "flyttede ",
}
_VERB = re.compile("^(" + "|".join(re.escape(v) for v in _DANISH_VERBS) + ")")


def choose(forced: str, cookie: str | None, accept_language: str | None) -> str:
    """The page's language: the option, else the page's own choice, else the browser's, else Danish."""
    if forced in LANGUAGES:
        return forced
    if cookie in LANGUAGES:
        return str(cookie)
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in ("nb", "nn", "no", "sv"):  # Scandinavian readers read Danish more easily than English
            primary = "da"
        if primary in LANGUAGES:
            ranked.append((-quality, position, primary))
    return min(ranked)[2] if ranked else DEFAULT


def message(text: str, lang: str) -> str:
    """A decision message ("renamed 3 → Krydspres; merged 5 into 2") in the page's language."""
    if lang != "da" or not text:
        return text
    capital = text[0].isupper()
    text = text[0].lower() + text[1:]
    parts = []
    for part in text.split("; "):
        undid = part.startswith("undid: ")
        part = _VERB.sub(lambda m: _DANISH_VERBS[m.group(1)], part.removeprefix("undid: "))
        parts.append(f"fortrød: {part}" if undid else part)
    text = "; ".join(parts).replace(" into ", " ind i ").replace(" to no theme", " til intet tema")
    return text[0].upper() + text[1:] if capital else text
