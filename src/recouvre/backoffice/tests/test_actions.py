"""The dunning engine's pages: approvals, the outbox, one action, and the call list with its
outcome form. Actions are made directly in the database, on debtors imported through the real CSV
import (see conftest)."""

import html
import re
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from recouvre.arrangements.models import Promise
from recouvre.audit.models import AuditEntry
from recouvre.disputes.models import Dispute
from recouvre.dunning.enums import ActionStatus
from recouvre.dunning.models import Action, Attempt
from recouvre.ledger.models import Contact, Debtor, Invoice
from recouvre.messaging.domain.placeholders import PlaceholderError
from recouvre.testing.fixtures import TODAY

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


@pytest.fixture(autouse=True)
def pinned_today(monkeypatch):
    monkeypatch.setattr("recouvre.backoffice.views.actions.paris_today", lambda: TODAY)
    monkeypatch.setattr("recouvre.backoffice.views.tasks.paris_today", lambda: TODAY)


def make_action(organisation, ref="411DUPONT", **fields):
    values = {
        "step": "reminder_1",
        "channel": "email",
        "status": ActionStatus.PLANNED,
        "scheduled_for": TODAY,
        **fields,
    }
    with scope(organisation=organisation):
        return Action.objects.create(organisation=organisation, debtor=Debtor.objects.get(ref=ref), **values)


def notice(organisation, ref="411DUPONT", **fields):
    values = {
        "step": "formal_notice",
        "channel": "registered_letter",
        "status": ActionStatus.AWAITING_APPROVAL,
        "needs_approval": True,
        "invoice_numbers": ["F-2026-001"],
        "amount_due": Decimal("1234.56"),
        **fields,
    }
    return make_action(organisation, ref, **values)


def task(organisation, ref="411DUPONT", **fields):
    return make_action(organisation, ref, **{"step": "call", "channel": "call", **fields})


def fresh(organisation, action):
    with scope(organisation=organisation):
        return Action.objects.get(pk=action.pk)


def text(response):
    """The page as read: messages written in Python carry straight apostrophes, escaped in HTML."""
    return html.unescape(response.content.decode())


def as_role(client, organisation, make_user, role):
    client.force_login(make_user(organisation, role))
    return client


# --- Approvals ----------------------------------------------------------------------------------------


def test_the_approval_list_shows_only_actions_awaiting_approval_of_this_organisation(
    signed_in, books, other_organisation
):
    waiting = notice(books)
    make_action(books, step="reminder_2")  # planned: not to approve
    notice(books, "411MARTIN", status=ActionStatus.CANCELLED, status_reason="refusée")
    foreign = notice(other_organisation, "411SECRET")
    response = signed_in.get(reverse("backoffice:approval-list"))
    assert [a.pk for a in response.context["page"].object_list] == [waiting.pk]
    page = response.content.decode()
    assert "Dupont Industrie" in page
    assert "F-2026-001" in page
    assert "1\xa0234,56\xa0€" in page
    assert "22/11/2026" in page
    assert "Mise en demeure" in page
    assert "Martin" not in page
    assert "Secret" not in page
    assert f'value="{foreign.pk}"' not in page


def test_an_agent_sees_the_list_but_cannot_approve(client, books, make_user):
    action = notice(books)
    as_role(client, books, make_user, "agent")
    page = client.get(reverse("backoffice:approval-list")).content.decode()
    assert "Dupont Industrie" in page
    assert "Approuver la sélection" not in page
    response = client.post(reverse("backoffice:approvals-approve"), {"action": [action.pk]})
    assert response.status_code == 403
    refused = client.post(reverse("backoffice:approval-list"), {"refuse": action.pk, "reason": "non"})
    assert refused.status_code == 403
    assert fresh(books, action).status == ActionStatus.AWAITING_APPROVAL


def test_a_manager_approves_the_selected_notices(signed_in, books, manager):
    first, second = notice(books), notice(books, "411MARTIN")
    left = notice(books, step="formal_notice_bis")
    response = signed_in.post(
        reverse("backoffice:approvals-approve"), {"action": [first.pk, second.pk]}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("backoffice:approval-list")
    assert "2 mises en demeure approuvées : elles partiront au prochain passage d'envoi." in text(response)
    for action in (first, second):
        approved = fresh(books, action)
        assert approved.status == ActionStatus.PLANNED
        assert approved.approved_by == manager
        assert approved.approved_at is not None
    assert fresh(books, left).status == ActionStatus.AWAITING_APPROVAL
    with scope(organisation=books):
        audited = AuditEntry.objects.filter(action="approve", object_type="action")
        assert sorted((e.object_id, e.channel, e.actor) for e in audited) == sorted(
            (str(a.pk), "web", manager) for a in (first, second)
        )
    assert [a.pk for a in response.context["page"].object_list] == [left.pk]


def test_approving_nothing_or_a_stale_selection_changes_nothing(signed_in, books):
    waiting = notice(books)
    already = notice(books, "411MARTIN", status=ActionStatus.PLANNED)
    empty = signed_in.post(reverse("backoffice:approvals-approve"), {}, follow=True)
    assert "Sélectionnez au moins une mise en demeure" in empty.content.decode()
    stale = signed_in.post(
        reverse("backoffice:approvals-approve"), {"action": [waiting.pk, already.pk]}, follow=True
    )
    assert "Rien n'a été approuvé" in text(stale)
    assert fresh(books, waiting).status == ActionStatus.AWAITING_APPROVAL  # all or nothing


def test_another_organisations_notice_cannot_be_approved_by_its_number(signed_in, books, other_organisation):
    foreign = notice(other_organisation, "411SECRET")
    response = signed_in.post(reverse("backoffice:approvals-approve"), {"action": [foreign.pk]}, follow=True)
    assert "Rien n'a été approuvé" in text(response)
    assert fresh(other_organisation, foreign).status == ActionStatus.AWAITING_APPROVAL


def test_refusing_needs_a_reason(signed_in, books):
    action = notice(books)
    response = signed_in.post(reverse("backoffice:approval-list"), {"refuse": action.pk, "reason": "   "})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Indiquez la raison du refus." in page
    assert re.search(
        rf'<details open>\s*<summary>Refuser</summary>.*?name="refuse" value="{action.pk}"', page, re.S
    )
    assert fresh(books, action).status == ActionStatus.AWAITING_APPROVAL


def test_refusing_with_a_reason_cancels_the_notice(signed_in, books):
    action = notice(books)
    response = signed_in.post(
        reverse("backoffice:approval-list"),
        {"refuse": action.pk, "reason": "Accord de paiement en cours"},
        follow=True,
    )
    assert "Mise en demeure pour Dupont Industrie annulée : Accord de paiement en cours" in (
        response.content.decode()
    )
    refused = fresh(books, action)
    assert (refused.status, refused.status_reason) == (ActionStatus.CANCELLED, "Accord de paiement en cours")
    assert response.context["page"].object_list == []


# --- The outbox ------------------------------------------------------------------------------------


def listed(response):
    return [a.pk for a in response.context["page"].object_list]


@pytest.fixture
def outbox(books, other_organisation):
    return {
        "sent": make_action(books, status=ActionStatus.DISPATCHED, scheduled_for=TODAY - timedelta(days=3)),
        "failed": make_action(
            books, "411MARTIN", status=ActionStatus.FAILED, status_reason="550 mailbox unavailable"
        ),
        "no_sms": make_action(
            books, step="sms", channel="sms", status=ActionStatus.CANCELLED, status_reason="no SMS provider"
        ),
        "call": task(books, scheduled_for=TODAY - timedelta(days=10)),
        "foreign": make_action(other_organisation, "411SECRET", status=ActionStatus.FAILED),
    }


def test_the_outbox_lists_this_organisations_actions_newest_first(signed_in, outbox):
    response = signed_in.get(reverse("backoffice:action-list"))
    assert listed(response) == [
        outbox["no_sms"].pk,
        outbox["failed"].pk,
        outbox["sent"].pk,
        outbox["call"].pk,
    ]
    page = response.content.decode()
    assert "Secret" not in page
    assert "4 actions" in page


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"status": "failed"}, ["failed"]),
        ({"status": "problems"}, ["no_sms", "failed"]),
        ({"channel": "sms"}, ["no_sms"]),
        ({"channel": "call"}, ["call"]),
        ({"q": "martin"}, ["failed"]),
        ({"q": "411dup"}, ["no_sms", "sent", "call"]),
        ({"date_from": "2026-11-19", "date_to": "2026-11-19"}, ["sent"]),
        ({"date_to": "12/11/2026"}, ["call"]),  # the French form is accepted too
        ({"status": "nonsense"}, ["no_sms", "failed", "sent", "call"]),  # an invalid filter is ignored
    ],
)
def test_the_outbox_filters(signed_in, outbox, filters, expected):
    assert listed(signed_in.get(reverse("backoffice:action-list"), filters)) == [
        outbox[k].pk for k in expected
    ]


def test_the_outbox_shows_problems_and_the_missing_sms_provider(signed_in, outbox):
    page = signed_in.get(reverse("backoffice:action-list")).content.decode()
    assert 'id="no-sms-provider"' in page  # the organisation has no SMS provider at all
    rows = {
        m.group(1): m.group(0) for m in re.finditer(r'<tr class="status-(\w+)[^"]*">.*?</tr>', page, re.S)
    }
    assert "Aucun fournisseur SMS" in rows["cancelled"]
    assert "Aucun fournisseur SMS n'est configuré : le SMS n'est pas parti." in html.unescape(
        rows["cancelled"]
    )
    assert 'class="overdue">Échec' in rows["failed"]
    assert "550 mailbox unavailable" in rows["failed"]
    assert "problem" in page.split('<tr class="status-failed')[1].split('"')[0]


def test_the_outbox_says_nothing_about_sms_when_a_provider_is_configured(signed_in, books):
    books.settings = {"sms": {"provider": "brevo", "api_key": "k", "sender": "ACME"}}
    books.save(update_fields=["settings"])
    assert 'id="no-sms-provider"' not in signed_in.get(reverse("backoffice:action-list")).content.decode()


def test_the_outbox_is_paginated_and_answers_htmx_with_the_table(signed_in, books):
    for n in range(55):
        make_action(books, step=f"custom_{n}", scheduled_for=TODAY - timedelta(days=n))
    first = signed_in.get(reverse("backoffice:action-list"))
    assert len(first.context["page"].object_list) == 50
    assert "Page 1 sur 2" in first.content.decode()
    fragment = signed_in.get(reverse("backoffice:action-list"), {"page": 2}, headers={"HX-Request": "true"})
    assert "<html" not in fragment.content.decode()
    assert len(fragment.context["page"].object_list) == 5


# --- One action ------------------------------------------------------------------------------------


def test_the_action_page_shows_the_message_as_sent_and_its_attempts(signed_in, books):
    action = make_action(
        books,
        status=ActionStatus.DISPATCHED,
        recipient="compta@dupont.example",
        subject="Relance facture F-2026-001",
        body="Bonjour,\nMerci de régler.",
        content_sha256="ab" * 32,
        message_id="<action-1.1@recouvre.example>",
        dispatched_at=timezone.now(),
        attempts=2,
    )
    with scope(organisation=books):
        started = timezone.now() - timedelta(hours=1)
        Attempt.objects.create(
            organisation=books,
            action=action,
            number=1,
            transport="smtp",
            started_at=started,
            finished_at=started,
            outcome="transient",
            detail="421 try again later",
        )
        Attempt.objects.create(
            organisation=books,
            action=action,
            number=2,
            transport="smtp",
            started_at=timezone.now(),
            finished_at=timezone.now(),
            outcome="delivered",
            detail="250 OK",
        )
    page = signed_in.get(reverse("backoffice:action-detail", args=[action.pk])).content.decode()
    for text in [
        "compta@dupont.example",
        "Relance facture F-2026-001",
        "Bonjour,\nMerci de régler.</pre>",
        "ab" * 32,
        "&lt;action-1.1@recouvre.example&gt;",
        "421 try again later",
        "Échec temporaire",
        "250 OK",
        "Remis",
        reverse("backoffice:debtor-detail", args=[action.debtor_id]),
    ]:
        assert text in page


def test_the_action_page_escapes_what_was_sent_and_never_renders_the_html_body(signed_in, books):
    action = make_action(
        books,
        status=ActionStatus.DISPATCHED,
        recipient='"><img src=x onerror=alert(1)>',
        subject="<script>alert('subject')</script>",
        body="</pre><script>alert('body')</script>",
        body_html="<p>Bonjour</p><script>alert('html')</script><img src=x onerror=alert(2)>",
    )
    page = signed_in.get(reverse("backoffice:action-detail", args=[action.pk])).content.decode()
    assert "<script>alert" not in page
    assert "<img src=x" not in page
    assert "&lt;script&gt;alert(&#x27;subject&#x27;)&lt;/script&gt;" in page
    assert "&lt;/pre&gt;&lt;script&gt;alert(&#x27;body&#x27;)&lt;/script&gt;</pre>" in page
    # The HTML body only inside a sandboxed frame's srcdoc, as an escaped attribute value.
    [frame] = re.findall(r"<iframe[^>]*>", page)
    assert 'sandbox=""' in frame
    assert 'srcdoc="&lt;p&gt;Bonjour&lt;/p&gt;&lt;script&gt;' in frame
    assert "<p>Bonjour</p>" not in page


def test_the_action_page_explains_a_problem_in_french_and_keeps_the_recorded_reason(signed_in, books):
    action = make_action(
        books, step="sms", channel="sms", status=ActionStatus.CANCELLED, status_reason="no SMS provider"
    )
    page = signed_in.get(reverse("backoffice:action-detail", args=[action.pk])).content.decode()
    assert (
        "Aucun fournisseur SMS n\u2019est configuré pour cette organisation : ce SMS n\u2019a pas été envoyé."
        in page
    )
    assert "<code>no SMS provider</code>" in page


def test_viewing_an_action_is_audited(signed_in, books, manager):
    action = make_action(books)
    signed_in.get(reverse("backoffice:action-detail", args=[action.pk]))
    with scope(organisation=books):
        [entry] = AuditEntry.objects.filter(action="view", object_type="action")
    assert (entry.object_id, entry.debtor_id, entry.actor, entry.channel) == (
        str(action.pk),
        action.debtor_id,
        manager,
        "web",
    )


def test_another_organisations_action_is_a_404_everywhere(signed_in, books, other_organisation):
    foreign = make_action(other_organisation, "411SECRET", channel="call", step="call", document="x.pdf")
    for name in ("action-detail", "task-detail", "action-document"):
        response = signed_in.get(reverse(f"backoffice:{name}", args=[foreign.pk]))
        assert response.status_code == 404, name
        assert "Secret" not in response.content.decode()
    assert (
        signed_in.post(reverse("backoffice:action-cancel", args=[foreign.pk]), {"reason": "x"}).status_code
        == 404
    )
    assert fresh(other_organisation, foreign).status == ActionStatus.PLANNED


def test_a_manager_cancels_a_failed_message_from_its_page_with_a_reason(signed_in, books):
    action = make_action(books, status=ActionStatus.UNKNOWN, status_reason="outcome unknown: timeout")
    url = reverse("backoffice:action-cancel", args=[action.pk])
    refused = signed_in.post(url, {"reason": ""})
    assert refused.status_code == 400
    assert "Indiquez la raison du refus." in refused.content.decode()
    assert fresh(books, action).status == ActionStatus.UNKNOWN
    signed_in.post(url, {"reason": "Reçu par le client, vérifié par téléphone"})
    assert fresh(books, action).status == ActionStatus.CANCELLED


@pytest.fixture
def letter(books, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    relative = Path("documents") / books.slug / "2026" / "11" / "action-1.pdf"
    (tmp_path / relative).parent.mkdir(parents=True)
    (tmp_path / relative).write_bytes(b"%PDF-1.7 the letter")
    return make_action(
        books,
        step="formal_notice",
        channel="registered_letter",
        status=ActionStatus.DISPATCHED,
        recipient="Dupont Industrie\n12 rue des Lilas\n69003 Lyon",
        document=str(relative),
    )


def test_the_letters_pdf_is_downloaded_through_the_application(signed_in, letter):
    page = signed_in.get(reverse("backoffice:action-detail", args=[letter.pk])).content.decode()
    url = reverse("backoffice:action-document", args=[letter.pk])
    assert f'href="{url}"' in page
    response = signed_in.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f"formal_notice-{letter.pk}.pdf" in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == b"%PDF-1.7 the letter"


def test_the_pdf_of_another_organisations_letter_is_a_404(client, letter, other_organisation, make_user):
    client.force_login(make_user(other_organisation, "admin"))
    assert client.get(reverse("backoffice:action-document", args=[letter.pk])).status_code == 404


def test_a_document_path_outside_the_documents_folder_is_never_served(signed_in, books, settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"
    (tmp_path / "secret.txt").write_text("secret")
    action = make_action(books, channel="letter", document="../secret.txt")
    assert signed_in.get(reverse("backoffice:action-document", args=[action.pk])).status_code == 404


def test_a_registered_letters_tracking_number_is_recorded(client, letter, make_user):
    client.force_login(make_user(letter.organisation, "agent"))
    url = reverse("backoffice:action-tracking", args=[letter.pk])
    empty = client.post(url, {"tracking_number": "  "})
    assert empty.status_code == 400
    assert 'class="field-error"' in empty.content.decode()
    client.post(url, {"tracking_number": "1A 234 567 8901 2"})
    assert fresh(letter.organisation, letter).tracking_number == "1A 234 567 8901 2"
    assert (
        "1A 234 567 8901 2"
        in client.get(reverse("backoffice:action-detail", args=[letter.pk])).content.decode()
    )


def test_a_viewer_cannot_record_a_tracking_number(client, letter, make_user):
    client.force_login(make_user(letter.organisation, "viewer"))
    response = client.post(reverse("backoffice:action-tracking", args=[letter.pk]), {"tracking_number": "X"})
    assert response.status_code == 403
    assert fresh(letter.organisation, letter).tracking_number == ""


# --- Tasks ----------------------------------------------------------------------------------------------


def test_the_call_list_shows_open_tasks_due_today_or_late_oldest_first(signed_in, books, other_organisation):
    late = task(books, "411MARTIN", scheduled_for=TODAY - timedelta(days=4))
    today = task(books, step="litigation_review", channel="task")
    task(books, step="call_later", scheduled_for=TODAY + timedelta(days=1))
    task(books, step="done_call", status=ActionStatus.DONE)
    make_action(books)  # a message, not a task
    task(other_organisation, "411SECRET")
    response = signed_in.get(reverse("backoffice:task-list"))
    assert listed(response) == [late.pk, today.pk]
    page = response.content.decode()
    assert "en retard de 4 jours" in page
    assert "1 autre prévue plus tard" in page
    assert "Secret" not in page


def test_the_task_page_has_phones_invoices_history_and_the_call_script(signed_in, books):
    action = task(books)
    page = signed_in.get(reverse("backoffice:task-detail", args=[action.pk])).content.decode()
    assert "+33 6 12 34 56 78" in page
    assert "F-2026-001" in page
    assert "F-2026-004" in page
    assert "F-2026-003" not in page.split("Factures ouvertes")[1].split("</table>")[0]  # paid
    assert "Litige ouvert" in page  # the timeline
    title, script = page.split("Script d\u2019appel")[1].split('class="call-script"')
    script = script.split("</pre>")[0]
    assert "Appel de relance \u2013 Dupont Industrie (411DUPONT)" in title
    assert "1\xa0234,56\xa0€ (1 facture(s)" in script
    assert "F-2026-001" in script
    assert "F-2026-004" not in script  # disputed: not claimed on the phone either
    for outcome in ("reached", "promise", "dispute", "no_answer", "wrong_number", "refuses"):
        assert f'value="{outcome}"' in page


def test_a_broken_template_shows_its_error_instead_of_a_script(signed_in, books, monkeypatch):
    def broken(*args, **kwargs):
        raise PlaceholderError("unknown placeholder {{ debtor_nom }}")

    monkeypatch.setattr("recouvre.backoffice.views.tasks.compose_message", broken)
    page = signed_in.get(reverse("backoffice:task-detail", args=[task(books).pk])).content.decode()
    assert "Le modèle de cette étape n\u2019a pas pu être rédigé" in page
    assert "unknown placeholder {{ debtor_nom }}" in page


def test_completing_a_call_with_a_promise_records_the_promise_and_closes_the_task(client, books, make_user):
    agent = make_user(books, "agent")
    client.force_login(agent)
    action = task(books)
    response = client.post(
        reverse("backoffice:task-detail", args=[action.pk]),
        {
            "outcome": "promise",
            "promise_amount": "1 234,56",
            "promise_date": "2026-11-30",
            "note": "Virement vendredi",
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("backoffice:task-list")
    assert "Tâche terminée pour Dupont Industrie : Promesse de paiement." in response.content.decode()
    done = fresh(books, action)
    assert (done.status, done.outcome, done.outcome_note, done.completed_by) == (
        ActionStatus.DONE,
        "promise",
        "Virement vendredi",
        agent,
    )
    with scope(organisation=books):
        [promise] = Promise.objects.all()
    assert (promise.amount, promise.promised_date, promise.made_on, promise.debtor_id) == (
        Decimal("1234.56"),
        date(2026, 11, 30),
        TODAY,
        action.debtor_id,
    )


@pytest.mark.parametrize(
    ("data", "field", "error"),
    [
        ({"promise_date": "2026-11-30"}, "promise_amount", "Indiquez le montant promis."),
        ({"promise_amount": "0", "promise_date": "2026-11-30"}, "promise_amount", "supérieur à zéro"),
        ({"promise_amount": "12,345", "promise_date": "2026-11-30"}, "promise_amount", "2"),
        ({"promise_amount": "100"}, "promise_date", "Indiquez la date promise."),
        ({"promise_amount": "100", "promise_date": "2026-11-01"}, "promise_date", "ne peut pas être passée"),
    ],
)
def test_a_promise_without_its_details_is_refused_next_to_the_field_and_nothing_is_written(
    signed_in, books, data, field, error
):
    action = task(books)
    response = signed_in.post(
        reverse("backoffice:task-detail", args=[action.pk]), {"outcome": "promise", **data}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert re.search(rf'id="id_{field}_error" class="field-error">[^<]*{re.escape(error)}', page), page
    assert fresh(books, action).status == ActionStatus.PLANNED
    with scope(organisation=books):
        assert not Promise.objects.exists()


def test_completing_a_call_with_a_dispute_opens_it_on_the_chosen_invoice(signed_in, books):
    action = task(books)
    with scope(organisation=books):
        invoice = Invoice.objects.get(number="F-2026-001")
    signed_in.post(
        reverse("backoffice:task-detail", args=[action.pk]),
        {
            "outcome": "dispute",
            "dispute_invoice": invoice.pk,
            "dispute_reason": "quality",
            "note": "Pièces abîmées",
        },
    )
    assert fresh(books, action).status == ActionStatus.DONE
    with scope(organisation=books):
        dispute = Dispute.objects.get(invoice=invoice)
    assert (dispute.reason, dispute.comment, dispute.opened_on) == ("quality", "Pièces abîmées", TODAY)


def test_a_dispute_on_an_already_disputed_invoice_rolls_everything_back(signed_in, books):
    action = task(books)
    with scope(organisation=books):
        invoice = Invoice.objects.get(number="F-2026-004")  # imported as disputed
        disputes = Dispute.objects.count()
    response = signed_in.post(
        reverse("backoffice:task-detail", args=[action.pk]),
        {"outcome": "dispute", "dispute_invoice": invoice.pk, "dispute_reason": "price"},
    )
    assert response.status_code == 400
    assert "Cette facture a déjà un litige ouvert." in response.content.decode()
    assert fresh(books, action).status == ActionStatus.PLANNED
    with scope(organisation=books):
        assert Dispute.objects.count() == disputes


def test_a_dispute_cannot_name_another_debtors_invoice(signed_in, books):
    action = task(books)
    with scope(organisation=books):
        other = Invoice.objects.get(number="F-2026-010")  # Martin's
    response = signed_in.post(
        reverse("backoffice:task-detail", args=[action.pk]),
        {"outcome": "dispute", "dispute_invoice": other.pk, "dispute_reason": "price"},
    )
    assert response.status_code == 400
    assert 'id="id_dispute_invoice_error"' in response.content.decode()
    assert fresh(books, action).status == ActionStatus.PLANNED


def test_a_wrong_number_closes_the_task_and_disables_the_phone(signed_in, books):
    action = task(books)
    signed_in.post(reverse("backoffice:task-detail", args=[action.pk]), {"outcome": "wrong_number"})
    done = fresh(books, action)
    assert (done.status, done.outcome) == (ActionStatus.DONE, "wrong_number")
    with scope(organisation=books):
        phones = list(Contact.objects.filter(debtor_id=action.debtor_id, kind="phone"))
    assert phones
    assert all(p.invalid_since is not None for p in phones)
    page = signed_in.get(reverse("backoffice:task-detail", args=[action.pk])).content.decode()
    assert "Terminée : Mauvais numéro" in page
    assert "Terminer la tâche" not in page


def test_a_task_done_meanwhile_is_not_completed_twice(signed_in, books):
    action = task(books, status=ActionStatus.DONE, outcome="reached")
    response = signed_in.post(reverse("backoffice:task-detail", args=[action.pk]), {"outcome": "refuses"})
    assert response.status_code == 400
    assert fresh(books, action).outcome == "reached"


def test_a_viewer_reads_a_task_but_cannot_complete_it(client, books, make_user):
    action = task(books)
    client.force_login(make_user(books, "viewer"))
    page = client.get(reverse("backoffice:task-detail", args=[action.pk])).content.decode()
    assert "Terminer une tâche demande le rôle de chargé de recouvrement." in page
    response = client.post(reverse("backoffice:task-detail", args=[action.pk]), {"outcome": "reached"})
    assert response.status_code == 403
    assert fresh(books, action).status == ActionStatus.PLANNED


def test_a_message_is_not_a_task(signed_in, books):
    assert signed_in.get(reverse("backoffice:task-detail", args=[make_action(books).pk])).status_code == 404


def test_the_pages_are_translated_into_english(signed_in, books):
    notice(books)
    signed_in.post(reverse("backoffice:set_language"), {"language": "en"})
    page = text(signed_in.get(reverse("backoffice:approval-list")))
    for english in ["<h1>To approve</h1>", "1 action awaiting approval", "Formal notice", "Approve selected"]:
        assert english in page
    assert "Mise en demeure" not in page
    outbox = text(signed_in.get(reverse("backoffice:action-list")))
    assert "No SMS provider is configured for this organisation" in outbox
    assert "Awaiting approval" in outbox or "To approve" in outbox
