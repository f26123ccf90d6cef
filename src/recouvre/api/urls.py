from django.urls import path

from recouvre.api.app import api

urlpatterns = [path("", api.urls)]
