# The checks applied to each golden vector, shared by pytest and the MicroPython runner.
from protocols import pdu, rtu
from protocols.errors import ExceptionResponse


def h(text):
    return bytes.fromhex(text.replace(" ", ""))


def _same(got, want):
    if isinstance(want, bytes):
        return bytes(got) == want
    if isinstance(want, tuple) and isinstance(got, tuple):
        # no zip(strict=...): this runs on MicroPython too
        return len(got) == len(want) and all(_same(got[i], want[i]) for i in range(len(want)))
    return got == want


def _check(ok, message):
    if not ok:
        raise AssertionError(message)


def check_request(vector):
    name, adu_hex, unit, decoded, build = vector
    adu = h(adu_hex)
    got_unit, body = rtu.split_adu(adu)
    _check(got_unit == unit, "%s: unit %r" % (name, got_unit))
    got = pdu.decode_request(body)
    _check(_same(got, decoded), "%s: decoded %r" % (name, got))
    built = rtu.build_adu(unit, build())
    _check(built == adu, "%s: built %s" % (name, built.hex()))
    _check_length(name, rtu.request_length, adu)


def check_response(vector):
    name, request_fc, adu_hex, decoded, encode = vector
    adu = h(adu_hex)
    unit, body = rtu.split_adu(adu)
    built = rtu.build_adu(unit, encode())
    _check(built == adu, "%s: built %s" % (name, built.hex()))
    _check_length(name, rtu.response_length, adu)
    if isinstance(decoded, tuple) and decoded and decoded[0] == "exception":
        try:
            pdu.decode_response(request_fc, body)
        except ExceptionResponse as err:
            _check(
                err.code == decoded[1] and err.function == request_fc,
                "%s: exception %d on 0x%02X" % (name, err.code, err.function),
            )
            return
        raise AssertionError("%s: no ExceptionResponse" % name)
    got = pdu.decode_response(request_fc, body)
    if decoded is not None:
        _check(_same(got, decoded), "%s: decoded %r" % (name, got))


def _check_length(name, length_of, adu):
    # fed one byte at a time, a receiver learns the total length no later than the last byte and
    # never announces a wrong one
    for n in range(len(adu) + 1):
        want = length_of(adu, n)
        if want:
            _check(want == len(adu), "%s: length %d after %d bytes" % (name, want, n))
            return
    raise AssertionError("%s: length still unknown with the whole frame" % name)


def check_bad(vector):
    name, call, error = vector
    try:
        call()
    except error:
        return
    except Exception as other:  # the wrong type is the failure being tested for
        raise AssertionError("%s: raised %r, want %s" % (name, other, error.__name__)) from None
    raise AssertionError("%s: nothing raised, want %s" % (name, error.__name__))


def check_timing(vector):
    name, call, want = vector
    got = call()
    _check(got == want, "%s: %r, want %r" % (name, got, want))
