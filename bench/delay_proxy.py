"""A TCP proxy that delays every byte by a fixed time each way: PostgreSQL on another machine.

    python -m bench.delay_proxy --listen 6543 --upstream 127.0.0.1:5432 --delay-ms 0.5

On localhost a PostgreSQL round trip costs about 0.02-0.05 ms; to a database on another machine,
0.5 to 1 ms. With `--delay-ms 0.5` each round trip pays 1 ms more. The benchmark runs the same
proxy with no delay beside it, so that the proxy's own cost is in both lines.

Each direction of each connection has a reader thread and a writer thread: chunks are stamped
when read and written once their time has come, so the delay adds latency without holding back
what follows (a pipe, not a gate). Threads and `time.sleep`, not asyncio: an event loop wakes on
millisecond timeouts, and a 0.5 ms delay came out as 1.2 ms each way.
"""

from __future__ import annotations

import argparse
import contextlib
import queue
import socket
import threading
import time


def _pipe(source: socket.socket, target: socket.socket, delay: float) -> None:
    chunks: queue.Queue[tuple[float, bytes]] = queue.Queue()

    def read() -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                chunks.put((time.monotonic() + delay, data))
        chunks.put((time.monotonic() + delay, b""))

    def write() -> None:
        while True:
            due, data = chunks.get()
            wait = due - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            if not data:
                break
            try:
                target.sendall(data)
            except OSError:
                break
        with contextlib.suppress(OSError):
            target.shutdown(socket.SHUT_WR)

    threading.Thread(target=read, daemon=True).start()
    threading.Thread(target=write, daemon=True).start()


def serve(listen: int, upstream: tuple[str, int], delay: float) -> None:
    server = socket.create_server(("127.0.0.1", listen))
    while True:
        client, _ = server.accept()
        try:
            backend = socket.create_connection(upstream)
        except OSError:
            client.close()
            continue
        for sock in (client, backend):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        _pipe(client, backend, delay)
        _pipe(backend, client, delay)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--listen", type=int, required=True)
    parser.add_argument("--upstream", default="127.0.0.1:5432")
    parser.add_argument("--delay-ms", type=float, default=0.0, help="added each way")
    args = parser.parse_args()
    host, port = args.upstream.rsplit(":", 1)
    serve(args.listen, (host, int(port)), args.delay_ms / 1000)


if __name__ == "__main__":
    main()
