"""[console]: where the guard console listens, its default language, and its TLS files.

    [console]
    listen = "127.0.0.1:8080"      # host:port; port 0 = any free port (tests), written to console.json
    locale = "zh-CN"               # zh-CN | en: the page's language until an operator switches
    cert = "/etc/campusguard/console.crt"   # TLS certificate and key (PEM), both or neither
    key = "/etc/campusguard/console.key"
    allow_insecure_remote = false  # true: listen beyond this machine WITHOUT TLS (not advised)

A listen address beyond the local machine needs cert and key, or an explicit
allow_insecure_remote = true: guards' passwords and PINs would otherwise cross the network in clear.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path

from controller.site.checker import Checker
from controller.site.model import ConsoleSettings

LOCALES = ("zh-CN", "en")


def split_listen(text: str) -> tuple[str, int]:
    """'host:port' (or '[v6]:port') -> (host, port); ValueError with what is wrong."""
    host, sep, port = text.rpartition(":")
    if not sep or not host or not port.isdigit():
        raise ValueError("not host:port")
    host = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    number = int(port)
    if not 0 <= number <= 65535:
        raise ValueError("port must be 0..65535")
    return host, number


def is_local(host: str) -> bool:
    """True when only this machine can reach host (loopback address or 'localhost')."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def read_console(check: Checker, doc: dict, site_file: str) -> ConsoleSettings:
    path = ("console",)
    table = check.table(doc, (), "console")
    check.unknown_keys(table, path, ("listen", "locale", "cert", "key", "allow_insecure_remote"))
    base = ConsoleSettings()
    listen = check.get(table, path, "listen", str, default=base.listen, hint='"127.0.0.1:8080"')
    try:
        host, _ = split_listen(listen)
    except ValueError as exc:
        check.bad_value(path + ("listen",), listen, str(exc),
                        'write listen = "127.0.0.1:8080" (host:port)')
        listen, host = base.listen, "127.0.0.1"
    locale = check.get_choice(table, path, "locale", LOCALES, default=base.locale)
    files = {}
    for key in ("cert", "key"):
        value = check.get(table, path, key, str, default="", hint='"/etc/campusguard/console.pem"')
        if value:
            resolved = Path(value) if Path(value).is_absolute() else Path(site_file).parent / value
            if not resolved.is_file():
                check.bad_value(path + (key,), value, f"no such file ({resolved})",
                                f"give the path of the console's TLS {key} (PEM)")
            files[key] = str(resolved)
    if bool(files.get("cert")) != bool(files.get("key")):
        missing = "key" if files.get("cert") else "cert"
        check.problem(path, f"console: {missing} is missing", "give both cert and key (PEM), "
                      "or neither to serve plain HTTP on this machine only")
    insecure = check.get(table, path, "allow_insecure_remote", bool, default=False)
    if not is_local(host) and not files and not insecure:
        check.bad_value(path + ("listen",), listen, "listens beyond this machine without TLS",
                        "give cert and key, or listen on 127.0.0.1, or (not advised) set "
                        "allow_insecure_remote = true")
    return ConsoleSettings(listen=listen, locale=locale or base.locale, cert=files.get("cert", ""),
                           key=files.get("key", ""), allow_insecure_remote=bool(insecure),
                           line=check.line(path))
