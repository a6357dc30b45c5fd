"""The command line: sub-commands load their modules only when used."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from batchops import cli

TOOLS = ("batchops.bench", "batchops.devstack", "batchops.ops", "batchops.simulator")


def loaded_after(argv: list[str], *modules: str) -> list[str]:
    """The batchops modules a fresh interpreter holds after running ``batchops <argv>``."""
    script = (
        "import json, sys\n"
        "from typer.testing import CliRunner\n"
        f"for name in {list(modules)!r}: __import__(name)\n"
        "from batchops import cli\n"
        f"result = CliRunner().invoke(cli.app, {argv!r})\n"
        "assert result.exit_code == 0, result.output\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith('batchops'))))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return list(json.loads(done.stdout.splitlines()[-1]))


def test_serving_loads_none_of_the_tools() -> None:
    # What `batchops serve` imports: the command itself and the service it builds.
    loaded = loaded_after(["serve", "--help"], "batchops.service")
    assert "batchops.service" in loaded
    assert [m for m in loaded if m.startswith(TOOLS)] == []


def test_a_tool_loads_when_its_command_runs() -> None:
    loaded = loaded_after(["bench", "--help"])
    assert "batchops.bench.command" in loaded
    assert not [m for m in loaded if m.startswith("batchops.simulator.command")]


@pytest.mark.parametrize("command", sorted(cli.LAZY_COMMANDS))
def test_every_lazy_command_answers_help(command: str) -> None:
    result = CliRunner().invoke(cli.app, [command, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output


def test_top_level_help_lists_every_command() -> None:
    result = CliRunner().invoke(cli.app, ["--help"])
    assert result.exit_code == 0
    for command in ("serve", "dev", *cli.LAZY_COMMANDS):
        assert command in result.output
