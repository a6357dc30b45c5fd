"""The Kafka of the ``servers`` fixture is the genuine broker (KRaft), and what we rely on works:
exact end offsets for multi-record batches, commits and resume, idempotent producing, CreatePartitions."""

from __future__ import annotations

import socket
import struct

from confluent_kafka import Consumer, KafkaError, Message, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewPartitions, NewTopic

from batchops.devstack import Endpoints, wait_for

API_VERSIONS = 18
CREATE_PARTITIONS = 37
DESCRIBE_QUORUM = 55  # KRaft only: a ZooKeeper-mode broker or a look-alike lacks it
DESCRIBE_CLUSTER = 60
CONSUMER_GROUP_HEARTBEAT = 68  # the KIP-848 group protocol of Kafka 4


def api_versions(bootstrap: str) -> dict[int, tuple[int, int]]:
    """A raw ApiVersions v0 request: api key -> (min, max) version the broker supports."""
    host, _, port = bootstrap.rpartition(":")
    client_id = b"batchops-test"
    body = struct.pack(">hhih", API_VERSIONS, 0, 7, len(client_id)) + client_id
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(struct.pack(">i", len(body)) + body)
        size = struct.unpack(">i", _read(sock, 4))[0]
        reply = _read(sock, size)
    correlation, error, count = struct.unpack(">ihi", reply[:10])
    assert (correlation, error) == (7, 0)
    versions = {}
    for index in range(count):
        key, low, high = struct.unpack(">hhh", reply[10 + 6 * index : 16 + 6 * index])
        versions[key] = (low, high)
    return versions


def _read(sock: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        assert chunk, "broker closed the connection"
        data += chunk
    return data


def _create(admin: AdminClient, topic: str, partitions: int) -> None:
    admin.create_topics([NewTopic(topic, num_partitions=partitions, replication_factor=1)])[topic].result(15)
    wait_for(
        lambda: len(admin.list_topics(topic, timeout=5).topics[topic].partitions) == partitions,
        timeout=30,
        message=f"{topic} with {partitions} partitions",
    )


def _produce(bootstrap: str, topic: str, count: int, partition: int | None = None) -> None:
    producer = Producer(
        {"bootstrap.servers": bootstrap, "enable.idempotence": True, "acks": "all", "linger.ms": 20}
    )
    errors: list[KafkaError] = []

    def delivered(err: KafkaError | None, _msg: Message) -> None:
        if err is not None:
            errors.append(err)

    for i in range(count):
        extra = {} if partition is None else {"partition": partition}
        producer.produce(topic, key=f"k{i % 7}", value=str(i).encode(), on_delivery=delivered, **extra)
    assert producer.flush(30) == 0
    assert errors == []


def _consume(
    bootstrap: str, topic: str, group: str, count: int, commit_after: int | None = None
) -> list[int]:
    consumer = Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": group,
            "auto.offset.reset": "earliest",
            "enable.auto.commit": False,
        }
    )
    consumer.subscribe([topic])
    values: list[int] = []

    def more() -> bool:
        message = consumer.poll(0.2)
        if message is not None and message.error() is None:
            values.append(int(message.value()))
            if commit_after is not None and len(values) <= commit_after:
                consumer.commit(message, asynchronous=False)
        return len(values) >= count

    try:
        wait_for(more, timeout=60, interval=0, message=f"{count} records from {topic}")
    finally:
        consumer.close()
    return values


def test_it_is_apache_kafka_in_kraft_mode(servers: Endpoints) -> None:
    versions = api_versions(servers.kafka_bootstrap)
    for key in (CREATE_PARTITIONS, DESCRIBE_QUORUM, DESCRIBE_CLUSTER, CONSUMER_GROUP_HEARTBEAT):
        assert key in versions, f"API key {key} missing: not an Apache Kafka 4.x broker in KRaft mode"
    admin = AdminClient({"bootstrap.servers": servers.kafka_bootstrap})  # kept alive until answered
    cluster = admin.describe_cluster().result(15)
    assert cluster.cluster_id and cluster.controller is not None and cluster.nodes


def test_end_offsets_are_exact_for_multi_record_batches(servers: Endpoints, unique_name: str) -> None:
    topic = f"{unique_name}-hw"
    admin = AdminClient({"bootstrap.servers": servers.kafka_bootstrap})
    _create(admin, topic, partitions=1)
    _produce(servers.kafka_bootstrap, topic, 500)  # linger.ms batches them, several per request
    consumer = Consumer({"bootstrap.servers": servers.kafka_bootstrap, "group.id": f"{unique_name}-hw"})
    try:
        low, high = consumer.get_watermark_offsets(TopicPartition(topic, 0), timeout=15)
    finally:
        consumer.close()
    assert (low, high) == (0, 500)


def test_committed_group_resumes_without_gap_or_repeat(servers: Endpoints, unique_name: str) -> None:
    topic, group = f"{unique_name}-resume", f"{unique_name}-group"
    admin = AdminClient({"bootstrap.servers": servers.kafka_bootstrap})
    _create(admin, topic, partitions=1)
    _produce(servers.kafka_bootstrap, topic, 100)
    first = _consume(servers.kafka_bootstrap, topic, group, count=40, commit_after=40)
    assert first[:40] == list(range(40))
    rest = _consume(servers.kafka_bootstrap, topic, group, count=60)
    assert rest == list(range(40, 100))  # idempotent producer: no duplicates, exact order


def test_partitions_can_be_added_and_used(servers: Endpoints, unique_name: str) -> None:
    topic = f"{unique_name}-grow"
    admin = AdminClient({"bootstrap.servers": servers.kafka_bootstrap})
    _create(admin, topic, partitions=2)
    admin.create_partitions([NewPartitions(topic, 5)])[topic].result(15)
    wait_for(
        lambda: len(admin.list_topics(topic, timeout=5).topics[topic].partitions) == 5,
        timeout=30,
        message="five partitions",
    )
    _produce(servers.kafka_bootstrap, topic, 10, partition=4)
    assert sorted(_consume(servers.kafka_bootstrap, topic, f"{unique_name}-g", count=10)) == list(range(10))
