from django.urls import include, path

urlpatterns = [
    path("api/v1/", include("recouvre.api.urls")),
    path("portal/", include("recouvre.portal.urls")),
    path("", include("recouvre.backoffice.urls")),
]
