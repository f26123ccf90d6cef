from recouvre.ledger.models.balance import DebtorBalance, DebtorBalanceState
from recouvre.ledger.models.debtor import Contact, Debtor
from recouvre.ledger.models.hold import Hold
from recouvre.ledger.models.interruption import LimitationInterruption
from recouvre.ledger.models.invoice import Invoice
from recouvre.ledger.models.payment import Allocation, Payment

__all__ = [
    "Allocation",
    "Contact",
    "Debtor",
    "DebtorBalance",
    "DebtorBalanceState",
    "Hold",
    "Invoice",
    "LimitationInterruption",
    "Payment",
]
