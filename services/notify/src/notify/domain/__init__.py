"""Notify's pure rules and entities: the alert, its SMS text, receipts, replies, phones.

No await, no I/O, no logging: everything here is testable with plain values.
"""
