from recouvre.arrangements.models.plan import Instalment, PaymentPlan, PlanInvoice
from recouvre.arrangements.models.promise import Promise

__all__ = ["Instalment", "PaymentPlan", "PlanInvoice", "Promise"]
