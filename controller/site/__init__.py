"""The site file: load_site(path) -> Site, validated; SiteError lists every problem with its line."""

from controller.site.errors import SiteError, SiteProblem
from controller.site.load import default_site_path, load_site, load_site_text
from controller.site.model import (
    AlarmConfig,
    AlarmReceiver,
    Bus,
    Device,
    DeviceInput,
    Gateway,
    PolicyParams,
    Schedule,
    Site,
    User,
    Zone,
)

__all__ = [
    "AlarmConfig", "AlarmReceiver", "Bus", "Device", "DeviceInput", "Gateway", "PolicyParams",
    "Schedule", "Site", "SiteError", "SiteProblem", "User", "Zone",
    "default_site_path", "load_site", "load_site_text",
]
