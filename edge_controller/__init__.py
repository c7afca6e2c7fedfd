"""The GridEdge edge controller: turns EdgeTask custom resources into Pods and Services.

Runs in each edge cluster (kopf). Pure builders sit below the kopf handlers; the
local runtime reuses the same builders to run a task as local processes.
"""
