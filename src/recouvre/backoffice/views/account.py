"""Signing in and out, choosing a password, and choosing the organisation to work for."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from recouvre.backoffice.forms import ResetOrInvitationForm
from recouvre.backoffice.middleware import SESSION_KEY
from recouvre.backoffice.views.access import membership_required

login = auth_views.LoginView.as_view(
    template_name="backoffice/account/login.html", redirect_authenticated_user=True
)
logout = auth_views.LogoutView.as_view()


class PasswordResetView(auth_views.PasswordResetView):
    def form_valid(self, form: ResetOrInvitationForm) -> HttpResponse:
        # Links are built on the configured address, like invitations, never on the request's Host
        # header (which a client chooses); read per request so that settings overrides apply.
        self.extra_email_context = {"base_url": settings.BASE_URL}
        return super().form_valid(form)


password_reset = PasswordResetView.as_view(
    form_class=ResetOrInvitationForm,
    template_name="backoffice/account/password_reset_form.html",
    email_template_name="backoffice/account/password_reset_email.txt",
    subject_template_name="backoffice/account/password_reset_subject.txt",
    success_url=reverse_lazy("backoffice:password-reset-sent"),
)
password_reset_sent = auth_views.PasswordResetDoneView.as_view(
    template_name="backoffice/account/password_reset_sent.html"
)
password_reset_confirm = auth_views.PasswordResetConfirmView.as_view(
    template_name="backoffice/account/password_reset_confirm.html",
    success_url=reverse_lazy("backoffice:password-reset-complete"),
)
password_reset_complete = auth_views.PasswordResetCompleteView.as_view(
    template_name="backoffice/account/password_reset_complete.html"
)


@require_POST
@membership_required
def organisation_switch(request: HttpRequest) -> HttpResponse:
    try:
        wanted = int(request.POST.get("organisation", ""))
    except ValueError:
        return HttpResponseBadRequest()
    membership = next((m for m in request.memberships if m.organisation_id == wanted), None)  # type: ignore[attr-defined]
    if membership is None:
        return HttpResponseBadRequest()
    request.session[SESSION_KEY] = wanted
    messages.info(
        request, _("Vous travaillez maintenant pour %(org)s.") % {"org": membership.organisation.name}
    )
    # Not back to the page the person came from: a debtor page of one organisation is a 404 in another.
    return redirect("backoffice:debtor-list")
