"""The portfolio (debtor list): search, filters, sort, pagination, exports and bulk actions, against
data imported through the real CSV import; and the read model that keeps its balances."""

import io
import re
import zipfile
from datetime import timedelta
from decimal import Decimal

import pytest
from django_scopes import scope

from recouvre.audit.models import AuditEntry
from recouvre.ledger.models import Debtor, Hold
from recouvre.testing.fixtures import TODAY
from recouvre.timeline.models import Event

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

NBSP = "\xa0"
LIST = "/debtors/"
BULK = "/debtors/bulk/"


def debtor_of(organisation, ref):
    with scope(organisation=organisation):
        return Debtor.objects.get(ref=ref)


def listed_names(response):
    return [d.name for d in response.context["page"].object_list]


def views_of(organisation):
    with scope(organisation=organisation):
        # Imports write audit entries too; only page views matter here.
        return list(AuditEntry.objects.filter(action="view", channel="web"))


# --- The list, its search and sort (moved from test_debtors.py) -----------------------------------


def test_the_list_shows_only_the_current_organisations_debtors(signed_in, books):
    response = signed_in.get(LIST)
    assert listed_names(response) == ["Dupont Industrie", "Martin & Fils"]
    page = response.content.decode()
    assert "Secret" not in page
    assert "S-777" not in page


@pytest.mark.parametrize("query", ["Secret", "411SECRET", "S-777"])
def test_searching_never_reaches_another_organisation(signed_in, books, query):
    response = signed_in.get(LIST, {"q": query})
    assert listed_names(response) == []
    assert "Secret Bêta SARL" not in response.content.decode()
    assert "Aucun débiteur ne correspond" in response.content.decode()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("F-2026-004", ["Dupont Industrie"]),  # an invoice number
        ("f-2026-010", ["Martin & Fils"]),  # case does not matter
        ("732 829 320", ["Dupont Industrie"]),  # a SIREN, typed with spaces
        ("martin", ["Martin & Fils"]),
        ("411DUP", ["Dupont Industrie"]),
    ],
)
def test_search_by_name_ref_siren_or_invoice_number(signed_in, books, query, expected):
    assert listed_names(signed_in.get(LIST, {"q": query})) == expected


def test_rows_carry_open_and_overdue_balances_and_days_late(signed_in, books):
    rows = {d.ref: d for d in signed_in.get(LIST).context["page"].object_list}
    dupont = rows["411DUPONT"]
    # 1234.56 + 80 overdue (due 30/09 and 01/10), 500 not yet due, 300 paid.
    assert (dupont.open_balance, dupont.overdue_balance, dupont.days_late) == (
        Decimal("1814.56"),
        Decimal("1314.56"),
        53,
    )
    assert (rows["411MARTIN"].overdue_balance, rows["411MARTIN"].days_late) == (Decimal("99.90"), 22)


def test_the_headline_is_the_organisations_aged_balance_in_french_money(signed_in, books):
    page = signed_in.get(LIST).content.decode()
    assert "Balance âgée au 22/11/2026" in page
    # Buckets in order: not due, 1-30, 31-60, 61-90, 91+, total.
    headline = page.split('class="aged-balance"')[1].split("</dl>")[0]
    assert re.findall(r"<dt>([^<]*)</dt>", headline) == [
        "Non échu",
        "1 à 30 jours",
        "31 à 60 jours",
        "61 à 90 jours",
        "Plus de 90 jours",
        "Total",
    ]
    cells = re.findall(r'<dd class="num">([^<]*)</dd>', headline)
    assert cells == [
        f"500,00{NBSP}€",
        f"99,90{NBSP}€",
        f"1{NBSP}314,56{NBSP}€",
        f"0,00{NBSP}€",
        f"0,00{NBSP}€",
        f"1{NBSP}914,46{NBSP}€",
    ]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("name", ["Dupont Industrie", "Martin & Fils"]),
        ("-name", ["Martin & Fils", "Dupont Industrie"]),
        ("open", ["Martin & Fils", "Dupont Industrie"]),
        ("-late", ["Dupont Industrie", "Martin & Fils"]),
        ("late", ["Martin & Fils", "Dupont Industrie"]),
        ("nonsense", ["Dupont Industrie", "Martin & Fils"]),  # falls back to biggest overdue first
    ],
)
def test_the_list_is_sortable(signed_in, books, sort, expected):
    assert listed_names(signed_in.get(LIST, {"sort": sort})) == expected


def test_the_list_is_paginated_by_fifty(signed_in, organisation, import_csv):
    lines = "".join(f"F-{n:03};411C{n:03};Client {n:03};2026-01-01;2026-02-01;10.00\n" for n in range(120))
    assert import_csv(
        organisation, "invoice_number;debtor_ref;debtor_name;issue_date;due_date;amount\n" + lines
    ).ok
    first = signed_in.get(LIST, {"sort": "name"})
    assert len(first.context["page"].object_list) == 50
    assert "Page 1 sur 3" in first.content.decode()
    last = signed_in.get(LIST, {"sort": "name", "page": 3})
    assert listed_names(last) == [f"Client {n:03}" for n in range(100, 120)]
    # A filtered view pages the same way (read by id: fewer than 2,000 matches).
    filtered = signed_in.get(LIST, {"sort": "name", "q": "Client", "page": 3})
    assert listed_names(filtered) == [f"Client {n:03}" for n in range(100, 120)]
    assert "Page 3 sur 3" in filtered.content.decode()


def test_the_htmx_request_gets_only_the_table(signed_in, books):
    response = signed_in.get(LIST, {"q": "dupont"}, headers={"HX-Request": "true"})
    page = response.content.decode()
    assert "<html" not in page
    assert "aged-balance" not in page
    assert '<table class="striped debtors">' in page
    assert "Dupont Industrie" in page
    assert "Martin" not in page
    assert "HX-Request" in response["Vary"]
    # The count is announced from outside the swapped region, replaced out of band.
    assert 'id="result-count" class="result-count" role="status" hx-swap-oob="true"' in page
    assert "1 débiteur" in page


def test_an_htmx_history_restore_gets_the_whole_page(signed_in, books):
    response = signed_in.get(LIST, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert "<html" in response.content.decode()


def test_the_list_itself_is_not_audited_as_a_debtor_view(signed_in, books):
    signed_in.get(LIST, {"q": "dupont"})
    assert views_of(books) == []


# --- Filters ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"segment": "PME"}, ["Dupont Industrie"]),
        ({"segment": "GE"}, []),
        ({"type": "B2B"}, ["Dupont Industrie", "Martin & Fils"]),
        ({"type": "B2C"}, []),
        ({"bucket": "31-60"}, ["Dupont Industrie"]),  # oldest overdue: 30/09, 53 days
        ({"bucket": "1-30"}, ["Martin & Fils"]),  # 31/10, 22 days
        ({"bucket": "91+"}, []),
        ({"has": "dispute"}, ["Dupont Industrie"]),  # F-2026-004 came disputed
        ({"has": "promise"}, []),
        ({"segment": "PME", "bucket": "1-30"}, []),  # filters add up
        ({"q": "dupont", "has": "dispute"}, ["Dupont Industrie"]),
    ],
)
def test_filters_narrow_the_list(signed_in, books, params, expected):
    response = signed_in.get(LIST, params)
    assert response.status_code == 200
    assert listed_names(response) == expected


def test_not_due_means_an_open_balance_with_nothing_overdue(signed_in, organisation, import_csv):
    assert import_csv(
        organisation,
        "invoice_number;debtor_ref;debtor_name;issue_date;due_date;amount\n"
        "N-1;411EARLY;Early Bird;2026-11-01;2026-12-15;42.00\n"
        "N-2;411LATE;Late Comer;2026-09-01;2026-10-01;42.00\n",
    ).ok
    assert listed_names(signed_in.get(LIST, {"bucket": "not_due"})) == ["Early Bird"]


def test_the_agent_filter_lists_a_collectors_debtors_or_nobodys(signed_in, books, make_user, manager):
    from recouvre.ledger.domain.debtors import debtor_assign_agent

    agent = make_user(books, "agent")
    with scope(organisation=books):
        debtor_assign_agent(
            organisation=books, debtors=[Debtor.objects.get(ref="411MARTIN")], agent=agent, actor=manager
        )
    assert listed_names(signed_in.get(LIST, {"agent": agent.pk})) == ["Martin & Fils"]
    assert listed_names(signed_in.get(LIST, {"agent": "none"})) == ["Dupont Industrie"]


def test_a_bad_filter_value_is_reported_next_to_its_field_and_left_out(
    signed_in, books, other_organisation, make_user
):
    stranger = make_user(other_organisation, "agent")
    response = signed_in.get(LIST, {"segment": "XXL", "agent": stranger.pk, "bucket": "31-60"})
    assert response.status_code == 200
    assert listed_names(response) == ["Dupont Industrie"]  # the valid bucket still applies
    page = response.content.decode()
    assert 'aria-invalid="true"' in page
    assert 'aria-describedby="id_segment-error"' in page
    assert 'id="id_segment-error"' in page
    assert 'id="id_agent-error"' in page
    # The other organisation's collector is no choice here.
    assert stranger.email not in page


def test_the_step_filter_reads_the_last_step_done_of_the_open_case(signed_in, books):
    from recouvre.dunning.domain.scenarios import scenario_defaults_ensure
    from recouvre.dunning.models import Action, Case

    with scope(organisation=books):
        scenario_defaults_ensure(organisation=books)
        dupont, martin = Debtor.objects.get(ref="411DUPONT"), Debtor.objects.get(ref="411MARTIN")
        case = Case.objects.create(
            organisation=books, debtor=dupont, opened_on=TODAY, anchor_due_date=TODAY, status="open"
        )
        for step, status, day in (("reminder_1", "dispatched", 10), ("reminder_2", "done", 3)):
            Action.objects.create(
                organisation=books, debtor=dupont, case=case, step=step, channel="email", status=status,
                scheduled_for=TODAY - timedelta(days=day),
            )  # fmt: skip
        other = Case.objects.create(
            organisation=books, debtor=martin, opened_on=TODAY, anchor_due_date=TODAY, status="open"
        )
        # Planned, not done: Martin's case has no current step yet.
        Action.objects.create(
            organisation=books, debtor=martin, case=other, step="reminder_1", channel="email",
            status="planned", scheduled_for=TODAY,
        )  # fmt: skip
    assert listed_names(signed_in.get(LIST, {"step": "reminder_2"})) == ["Dupont Industrie"]
    assert listed_names(signed_in.get(LIST, {"step": "reminder_1"})) == []


def test_promise_filters_open_and_recently_broken_not_followed_by_a_new_one(signed_in, books):
    from recouvre.arrangements.models import Promise

    with scope(organisation=books):
        dupont, martin = Debtor.objects.get(ref="411DUPONT"), Debtor.objects.get(ref="411MARTIN")

        def promise(debtor, status, made_days_ago, resolved_days_ago=None):
            made = TODAY - timedelta(days=made_days_ago)
            resolved = TODAY - timedelta(days=resolved_days_ago) if resolved_days_ago is not None else None
            return Promise.objects.create(
                organisation=books, debtor=debtor, made_on=made, promised_date=made, window_end=made,
                amount=Decimal("10.00"), status=status, resolved_on=resolved,
            )  # fmt: skip

        promise(dupont, "broken", 20, 10)  # broken 10 days ago, nothing since
        promise(martin, "broken", 60, 50)  # broken too long ago
    assert listed_names(signed_in.get(LIST, {"has": "broken_promise"})) == ["Dupont Industrie"]
    assert listed_names(signed_in.get(LIST, {"has": "promise"})) == []
    with scope(organisation=books):
        promise(dupont, "open", 2)  # a new promise follows the broken one
    assert listed_names(signed_in.get(LIST, {"has": "broken_promise"})) == []
    assert listed_names(signed_in.get(LIST, {"has": "promise"})) == ["Dupont Industrie"]


def test_the_paused_filter_follows_the_holds(signed_in, books, manager):
    from recouvre.ledger.domain.debtors import debtor_pause

    with scope(organisation=books):
        debtor_pause(
            organisation=books, debtors=[Debtor.objects.get(ref="411DUPONT")], until=TODAY + timedelta(days=9),
            reason="Accord en cours", today=TODAY, actor=manager,
        )  # fmt: skip
    assert listed_names(signed_in.get(LIST, {"paused": "yes"})) == ["Dupont Industrie"]
    assert listed_names(signed_in.get(LIST, {"paused": "no"})) == ["Martin & Fils"]


def test_payment_plans_are_no_filter_yet(signed_in, books):
    page = signed_in.get(LIST).content.decode()
    assert 'value="broken_promise"' in page
    assert "plan" not in re.search(r'<select name="has".*?</select>', page, re.S).group(0).lower()


def test_filters_live_in_the_url_and_follow_htmx_swaps_exports_and_bulk(signed_in, books):
    response = signed_in.get(LIST, {"segment": "PME", "sort": "name"}, headers={"HX-Request": "true"})
    page = response.content.decode()
    assert "<html" not in page
    assert listed_names(response) == ["Dupont Industrie"]
    assert "/debtors/export.csv?segment=PME&amp;sort=name" in page
    assert 'name="filters" value="segment=PME&amp;sort=name" form="bulk-form"' in page
    # The address bar gets the view without the form's empty fields.
    assert response["HX-Push-Url"] == "/debtors/?segment=PME&sort=name"
    # Header links keep the filters.
    assert "segment=PME" in re.search(r'<th scope="col"[^>]*>\s*<a href="([^"]+)"', page).group(1)


def test_broad_views_say_more_than_instead_of_counting_everything(signed_in, books, monkeypatch):
    from recouvre.backoffice import listing
    from recouvre.backoffice.views import portfolio

    monkeypatch.setattr(listing, "FEW", 1)
    monkeypatch.setattr(portfolio, "FEW", 1)
    monkeypatch.setattr(portfolio, "PAGE_SIZE", 1)
    response = signed_in.get(LIST, {"type": "B2B"})
    assert listed_names(response) == ["Dupont Industrie"]
    assert "Plus de 1 débiteurs" in response.content.decode()
    assert "Page 1 sur" not in response.content.decode()
    # Past the first rows the view is counted, and the last page is reachable.
    deeper = signed_in.get(LIST, {"type": "B2B", "page": 2})
    assert listed_names(deeper) == ["Martin & Fils"]
    assert "Page 2 sur 2" in deeper.content.decode()


# --- The read model ------------------------------------------------------------------------------


def test_balances_follow_payments_and_new_debtors(signed_in, books, manager, import_csv):
    from recouvre.ledger.domain.services import payment_record

    assert signed_in.get(LIST).status_code == 200  # the read model is built
    with scope(organisation=books):
        payment_record(
            organisation=books, debtor=Debtor.objects.get(ref="411MARTIN"), amount=Decimal("99.90"),
            on=TODAY, actor=manager,
        )  # fmt: skip
    assert import_csv(
        books,
        "invoice_number;debtor_ref;debtor_name;issue_date;due_date;amount\n"
        "Z-1;411ZOLA;Zola Transports;2026-09-01;2026-10-01;7.00\n",
    ).ok
    response = signed_in.get(LIST, {"sort": "name"})
    rows = {d.ref: d for d in response.context["page"].object_list}
    assert rows["411MARTIN"].overdue_balance == Decimal("0.00")
    assert rows["411ZOLA"].overdue_balance == Decimal("7.00")
    assert f"1{NBSP}821,56{NBSP}€" in response.content.decode()  # headline total: 1914.46 - 99.90 + 7


def test_a_new_day_moves_amounts_into_overdue(signed_in, books, monkeypatch):
    from recouvre.backoffice.views import portfolio

    assert signed_in.get(LIST).status_code == 200
    # F-2026-002 (500.00) falls due on 31/12: on 01/01 it is overdue.
    monkeypatch.setattr(portfolio, "paris_today", lambda: TODAY.replace(year=2027, month=1, day=1))
    rows = {d.ref: d for d in signed_in.get(LIST).context["page"].object_list}
    assert rows["411DUPONT"].overdue_balance == Decimal("1814.56")


# --- Exports -------------------------------------------------------------------------------------


def test_the_csv_export_is_the_current_view_for_french_excel(signed_in, books):
    response = signed_in.get("/debtors/export.csv", {"segment": "PME"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="debiteurs-2026-11-22.csv"'
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeffCompte;Débiteur;SIREN;")
    lines = body.strip().splitlines()
    assert len(lines) == 2
    assert lines[1] == "411DUPONT;Dupont Industrie;732829320;Entreprise;PME;;1814,56;1314,56;2026-09-30;53"


def test_the_csv_export_never_reaches_another_organisation(signed_in, books):
    body = b"".join(signed_in.get("/debtors/export.csv").streaming_content).decode()
    assert "Dupont" in body
    assert "Martin" in body
    assert "Secret" not in body


def test_the_xlsx_export_is_a_workbook_of_the_view(signed_in, books):
    response = signed_in.get("/debtors/export.xlsx", {"q": "martin"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    data = b"".join(response.streaming_content)
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        sheet = book.read("xl/worksheets/sheet1.xml").decode()
    assert "Martin &amp; Fils" in sheet
    assert "Dupont" not in sheet
    # Amounts are numbers (no t="inlineStr"), to the double nearest 99.90; the date is a serial day.
    assert re.search(r'<c r="H2" s="\d+"><v>99\.9(0*\d*)?</v>', sheet)
    assert '<c r="J2"><v>22</v>' in sheet


def test_an_unknown_export_format_is_a_404(signed_in, books):
    assert signed_in.get("/debtors/export.pdf").status_code == 404


def test_an_export_needs_a_sign_in(client, books):
    response = client.get("/debtors/export.csv")
    assert response.status_code == 302
    assert "/login/" in response["Location"]


# --- Bulk actions --------------------------------------------------------------------------------


def test_only_managers_see_and_may_use_bulk_actions(client, books, make_user):
    agent = make_user(books, "agent")
    client.force_login(agent)
    page = client.get(LIST).content.decode()
    assert 'id="bulk-form"' not in page
    assert 'name="ids"' not in page
    dupont = debtor_of(books, "411DUPONT")
    response = client.post(
        BULK, {"action": "assign", "agent": agent.pk, "scope": "selected", "ids": [dupont.pk], "confirm": "1"}
    )
    assert response.status_code == 403
    assert debtor_of(books, "411DUPONT").agent_id is None


def test_bulk_actions_are_posted(signed_in, books):
    assert signed_in.get(BULK).status_code == 405


def test_assigning_selected_debtors_asks_first_then_does_it_once(signed_in, books, make_user):
    agent = make_user(books, "agent", email="claire@acme.example")
    dupont, martin = debtor_of(books, "411DUPONT"), debtor_of(books, "411MARTIN")
    data = {
        "action": "assign",
        "agent": agent.pk,
        "scope": "selected",
        "ids": [dupont.pk],
        "filters": "q=dup",
    }
    confirm = signed_in.post(BULK, data)
    assert confirm.status_code == 200
    page = confirm.content.decode()
    assert "Confier 1 débiteur à claire@acme.example" in page
    assert 'name="confirm" value="1"' in page
    assert debtor_of(books, "411DUPONT").agent_id is None  # nothing changed yet

    done = signed_in.post(BULK, data | {"confirm": "1"}, follow=True)
    assert done.redirect_chain[-1][0] == "/debtors/?q=dup"
    assert "1 modifié, 0 déjà dans cet état" in done.content.decode()
    assert debtor_of(books, "411DUPONT").agent_id == agent.pk
    assert debtor_of(books, "411MARTIN").agent_id is None
    with scope(organisation=books):
        assert Event.objects.filter(debtor=dupont, kind="agent_assigned").count() == 1
        entry = AuditEntry.objects.get(object_type="debtor", object_id=str(dupont.pk), action="update")
        assert entry.channel == "web"

    again = signed_in.post(BULK, data | {"confirm": "1"}, follow=True)
    assert "0 modifié, 1 déjà dans cet état" in again.content.decode()
    with scope(organisation=books):
        assert Event.objects.filter(debtor=dupont, kind="agent_assigned").count() == 1
        assert not Event.objects.filter(debtor=martin, kind="agent_assigned").exists()


def test_every_debtor_of_the_view_means_the_filtered_ones(signed_in, books):
    data = {
        "action": "pause", "until": "2026-12-31", "reason": "Négociation", "scope": "all",
        "filters": "segment=PME", "confirm": "1",
    }  # fmt: skip
    response = signed_in.post(BULK, data)
    assert response.status_code == 302
    assert response["Location"] == "/debtors/?segment=PME"
    with scope(organisation=books):
        held = set(Hold.objects.values_list("invoice__debtor__ref", flat=True))
    assert held == {"411DUPONT"}
    assert listed_names(signed_in.get(LIST, {"paused": "yes"})) == ["Dupont Industrie"]

    resumed = signed_in.post(BULK, data | {"action": "resume"}, follow=True)
    assert "Reprendre les relances de 1 débiteur : 1 modifié" in resumed.content.decode()
    assert listed_names(signed_in.get(LIST, {"paused": "yes"})) == []


def test_a_view_too_broad_for_one_bulk_action_is_refused(signed_in, books, monkeypatch):
    from recouvre.backoffice.views import portfolio

    monkeypatch.setattr(portfolio, "BULK_LIMIT", 1)
    data = {"action": "resume", "scope": "all", "filters": "type=B2B", "confirm": "1"}
    response = signed_in.post(BULK, data)
    assert response.status_code == 400
    assert "Cette vue compte plus de 1 débiteurs" in response.content.decode()
    assert 'id="id_scope-error"' in response.content.decode()
    with scope(organisation=books):
        assert not Event.objects.filter(kind="debtor_resumed").exists()


def test_another_organisations_ids_are_ignored(signed_in, books, other_organisation, make_user):
    agent = make_user(books, "agent")
    foreign = debtor_of(other_organisation, "411SECRET")
    response = signed_in.post(
        BULK,
        {"action": "assign", "agent": agent.pk, "scope": "selected", "ids": [foreign.pk], "confirm": "1"},
    )
    assert response.status_code == 302
    assert debtor_of(other_organisation, "411SECRET").agent_id is None


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"action": "pause", "until": "2026-12-31", "reason": " "}, "reason", "Indiquez le motif"),
        ({"action": "pause", "until": "2026-11-01", "reason": "x"}, "until", "déjà passée"),
        ({"action": "pause", "until": "31/31/2026", "reason": "x"}, "until", "date valide"),
        ({"action": "assign"}, "agent", "Choisissez à qui"),
        ({"action": "explode"}, "action", "choix valide"),
        ({"action": "resume", "ids": []}, "ids", "Cochez au moins un débiteur"),
    ],
)
def test_bad_bulk_input_is_a_400_with_the_error_next_to_the_field(signed_in, books, data, field, message):
    dupont = debtor_of(books, "411DUPONT")
    posted = {"scope": "selected", "ids": [dupont.pk], "confirm": "1"} | data
    response = signed_in.post(BULK, posted)
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert f'id="id_{field}-error"' in page
    with scope(organisation=books):
        assert not Hold.objects.exists()


def test_changing_the_scenario_of_selected_debtors(signed_in, books):
    from recouvre.dunning.domain.scenarios import scenario_defaults_ensure
    from recouvre.dunning.models import ScenarioAssignment

    with scope(organisation=books):
        scenario = scenario_defaults_ensure(organisation=books)
    dupont = debtor_of(books, "411DUPONT")
    data = {
        "action": "scenario",
        "scenario": scenario.pk,
        "scope": "selected",
        "ids": [dupont.pk],
        "confirm": "1",
    }
    assert signed_in.post(BULK, data).status_code == 302
    with scope(organisation=books):
        assert ScenarioAssignment.objects.get(debtor=dupont).scenario_id == scenario.pk
    assert signed_in.post(BULK, data | {"scenario": "auto"}).status_code == 302
    with scope(organisation=books):
        assert not ScenarioAssignment.objects.filter(debtor=dupont).exists()
