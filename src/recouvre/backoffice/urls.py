from django.urls import include, path

from recouvre.backoffice.views import (
    account,
    actions,
    approvals,
    debtor_actions,
    debtor_contacts,
    debtors,
    imports,
    invoices,
    limitation,
    message_templates,
    portfolio,
    scenarios,
    settings,
    tasks,
    today,
    worklist,
)

app_name = "backoffice"

urlpatterns = [
    path("login/", account.login, name="login"),
    path("logout/", account.logout, name="logout"),
    path("password/reset/", account.password_reset, name="password-reset"),
    path("password/reset/sent/", account.password_reset_sent, name="password-reset-sent"),
    path("password/reset/done/", account.password_reset_complete, name="password-reset-complete"),
    # Invitation emails link here (tenancy.domain.services): keep the name and its two arguments.
    path(
        "password/reset/<uidb64>/<token>/",
        account.password_reset_confirm,
        name="password-reset-confirm",
    ),
    path("organisation/", account.organisation_switch, name="organisation-switch"),
    path("debtors/<int:pk>/", debtors.debtor_detail, name="debtor-detail"),
    path("approvals/", actions.approval_list, name="approval-list"),
    path("approvals/approve/", actions.approvals_approve, name="approvals-approve"),
    path("actions/", actions.action_list, name="action-list"),
    path("actions/<int:pk>/", actions.action_detail, name="action-detail"),
    path("actions/<int:pk>/cancel/", actions.action_cancel_view, name="action-cancel"),
    path("actions/<int:pk>/tracking/", actions.action_tracking, name="action-tracking"),
    path("actions/<int:pk>/document/", actions.action_document, name="action-document"),
    path("tasks/", tasks.task_list, name="task-list"),
    path("tasks/<int:pk>/", tasks.task_detail, name="task-detail"),
    path("i18n/", include("django.conf.urls.i18n")),
    # Each area lists its own routes (views/<area>.py `urls`).
    *today.urls,
    *portfolio.urls,
    *invoices.urls,
    *limitation.urls,
    *debtor_actions.urls,
    *debtor_contacts.urls,
    *worklist.urls,
    *approvals.urls,
    *scenarios.urls,
    *message_templates.urls,
    *imports.urls,
    *settings.urls,
]
