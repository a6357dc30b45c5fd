"""What batchops and its peers agree on beyond the generated messages: wire <-> domain conversions
and the gRPC metadata header names. Below every layer that talks to the wire (store, messaging,
clients, engine, api) and above only the domain and the generated stubs."""
