"""Who is at a unit address: our devices by FC 2B/0E identification (product code CG-<ROLE>),
third-party devices by the profile given with --profile or, failing that, by probing each profile's
points."""

from __future__ import annotations

from dataclasses import dataclass

from controller.field.modbus_master import ModbusMaster, NoAnswer
from controller.field.profile_catalog import all_profiles
from controller.profiles.third_party import Point, Profile
from protocols import registers as R
from protocols.errors import ModbusError


@dataclass(frozen=True)
class Identity:
    unit: int  # Modbus unit address
    vendor: str  # FC 2B/0E object 0, or the profile's vendor
    product: str  # object 1 (CG-GATE ...), or "profile:<name>"
    revision: str  # object 2 ("1.0.0"), "" for third-party devices
    role: int  # our role code, 0 for third-party or unknown devices
    profile: str  # profile name for third-party devices, "" otherwise

    @property
    def kind(self) -> str:
        if self.role:
            return R.ROLE_NAMES[self.role]
        return self.profile or "unknown"

    def as_dict(self) -> dict:
        return {"unit": self.unit, "vendor": self.vendor, "product": self.product,
                "revision": self.revision, "role": self.kind, "profile": self.profile}


def _text(value) -> str:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).decode("utf-8", "replace")
    return str(value or "")


def identify(master: ModbusMaster, unit: int, profile: Profile | None = None) -> Identity:
    """Raises NoAnswer when the unit does not answer at all."""
    if profile is not None:
        return _profile_identity(unit, profile)
    try:
        objects = master.device_id(unit)
    except ModbusError:  # exception answer (not supported) or malformed: a third-party device
        objects = None
    if objects is not None:
        vendor, product = _text(objects.get(0)), _text(objects.get(1))
        revision = _text(objects.get(2))
        role = 0
        if product.startswith("CG-"):
            try:
                role = R.role_code(product[3:].lower())
            except ValueError:
                role = 0
        return Identity(unit, vendor, product, revision, role, "")
    found = probe_profiles(master, unit)
    if found is not None:
        return _profile_identity(unit, found)
    return Identity(unit, "", "unknown (no identification, no profile matched)", "", 0, "")


def _profile_identity(unit: int, profile: Profile) -> Identity:
    return Identity(unit, profile.vendor, "profile:" + profile.name, "", 0, profile.name)


def probe_profiles(master: ModbusMaster, unit: int) -> Profile | None:
    """The first profile whose every point reads without an exception."""
    for profile in all_profiles():
        if profile.supports_device_id:
            continue
        try:
            for point in profile.points:
                read_point(master, unit, point)
        except (ModbusError, NoAnswer):
            continue
        return profile
    return None


def read_point(master: ModbusMaster, unit: int, point: Point) -> list[int]:
    if point.function in (1, 2):
        return master.read_bits(unit, point.address, point.count, point.function)
    return master.read_registers(unit, point.address, point.count, point.function)
