"""The RF creditor reference (ISO 11649) a debtor quotes on a transfer: unique to the debtor, checked
by the banks (mod 97), and read back by the bank-statement matching to find who paid. Pure."""

from __future__ import annotations

from stdnum import iso11649
from stdnum.iso7064 import mod_97_10

PREFIX = "RF"


def rf_reference(debtor_id: int) -> str:
    """`RFkk` + the debtor's number on 9 digits (the reference part may hold 21 characters)."""
    body = f"{debtor_id:09d}"
    if len(body) > 21:
        raise ValueError("a debtor number longer than 21 digits cannot make an RF reference")
    check = mod_97_10.calc_check_digits(body + PREFIX)
    reference = f"{PREFIX}{check}{body}"
    iso11649.validate(reference)
    return reference


def debtor_of_rf(reference: str) -> int | None:
    """The debtor number an RF reference of ours carries, or None when it is not one."""
    compact = iso11649.compact(reference)
    if not iso11649.is_valid(compact) or not compact[4:].isdigit():
        return None
    return int(compact[4:])
