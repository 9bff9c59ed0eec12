"""The [alarm] configuration: from the site file, and clear errors for unusable values."""

import pytest

from controller.alarm.config import AlarmConfig, ReceiverConfig
from controller.alarm.errors import AlarmConfigError
from controller.site.load import default_site_path, load_site_text

RECEIVERS = """
[[alarm.receivers]]
host = "10.0.0.5"
port = 12345
protocol = "tcp"
account = "1234"
key = "0123456789abcdef"
receiver = "12"
prefix = "3"

[[alarm.receivers]]
host = "10.0.0.6"
port = 12346
protocol = "udp"
account = "ABCD"
"""


def test_from_the_demo_site_with_two_receivers():
    text = default_site_path().read_text().replace("[alarm]\n", "[alarm]\nsupervision_s = 30\n")
    site = load_site_text(text + RECEIVERS, "demo.toml")
    config = AlarmConfig.from_site(site)
    primary, backup = config.receivers
    assert (primary.host, primary.port, primary.protocol, primary.key_bytes) == (
        "10.0.0.5", 12345, "tcp", b"0123456789abcdef")
    assert (primary.receiver, primary.prefix) == ("12", "3")
    assert (backup.protocol, backup.account, backup.key_bytes) == ("udp", "ABCD", None)
    assert config.supervision_s == 30
    assert config.zones[:3] == ("main-gate", "east-gate", "admin")
    assert "li.na" in config.users


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"protocol": "http"}, "must be 'tcp' or 'udp'"),
        ({"account": "12"}, "3 to 16 hexadecimal"),
        ({"account": "XYZ1"}, "3 to 16 hexadecimal"),
        ({"key": "short"}, "must be 16, 24 or 32"),
        ({"prefix": ""}, "prefix"),
        ({"format": "XML"}, "ADM-CID"),
    ],
)
def test_bad_receiver_values_name_the_key_and_fix(change, message):
    values = dict(host="h", port=1, protocol="tcp", account="1234") | change
    with pytest.raises(AlarmConfigError, match=message):
        AlarmConfig(receivers=(ReceiverConfig(**values),))


def test_no_receiver_is_an_error_with_the_fix():
    with pytest.raises(AlarmConfigError, match=r"\[\[alarm.receivers\]\]"):
        AlarmConfig(receivers=())


def test_from_raw_table():
    config = AlarmConfig.from_table(
        {"receivers": [{"host": "h", "port": 9, "account": "123", "format": "SIA-DCS"}],
         "retries": 0}, zones=["a"])
    assert config.receivers[0].format == "SIA-DCS" and config.retries == 0
