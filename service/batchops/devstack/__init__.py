"""Local real servers for development and tests: Apache Kafka (KRaft), SecantusDB (MongoDB wire
protocol) and ZooKeeper, installed on demand and run as recorded processes on 127.0.0.1."""

from batchops.devstack.errors import DevStackError
from batchops.devstack.layout import default_state_dir
from batchops.devstack.polling import wait_for
from batchops.devstack.sharing import shared_stack
from batchops.devstack.stack import SERVER_NAMES, DevStack, Endpoints, Ports, ServerStatus

__all__ = [
    "SERVER_NAMES",
    "DevStack",
    "DevStackError",
    "Endpoints",
    "Ports",
    "ServerStatus",
    "default_state_dir",
    "shared_stack",
    "wait_for",
]
