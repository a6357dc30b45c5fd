"""batchops: Kafka-driven, multitenant batch operations for IoT fleets."""

__version__ = "0.1.0"
