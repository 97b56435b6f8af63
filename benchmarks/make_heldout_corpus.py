"""Write the Word transcripts of the held-out test corpus (``corpora/heldout/``).

    python benchmarks/make_heldout_corpus.py

The other transcripts of ``corpora/heldout/`` are plain files written by hand; the two ``.docx``
files are generated here with python-docx so that they can be reviewed as text. The generated
files are committed too; rerun this script after changing the texts below, and update
``corpora/heldout_gold/gold.yaml`` to match. Everything in them is fictional.

The held-out corpus is for EVALUATION ONLY and must stay unseen by whoever changes the
pseudonymiser's rules (see ``corpora/heldout_gold/GOLD.md``).
"""

from __future__ import annotations

from pathlib import Path

from docx_writers import write_labelled_paragraphs, write_table

HELDOUT = Path(__file__).resolve().parent.parent / "corpora" / "heldout"

TEAM_LEADER_HEADER = ["Interview 2 – teamleder, sygedagpengeteamet", "Dato: 14. maj 2025"]

# (speaker, text): a two-column table
TEAM_LEADER: list[tuple[str, str]] = [
    ("Interviewer", "Hvad er din rolle i teamet?"),
    (
        "Henriette",
        "Jeg er Henriette Kruse og har været teamleder for sygedagpengeteamet i Jobcenter Esbjerg "
        "i fire år. Vi er elleve sagsbehandlere.",
    ),
    ("Interviewer", "Hvordan fordeler I sagerne?"),
    (
        "Henriette",
        "Efter fødselsdag. Det lyder mærkeligt, men det er nemt at forklare. Jonas' sager er dem, "
        "hvor borgeren er født mellem den 1. og den 10. i måneden.",
    ),
    ("Interviewer", "Er der en sag, du husker særligt?"),
    (
        "Henriette",
        "Petrović-sagen, hvis jeg må kalde den det. Jonas Fisker havde den, og jeg kan stadig "
        "huske 1405723319, fordi jeg har slået det op så mange gange. Der kom en klage over "
        "beregningen, og vi var tæt på at skulle forklare os over for Ankestyrelsen.",
    ),
    (
        "Henriette",
        "Fisker er grundig, men han skriver for lange notater. Mht. STAR's måltal ligger vi lige "
        "under landsgennemsnittet, så det er ikke noget, jeg skælder ud over.",
    ),
    ("Interviewer", "Hvad betyder de nye udspil for jer?"),
    (
        "Henriette",
        "KL har mange gode idéer, men de skal også finansieres. Evt. bliver vi lagt sammen med "
        "ydelsesteamet næste år, og så skal alle flytte til første sal.",
    ),
    (
        "Henriette",
        "Hvis I vil vide mere, kan I fange mig på 76 16 38 00 eller hekr@esbjerg.dk.",
    ),
    ("Interviewer", "Tak for din tid."),
    ("Henriette", "Selv tak. Hils Jonas, hvis du ser ham på vej ud."),
]

# (speaker label or None for a header line, text): paragraphs with bold labels
BOSTED_LEADER: list[tuple[str | None, str]] = [
    (None, "Interview 6 – leder af bofællesskab"),
    (None, "Dato: 2. juni 2025"),
    (None, "Sted: Bofællesskabet Toftegården, Næstved"),
    ("Interviewer", "Vil du starte med at fortælle om stedet?"),
    (
        "Bo",
        "Ja. Bo Kjeldsen, jeg er leder af Toftegården. Vi har tolv beboere mellem atten og tredive, "
        "de fleste med autisme, bl.a. Aspergers syndrom, og nogle med ADHD oveni.",
    ),
    (
        "Bo",
        "Vi er et midlertidigt botilbud efter § 107, så målet er, at de skal lære at bo selv. Nogle "
        "når det på to år, andre bliver her længere.",
    ),
    ("Interviewer", "Hvem er dine medarbejdere?"),
    (
        "Bo",
        "Pædagoger og et par sosu-assistenter. Lærke Rask er kontaktpædagog for de fleste af de "
        "unge kvinder. Rask har været her længst af os alle, hun startede i 2012.",
    ),
    ("Interviewer", "Kan du give et eksempel på et forløb?"),
    (
        "Bo",
        "Aylin Demir. Hun kom fra Fensmark for to år siden og kunne næsten ikke være i fællesrummet. "
        "Aylins bror, Emre, har været en stor hjælp, og Lærkes skemaer har gjort resten.",
    ),
    (
        "Bo",
        "Hun flytter i egen lejlighed i august. Det handler ikke om at blive rask, det handler om at "
        "kunne klare hverdagen med den støtte, man har brug for.",
    ),
    ("Interviewer", "Hvordan er samarbejdet med kommunen?"),
    (
        "Bo",
        "Næstved Kommune bruger VUM til udredningen, og Socialtilsynet kommer en gang om året. "
        "Bostøtten efter § 85 skal være på plads, før hun flytter, og det er den ikke endnu.",
    ),
    ("Interviewer", "Tak, Bo."),
]


def main() -> None:
    write_table(HELDOUT / "jobcenter" / "02_teamleder.docx", TEAM_LEADER_HEADER, TEAM_LEADER)
    write_labelled_paragraphs(HELDOUT / "bosted" / "06_bostedsleder.docx", BOSTED_LEADER)
    print(f"wrote 2 .docx files under {HELDOUT}")


if __name__ == "__main__":
    main()
