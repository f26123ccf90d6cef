from django.urls import path

from recouvre.api.app import api
from recouvre.api.docs import docs_asset

urlpatterns = [
    path("docs/assets/<str:name>", docs_asset, name="api-docs-asset"),
    path("", api.urls),
]
