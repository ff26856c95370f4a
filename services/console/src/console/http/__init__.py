"""Routers and page handlers: thin, they translate a request and delegate to a use case."""
