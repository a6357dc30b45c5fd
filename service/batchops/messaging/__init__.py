"""Kafka: topics, record codecs, clients, consumer lag."""
