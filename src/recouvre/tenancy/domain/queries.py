from recouvre.tenancy.models import Organisation


class OrganisationNotFound(LookupError):
    pass


def organisation_resolve(slug: str | None) -> Organisation:
    """The organisation named by `--org`; may be left out while only one exists (cli.md)."""
    if slug:
        org = Organisation.objects.filter(slug=slug).first()
        if org is None:
            raise OrganisationNotFound(f"no organisation with slug {slug!r}")
        return org
    orgs = list(Organisation.objects.all()[:2])
    if not orgs:
        raise OrganisationNotFound("no organisation yet: create one with `recouvre org create --name ...`")
    if len(orgs) > 1:
        raise OrganisationNotFound("several organisations exist: say which with --org SLUG")
    return orgs[0]
