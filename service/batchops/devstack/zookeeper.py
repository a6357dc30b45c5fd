"""ZooKeeper (Debian package) configuration: zoo.cfg, log4j config, classpath and command line."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

JAVA_DIR = Path("/usr/share/java")
ZOOKEEPER_JAR = JAVA_DIR / "zookeeper.jar"
MAIN_CLASS = "org.apache.zookeeper.server.quorum.QuorumPeerMain"
JVM_OPTIONS = ("-Xms32m", "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1")

# Logging bindings in order of preference; each group is used only if all of its jars exist.
# (zookeeper.jar's manifest already pulls in slf4j-api and the other runtime dependencies.)
LOGGING_JAR_GROUPS: tuple[tuple[str, ...], ...] = (
    ("slf4j-log4j12.jar", "log4j-1.2.jar"),
    ("slf4j-simple.jar",),
    ("slf4j-nop.jar",),
)

LOG4J_PROPERTIES = """\
log4j.rootLogger=WARN, CONSOLE
log4j.appender.CONSOLE=org.apache.log4j.ConsoleAppender
log4j.appender.CONSOLE.layout=org.apache.log4j.PatternLayout
log4j.appender.CONSOLE.layout.ConversionPattern=%d{ISO8601} %-5p [%t] %c{1}: %m%n
"""


def render_zoo_cfg(
    data_dir: Path, port: int, host: str = "127.0.0.1", max_session_timeout_ms: int = 60000
) -> str:
    """A standalone zoo.cfg bound to ``host:port``, admin server off, the 4lw probes allowed."""
    return "\n".join(
        [
            "# Written by batchops devstack; rewritten on every start.",
            "tickTime=2000",
            "initLimit=10",
            "syncLimit=5",
            f"dataDir={data_dir}",
            f"clientPort={port}",
            f"clientPortAddress={host}",
            "maxClientCnxns=0",
            f"maxSessionTimeout={max_session_timeout_ms}",
            "admin.enableServer=false",
            "4lw.commands.whitelist=ruok,srvr,stat,mntr",
            "autopurge.snapRetainCount=3",
            "autopurge.purgeInterval=1",
            "",
        ]
    )


def classpath(conf_dir: Path, java_dir: Path = JAVA_DIR, exists: Callable[[Path], bool] = Path.exists) -> str:
    """``conf_dir`` (for log4j.properties), zookeeper.jar and the first complete logging binding."""
    entries = [str(conf_dir), str(java_dir / "zookeeper.jar")]
    for group in LOGGING_JAR_GROUPS:
        jars = [java_dir / jar for jar in group]
        if all(exists(jar) for jar in jars):
            entries.extend(str(jar) for jar in jars)
            break
    return ":".join(entries)


def write_config(conf_dir: Path, data_dir: Path, port: int) -> Path:
    """Write zoo.cfg and log4j.properties into ``conf_dir``; returns the zoo.cfg path."""
    conf_dir.mkdir(parents=True, exist_ok=True)
    data_dir.mkdir(parents=True, exist_ok=True)
    zoo_cfg = conf_dir / "zoo.cfg"
    zoo_cfg.write_text(render_zoo_cfg(data_dir, port))
    (conf_dir / "log4j.properties").write_text(LOG4J_PROPERTIES)
    return zoo_cfg


def command(java: str, conf_dir: Path, extra_jvm_options: Sequence[str] = ()) -> list[str]:
    return [
        java,
        *JVM_OPTIONS,
        *extra_jvm_options,
        "-cp",
        classpath(conf_dir),
        MAIN_CLASS,
        str(conf_dir / "zoo.cfg"),
    ]
