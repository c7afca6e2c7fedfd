"""The GridEdge registry: sites (edge clusters), algorithms, applications and workflows.

Typed, validated view of ``config/``. Used by the DAG factory, the operator (to build an
EdgeTask from a registered application), the UI plugin and the demo. Pure: it reads YAML
files and validates them; it imports no Airflow and talks to no cluster.
"""

from gridedge.registry.errors import RegistryError
from gridedge.registry.loader import (
    Registry,
    WorkflowFile,
    config_dir,
    load_registry,
    load_settings,
    load_workflows,
)
from gridedge.registry.models import Algorithm, Application, KafkaSettings, Settings, Site, Step, Workflow

__all__ = [
    "Algorithm",
    "Application",
    "KafkaSettings",
    "Registry",
    "RegistryError",
    "Settings",
    "Site",
    "Step",
    "Workflow",
    "WorkflowFile",
    "config_dir",
    "load_registry",
    "load_settings",
    "load_workflows",
]
