from django.apps import AppConfig


class TypedWSConfig(AppConfig):
    name = "typedws"
    verbose_name = "typedws"

    def ready(self) -> None:
        from . import checks  # noqa: F401  # registers the system checks
