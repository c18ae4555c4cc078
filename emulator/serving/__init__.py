"""The HTTP surface: app assembly, middleware, the uvicorn server, TLS, served docs and fleets."""
