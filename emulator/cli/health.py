"""The container's HEALTHCHECK: does the server on $PORT answer /api/status? (No curl in a slim image.)

Any HTTP answer below 500 is healthy: a host-mode fleet answers 404 to a Host it does not know,
and that still proves the process accepts and serves requests. HTTPS is tried first (newer
firmware's default, with the emulator's self-signed certificate), then plain HTTP.
"""

from __future__ import annotations

import os
import ssl
import sys
import urllib.error
import urllib.request


def answers(url: str) -> bool:
    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE  # the emulator's own certificate
    try:
        with urllib.request.urlopen(url, timeout=2, context=context) as response:
            return int(response.status) < 500
    except urllib.error.HTTPError as exc:
        return exc.code < 500
    except (urllib.error.URLError, OSError):
        return False


def main() -> int:
    port = os.environ.get("PORT", "8080")
    healthy = any(answers(f"{scheme}://127.0.0.1:{port}/api/status") for scheme in ("https", "http"))
    return 0 if healthy else 1


if __name__ == "__main__":
    sys.exit(main())
