"""Channel parameter entries: which names and sources the capture task may follow (issue 11, no SSRF)."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterable

import pytest

from contracts.channels import ChannelEntry, channel_entries, checked_channel_entry, host_addresses, resolve_host
from contracts.exceptions import UnsafeChannelEntryError

PUBLIC_V4 = "93.184.215.14"
PUBLIC_V6 = "2606:2800:21f:cb07:6820:80da:af6b:8b2c"


def resolving_to(*addresses: str) -> Callable[[str], Iterable[str]]:
    def resolve(host: str) -> Iterable[str]:
        assert host == "streams.example.com"
        return addresses

    return resolve


def no_lookup(host: str) -> Iterable[str]:
    raise AssertionError(f"{host} should not have been resolved")


def entry(value: str) -> ChannelEntry:
    (only,) = channel_entries(value)
    return only


@pytest.mark.parametrize(
    "value",
    ["fifa_pro", "fifa_pro=twitch:fifa_pro", "f=https://www.twitch.tv/fifa_pro", "f=twitch.tv/fifa_pro",
     "f=http://m.twitch.tv/fifa_pro"],
)  # fmt: skip
def test_twitch_channels_are_followed_without_a_lookup(value: str) -> None:
    assert checked_channel_entry(entry(value), resolve=no_lookup) == entry(value)


@pytest.mark.parametrize("addresses", [(PUBLIC_V4,), (PUBLIC_V6,), (PUBLIC_V4, PUBLIC_V6)])
def test_https_urls_of_public_hosts_are_followed(addresses: tuple[str, ...]) -> None:
    chosen = entry("cup=https://streams.example.com/live.m3u8")
    assert checked_channel_entry(chosen, resolve=resolving_to(*addresses)) == chosen


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",  # loopback
        "::1",
        "169.254.170.2",  # link-local: the Fargate task's credentials endpoint
        "169.254.169.254",  # the instance metadata service
        "fe80::1%eth0",
        "10.0.0.5",  # private
        "172.16.3.4",
        "192.168.1.1",
        "fd00::1",
        "100.64.0.1",  # carrier-grade NAT, not global
        "224.0.0.1",  # multicast
        "ff02::1",
        "240.0.0.1",  # reserved
        "0.0.0.0",  # unspecified
        "::ffff:127.0.0.1",  # IPv4-mapped loopback
    ],
)
def test_urls_of_hosts_with_any_non_public_address_are_refused(address: str) -> None:
    chosen = entry("cup=https://streams.example.com/live.m3u8")
    with pytest.raises(UnsafeChannelEntryError, match="not a public address"):
        checked_channel_entry(chosen, resolve=resolving_to(PUBLIC_V4, address))


def test_address_literals_are_checked_like_names() -> None:
    chosen = entry("cup=https://169.254.170.2/v2/metadata")
    with pytest.raises(UnsafeChannelEntryError, match=r"169\.254\.170\.2"):
        checked_channel_entry(chosen)


@pytest.mark.parametrize(
    "value",
    ["cup=http://streams.example.com/live.m3u8", "cup=/etc/passwd", "cup=file:///etc/passwd",
     "cup=ftp://streams.example.com/x", "cup=https:///live.m3u8", "cup=http://twitch.tv:8080/x"],
)  # fmt: skip
def test_other_sources_are_refused_with_what_to_write(value: str) -> None:
    with pytest.raises(UnsafeChannelEntryError, match="only Twitch channels and https:// URLs") as raised:
        checked_channel_entry(entry(value), resolve=no_lookup)
    assert "allow_private_stream_urls=true" in str(raised.value)


def test_unresolvable_hosts_are_refused_with_a_sentence() -> None:
    def fails(host: str) -> Iterable[str]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    with pytest.raises(UnsafeChannelEntryError, match="could not be resolved"):
        checked_channel_entry(entry("cup=https://streams.example.com/live.m3u8"), resolve=fails)


@pytest.mark.parametrize("name", ["../x", "-x", "a/b", "x" * 101, "spa ce", "é"])
def test_names_outside_the_channel_pattern_are_refused(name: str) -> None:
    with pytest.raises(UnsafeChannelEntryError, match="channel name"):
        checked_channel_entry(ChannelEntry(name, f"twitch:{name}"), allow_private_stream_urls=True)


@pytest.mark.parametrize(
    "value", ["sample=http://127.0.0.1:8080/live.m3u8", "sample=/srv/sample.mp4", "s=https://10.1.2.3/x.m3u8"]
)
def test_the_allow_flag_lets_the_local_run_use_loopback_http_and_files(value: str) -> None:
    assert checked_channel_entry(entry(value), allow_private_stream_urls=True, resolve=no_lookup) == entry(value)


def test_localhost_resolves_to_loopback_and_is_refused() -> None:
    assert "127.0.0.1" in resolve_host("localhost") or "::1" in resolve_host("localhost")
    with pytest.raises(UnsafeChannelEntryError, match="not a public address"):
        checked_channel_entry(entry("cup=https://localhost/live.m3u8"))


@pytest.mark.parametrize(
    ("host", "public"),
    [("169.254.170.2", False), ("[::1]", False), ("fe80::1%eth0", False), (PUBLIC_V4, True), (f"[{PUBLIC_V6}]", True)],
)
def test_address_literals_are_their_own_answer_without_a_lookup(host: str, public: bool) -> None:
    """The capture's guard (capture_task.ingest.guard) connects to exactly the addresses this returns."""
    found = host_addresses(host, resolve=no_lookup)
    assert found.addresses == (host.strip("[]"),)
    assert found.all_public is public


def test_a_host_is_public_only_when_every_address_is() -> None:
    assert host_addresses("streams.example.com", resolve=resolving_to(PUBLIC_V4, PUBLIC_V6)).all_public
    mixed = host_addresses("streams.example.com", resolve=resolving_to(PUBLIC_V4, "10.0.0.5"))
    assert not mixed.all_public and mixed.not_public_text == "10.0.0.5"
    assert host_addresses("streams.example.com", resolve=resolving_to()).not_public_text == "no address"
