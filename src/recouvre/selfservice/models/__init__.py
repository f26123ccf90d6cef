from recouvre.selfservice.models.online_payment import OnlinePayment, OnlinePaymentStatus
from recouvre.selfservice.models.visit import PortalVisit

__all__ = ["OnlinePayment", "OnlinePaymentStatus", "PortalVisit"]
