"""The app over HTTP in this process (Starlette's TestClient, httpx, a ServerThread): what any client sees."""
