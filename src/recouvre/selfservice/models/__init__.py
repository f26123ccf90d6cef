from recouvre.selfservice.models.visit import PortalVisit

__all__ = ["PortalVisit"]
