"""Danish places from the gazetteer: towns, municipalities, regions, islands, city districts.

Names that are also everyday words ("Ry", "Hals", "Give", "Tarm") score below the threshold unless
the model agrees; a genitive ending ("Vejles", "Horsens'") stays outside the span.
"""

from __future__ import annotations

import re
from functools import cached_property
from typing import ClassVar

from thememine.pseudonymise.detection import LOCATION, Detection
from thememine.pseudonymise.gazetteer import Place, places
from thememine.pseudonymise.ordinary import opens_sentence


class PlaceGazetteerRecognizer:
    name: ClassVar[str] = "places"
    label: ClassVar[str] = LOCATION

    @cached_property
    def _places(self) -> dict[str, Place]:
        return places()

    @cached_property
    def _pattern(self) -> re.Pattern[str]:
        names = sorted((p.name for p in self._places.values()), key=len, reverse=True)
        alternatives = "|".join(re.escape(n).replace(r"\ ", r"\s+") for n in names)
        return re.compile(rf"(?<![\w-])(?:{alternatives})(?=(?:s|')?(?![\w-]))")

    def analyze(self, text: str) -> list[Detection]:
        found = []
        for match in self._pattern.finditer(text):
            place = self._places.get(" ".join(match.group().split()).casefold())
            if place is None:
                continue
            initial = opens_sentence(text, match.start())
            low, high = (0.2, 0.35) if place.ambiguous else (0.7, 0.8)
            score = low if initial else high
            found.append(
                Detection(
                    LOCATION, match.start(), match.end(), score, self.name, f"{place.kind} in the gazetteer"
                )
            )
        return found
