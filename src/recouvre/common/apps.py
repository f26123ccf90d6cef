from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "recouvre.common"
    label = "common"
    verbose_name = "Common"

    def ready(self) -> None:
        from recouvre.common.lookups import register

        register()
