"""Record size limits: what the service's producer, its topics and its consumers carry.

The Kafka entry point allows up to 1,000,000 device tokens in one operations record (about
12 MB with short tokens), and our own chunk records hold up to ``target_chunk_size`` (at most
100,000) tokens of up to 256 characters (about 26 MB). Kafka's defaults (1 MB) would refuse
both, so topics we create and our producer are configured for this limit.
"""

from __future__ import annotations

# Largest record value the service produces, and its topics accept.
MAX_RECORD_BYTES = 32 * 1024 * 1024
# Room for the key, headers and the record batch framing on top of the value.
_FRAMING_BYTES = 64 * 1024
# librdkafka's producer ``message.max.bytes`` and the topics' ``max.message.bytes``.
MAX_MESSAGE_BYTES = MAX_RECORD_BYTES + _FRAMING_BYTES
# When a poison record is too large even for the dead-letter topic, this much of its value
# (and of its key) is kept, with its source position and size in headers.
DEAD_LETTER_COPY_BYTES = 64 * 1024
DEAD_LETTER_KEY_BYTES = 1024
