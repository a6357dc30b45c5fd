"""Apache Kafka for development: fetched from Maven Central with Maven, one KRaft node on loopback.

The broker is the ``org.apache.kafka:kafka_2.13`` artifact and its runtime dependencies, copied by
``mvn dependency:copy-dependencies`` into ``<install_dir>/kafka-<version>/libs`` once (a stamp file
says the copy is complete, so later starts run no Maven at all). Its log directory is on disk and
formatted once, so a restarted broker keeps its topics, records and committed offsets.
"""

from __future__ import annotations

import base64
import re
import shutil
import subprocess
import uuid
from collections.abc import Sequence
from pathlib import Path

from batchops.devstack.errors import DevStackError
from batchops.devstack.install import find_java
from batchops.devstack.locking import file_lock

KAFKA_VERSION = "4.1.1"
SCALA_VERSION = "2.13"
ARTIFACT = f"org.apache.kafka:kafka_{SCALA_VERSION}:{KAFKA_VERSION}"
# Kafka logs through SLF4J 1.7; without a binding the broker is silent. This one sends it to log4j2.
LOG_BINDING = ("org.apache.logging.log4j", "log4j-slf4j-impl", "2.24.3")
MIN_JAVA = 17
MAIN_CLASS = "kafka.Kafka"
STORAGE_TOOL = "kafka.tools.StorageTool"
STAMP_NAME = ".complete"
# A bounded heap for a 2-core, shared development machine; G1 as Kafka's own start script uses.
# 512 MB ran out (OutOfMemoryError) on a dev stack kept for days, with ~14,600 partitions of
# test topics; 1 GB leaves room for a long-lived one (the machine has 24 GB).
JVM_OPTIONS = ("-Xms128m", "-Xmx1g", "-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20", "-Djava.awt.headless=true")
MAVEN_TIMEOUT = 900.0
FORMAT_TIMEOUT = 120.0

_POM = """\
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>batchops.devstack</groupId>
  <artifactId>kafka-runtime</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>org.apache.kafka</groupId>
      <artifactId>kafka_{scala}</artifactId>
      <version>{kafka}</version>
    </dependency>
    <dependency>
      <groupId>{log_group}</groupId>
      <artifactId>{log_artifact}</artifactId>
      <version>{log_version}</version>
    </dependency>
  </dependencies>
</project>
"""

LOG4J2_PROPERTIES = """\
status = warn
appender.console.type = Console
appender.console.name = STDOUT
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{ISO8601} %-5p [%t] %c{1}: %m%n
rootLogger.level = warn
rootLogger.appenderRef.stdout.ref = STDOUT
logger.server.name = kafka.server.KafkaServer
logger.server.level = info
logger.broker.name = kafka.server.BrokerServer
logger.broker.level = info
# Group joins, rebalances and expired members: what a consumer waiting for its assignment waits on.
logger.groups.name = org.apache.kafka.coordinator.group
logger.groups.level = info
"""


def runtime_dir(install_dir: Path) -> Path:
    return install_dir / f"kafka-{KAFKA_VERSION}"


def install_kafka(install_dir: Path) -> Path:
    """The folder of jars that runs the pinned broker, fetched with Maven if not complete yet."""
    home = runtime_dir(install_dir)
    libs = home / "libs"
    if (home / STAMP_NAME).is_file():
        return libs
    install_dir.mkdir(parents=True, exist_ok=True)
    with file_lock(install_dir / ".kafka.lock"):
        if (home / STAMP_NAME).is_file():
            return libs  # another process fetched it while we waited
        java_major()  # fail before a long download when Java would not run the broker anyway
        mvn = _find_maven()
        if libs.exists():
            shutil.rmtree(libs)
        home.mkdir(parents=True, exist_ok=True)
        (home / "pom.xml").write_text(
            _POM.format(
                scala=SCALA_VERSION,
                kafka=KAFKA_VERSION,
                log_group=LOG_BINDING[0],
                log_artifact=LOG_BINDING[1],
                log_version=LOG_BINDING[2],
            )
        )
        argv = [
            mvn,
            "-B",
            "-q",
            "-f",
            str(home / "pom.xml"),
            "dependency:copy-dependencies",
            f"-DoutputDirectory={libs}",
            "-DincludeScope=runtime",
        ]
        _run(argv, f"fetching {ARTIFACT} from Maven Central with Maven", MAVEN_TIMEOUT)
        jar = libs / f"kafka_{SCALA_VERSION}-{KAFKA_VERSION}.jar"
        if not jar.is_file():
            raise DevStackError(f"Maven finished but {jar} is missing; see {home / 'pom.xml'}")
        (home / STAMP_NAME).write_text(ARTIFACT + "\n")
    return libs


def java_major(java: str | None = None) -> int:
    """The major version of the ``java`` that runs the broker; refuses a missing or too old one."""
    exe = java or find_java()
    try:
        done = subprocess.run(
            [exe, "-version"],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise DevStackError(f"cannot run {exe} -version: {exc}") from exc
    major = parse_java_major(done.stderr + done.stdout)
    if major is None:
        raise DevStackError(f"cannot tell the version of {exe}: {(done.stderr or done.stdout).strip()[:200]}")
    if major < MIN_JAVA:
        raise DevStackError(
            f"Apache Kafka {KAFKA_VERSION} needs Java {MIN_JAVA} or newer, {exe} is Java {major}: "
            "install one (e.g. `apt-get install -y --no-install-recommends openjdk-17-jre-headless`) "
            "or point JAVA_HOME at it"
        )
    return major


def parse_java_major(version_text: str) -> int | None:
    """``17`` from 'openjdk version "17.0.15"', ``8`` from 'java version "1.8.0_392"'."""
    match = re.search(r'version "(\d+)(?:\.(\d+))?', version_text)
    if match is None:
        return None
    first = int(match.group(1))
    if first == 1 and match.group(2) is not None:
        return int(match.group(2))
    return first


def _find_maven() -> str:
    mvn = shutil.which("mvn")
    if mvn is None:
        raise DevStackError(
            f"Apache Kafka {KAFKA_VERSION} is fetched from Maven Central with Maven, and no `mvn` was found: "
            "install it (e.g. `apt-get install -y --no-install-recommends maven`)"
        )
    return mvn


def _run(argv: Sequence[str], what: str, timeout: float) -> None:
    try:
        done = subprocess.run(
            list(argv), capture_output=True, text=True, timeout=timeout, check=False, stdin=subprocess.DEVNULL
        )
    except subprocess.TimeoutExpired as exc:
        raise DevStackError(
            f"{what} did not finish within {timeout:.0f} s (is Maven Central reachable?)"
        ) from exc
    except OSError as exc:
        raise DevStackError(f"{what} failed: {exc}") from exc
    if done.returncode != 0:
        tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-20:])
        hint = " (is Maven Central reachable from this machine?)" if "resolve" in tail.lower() else ""
        raise DevStackError(f"{what} failed (exit {done.returncode}){hint}:\n{tail}")


def render_server_properties(log_dir: Path, port: int, controller_port: int, host: str = "127.0.0.1") -> str:
    """One node that is both broker and controller, on loopback, with single-node replication."""
    return "\n".join(
        [
            "# Written by batchops devstack; rewritten on every start.",
            "process.roles=broker,controller",
            "node.id=1",
            f"listeners=PLAINTEXT://{host}:{port},CONTROLLER://{host}:{controller_port}",
            f"advertised.listeners=PLAINTEXT://{host}:{port}",
            "controller.listener.names=CONTROLLER",
            "inter.broker.listener.name=PLAINTEXT",
            "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
            f"controller.quorum.bootstrap.servers={host}:{controller_port}",
            f"log.dirs={log_dir}",
            "num.partitions=1",
            "default.replication.factor=1",
            "offsets.topic.replication.factor=1",
            "offsets.topic.num.partitions=10",
            "transaction.state.log.replication.factor=1",
            "transaction.state.log.min.isr=1",
            "share.coordinator.state.topic.replication.factor=1",
            "share.coordinator.state.topic.min.isr=1",
            # Joins are immediate: there is nobody else to wait for on one node.
            "group.initial.rebalance.delay.ms=0",
            # Operations records may carry 1,000,000 tokens (~12 MB); topics we create say so too.
            "message.max.bytes=16777216",
            "socket.request.max.bytes=104857600",
            "num.network.threads=2",
            "num.io.threads=4",
            "log.retention.hours=24",
            "log.segment.bytes=104857600",
            "auto.create.topics.enable=false",
            "",
        ]
    )


def new_cluster_id() -> str:
    """A KRaft cluster id: 16 random bytes in URL-safe base64 without padding (22 characters).

    One that starts with "-" is drawn again, as Kafka's own Uuid.randomUuid() does: the storage
    tool's argument parser would read it as an option.
    """
    while True:
        cid = base64.urlsafe_b64encode(uuid.uuid4().bytes).rstrip(b"=").decode("ascii")
        if not cid.startswith("-"):
            return cid


def write_config(conf_dir: Path, log_dir: Path, port: int, controller_port: int) -> Path:
    """Write server.properties and log4j2.properties into ``conf_dir``; returns server.properties."""
    conf_dir.mkdir(parents=True, exist_ok=True)
    log_dir.mkdir(parents=True, exist_ok=True)
    properties = conf_dir / "server.properties"
    properties.write_text(render_server_properties(log_dir, port, controller_port))
    (conf_dir / "log4j2.properties").write_text(LOG4J2_PROPERTIES)
    return properties


def is_formatted(log_dir: Path) -> bool:
    return (log_dir / "meta.properties").is_file()


def format_storage(java: str, libs: Path, properties: Path, log_dir: Path) -> None:
    """Format the log directory once (a new cluster id); an already formatted one is kept as is."""
    if is_formatted(log_dir):
        return
    argv = [
        java,
        "-Xmx256m",
        "-cp",
        f"{libs}/*",
        STORAGE_TOOL,
        "format",
        "--cluster-id",
        new_cluster_id(),
        "--config",
        str(properties),
        "--standalone",
        "--ignore-formatted",
    ]
    _run(argv, f"formatting the Kafka log directory {log_dir}", FORMAT_TIMEOUT)


def command(java: str, libs: Path, conf_dir: Path) -> list[str]:
    return [
        java,
        *JVM_OPTIONS,
        f"-Dlog4j2.configurationFile={conf_dir / 'log4j2.properties'}",
        "-cp",
        f"{libs}/*",
        MAIN_CLASS,
        str(conf_dir / "server.properties"),
    ]
