"""One engine per tenant: initializer, processor, recovery, handlers."""
