"""The floor below the tenants: plumbing that knows nothing of workspaces, users or OAuth.

Statements compiled once (`rows`), rows a process keeps while a shared version says they are
current, the shared versions renewed by committed writes, the cache every node shares with its
database fallback and window counters, Prometheus metrics, request ids.
"""
