# DC-09 timestamp "_HH:MM:SS,MM-DD-YYYY", always UTC (DC-09 §5.5.1.8). Times are plain tuples
# (year, month, day, hour, minute, second) so the codec needs neither datetime nor a clock.
from protocols.sia.errors import SiaFormatError

LENGTH = 20  # len("_HH:MM:SS,MM-DD-YYYY")


def format_timestamp(when):
    """'_HH:MM:SS,MM-DD-YYYY' from (year, month, day, hour, minute, second[, ...])."""
    year, month, day, hour, minute, second = when[0], when[1], when[2], when[3], when[4], when[5]
    if not (0 <= year <= 9999 and 1 <= month <= 12 and 1 <= day <= 31):
        raise SiaFormatError("timestamp date out of range: %r" % (when,))
    if not (0 <= hour <= 23 and 0 <= minute <= 59 and 0 <= second <= 60):
        raise SiaFormatError("timestamp time out of range: %r" % (when,))
    return "_%02d:%02d:%02d,%02d-%02d-%04d" % (hour, minute, second, month, day, year)


def _number(text, start, end):
    part = text[start:end]
    if len(part) != end - start or not part.isdigit():
        raise SiaFormatError("bad DC-09 timestamp %r: expected _HH:MM:SS,MM-DD-YYYY" % text)
    return int(part)


def parse_timestamp(text):
    """(year, month, day, hour, minute, second) from '_HH:MM:SS,MM-DD-YYYY' (leading '_' optional)."""
    if text.startswith("_"):
        text = text[1:]
    if len(text) != LENGTH - 1 or text[2] != ":" or text[5] != ":" or text[8] != ",":
        raise SiaFormatError("bad DC-09 timestamp %r: expected _HH:MM:SS,MM-DD-YYYY" % text)
    if text[11] != "-" or text[14] != "-":
        raise SiaFormatError("bad DC-09 timestamp %r: expected _HH:MM:SS,MM-DD-YYYY" % text)
    when = (
        _number(text, 15, 19), _number(text, 9, 11), _number(text, 12, 14),
        _number(text, 0, 2), _number(text, 3, 5), _number(text, 6, 8),
    )
    format_timestamp(when)  # range check
    return when
