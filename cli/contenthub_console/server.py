"""Serve the console on 127.0.0.1 (never another interface), in this thread or a background one."""

from __future__ import annotations

import socket
import threading
import time

import uvicorn

from contenthub_cli.client import Client
from contenthub_console.app import create_app

HOST = "127.0.0.1"
DEFAULT_PORT = 8788


class ConsoleServer:
    def __init__(self, client: Client, port: int = DEFAULT_PORT) -> None:
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.socket.bind((HOST, port))  # loopback only
        self.port = int(self.socket.getsockname()[1])
        hosts = {f"{HOST}:{self.port}", f"localhost:{self.port}"}
        config = uvicorn.Config(create_app(client, hosts), log_level="warning", access_log=False,
                                server_header=False, lifespan="off")  # fmt: skip
        self.server = uvicorn.Server(config)
        self.thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def serve(self) -> None:
        """Until Ctrl-C (uvicorn handles the signal)."""
        self.server.run(sockets=[self.socket])

    def start(self) -> ConsoleServer:
        """In a background thread (tests); returns once it accepts connections."""
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.socket]}, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the console did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        if self.thread:
            self.thread.join(10)
        self.socket.close()
