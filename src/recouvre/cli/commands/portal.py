"""portal link, portal revoke: a debtor's portal link (to send by hand, or to look at the portal of
the demo), and revoking every link sent so far."""

from __future__ import annotations

from typing import Any

from recouvre.cli.context import EXIT_OK, CommandError, acting_user, emit, organisation_scope


def _debtor(ref: str) -> Any:
    from recouvre.ledger.models import Debtor

    debtor = Debtor.objects.filter(ref=ref).first()
    if debtor is None:
        raise CommandError(f"no debtor {ref}")
    return debtor


def portal_link(args: Any) -> int:
    from recouvre.selfservice.domain.links import link_lifetime, portal_url

    with organisation_scope(args.org):
        debtor = _debtor(args.debtor)
        url = portal_url(debtor)
    document = {"debtor_ref": debtor.ref, "url": url, "valid_days": link_lifetime().days}
    emit(args, document, url)
    return EXIT_OK


def portal_revoke(args: Any) -> int:
    from recouvre.selfservice.domain.links import portal_links_revoke

    with organisation_scope(args.org) as org:
        debtor = _debtor(args.debtor)
        portal_links_revoke(organisation=org, debtor=debtor, actor=acting_user(args.as_email))
    emit(args, {"debtor_ref": debtor.ref, "revoked": True}, f"every portal link of {debtor.ref} is revoked")
    return EXIT_OK
