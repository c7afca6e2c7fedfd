"""Sensors: EdgeTaskSensor waits for an EdgeTask that something else created."""
