from django.apps import AppConfig


class FanoutAppConfig(AppConfig):
    name = "fanoutapp"
    default_auto_field = "django.db.models.BigAutoField"
