from django.apps import AppConfig


class TimelineConfig(AppConfig):
    name = "recouvre.timeline"
    label = "timeline"
    verbose_name = "Timeline"
