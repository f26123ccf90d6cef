from recouvre.timeline.models.event import Event

__all__ = ["Event"]
