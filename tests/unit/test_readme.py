"""The README's configuration reference lists every setting (docs stay in step with the code)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

from batchops.config import Settings, env_name, settings_fields

REPO_ROOT = Path(__file__).parents[2]
README = REPO_ROOT / "README.md"


def _settings_table() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "batchops_tools_settings_table", REPO_ROOT / "tools" / "settings_table.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_setting_is_documented() -> None:
    text = README.read_text()
    missing = [
        env_name(flat)
        for _path, flat, _field in settings_fields(Settings)
        if f"`{env_name(flat)}`" not in text
    ]
    assert not missing, f"README configuration reference lacks: {missing} (run tools/settings_table.py)"


def test_the_configuration_table_is_the_generated_one() -> None:
    generated = _settings_table().rows()
    assert "\n".join(generated) in README.read_text(), "README table is stale (run tools/settings_table.py)"


def test_readme_names_the_two_commands() -> None:
    text = README.read_text()
    assert "make run" in text and "make test" in text
