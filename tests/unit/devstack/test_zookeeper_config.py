from __future__ import annotations

from pathlib import Path

from batchops.devstack import zookeeper


def _parse(cfg: str) -> dict[str, str]:
    pairs = (line.split("=", 1) for line in cfg.splitlines() if line and not line.startswith("#"))
    return {key: value for key, value in pairs}


def test_zoo_cfg_binds_localhost_and_disables_admin_server() -> None:
    cfg = _parse(zookeeper.render_zoo_cfg(Path("/state/zk-data"), 12181))
    assert cfg["dataDir"] == "/state/zk-data"
    assert cfg["clientPort"] == "12181"
    assert cfg["clientPortAddress"] == "127.0.0.1"
    assert cfg["admin.enableServer"] == "false"
    assert cfg["tickTime"] == "2000"
    assert set(cfg["4lw.commands.whitelist"].split(",")) >= {"ruok", "srvr", "stat", "mntr"}
    assert int(cfg["maxSessionTimeout"]) <= 60000


def test_classpath_prefers_log4j_binding_when_both_jars_exist() -> None:
    java = Path("/j")
    present = {java / "slf4j-log4j12.jar", java / "log4j-1.2.jar", java / "slf4j-simple.jar"}
    cp = zookeeper.classpath(Path("/conf"), java, exists=lambda p: p in present)
    assert cp.split(":") == ["/conf", "/j/zookeeper.jar", "/j/slf4j-log4j12.jar", "/j/log4j-1.2.jar"]


def test_classpath_falls_back_to_a_complete_binding() -> None:
    java = Path("/j")
    present = {java / "slf4j-log4j12.jar", java / "slf4j-nop.jar"}  # log4j-1.2.jar missing
    cp = zookeeper.classpath(Path("/conf"), java, exists=lambda p: p in present)
    assert cp.split(":") == ["/conf", "/j/zookeeper.jar", "/j/slf4j-nop.jar"]


def test_classpath_without_any_binding_still_has_conf_and_jar() -> None:
    cp = zookeeper.classpath(Path("/conf"), Path("/j"), exists=lambda _p: False)
    assert cp == "/conf:/j/zookeeper.jar"


def test_write_config_writes_both_files(tmp_path: Path) -> None:
    conf, data = tmp_path / "conf", tmp_path / "data"
    zoo_cfg = zookeeper.write_config(conf, data, 2181)
    assert zoo_cfg == conf / "zoo.cfg"
    assert "clientPort=2181" in zoo_cfg.read_text()
    assert "ConsoleAppender" in (conf / "log4j.properties").read_text()
    assert data.is_dir()
    argv = zookeeper.command("/usr/bin/java", conf)
    assert argv[0] == "/usr/bin/java"
    assert argv[-2:] == [zookeeper.MAIN_CLASS, str(zoo_cfg)]
    assert any(opt.startswith("-Xmx") for opt in argv)
