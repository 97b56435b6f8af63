"""The researcher's controls, in one TOML file, and decisions from the review.

```toml
# thememine.toml
participants = [                     # always caught, all variants linked to one person
  ["Anne Sofie Lund", "Anne Sofie", "Annso"],
  ["Jens Ravn", "Jens"],
]
allow = ["Jobcentret", "Folketinget", "Sundhedsaftalen"]   # never replaced

[deny]                               # always replaced, with this label
ORGANISATION = ["Skovbrynet", "Fontænehuset"]
LOCATION = ["Endelave"]

[thresholds]                         # per label, 0-1; lower catches more
PERSON = 0.4
DATE = 0.5
```
"""

from __future__ import annotations

import csv
import io
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from thememine.errors import ThememineError
from thememine.pseudonymise.detection import LABELS, PERSON


@dataclass
class PseudonymiseConfig:
    participants: list[list[str]] = field(default_factory=list)
    allow: dict[str | None, set[str]] = field(default_factory=dict)  # label (None: any) → forms
    deny: list[tuple[str, str]] = field(default_factory=list)  # (label, phrase)
    thresholds: dict[str, float] = field(default_factory=dict)

    def is_allowed(self, label: str, surface: str) -> bool:
        form = " ".join(surface.split()).casefold()
        return form in self.allow.get(None, set()) or form in self.allow.get(label, set())

    def merge(self, other: PseudonymiseConfig) -> None:
        self.participants += other.participants
        for label, forms in other.allow.items():
            self.allow.setdefault(label, set()).update(forms)
        self.deny += other.deny
        self.thresholds.update(other.thresholds)


def _problem(path: Path, message: str) -> ThememineError:
    return ThememineError(f"{path}: {message}. See the example in the README (Pseudonymisation settings).")


def load_config(path: Path) -> PseudonymiseConfig:
    """Read a TOML settings file, with plain errors for every mistake a researcher may make."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ThememineError(f"No settings file at {path}.") from None
    except UnicodeDecodeError:
        raise _problem(path, "is not UTF-8 text (save it as UTF-8)") from None
    except (tomllib.TOMLDecodeError, RecursionError) as err:  # arrays nested thousands deep recurse
        raise _problem(path, f"is not valid TOML ({type(err).__name__})") from None
    unknown = set(data) - {"participants", "allow", "deny", "thresholds"}
    if unknown:
        raise _problem(path, f"unknown setting(s) {', '.join(sorted(unknown))}")
    config = PseudonymiseConfig()
    for group in data.get("participants", []):
        if not isinstance(group, list) or not group or not all(isinstance(v, str) for v in group):
            raise _problem(
                path, 'each participant is a list of names, e.g. ["Anne Sofie Lund", "Anne Sofie"]'
            )
        config.participants.append(group)
    allow = data.get("allow", [])
    if not isinstance(allow, list) or not all(isinstance(v, str) for v in allow):
        raise _problem(path, "allow is a list of words")
    config.allow[None] = {" ".join(v.split()).casefold() for v in allow}
    deny = data.get("deny", {})
    if not isinstance(deny, dict):
        raise _problem(path, "deny is a table of LABEL = [words]")
    for label, phrases in deny.items():
        if label not in LABELS:
            raise _problem(path, f"unknown label {label!r} in deny; labels are {', '.join(LABELS)}")
        if not isinstance(phrases, list) or not all(isinstance(v, str) for v in phrases):
            raise _problem(path, f"deny.{label} is a list of words")
        config.deny += [(label, phrase) for phrase in phrases]
    thresholds = data.get("thresholds", {})
    if not isinstance(thresholds, dict):
        raise _problem(path, "thresholds is a table of LABEL = number")
    for label, value in thresholds.items():
        if label not in LABELS:
            raise _problem(path, f"unknown label {label!r} in thresholds")
        if not isinstance(value, (int, float)) or not 0 <= value <= 1:
            raise _problem(path, f"the threshold for {label} must be a number from 0 to 1")
        config.thresholds[label] = float(value)
    return config


# the columns of review.csv that a decision needs; a file without them would decide nothing
# ("label" is needed too for confirm and reject, but not for "add LABEL")
DECISION_COLUMNS = ("text", "decision")


def load_review_decisions(path: Path) -> PseudonymiseConfig:
    """Decisions from an edited ``review.csv``: ``reject`` never again, ``confirm``/``add LABEL`` always.

    Decisions apply to the detected form wherever it occurs, so they carry over to new interviews.
    A file without the columns that hold decisions is refused: ignoring it would pseudonymise as
    if the researcher had decided nothing.
    """
    config = PseudonymiseConfig()
    for number, row in enumerate(_decision_rows(path), start=2):
        decision = (row.get("decision") or "").strip().lower()
        label, text = (row.get("label") or "").strip(), (row.get("text") or "").strip()
        if not decision:
            continue
        if decision.startswith("add"):
            label = decision[3:].strip().upper() or label or PERSON
            decision = "confirm"
        if not text or label not in LABELS:
            raise ThememineError(
                f"{path}, line {number}: a decision needs a text and one of the labels {', '.join(LABELS)}."
            )
        if decision == "reject":
            config.allow.setdefault(label, set()).add(" ".join(text.split()).casefold())
        elif decision == "confirm":
            config.deny.append((label, text))
        else:
            raise ThememineError(
                f"{path}, line {number}: decision must be confirm, reject or 'add LABEL', not {decision!r}."
            )
    return config


def _decision_rows(path: Path) -> list[dict[str, str]]:
    """The rows of a review file, keyed by column names in lower case.

    Spreadsheet programs may save the file with a byte-order mark, with ``;`` between columns
    (Danish Excel) and with capitalised headers; all of these are read.
    """
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ThememineError(f"No review decisions at {path}.") from None
    except UnicodeDecodeError:
        raise ThememineError(f"{path}: is not UTF-8 text. Save the review file as CSV (UTF-8).") from None
    except OSError as err:
        raise ThememineError(
            f"{path}: cannot be read ({err.strerror or err}). Give the review CSV file."
        ) from None
    header = text.partition("\n")[0]
    delimiter = ";" if header.count(";") > header.count(",") else ","
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    columns = [(name or "").strip().lower() for name in reader.fieldnames or []]
    missing = [name for name in DECISION_COLUMNS if name not in columns]
    if missing:
        found = ", ".join(name for name in columns if name) or "none"
        raise ThememineError(
            f"{path}: the review decisions have no column {' and '.join(missing)}, so no decision can be "
            f"read. A review file needs the columns {' and '.join(DECISION_COLUMNS)}, and label for "
            f"confirm and reject, as in the review.csv that pseudonymise writes; this one has: {found}."
        )
    return [
        {(name or "").strip().lower(): value for name, value in row.items() if isinstance(value, str)}
        for row in reader
    ]
