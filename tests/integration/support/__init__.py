"""Shared helpers of the integration tests, imported as ``support.<module>`` (pytest puts
``tests/integration`` on ``sys.path``: ``pythonpath`` in ``pyproject.toml``).

- ``simulator``: fleet-simulator fixtures (a plugin listed in ``tests/conftest.py``) and clients for it.
- ``engines``: the engine tests' environment, handler registry and engine subprocess
  (``engine_process`` is the script it runs).
- ``recording_handler``: test handlers whose effects tests can count or hold.
- ``api``: BatchManagement calls (create, get, wait until final) and gRPC channels.
- ``kafka``: reading and publishing records on the test broker.
- ``metrics``: scraping the Prometheus endpoint.
- ``faults``: a TCP forwarder that cuts connections on demand.
- ``e2e``: the whole service in front of a fleet simulator, and the checks of its results.
- ``multitenancy``: test doubles and gRPC helpers of the multitenancy tests.
- ``recording_engine``: a recording test double of the tenant engine (tenant manager tests).
"""
