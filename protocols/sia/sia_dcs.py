# SIA DC-03 event data inside DC-09 ("SIA-DCS" token): "#ACCT|N[id<user>/]ri<area>/<CC><zone>".
# N = new event block; ri = area (we send the site zone number there, which receivers such as
# pysiaalarm show as the event's zone); CC = two-letter SIA event code; the 3-digit number after it
# is the zone (or the user number for opening/closing codes).
from protocols.sia.account import check_account
from protocols.sia.errors import SiaFormatError

TOKEN = "SIA-DCS"


def sia_dcs_data(account, code, zone, user=0):
    """'#ACCT|N[idUSER/]riZONE/CCZZZ' for the DC-09 data field; user 0 = no user field."""
    check_account(account)
    if len(code) != 2 or not code.isalpha() or code.upper() != code:
        raise SiaFormatError("SIA event code must be two capital letters, not %r" % (code,))
    if not 0 <= zone <= 999:
        raise SiaFormatError("SIA zone must be 0..999, not %r" % (zone,))
    if not 0 <= user <= 9999:
        raise SiaFormatError("SIA user number must be 0..9999, not %r" % (user,))
    user_part = "id%d/" % user if user else ""
    return "#%s|N%sri%d/%s%03d" % (account.upper(), user_part, zone, code, zone)
