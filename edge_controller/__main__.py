"""``python -m edge_controller``: the controller's entry point (see :mod:`edge_controller.cli`)."""

from edge_controller.cli import main

raise SystemExit(main())
