"""Operators: EdgeTaskOperator submits one EdgeTask to one edge cluster and returns its result."""
