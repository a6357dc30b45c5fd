"""The three servers: how each is installed, started and probed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from batchops.devstack import install, kafka, probes, zookeeper
from batchops.devstack.layout import Layout
from batchops.devstack.ports import LOCALHOST


@dataclass(frozen=True)
class ServerSpec:
    """One server of the stack. ``prepare`` installs what is missing and returns the command line."""

    name: str
    port: int
    prepare: Callable[[], list[str]]
    probe: Callable[[float], bool]
    other_ports: tuple[int, ...] = ()  # listeners besides ``port`` that must be free too

    @property
    def address(self) -> str:
        return f"{LOCALHOST}:{self.port}"


def kafka_spec(layout: Layout, port: int, controller_port: int) -> ServerSpec:
    def prepare() -> list[str]:
        libs = kafka.install_kafka(layout.install_dir)
        java = install.find_java()
        kafka.java_major(java)
        properties = kafka.write_config(layout.kafka_conf_dir, layout.kafka_data_dir, port, controller_port)
        kafka.format_storage(java, libs, properties, layout.kafka_data_dir)
        return kafka.command(java, libs, layout.kafka_conf_dir)

    return ServerSpec(
        "kafka",
        port,
        prepare,
        lambda timeout: probes.kafka_ready(f"{LOCALHOST}:{port}", timeout),
        other_ports=(controller_port,),
    )


def mongo_uri(port: int) -> str:
    # retryWrites=false: SecantusDB keeps a record per retryable write and, past 10,000 records,
    # sorts them all on every write (O(n log n) under its lock: 10-50 ms per write after a few
    # minutes of tests). A single local node has no failover for retries to cover, and every
    # write of ours is a compare-and-set that is safe to redo, so nothing is lost; production
    # URIs keep the driver's default.
    return f"mongodb://{LOCALHOST}:{port}/?directConnection=true&retryWrites=false"


def mongo_spec(layout: Layout, port: int, in_memory: bool) -> ServerSpec:
    def prepare() -> list[str]:
        script = install.install_secantus(layout.install_dir)
        storage: Path | str = ":memory:" if in_memory else layout.mongo_data_dir
        if not in_memory:
            layout.mongo_data_dir.mkdir(parents=True, exist_ok=True)
        # An explicit (empty) config file turns off secantusd's auto-discovery of ./secantusd.toml etc.
        layout.mongo_config_file.parent.mkdir(parents=True, exist_ok=True)
        layout.mongo_config_file.touch()
        return [
            str(script),
            "--config",
            str(layout.mongo_config_file),
            "--host",
            LOCALHOST,
            "--port",
            str(port),
            "--storage-path",
            str(storage),
            "--cache-size",
            "1G",  # a million-element operation (elements + indexes) fits; 256M made it evict
            "--log-level",
            "WARNING",
        ]

    return ServerSpec("mongo", port, prepare, lambda timeout: probes.mongo_ready(mongo_uri(port), timeout))


def zookeeper_spec(layout: Layout, port: int) -> ServerSpec:
    def prepare() -> list[str]:
        install.install_zookeeper()
        java = install.find_java()
        zookeeper.write_config(layout.zk_conf_dir, layout.zk_data_dir, port)
        return zookeeper.command(java, layout.zk_conf_dir)

    return ServerSpec(
        "zookeeper", port, prepare, lambda timeout: probes.zookeeper_ready(LOCALHOST, port, timeout)
    )
