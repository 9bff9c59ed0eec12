"""[uplink] in the site file: read into the uplink's config; mistakes name the file, the line
and the fix."""

import pytest

from controller.site.errors import SiteError
from controller.site.load import default_site_path, load_site_text
from controller.uplink.config import UplinkConfig, config_from_site
from controller.uplink.errors import UplinkConfigError

UPLINK = """
[uplink]
broker = "mqtts://district.example.org"
campus_id = "sunrise-primary"
username = "sunrise-primary"
password_file = "/etc/campusguard/uplink.pw"
"""


def test_uplink_section_becomes_the_uplink_config():
    site = load_site_text(default_site_path().read_text() + UPLINK, "demo.toml")
    config = config_from_site(site.uplink)
    assert (config.campus_id, config.username, config.keepalive_s) == (
        "sunrise-primary", "sunrise-primary", 15)
    assert (config.address.host, config.address.port, config.address.tls) == (
        "district.example.org", 8883, True)


def test_no_uplink_section_means_no_uplink():
    assert load_site_text(default_site_path().read_text(), "demo.toml").uplink is None


@pytest.mark.parametrize(("old", "new", "key", "fix"), [
    ('broker = "mqtts://district.example.org"', 'broker = "http://district"', "broker",
     "mqtt://HOST:1883"),
    ('campus_id = "sunrise-primary"', 'campus_id = "Sunrise Primary"', "campus_id",
     "sunrise-primary"),
    ('username = "sunrise-primary"', 'username = "sunrise-primary"\nkeepalive = 5', "keepalive",
     ""),
])
def test_mistakes_name_file_line_and_fix(old, new, key, fix):
    text = default_site_path().read_text() + UPLINK.replace(old, new)
    with pytest.raises(SiteError) as error:
        load_site_text(text, "demo.toml")
    line = next(i for i, t in enumerate(text.splitlines(), 1) if t.startswith(f"{key} ="))
    assert f"demo.toml:{line}" in str(error.value) and fix in str(error.value)


def test_config_refuses_a_bad_broker_with_the_fix():
    with pytest.raises(UplinkConfigError, match="mqtt://HOST:1883"):
        UplinkConfig(broker="tcp://x", campus_id="a")
