"""The default configuration listens on this machine only: `streamlit run Simple_Chatbot.py` with the
project's .streamlit/config.toml and no --server.address binds loopback and nothing else."""

from __future__ import annotations

import os
import socket
import tomllib
from pathlib import Path

from tests.e2e.streamlit_server import PROJECT_DIR, StreamlitServer

LISTEN = "0A"  # the TCP state of a listening socket in /proc/net/tcp


def listening_addresses(port: int) -> set[str]:
    """The local addresses (hex, as the kernel writes them) of sockets listening on `port`."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        if not os.path.exists(table):
            continue
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, port_hex = local.split(":")
            if state == LISTEN and int(port_hex, 16) == port:
                found.add(address)
    return found


def test_the_project_configuration_says_loopback():
    config = tomllib.loads((PROJECT_DIR / ".streamlit" / "config.toml").read_text())
    assert config["server"]["address"] == "127.0.0.1"
    assert config["server"]["enableXsrfProtection"] is True and config["server"]["maxUploadSize"] <= 200


def test_the_default_run_listens_on_loopback_only(tmp_path):
    server = StreamlitServer(StreamlitServer.environment("http://127.0.0.1:9/openai/v1", None, tmp_path),
                             tmp_path / "streamlit.log", address=None)
    with server:
        addresses = listening_addresses(server.port)
        assert addresses == {"0100007F"}, addresses  # 127.0.0.1, and no 0.0.0.0 or :: beside it
        outward = _outward_address()
        if outward is not None:  # this machine's own network address: refused there
            with socket.socket() as probe:
                probe.settimeout(2)
                assert probe.connect_ex((outward, server.port)) != 0


def _outward_address() -> str | None:
    """The address this machine would use towards a network (no packet is sent), unless it has none."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1: never routed, only used to pick an interface
        except OSError:
            return None
        address = probe.getsockname()[0]
    return None if address.startswith("127.") else address
