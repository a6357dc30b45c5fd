from __future__ import annotations

import re
import signal
import subprocess
import sys
from pathlib import Path

from batchops.clients import ClientSettings, connect
from batchops.devstack import wait_for

RUNNER = "import typer; from batchops.simulator.command import simulate; typer.run(simulate)"


def test_simulate_serves_until_sigterm(tmp_path: Path) -> None:
    output = tmp_path / "simulate.out"
    with output.open("w") as sink:
        process = subprocess.Popen(
            [
                sys.executable,
                "-c",
                RUNNER,
                "--port",
                "0",
                "--host",
                "127.0.0.1",
                "--devices",
                "120",
                "--seed",
                "4",
            ],
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    try:
        match = wait_for(
            lambda: re.search(r"listening on (\S+)", output.read_text()),
            timeout=30,
            message="simulator start",
        )
        text = output.read_text()
        assert "type gateway" in text and "grp-nested" in text
        address = match.group(1)
        settings = ClientSettings(device_management_address=address, event_management_address=address)
        with connect(settings) as clients:
            device = clients.device_management.get_device_by_token("dev-000120", tenant_id="t1")
        assert device is not None and device.token == "dev-000120"
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) == 0
        assert "stopped" in output.read_text()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
