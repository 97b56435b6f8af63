"""Where the NER model is found: ``$THEMEMINE_MODELS`` first, then the copy installed with the package."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

import thememine
from thememine.errors import ThememineError
from thememine.pseudonymise.e5ner import default_model_dir, tagger

PACKAGE = Path(thememine.__file__).parent
ROOT = PACKAGE.parent


def test_the_model_is_found_inside_the_package_without_the_environment_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("THEMEMINE_MODELS", raising=False)
    folder = default_model_dir()
    assert folder == PACKAGE / "models" / "ner-da-e5"
    # the card and the licence travel with the weights
    for name in ("model.safetensors", "config.json", "README.md", "LICENSE.md"):
        assert (folder / name).is_file(), name
    assert "CC BY-SA 4.0" in (folder / "LICENSE.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("value", ["", None])
def test_an_empty_or_unset_variable_means_the_packaged_model(
    value: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    if value is None:
        monkeypatch.delenv("THEMEMINE_MODELS", raising=False)
    else:
        monkeypatch.setenv("THEMEMINE_MODELS", value)
    assert default_model_dir() == PACKAGE / "models" / "ner-da-e5"


def test_the_environment_variable_overrides_the_packaged_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("THEMEMINE_MODELS", str(tmp_path))
    assert default_model_dir() == tmp_path / "ner-da-e5"


def test_a_plain_error_when_the_package_holds_no_model(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("THEMEMINE_MODELS", raising=False)
    monkeypatch.setattr(tagger, "PACKAGED_MODELS", "no-such-folder")
    with pytest.raises(ThememineError, match="not installed with thememine") as error:
        default_model_dir()
    assert "THEMEMINE_MODELS" in str(error.value)
    assert "--ner none" in str(error.value)


def test_the_package_data_patterns_take_every_model_file() -> None:
    """A model file left out of the wheel would only show after ``pip install``; catch it here.

    CI builds the wheel and detects with it (``.ci/wheel``); this is the quick check.
    """
    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"][
        "package-data"
    ]["thememine"]
    shipped = {path for pattern in patterns for path in PACKAGE.glob(pattern) if path.is_file()}
    model_files = {path for path in (PACKAGE / "models").rglob("*") if path.is_file()}
    assert model_files, "no models in the package"
    assert model_files <= shipped, sorted(str(p.relative_to(PACKAGE)) for p in model_files - shipped)
