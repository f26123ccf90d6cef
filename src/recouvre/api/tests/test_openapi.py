"""The OpenAPI document and the Swagger UI page, served without any CDN."""

import pytest
from django.test import Client

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def test_openapi_lists_every_path_with_bearer_security():
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert set(schema["paths"]) == {
        "/api/v1/debtors",
        "/api/v1/debtors/{ref}",
        "/api/v1/debtors/{ref}/timeline",
        "/api/v1/invoices",
        "/api/v1/invoices/{number}",
        "/api/v1/payments",
        "/api/v1/imports",
        "/api/v1/imports/{batch_id}",
        "/api/v1/reports/aging",
    }
    assert set(schema["paths"]["/api/v1/payments"]) == {"get", "post"}
    assert schema["components"]["securitySchemes"]["ApiTokenAuth"] == {"type": "http", "scheme": "bearer"}
    aging = schema["paths"]["/api/v1/reports/aging"]["get"]["responses"]["200"]
    assert aging["content"]["application/json"]["schema"]["$ref"].endswith("AgingReportOut")


def test_docs_page_uses_the_bundled_swagger_ui():
    response = Client().get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "cdn" not in html.lower()
    assert "https://" not in html
    assert 'src="/api/v1/docs/assets/swagger-ui-bundle.js"' in html
    assert '"/api/v1/openapi.json"' in html
    for name, content_type in (("swagger-ui-bundle.js", "javascript"), ("swagger-ui.css", "text/css")):
        asset = Client().get(f"/api/v1/docs/assets/{name}")
        assert asset.status_code == 200
        assert content_type in asset["Content-Type"]
        assert b"".join(asset.streaming_content)
    assert Client().get("/api/v1/docs/assets/..%2Fsettings.py").status_code == 404
    assert Client().get("/api/v1/docs/assets/redoc.standalone.js.map").status_code == 404
