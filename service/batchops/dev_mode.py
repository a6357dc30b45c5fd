"""``batchops serve --dev``: the service on the local dev stack with a demo tenant and a demo
fleet, for trying it out on one machine. Never for production: authentication is off."""

from __future__ import annotations

import logging

from batchops.config import Settings
from batchops.simulator.fleet import Fleet
from batchops.simulator.server import FleetSimulator
from batchops.tenants import ZkLayout
from batchops.tenants.admin import TenantExistsError, add_tenant, connect, document_from_options
from batchops.tenants.zk_auth import credentials_from_settings

log = logging.getLogger(__name__)

DEMO_TENANT = "demo"
DEMO_FLEET_SIZE = 2000
DEMO_FLEET_SEED = 7
SIMULATOR_PORT = 9100


def dev_overrides() -> dict[str, object]:
    # Authentication is off, so the API (and the metrics endpoint, which binds the same address)
    # must be reachable from this machine only, whatever BATCHOPS_GRPC_HOST says.
    return {
        "auth_enabled": False,
        "grpc_host": "127.0.0.1",
        "allow_unauthenticated_remote": False,
        "log_format": "text",
    }


def ensure_demo_tenant(settings: Settings) -> None:
    """Create the demo tenant in ZooKeeper unless it exists (its engine then starts on its own)."""
    zookeeper = settings.zookeeper
    with connect(zookeeper.hosts, credentials=credentials_from_settings(zookeeper)) as client:
        try:
            add_tenant(
                client, ZkLayout(settings.instance.instance_id), DEMO_TENANT, document_from_options({})
            )
            log.info("demo tenant created", extra={"tenant": DEMO_TENANT})
        except TenantExistsError:
            pass


def start_demo_fleet(host: str = "127.0.0.1", port: int = SIMULATOR_PORT) -> FleetSimulator:
    simulator = FleetSimulator(Fleet.generate(DEMO_FLEET_SEED, DEMO_FLEET_SIZE), host=host, port=port)
    simulator.start()
    log.info(
        "demo fleet simulator listening", extra={"address": simulator.address, "devices": DEMO_FLEET_SIZE}
    )
    return simulator
