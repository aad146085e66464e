"""A local HTTP server that answers every request with one file's bytes as JSON.

``python -m bench.body_server FILE`` listens on 127.0.0.1 (ephemeral port), prints the
port on its first line of stdout, and serves until terminated. It runs in its own
process so that the measured client process holds only what it reads.
"""

from __future__ import annotations

import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


def serve(body: bytes) -> None:
    class ReplyWithBody(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _reply(self) -> None:
            self.rfile.read(int(self.headers.get("content-length") or 0))
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = _reply

        def log_message(self, format: str, *args: object) -> None:
            pass  # one line per request would only be noise in the bench output

    with ThreadingHTTPServer(("127.0.0.1", 0), ReplyWithBody) as server:
        print(server.server_address[1], flush=True)
        server.serve_forever()


if __name__ == "__main__":
    serve(Path(sys.argv[1]).read_bytes())
