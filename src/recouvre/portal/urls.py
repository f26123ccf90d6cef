"""The portal's routes, gathered from its modules (each page opens through `access.portal_view`)."""

from django.urls import URLPattern

from recouvre.portal.bank import urlpatterns_bank
from recouvre.portal.disputes import urlpatterns_disputes
from recouvre.portal.online import urlpatterns_online
from recouvre.portal.plans import urlpatterns_plans
from recouvre.portal.survey import urlpatterns_survey
from recouvre.portal.views import urlpatterns_account

app_name = "portal"
urlpatterns: list[URLPattern] = [
    *urlpatterns_account,
    *urlpatterns_online,
    *urlpatterns_plans,
    *urlpatterns_disputes,
    *urlpatterns_survey,
    *urlpatterns_bank,
]
