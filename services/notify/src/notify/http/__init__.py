"""Notify's HTTP routes besides the probes: the HTTP gateway's delivery status callbacks."""
