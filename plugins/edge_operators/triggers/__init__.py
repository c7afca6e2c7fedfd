"""Triggers: follow an EdgeTask's status, await its result on Kafka, and both combined."""
