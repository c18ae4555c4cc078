"""Assembly: the options a user gives, the app, its middleware, the uvicorn server, TLS, served docs, fleets, shards and workers."""
