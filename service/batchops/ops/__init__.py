"""Operator CLI (``batchops ops``) over the BatchManagement gRPC API."""

from batchops.ops.commands import ops_app

__all__ = ["ops_app"]
