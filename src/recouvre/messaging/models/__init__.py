from recouvre.messaging.models.template import MessageTemplate

__all__ = ["MessageTemplate"]
