"""Liveness and readiness probes for the process manager and the load balancer."""
