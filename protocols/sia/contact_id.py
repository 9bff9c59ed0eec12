# Contact ID inside DC-09 ("ADM-CID" token): data "#ACCT|QEEE GG ZZZ" (SIA DC-05 Contact ID,
# DC-09 §5.5.1.9 / Annex). Q = qualifier, EEE = event code, GG = group (partition), ZZZ = zone/user.
from protocols.sia.account import check_account
from protocols.sia.errors import SiaFormatError

TOKEN = "ADM-CID"
QUALIFIER_NEW = 1  # new event or opening
QUALIFIER_RESTORE = 3  # restore or closing
QUALIFIER_REPEAT = 6  # previously reported condition still present


def contact_id_data(account, qualifier, event, group, zone):
    """'#ACCT|QEEE GG ZZZ' for the DC-09 data field."""
    check_account(account)
    if qualifier not in (QUALIFIER_NEW, QUALIFIER_RESTORE, QUALIFIER_REPEAT):
        raise SiaFormatError("Contact ID qualifier must be 1, 3 or 6, not %r" % (qualifier,))
    if not 0 <= event <= 999:
        raise SiaFormatError("Contact ID event code must be 000..999, not %r" % (event,))
    if not 0 <= group <= 99:
        raise SiaFormatError("Contact ID group must be 00..99, not %r" % (group,))
    if not 0 <= zone <= 999:
        raise SiaFormatError("Contact ID zone must be 000..999, not %r" % (zone,))
    return "#%s|%d%03d %02d %03d" % (account.upper(), qualifier, event, group, zone)
