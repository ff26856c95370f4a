"""Qorgau console: the web workplace of operators, duty supervisors and inspectors."""
