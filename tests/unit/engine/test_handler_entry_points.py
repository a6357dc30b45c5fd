"""Handlers registered through the ``batchops.handlers`` entry-point group are loaded, and a
broken entry point is logged without stopping the others."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from batchops.domain import InvalidArgument
from batchops.engine.handlers import ENTRY_POINT_GROUP, HandlerRegistry

PLUGIN = """
from batchops.engine.handlers import ElementOutcome


class Reboot:
    operation_type = "PluginReboot"

    def validate(self, operation):
        return None

    def handle(self, context):
        return ElementOutcome.success(plugin="yes")
"""


@pytest.fixture
def installed_plugin(tmp_path: Path) -> Iterator[None]:
    """A real distribution on sys.path: a module plus dist-info with entry_points.txt."""
    (tmp_path / "my_plugin.py").write_text(PLUGIN)
    dist = tmp_path / "my_plugin-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: my-plugin\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text(
        f"[{ENTRY_POINT_GROUP}]\nreboot = my_plugin:Reboot\nbroken = my_plugin:DoesNotExist\n"
    )
    sys.path.insert(0, str(tmp_path))
    try:
        yield
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("my_plugin", None)


def test_entry_point_handlers_are_registered(installed_plugin: None) -> None:
    registry = HandlerRegistry()
    registry.load_entry_points()
    assert "PluginReboot" in registry.operation_types
    assert registry.require("PluginReboot").operation_type == "PluginReboot"


def test_unknown_type_names_the_known_ones() -> None:
    registry = HandlerRegistry()
    with pytest.raises(InvalidArgument) as info:
        registry.require("Nope")
    assert info.value.description.startswith("9410:")
