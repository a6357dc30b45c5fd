"""``batchops bench``: throughput, latency and memory of the pipeline on real servers, next to
the raw ceilings of the same servers measured in the same run."""
