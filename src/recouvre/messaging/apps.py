from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "recouvre.messaging"
    label = "messaging"
    verbose_name = "Messaging"
