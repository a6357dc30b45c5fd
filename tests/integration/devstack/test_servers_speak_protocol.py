"""The servers behind the ``servers`` fixture speak Kafka, MongoDB and ZooKeeper well enough for us."""

from __future__ import annotations

import threading
from collections import defaultdict

import pytest
from confluent_kafka import Consumer, KafkaError, Message, Producer
from confluent_kafka.admin import AdminClient, NewTopic
from kazoo.client import KazooClient
from pymongo import ASCENDING, MongoClient
from pymongo.errors import DuplicateKeyError

from batchops.devstack import Endpoints, wait_for

KEYS = [f"device-{i}" for i in range(12)]
PER_KEY = 5


def _create_topic(bootstrap: str, topic: str, partitions: int) -> None:
    admin = AdminClient({"bootstrap.servers": bootstrap})
    futures = admin.create_topics([NewTopic(topic, num_partitions=partitions, replication_factor=1)])
    futures[topic].result(timeout=15)
    wait_for(
        lambda: len(admin.list_topics(topic, timeout=5).topics[topic].partitions) == partitions,
        timeout=15,
        message=f"topic {topic} visible with {partitions} partitions",
    )


def _produce(bootstrap: str, topic: str) -> dict[str, set[int]]:
    producer = Producer({"bootstrap.servers": bootstrap, "enable.idempotence": True, "acks": "all"})
    partitions_by_key: dict[str, set[int]] = defaultdict(set)
    errors: list[KafkaError] = []

    def delivered(err: KafkaError | None, msg: Message) -> None:
        if err is not None:
            errors.append(err)
        else:
            partitions_by_key[msg.key().decode()].add(msg.partition())

    for seq in range(PER_KEY):
        for key in KEYS:
            producer.produce(topic, key=key, value=f"{key}:{seq}".encode(), on_delivery=delivered)
    assert producer.flush(15) == 0
    assert errors == []
    return partitions_by_key


def test_kafka_keyed_messages_reach_a_consumer_group(servers: Endpoints, unique_name: str) -> None:
    topic = f"{unique_name}-events"
    _create_topic(servers.kafka_bootstrap, topic, partitions=3)
    produced = _produce(servers.kafka_bootstrap, topic)
    assert all(len(parts) == 1 for parts in produced.values()), produced
    assert len({next(iter(parts)) for parts in produced.values()}) > 1, "12 keys all hashed to one partition"

    consumer = Consumer(
        {
            "bootstrap.servers": servers.kafka_bootstrap,
            "group.id": f"{unique_name}-group",
            "auto.offset.reset": "earliest",
            "enable.auto.commit": False,
        }
    )
    consumer.subscribe([topic])
    received: dict[str, list[tuple[int, str]]] = defaultdict(list)

    def all_arrived() -> bool:
        msg = consumer.poll(0.2)
        if msg is not None:
            assert msg.error() is None, msg.error()
            received[msg.key().decode()].append((msg.partition(), msg.value().decode()))
        return sum(len(values) for values in received.values()) >= len(KEYS) * PER_KEY

    try:
        wait_for(all_arrived, timeout=45, interval=0, message="all produced messages consumed")
        consumer.commit(asynchronous=False)
    finally:
        consumer.close()

    assert set(received) == set(KEYS)
    for key, values in received.items():
        assert {partition for partition, _ in values} == produced[key]
        assert [value for _, value in values] == [f"{key}:{seq}" for seq in range(PER_KEY)]


def test_mongo_unique_index_insert_query(servers: Endpoints, unique_name: str) -> None:
    client: MongoClient[dict[str, object]] = MongoClient(servers.mongo_uri, serverSelectionTimeoutMS=10_000)
    try:
        coll = client[unique_name]["devices"]
        coll.create_index([("tenant", ASCENDING), ("token", ASCENDING)], unique=True)
        coll.insert_many(
            [
                {"tenant": "acme", "token": "d1", "n": 1},
                {"tenant": "acme", "token": "d2", "n": 2},
                {"tenant": "other", "token": "d1", "n": 3},
            ]
        )
        found = list(coll.find({"tenant": "acme"}, {"_id": 0}).sort("token", ASCENDING))
        assert found == [{"tenant": "acme", "token": "d1", "n": 1}, {"tenant": "acme", "token": "d2", "n": 2}]
        with pytest.raises(DuplicateKeyError):
            coll.insert_one({"tenant": "acme", "token": "d2", "n": 4})
        assert coll.count_documents({}) == 3
    finally:
        client.drop_database(unique_name)
        client.close()


def test_zookeeper_watches_fire(servers: Endpoints, unique_name: str) -> None:
    zk = KazooClient(hosts=servers.zk_hosts, timeout=10)
    zk.start(timeout=15)
    base = f"/{unique_name}"
    lock = threading.Lock()
    data_seen: list[bytes | None] = []
    children_seen: list[list[str]] = []
    try:
        zk.create(base, b"v0")

        @zk.DataWatch(base)  # type: ignore[untyped-decorator]
        def on_data(data: bytes | None, _stat: object) -> None:
            with lock:
                data_seen.append(data)

        @zk.ChildrenWatch(base)  # type: ignore[untyped-decorator]
        def on_children(children: list[str]) -> None:
            with lock:
                children_seen.append(sorted(children))

        wait_for(lambda: data_seen and children_seen, timeout=5, message="initial watch calls")
        zk.set(base, b"v1")
        wait_for(lambda: b"v1" in data_seen, timeout=5, message="DataWatch saw the new value")
        zk.create(f"{base}/child-a", b"")
        wait_for(lambda: ["child-a"] in children_seen, timeout=5, message="ChildrenWatch saw the child")
        assert data_seen[0] == b"v0"
        assert children_seen[0] == []
    finally:
        zk.delete(base, recursive=True)
        zk.stop()
        zk.close()
