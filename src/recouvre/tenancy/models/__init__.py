from recouvre.tenancy.models.membership import Membership
from recouvre.tenancy.models.organisation import Organisation
from recouvre.tenancy.models.token import ApiToken
from recouvre.tenancy.models.user import User

__all__ = ["ApiToken", "Membership", "Organisation", "User"]
