"""Webhooks: the change feed pushed to subscribers, signed (Standard Webhooks), from an outbox."""
