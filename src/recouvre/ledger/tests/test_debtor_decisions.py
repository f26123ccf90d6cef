"""A person's decisions about whole debtor accounts: who works them, pausing and resuming reminders,
and the scenario they follow (the portfolio's bulk actions and the debtor page share these)."""

from datetime import timedelta

import pytest

from recouvre.audit.models import AuditEntry
from recouvre.dunning.domain.scenarios import scenario_assign, scenario_defaults_ensure, scenario_resolver
from recouvre.dunning.models import Scenario, ScenarioAssignment
from recouvre.ledger.domain.debtors import (
    debtor_assign_agent,
    debtor_pause,
    debtor_pause_states,
    debtor_resume,
)
from recouvre.ledger.domain.services import LedgerError
from recouvre.ledger.models import Debtor, Hold
from recouvre.testing.fixtures import TODAY
from recouvre.timeline.models import Event

pytestmark = pytest.mark.integration

CSV = (
    "invoice_number;debtor_ref;debtor_name;issue_date;due_date;amount;open_amount;paid_date\n"
    "F-1;411A;Alpha SARL;2026-08-01;2026-09-01;100.00;;\n"
    "F-2;411A;;2026-10-01;2026-12-15;200.00;;\n"
    "F-3;411A;;2026-06-01;2026-07-01;50.00;0;2026-07-10\n"
    "F-9;411B;Bravo SAS;2026-09-01;2026-10-01;300.00;;\n"
)


@pytest.fixture
def debtors(organisation, import_csv, in_scope):
    assert import_csv(organisation, CSV).ok
    return {d.ref: d for d in Debtor.objects.all()}


def test_assign_agent_records_once_and_refuses_a_viewer(organisation, make_user, manager, debtors):
    agent = make_user(organisation, "agent")
    viewer = make_user(organisation, "viewer")
    both = [debtors["411A"], debtors["411B"]]
    assert debtor_assign_agent(organisation=organisation, debtors=both, agent=agent, actor=manager) == 2
    assert set(Debtor.objects.values_list("agent_id", flat=True)) == {agent.pk}
    # A second click changes nothing and records nothing.
    fresh = list(Debtor.objects.order_by("ref"))
    assert debtor_assign_agent(organisation=organisation, debtors=fresh, agent=agent, actor=manager) == 0
    assert Event.objects.filter(kind="agent_assigned").count() == 2
    assert AuditEntry.objects.filter(object_type="debtor", changes__agent_id__isnull=False).count() == 2
    with pytest.raises(LedgerError, match="not a collector"):
        debtor_assign_agent(organisation=organisation, debtors=fresh, agent=viewer, actor=manager)
    assert debtor_assign_agent(organisation=organisation, debtors=fresh, agent=None, actor=manager) == 2
    assert set(Debtor.objects.values_list("agent_id", flat=True)) == {None}


def test_a_member_of_another_organisation_cannot_be_given_debtors(
    organisation, other_organisation, make_user, manager, debtors
):
    outsider = make_user(other_organisation, "agent")
    with pytest.raises(LedgerError):
        debtor_assign_agent(
            organisation=organisation, debtors=[debtors["411A"]], agent=outsider, actor=manager
        )


def test_pause_holds_every_open_invoice_until_the_date_then_resume_releases(organisation, manager, debtors):
    alpha = debtors["411A"]
    until = TODAY + timedelta(days=14)
    assert (
        debtor_pause(
            organisation=organisation,
            debtors=[alpha],
            until=until,
            reason="Rachat en cours",
            today=TODAY,
            actor=manager,
        )
        == 1
    )
    # Open invoices, due or not yet due, are held; the paid one is not.
    held = sorted(Hold.objects.values_list("invoice__number", flat=True))
    assert held == ["F-1", "F-2"]
    state = debtor_pause_states([alpha.pk, debtors["411B"].pk], TODAY)
    assert state[alpha.pk].paused
    assert state[alpha.pk].until == until
    assert state[alpha.pk].reason == "Rachat en cours"
    assert not state[debtors["411B"].pk].paused
    # The day after the end, the holds have run out: no longer paused.
    assert not debtor_pause_states([alpha.pk], until + timedelta(days=1))[alpha.pk].paused
    # Pausing again over the same period changes nothing.
    assert (
        debtor_pause(
            organisation=organisation, debtors=[alpha], until=until, reason="bis", today=TODAY, actor=manager
        )
        == 0
    )
    assert Hold.objects.count() == 2
    assert debtor_resume(organisation=organisation, debtors=[alpha], today=TODAY, actor=manager) == 1
    assert not debtor_pause_states([alpha.pk], TODAY)[alpha.pk].paused
    assert set(Hold.objects.values_list("released_on", flat=True)) == {TODAY}
    assert debtor_resume(organisation=organisation, debtors=[alpha], today=TODAY, actor=manager) == 0
    kinds = list(
        Event.objects.filter(debtor=alpha, kind__in=["debtor_paused", "debtor_resumed"])
        .values_list("kind", flat=True)
        .order_by("id")
    )
    assert kinds == ["debtor_paused", "debtor_resumed"]


@pytest.mark.parametrize(
    ("until", "reason", "message"),
    [(TODAY - timedelta(days=1), "ok", "before today"), (TODAY + timedelta(days=3), "  ", "needs a reason")],
)
def test_pause_refuses_a_past_end_or_no_reason(organisation, manager, debtors, until, reason, message):
    with pytest.raises(LedgerError, match=message):
        debtor_pause(
            organisation=organisation,
            debtors=[debtors["411A"]],
            until=until,
            reason=reason,
            today=TODAY,
            actor=manager,
        )
    assert not Hold.objects.exists()


def test_scenario_assignment_is_what_the_planner_follows(organisation, manager, debtors):
    default = scenario_defaults_ensure(organisation=organisation)
    firm = Scenario.objects.create(organisation=organisation, name="Ferme")
    alpha = debtors["411A"]
    assert scenario_assign(organisation=organisation, debtors=[alpha], scenario=firm, actor=manager) == 1
    assert scenario_resolver(organisation=organisation)(alpha.pk, "B2B", "").name == "Ferme"
    assert scenario_assign(organisation=organisation, debtors=[alpha], scenario=firm, actor=manager) == 0
    assert scenario_assign(organisation=organisation, debtors=[alpha], scenario=None, actor=manager) == 1
    assert not ScenarioAssignment.objects.exists()
    assert scenario_resolver(organisation=organisation)(alpha.pk, "B2B", "").name == default.name
    assert Event.objects.filter(debtor=alpha, kind="scenario_changed").count() == 2


def test_a_scenario_of_another_organisation_is_refused(organisation, other_organisation, manager, debtors):
    from django_scopes import scopes_disabled

    with scopes_disabled():
        foreign = Scenario.objects.create(organisation=other_organisation, name="Ailleurs")
    with pytest.raises(ValueError, match="another organisation"):
        scenario_assign(organisation=organisation, debtors=[debtors["411A"]], scenario=foreign, actor=manager)
