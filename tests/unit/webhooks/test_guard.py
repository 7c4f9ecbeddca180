"""The SSRF guard: only public addresses in AWS mode, and the resolved address is the one used."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from contenthub.errors import UnsafeTarget
from contenthub.webhook_http import parse_url, post, resolve_target


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1", "10.1.2.3", "172.16.0.9", "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0",
        "224.0.0.1", "::1", "fc00::1", "fe80::1", "fd00:ec2::254", "::ffff:127.0.0.1",
    ],
)  # fmt: skip
def test_private_loopback_link_local_metadata_and_multicast_are_refused(address):
    with pytest.raises(UnsafeTarget, match="not a public address"):
        resolve_target("https://hooks.example.com/x", allow_private=False, resolver=lambda host, port: [address])


def test_a_name_that_resolves_to_loopback_is_refused_with_the_real_resolver():
    with pytest.raises(UnsafeTarget, match="not a public address"):
        resolve_target("https://localhost/hook", allow_private=False)


def test_one_private_address_among_public_ones_is_enough_to_refuse():
    with pytest.raises(UnsafeTarget):
        resolve_target(
            "https://hooks.example.com/", allow_private=False, resolver=lambda h, p: ["93.184.216.34", "10.0.0.1"]
        )


def test_public_https_target_is_accepted_and_pinned_to_the_resolved_address():
    target = resolve_target(
        "https://hooks.example.com:8443/in?x=1", allow_private=False, resolver=lambda h, p: ["93.184.216.34"]
    )
    assert (target.address, target.port, target.path, target.host) == (
        "93.184.216.34",
        8443,
        "/in?x=1",
        "hooks.example.com",
    )


@pytest.mark.parametrize(
    "url",
    ["http://hooks.example.com/", "ftp://hooks.example.com/", "hooks.example.com", "https://u:p@hooks.example.com/"],
)
def test_http_other_schemes_and_credentials_are_refused(url):
    with pytest.raises(UnsafeTarget):
        resolve_target(url, allow_private=False, resolver=lambda h, p: ["93.184.216.34"])


class _Receiver(BaseHTTPRequestHandler):
    seen: list[tuple[str, str, bytes]] = []

    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _Receiver.seen.append((self.path, self.headers["Host"], body))
        status = 302 if self.path == "/redirect" else 200
        self.send_response(status)
        if status == 302:
            self.send_header("Location", "http://127.0.0.1:1/elsewhere")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _Receiver.seen.clear()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def test_the_connection_goes_to_the_resolved_address_with_the_original_host_header(receiver):
    target = resolve_target(f"http://hooks.test:{receiver}/in", allow_private=True, resolver=lambda h, p: ["127.0.0.1"])
    result = post(target, {"content-type": "application/json"}, b"{}", timeout=5)
    assert result.ok and result.status == 200
    assert _Receiver.seen == [("/in", f"hooks.test:{receiver}", b"{}")]


def test_redirects_are_not_followed_and_do_not_count_as_success(receiver):
    target = resolve_target(f"http://127.0.0.1:{receiver}/redirect", allow_private=True)
    result = post(target, {}, b"{}", timeout=5)
    assert result.status == 302 and not result.ok
    assert len(_Receiver.seen) == 1


def test_no_listener_is_a_failed_attempt_not_an_exception():
    target = resolve_target("http://127.0.0.1:1/", allow_private=True)
    result = post(target, {}, b"{}", timeout=2)
    assert result.status is None and result.error


class _Slow(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802
        import time

        time.sleep(1.5)
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def test_a_slow_receiver_times_out_after_the_setting():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Slow)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        target = resolve_target(f"http://127.0.0.1:{server.server_address[1]}/", allow_private=True)
        result = post(target, {}, b"{}", timeout=0.5)
        assert result.status is None and "timed out" in (result.error or "")
        assert result.latency_ms < 1400
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize(
    ("url", "host", "port"),
    [
        ("https://hooks.example.com/in", "hooks.example.com", 443),
        ("https://Hooks.Example.COM.:8443/in", "hooks.example.com", 8443),
        ("https://bücher.example/in", "xn--bcher-kva.example", 443),
        ("https://[2606:4700::1111]:1024/in", "2606:4700::1111", 1024),
        ("https://93.184.216.34/in", "93.184.216.34", 443),
        ("https://_hooks.example.com/in", "_hooks.example.com", 443),
    ],
)
def test_valid_urls_parse_to_the_host_that_is_resolved_and_sent(url, host, port):
    assert parse_url(url, allow_private=False)[1:3] == (host, port)


def test_a_path_is_sent_percent_encoded():
    assert parse_url("https://hooks.example/路径?q=ü&r=%20", False)[3] == "/%E8%B7%AF%E5%BE%84?q=%C3%BC&r=%20"


@pytest.mark.parametrize(
    "url",
    [
        "https://x.example:99999/", "https://x.example:abc/", "https://x.example:0/", "https://[::1/",
        "https://[zz::1]/", "https://a..example/", "https://.example/", "https://" + "a" * 64 + ".example/",
        "https://" + "a." * 127 + "example/", "https://exa mple.example/", "https://hooks.example/\x00",
        "https://-hooks.example/", "https://hooks.exa%41mple/", "https://hooks.example:-1/", "https://[::1]x/",
    ],
)  # fmt: skip
def test_urls_that_do_not_parse_are_refused_as_unsafe_targets_not_errors(url):
    with pytest.raises(UnsafeTarget, match="is not valid"):
        resolve_target(url, allow_private=True, resolver=lambda h, p: ["93.184.216.34"])


@pytest.mark.parametrize(
    "address",
    [
        "64:ff9b::10.0.0.1", "64:ff9b::127.0.0.1", "64:ff9b::169.254.169.254",  # NAT64 of private addresses
        "64:ff9b:1::808:808", "64:ff9b:1:2::1",  # local-use NAT64 (RFC 8215): refused whatever it embeds
        "2002:a00:1::1", "2002:7f00:1::1", "2002:a9fe:a9fe::1",  # 6to4 of 10.0.0.1, 127.0.0.1, metadata
        "2001:0:4136:e378:8000:63bf:3fff:fdd2", "2001::1",  # Teredo: refused
        "::10.0.0.1", "::127.0.0.1", "::169.254.169.254",  # IPv4-compatible
        "::ffff:0:10.0.0.1", "::ffff:0:127.0.0.1",  # IPv4-translated (SIIT)
        "::ffff:169.254.169.254",  # IPv4-mapped (refused before too)
    ],
)  # fmt: skip
def test_ipv6_forms_that_embed_a_private_address_are_refused(address):
    with pytest.raises(UnsafeTarget, match="not a public address"):
        resolve_target("https://hooks.example.com/x", allow_private=False, resolver=lambda host, port: [address])


@pytest.mark.parametrize("address", ["64:ff9b::93.184.216.34", "2002:5db8:d822::1", "2606:4700::1111", "8.8.8.8"])
def test_ipv6_forms_of_public_addresses_are_accepted(address):
    target = resolve_target("https://hooks.example.com/", allow_private=False, resolver=lambda host, port: [address])
    assert target.address == address


@pytest.mark.parametrize("port", [1, 22, 25, 80, 110, 444, 587, 1023])
def test_ports_other_than_443_below_1024_are_refused(port):
    with pytest.raises(UnsafeTarget, match="port"):
        resolve_target(f"https://hooks.example.com:{port}/", allow_private=False, resolver=lambda h, p: ["8.8.8.8"])


@pytest.mark.parametrize("port", [443, 1024, 8443, 65535])
def test_port_443_and_ports_from_1024_are_accepted(port):
    target = resolve_target(
        f"https://hooks.example.com:{port}/", allow_private=False, resolver=lambda h, p: ["8.8.8.8"]
    )
    assert target.port == port


def test_the_local_stack_allows_any_port_for_its_loopback_receiver():
    assert resolve_target("http://127.0.0.1:80/hook", allow_private=True).port == 80
    assert resolve_target("http://localhost:25/hook", allow_private=True).port == 25
