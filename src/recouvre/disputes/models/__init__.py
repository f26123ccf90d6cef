from recouvre.disputes.models.dispute import ANSWER_DAYS, Dispute
from recouvre.disputes.models.workflow import DisputeAttachment, DisputeNote

__all__ = ["ANSWER_DAYS", "Dispute", "DisputeAttachment", "DisputeNote"]
