"""Which proxy a request goes through: the rules both transports share (chimekit_core._proxy)."""

from __future__ import annotations

import pytest

from chimekit_core._proxy import Proxy, ProxyResolver, check_proxy

PROXY = "http://proxy.example:3128"


def resolver(monkeypatch: pytest.MonkeyPatch, **env: str) -> ProxyResolver:
    """A resolver reading exactly ``env`` (and no other proxy variable)."""
    for name in ("http_proxy", "https_proxy", "all_proxy", "no_proxy", "REQUEST_METHOD"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return ProxyResolver(None, trust_env=True)


@pytest.mark.parametrize(
    ("no_proxy", "url", "proxied"),
    [
        ("", "https://api.chimekit.com/sdk/v1/x", True),
        ("*", "https://api.chimekit.com/sdk/v1/x", False),
        ("chimekit.com", "https://api.chimekit.com/sdk/v1/x", False),
        (".chimekit.com", "https://api.chimekit.com/sdk/v1/x", False),
        ("*.chimekit.com", "https://api.chimekit.com/sdk/v1/x", False),
        ("kit.com", "https://api.chimekit.com/sdk/v1/x", True),
        ("API.ChimeKit.com", "https://api.chimekit.com/sdk/v1/x", False),
        ("api.chimekit.com:443", "https://api.chimekit.com/sdk/v1/x", False),
        ("api.chimekit.com:8443", "https://api.chimekit.com/sdk/v1/x", True),
        ("10.0.0.0/8", "https://10.1.2.3/sdk/v1/x", False),
        ("10.0.0.0/8", "https://11.1.2.3/sdk/v1/x", True),
        ("::1", "https://[::1]:8443/sdk/v1/x", False),
        ("[::1]:8443", "https://[::1]:8443/sdk/v1/x", False),
        ("127.0.0.1", "https://localhost/sdk/v1/x", True),
    ],
)
def test_no_proxy_matching(
    monkeypatch: pytest.MonkeyPatch, no_proxy: str, url: str, proxied: bool
) -> None:
    """NO_PROXY matches names with their subdomains, ports, IPs, CIDR blocks and '*', case-insensitively."""
    rules = resolver(monkeypatch, HTTPS_PROXY=PROXY, NO_PROXY=no_proxy)
    assert rules.for_url(url) == (Proxy(PROXY) if proxied else None)


def test_scheme_specific_variable_wins_over_all_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """HTTPS_PROXY carries https, HTTP_PROXY http; ALL_PROXY only a scheme without its own."""
    rules = resolver(
        monkeypatch, HTTPS_PROXY="http://s:1", ALL_PROXY="http://a:2", http_proxy="h:3"
    )
    assert rules.for_url("https://api.chimekit.com/x") == Proxy("http://s:1")
    assert rules.for_url("http://127.0.0.1:8/x") == Proxy("http://h:3")
    only_all = resolver(monkeypatch, ALL_PROXY="http://a:2")
    assert only_all.for_url("http://127.0.0.1:8/x") == Proxy("http://a:2")


def test_no_variables_means_inactive(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without proxy variables (or with trust_env=False) the resolver is inactive: the hot path skips it."""
    assert resolver(monkeypatch).active is False
    monkeypatch.setenv("HTTPS_PROXY", PROXY)
    assert ProxyResolver(None, trust_env=False).active is False
    assert ProxyResolver(None, trust_env=True).active is True


def test_decisions_per_origin_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    """Deciding for 10,000 origins keeps at most 64 decisions."""
    rules = resolver(monkeypatch, HTTPS_PROXY=PROXY)
    for port in range(10_000):
        rules.for_url(f"https://h{port}.example/x")
    assert len(rules._origins) <= 64


def test_credentials_are_split_off_and_never_shown() -> None:
    """user:pass@ is percent-decoded into the Proxy's fields; its URL and repr hold no credentials."""
    proxy = check_proxy("https://ann:p%40ss@Proxy.Example")
    assert proxy == Proxy("https://proxy.example:443", "ann", "p@ss")
    assert repr(proxy) == "Proxy('https://proxy.example:443', with credentials)"
    assert check_proxy(None) is None
