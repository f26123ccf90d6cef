import pytest

from recouvre.ledger.models import Debtor
from recouvre.timeline.domain.services import event_record
from recouvre.timeline.models import Event
from recouvre.timeline.models.event import AppendOnlyError

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def test_events_are_append_only(organisation, in_scope, manager):
    debtor = Debtor.objects.create(organisation=organisation, ref="411A", name="Alpha")
    event = event_record(
        organisation=organisation, debtor_id=debtor.pk, kind="note", actor=manager, summary="Appel"
    )
    event.summary = "changed"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        Event.objects.filter(pk=event.pk).update(summary="x")
    with pytest.raises(AppendOnlyError):
        Event.objects.filter(pk=event.pk).delete()
    assert Event.objects.get(pk=event.pk).summary == "Appel"
