"""The README's configuration reference lists every setting (docs stay in step with the code)."""

from __future__ import annotations

from pathlib import Path

from batchops.config import Settings

README = Path(__file__).parents[2] / "README.md"


def test_every_setting_is_documented() -> None:
    text = README.read_text()
    missing = [name for name in Settings.model_fields if f"`BATCHOPS_{name.upper()}`" not in text]
    assert not missing, f"README configuration reference lacks: {missing} (run tools/settings_table.py)"


def test_readme_names_the_two_commands() -> None:
    text = README.read_text()
    assert "make run" in text and "make test" in text
