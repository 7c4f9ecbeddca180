"""The local API takes many clients at once, as API Gateway does: connections that arrive together
queue for the server instead of being reset (the listen backlog was socketserver's default of 5,
and the 50-client load run lost submits to `Connection reset by peer`)."""

from __future__ import annotations

import socket
import threading

from contenthub_local.api_server import ApiServer


def test_a_hundred_connections_arriving_together_are_all_answered():
    server = ApiServer([], lambda_client=None, rest_api_id="local")
    host, port = server.httpd.server_address[:2]
    # Connect before the server accepts any: every connection waits in the listen backlog.
    clients = [socket.create_connection((str(host), port), timeout=10) for _ in range(100)]
    server.thread.start()
    try:
        answers: list[bytes] = []

        def ask(sock: socket.socket) -> None:
            sock.sendall(b"GET /nowhere HTTP/1.1\r\nHost: local\r\nConnection: close\r\n\r\n")
            answers.append(sock.recv(64))

        threads = [threading.Thread(target=ask, args=(sock,)) for sock in clients]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(answers) == 100 and all(a.startswith(b"HTTP/1.1 ") for a in answers)
    finally:
        server.httpd.shutdown()
        server.httpd.server_close()
        for sock in clients:
            sock.close()
