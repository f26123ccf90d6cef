from recouvre.selfservice.models.one_time_code import OneTimeCode
from recouvre.selfservice.models.online_payment import OnlinePayment, OnlinePaymentStatus
from recouvre.selfservice.models.survey import SurveyAnswer
from recouvre.selfservice.models.visit import PortalVisit

__all__ = ["OneTimeCode", "OnlinePayment", "OnlinePaymentStatus", "PortalVisit", "SurveyAnswer"]
