import pytest

from recouvre.ledger.models import Contact, Debtor

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def test_any_lookup_matches_in_on_plain_and_related_fields(organisation, in_scope):
    debtors = [
        Debtor.objects.create(organisation=organisation, ref=f"411{i}", name=f"D{i}") for i in range(5)
    ]
    for debtor in debtors:
        Contact.objects.create(
            organisation=organisation, debtor=debtor, kind="email", value=f"{debtor.ref}@x.fr"
        )
    refs = ["4110", "4113", "nope"]
    assert sorted(Debtor.objects.filter(ref__any=refs).values_list("ref", flat=True)) == ["4110", "4113"]
    ids = [debtors[1].pk, debtors[4].pk]
    assert sorted(Contact.objects.filter(debtor_id__any=ids).values_list("value", flat=True)) == [
        "4111@x.fr",
        "4114@x.fr",
    ]
    assert list(Debtor.objects.filter(ref__any=[])) == []
