"""The HTTP floor: request plumbing every route family shares (api/, tedapi/, control/, web/, a replay's).

What is here knows requests, not routes: the app's typed context, the gateway's turn during a clock
jump, the body door, credentials, replies and error rendering, the fault rules and the journal the
traffic passes through, and the control API's guard. Nothing here imports a route family or the
assembly above it (import-linter's layers contract in pyproject.toml says so).
"""
