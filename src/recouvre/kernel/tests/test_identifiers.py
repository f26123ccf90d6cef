import pytest

from recouvre.kernel.identifiers import (
    format_phone,
    is_mobile_phone,
    normalise_country,
    normalise_email,
    normalise_phone,
    normalise_siren,
    normalise_vat,
    siren_with_check_digit,
)

pytestmark = pytest.mark.unit


def test_siren_valid_and_spaced():
    assert normalise_siren("732 829 320") == "732829320"


def test_siret_is_reduced_to_its_siren():
    assert normalise_siren("73282932000074") == "732829320"


@pytest.mark.parametrize("text", ["732829321", "12345", "73282932A", "73282932000075"])
def test_siren_refused(text):
    with pytest.raises(ValueError, match="SIRE"):
        normalise_siren(text)


def test_generated_siren_has_a_valid_check_digit():
    assert normalise_siren(siren_with_check_digit("73282932")) == "732829320"


def test_vat_checked():
    assert normalise_vat("FR 44 732829320") == "FR44732829320"
    with pytest.raises(ValueError, match="VAT"):
        normalise_vat("FR45732829320")


def test_phone_to_e164_and_mobile_detection():
    assert normalise_phone("06 12 34 56 78") == "+33612345678"
    assert is_mobile_phone("+33612345678")
    assert normalise_phone("01 42 68 53 00") == "+33142685300"
    assert not is_mobile_phone("+33142685300")
    assert normalise_phone("+32 2 555 12 12", "FR") == "+3225551212"


def test_phone_refused():
    with pytest.raises(ValueError, match="phone"):
        normalise_phone("12")


def test_email_domain_lowercased_and_bad_refused():
    assert normalise_email(" Compta@Dupont.FR ") == "Compta@dupont.fr"
    with pytest.raises(ValueError, match="email"):
        normalise_email("compta@dupont")


def test_country_code():
    assert normalise_country("fr") == "FR"
    with pytest.raises(ValueError, match="ISO 3166"):
        normalise_country("FRA")


def test_phone_formatted_for_people():
    assert format_phone("+33612345678") == "+33 6 12 34 56 78"
    assert format_phone("not a number") == "not a number"
