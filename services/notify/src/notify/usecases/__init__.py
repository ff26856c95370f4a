"""Notify's use cases, one module each: record an alert, send it, record a delivery
receipt, answer an officer's reply (which acknowledges or declines), sweep. Each opens its
transaction, calls the domain and db/, and builds the `alert.updated.v1` it causes."""
