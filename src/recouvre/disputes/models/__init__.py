from recouvre.disputes.models.dispute import Dispute

__all__ = ["Dispute"]
