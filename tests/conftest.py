"""Plugins shared by the test folders (the integration tests' fixtures live in ``tests/integration``,
whose ``support`` package pytest puts on ``sys.path``)."""

pytest_plugins = ["support.simulator"]
