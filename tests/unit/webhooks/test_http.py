"""One webhook attempt over real sockets: a wall-clock deadline over connect, TLS, headers and
body, and a bounded read of the response, whatever the receiver does."""

from __future__ import annotations

import datetime
import socket
import ssl
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest

from contenthub.webhook_http import MAX_RESPONSE_BODY_BYTES, MAX_RESPONSE_HEAD_BYTES, post
from tests.fixtures.receivers import drip, stream


def timed(call: Callable[[], object]) -> tuple[object, float]:
    started = time.monotonic()
    result = call()
    return result, time.monotonic() - started


def test_a_receiver_dripping_its_status_and_headers_is_cut_off_at_the_deadline(serve):
    receiver = serve(drip(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", every=0.25))  # ~10 s in all
    result, elapsed = timed(lambda: post(receiver.target(), {}, b"{}", timeout=1))
    assert 0.9 < elapsed < 3, elapsed
    assert not result.ok and result.status is None and "timed out" in result.error, result


def test_a_receiver_dripping_its_body_is_cut_off_at_the_deadline_and_the_attempt_fails(serve):
    def answer(connection: socket.socket) -> None:
        connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n")
        drip(b"x" * 100, every=0.1)(connection)

    receiver = serve(answer)
    result, elapsed = timed(lambda: post(receiver.target(), {}, b"{}", timeout=1))
    assert 0.9 < elapsed < 3, elapsed
    assert not result.ok and result.status == 200 and "timed out" in result.error, result


def test_a_receiver_that_never_answers_is_cut_off_at_the_deadline(serve):
    receiver = serve(lambda connection: time.sleep(10))
    result, elapsed = timed(lambda: post(receiver.target(), {}, b"{}", timeout=1))
    assert 0.9 < elapsed < 3 and result.status is None and "timed out" in result.error, (elapsed, result)


def test_a_huge_body_is_not_read_the_status_counts(serve):
    size = 64 * 1024 * 1024
    receiver = serve(stream(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % size, size))
    tracemalloc.start()
    try:
        result, elapsed = timed(lambda: post(receiver.target(), {}, b"{}", timeout=5))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.ok and result.status == 200, result
    assert peak < 256 * 1024, peak  # a few buffers, never the body
    assert elapsed < 5, elapsed


def test_an_endless_chunked_body_is_not_read(serve):
    head = b"HTTP/1.1 503 Busy\r\nTransfer-Encoding: chunked\r\nRetry-After: 7\r\n\r\n"
    receiver = serve(stream(head, 2**26, chunk=b"10000\r\n" + b"x" * 65536 + b"\r\n"))
    result, elapsed = timed(lambda: post(receiver.target(), {}, b"{}", timeout=5))
    assert result.status == 503 and result.retry_after == 7 and not result.ok and elapsed < 5, (result, elapsed)


def test_a_huge_response_head_fails_the_attempt_after_a_few_kb(serve):
    header = b"X-Padding: " + b"p" * 60_000 + b"\r\n"  # 99 of them: within http.client's own limits
    answer = b"HTTP/1.1 200 OK\r\n" + header * 99 + b"Content-Length: 0\r\n\r\n"  # built before measuring
    receiver = serve(lambda c: c.sendall(answer))
    tracemalloc.start()
    try:
        result, elapsed = timed(lambda: post(receiver.target(), {}, b"{}", timeout=5))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert not result.ok and "head" in (result.error or ""), result
    assert peak < 256 * 1024 and elapsed < 5, (peak, elapsed)


def test_the_limits_are_a_few_kb():
    assert MAX_RESPONSE_BODY_BYTES == 4096 and MAX_RESPONSE_HEAD_BYTES == 8192


def test_a_well_behaved_receiver_gets_the_request_and_its_status_counts(serve):
    receiver = serve(lambda c: c.sendall(b"HTTP/1.1 204 No Content\r\n\r\n"))
    result = post(receiver.target(), {"webhook-id": "msg_1"}, b'{"a": 1}', timeout=2)
    assert result.ok and result.status == 204 and result.error is None, result
    [request] = receiver.requests
    assert request.startswith(b"POST /hook HTTP/1.1\r\n")
    assert f"host: hooks.test:{receiver.port}\r\n".encode() in request.lower()
    assert b"webhook-id: msg_1\r\n" in request and request.endswith(b'\r\n\r\n{"a": 1}')


# --- TLS: the connection is pinned to the checked address and still verifies the hostname ------


def certificates(tmp_path: Path, hostname: str) -> tuple[Path, Path, Path]:
    """A test CA and a server certificate for `hostname` signed by it: (ca, cert, key) files. With the
    key identifiers Python 3.13's default context requires (VERIFY_X509_STRICT), as real CAs issue."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    def name(common: str) -> object:
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])

    now = datetime.datetime.now(datetime.UTC)
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder().subject_name(name("test CA")).issuer_name(name("test CA"))
        .public_key(ca_key.public_key()).serial_number(1).not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
                                     encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )  # fmt: skip
    cert = (
        x509.CertificateBuilder().subject_name(name(hostname)).issuer_name(ca.subject).public_key(key.public_key())
        .serial_number(2).not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(hostname)]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )  # fmt: skip
    files = tmp_path / "ca.pem", tmp_path / "cert.pem", tmp_path / "key.pem"
    files[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    files[1].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    files[2].write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return files


@pytest.fixture
def tls(tmp_path: Path) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """(the receiver's TLS context for hooks.test, a sender's context that trusts the test CA)."""
    ca, cert, key = certificates(tmp_path, "hooks.test")
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(cert, key)
    return server, ssl.create_default_context(cafile=str(ca))


def test_https_goes_to_the_pinned_address_and_verifies_the_hostname(serve, tls):
    server, client = tls
    receiver = serve(lambda c: c.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"), tls=server)
    assert post(receiver.target("https", "hooks.test"), {}, b"{}", timeout=2, ssl_context=client).ok
    wrong = post(receiver.target("https", "other.test"), {}, b"{}", timeout=2, ssl_context=client)
    assert not wrong.ok and wrong.status is None and "certificate" in wrong.error.lower(), wrong
    assert len(receiver.requests) == 1  # nothing was sent to the host that failed verification


def test_the_deadline_covers_a_receiver_dripping_over_tls(serve, tls):
    server, client = tls
    receiver = serve(drip(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", every=0.25), tls=server)
    result, elapsed = timed(lambda: post(receiver.target("https"), {}, b"{}", timeout=1, ssl_context=client))
    assert 0.9 < elapsed < 3 and not result.ok and "timed out" in result.error, (elapsed, result)


def test_the_deadline_covers_a_stalled_tls_handshake(serve):
    receiver = serve(lambda c: None)  # plain TCP: it waits for a request, the sender for a ServerHello
    result, elapsed = timed(lambda: post(receiver.target("https"), {}, b"{}", timeout=1))
    assert 0.9 < elapsed < 3 and not result.ok and "timed out" in result.error, (elapsed, result)
