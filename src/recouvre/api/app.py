"""The REST API, version 1: debtors, invoices, payments, imports and reports of one organisation,
the one the bearer token belongs to."""

from ninja import NinjaAPI

from recouvre.api.auth import ApiTokenAuth, scoped_operation
from recouvre.api.docs import LocalSwagger
from recouvre.api.errors import install_error_handlers
from recouvre.api.routers import debtors, imports, invoices, payments, reports

api = NinjaAPI(
    title="recouvre",
    version="1",
    description=(
        "Receivables of the organisation the token belongs to. Authenticate with "
        "`Authorization: Bearer <key>` (keys: `recouvre token create --email E`). Amounts are strings "
        'with two decimals ("1234.50"), dates YYYY-MM-DD, times ISO 8601 with offset. Errors are '
        '`{"detail": "..."}`, with `errors: [{"field", "message"}]` when input is refused (422).'
    ),
    urls_namespace="api",
    auth=ApiTokenAuth(),
    docs=LocalSwagger(),
)
# "view" mode wraps the whole operation (authentication, validation, view, response), not only
# the view function: the scope must outlive the view while the response is serialised.
api.add_decorator(scoped_operation, mode="view")
install_error_handlers(api)

api.add_router("/debtors", debtors.router)
api.add_router("/invoices", invoices.router)
api.add_router("/payments", payments.router)
api.add_router("/imports", imports.router)
api.add_router("/reports", reports.router)
