"""Where the server listens: the laptop's LAN address (the phone must reach it) and a
socket bound before anything is printed, so a taken port is one line, not a half start."""

from __future__ import annotations

import errno
import ipaddress
import socket

from repcue.errors import InputError
from repcue.serve import ServeError

#: A documentation address (RFC 5737): connecting a UDP socket to it sends nothing, but makes
#: the kernel pick the interface the default route would use.
_PROBE = ("198.51.100.1", 9)


def _usable(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    return not (ip.is_loopback or ip.is_unspecified or ip.is_link_local)


def _routed_address(probe: tuple[str, int]) -> str | None:
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            udp.connect(probe)
            address = str(udp.getsockname()[0])
    except OSError:
        return None
    return address if _usable(address) else None


def _host_name_address() -> str | None:
    # A network with no default route (a gym's offline Wi-Fi) still names this host.
    try:
        infos = socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)
    except OSError:
        return None
    return next((str(info[4][0]) for info in infos
                 if _usable(str(info[4][0])) and _is_ours(str(info[4][0]))), None)


def _is_ours(address: str) -> bool:
    # /etc/hosts may name an address no interface has (any more).
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.bind((address, 0))
    except OSError:
        return False
    return True


def lan_address(probe: tuple[str, int] = _PROBE) -> str:
    """The IPv4 address other devices on the network reach this machine at."""
    address = _routed_address(probe) or _host_name_address()
    if address is None:
        raise ServeError("no LAN address found: is this computer on a network?",
                         hint="join the phone's Wi-Fi, or pass --host 127.0.0.1 to serve "
                              "only this computer, or --host ADDRESS")
    return address


def listen(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host:port`` (port 0: any free port)."""
    try:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
    except OSError as exc:
        raise ServeError(f"cannot open a socket: {exc.strerror}") from exc
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise ServeError(f"port {port} on {host} is already in use",
                             hint="pass --port with another number, or stop the other server"
                             ) from exc
        if exc.errno in (errno.EADDRNOTAVAIL, errno.EAFNOSUPPORT) or isinstance(
                exc, socket.gaierror):
            raise InputError("--host", f"{host} is not an address of this computer",
                             value=host, hint="leave --host out to use the LAN address") from exc
        if exc.errno == errno.EACCES:
            raise ServeError(f"port {port} needs administrator rights",
                             hint="use a port above 1023, e.g. --port 8765") from exc
        raise ServeError(f"cannot listen on {host}:{port}: {exc.strerror}") from exc
    sock.setblocking(False)
    return sock
