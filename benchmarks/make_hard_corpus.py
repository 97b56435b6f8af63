"""Write the Word transcripts of the hard test corpus (``corpora/hard/``).

    python benchmarks/make_hard_corpus.py

The other transcripts of ``corpora/hard/`` are plain files written by hand; the two ``.docx``
files are generated here with python-docx so that they can be reviewed as text. The generated
files are committed too; rerun this script after changing the texts below, and update
``corpora/hard_gold/gold.yaml`` to match. Everything in them is fictional.
"""

from __future__ import annotations

from pathlib import Path

from docx_writers import write_labelled_paragraphs, write_table

HARD = Path(__file__).resolve().parent.parent / "corpora" / "hard"
NURSE_HEADER = "Interview 8 – sygeplejerske, Dato: 1. april 2025"

# (speaker label or None for a header line, text)
COORDINATING: list[tuple[str | None, str]] = [
    (None, "Interview 4 – koordinerende sagsbehandler"),
    (None, "Dato: 6. marts 2025"),
    (None, "Varighed: 41 min."),
    (None, "Sted: Jobcenter Aarhus"),
    ("Interviewer", "Vil du fortælle lidt om, hvad en koordinerende sagsbehandler laver?"),
    (
        "Lone",
        "Jeg hedder Lone Thygesen. Jeg er koordinerende sagsbehandler, og det betyder, at jeg skal "
        "have overblikket, når en borger har mange aktører. Jeg har omkring fyrre borgere, bl.a. "
        "nogle med ADHD og PTSD.",
    ),
    ("Interviewer", "Hvordan arbejder du sammen med psykiatrien?"),
    (
        "Lone",
        "Det kommer an på, hvem man får fat i. Kim Bjerre er overlæge i Lokalpsykiatri Aarhus Vest. "
        "Bjerre sagde engang til mig, at han ikke vidste, hvad et ressourceforløb var. Det var "
        "ærligt, og så forklarede jeg det.",
    ),
    (
        "Lone",
        "Med Yasmin el-Hassan var det Kirsten Dalby, der tog kontakten. Yasmins sag var kørt fast, "
        "og el-Hassan-familien havde klaget til kommunen.",
    ),
    ("Interviewer", "Hvad var problemet?"),
    (
        "Lone",
        "Hendes cpr-nummer stod forkert. Og en anden gang fik jeg en seddel fra en kollega, hvor der "
        "bare stod 1704681234 og et telefonnummer, +45 23 45 67 89, og så skulle jeg gætte, hvilken "
        "sag det var. Det viste sig at være Mettes.",
    ),
    ("Interviewer", "Hvad siger reglerne om jeres rolle?"),
    (
        "Lone",
        "Jf. loven skal der være én koordinerende sagsbehandler i et ressourceforløb. Men der står "
        "ikke noget om, hvor mange timer man har per borger. Uddannelses- og forskningsministeren "
        "har intet med det at gøre, men vi får alligevel krav om uddannelse f.eks. for de unge.",
    ),
    ("Interviewer", "Tak. Noget til sidst?"),
    ("Lone", "Kun at kommunen skal huske, at borgeren er et menneske. Held og lykke med projektet."),
]

NURSE: list[tuple[str, str]] = [
    ("Interviewer", "Hvem er du, og hvor arbejder du?"),
    (
        "Signe",
        "Jeg hedder Signe Holmgaard, jeg er sygeplejerske i Lokalpsykiatri Silkeborg. Jeg har været "
        "her i otte år.",
    ),
    ("Interviewer", "Hvem er dine samarbejdspartnere i kommunen?"),
    (
        "Signe",
        "Mest mentorerne. Christoffer Lund, som alle kalder Toffer, kommer her hver uge med Frede. "
        "Toffers måde at være på gør, at Frede tør komme.",
    ),
    ("Interviewer", "Hvem er Frede?"),
    (
        "Signe",
        "Frederik Aagaard. Fredes forløb har været langt. Han er født 22.01.1979 og har været syg "
        "siden han var fyrre. Hans bror har også været indlagt.",
    ),
    ("Interviewer", "Hvordan ser du samarbejdet med Jobcentret?"),
    (
        "Signe",
        "Det er bedre end før. Men det kan godt blive en storm, når kommunen vil have en plan og vi "
        "vil have ro. Vi skal tage det i borgerens tempo, det er hans liv.",
    ),
    (
        "Signe",
        "Vi har en nordisk model for recovery her, og så kommer jobcentret med en mark fuld af "
        "skemaer. Jeg siger det med et smil.",
    ),
    ("Interviewer", "Har du haft med andre borgere at gøre fra Aarhus?"),
    (
        "Signe",
        "Ja, en kvinde, mette hed hun, med lille m i journalen, fordi den blev dikteret. Mette Krogh. "
        "Hun var født 17. april 68, og hun havde nummeret 23 45 67 89. Jeg skrev det hele i journalen "
        "per telefon.",
    ),
    ("Interviewer", "Tak for din tid."),
    ("Signe", "Selv tak, og held og lykke."),
]


def main() -> None:
    write_labelled_paragraphs(HARD / "jobcenter" / "03_koordinerende.docx", COORDINATING)
    write_table(HARD / "psykiatri" / "11_sygeplejerske.docx", [NURSE_HEADER], NURSE)
    print(f"wrote 2 .docx files under {HARD}")


if __name__ == "__main__":
    main()
