"""Line numbers for keys: tomllib gives none, the locator scans the text."""

from controller.site.locate import KeyLocator

TEXT = '''# comment [not a header]
[site]
name = "x"   # trailing [comment]

[[devices]]
name = "a"
days = [
  "mon",
  "tue",
]
[devices.params]
speed = 3

[[devices]]
name = """multi
[[devices]]
line"""
[[devices.inputs]]
channel = 0
[[devices.inputs]]
"quoted.key" = 1
'''


def test_keys_tables_and_array_indexes_get_their_lines():
    loc = KeyLocator(TEXT)
    assert loc.line_of(("site", "name")) == 3
    assert loc.line_of(("devices", 0)) == 5
    assert loc.line_of(("devices", 0, "days")) == 7
    assert loc.line_of(("devices", 0, "params", "speed")) == 12
    # the header-like line inside a multi-line string is not a new device
    assert loc.line_of(("devices", 1, "name")) == 15
    assert loc.line_of(("devices", 1, "inputs", 0, "channel")) == 19
    assert loc.line_of(("devices", 1, "inputs", 1, "quoted.key")) == 21
    assert loc.line_of(("devices", 2)) == 0


def test_unknown_key_falls_back_to_its_table():
    loc = KeyLocator(TEXT)
    assert loc.line_of(("devices", 0, "params", "missing")) == 11
    assert loc.line_of(("devices", 0, "days", 1)) == 7
