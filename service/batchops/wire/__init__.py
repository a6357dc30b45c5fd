"""Generated protobuf/gRPC stubs; regenerate with `make protos`, never edit by hand."""
