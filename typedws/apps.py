from django.apps import AppConfig


class TypedWSConfig(AppConfig):
    name = "typedws"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "typedws"

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules

        from . import checks, layer_checks  # noqa: F401  # registers the system checks
        from .subscriptions import registry
        from .subscriptions.signals import connect_signals

        # Every process must know the subscribable bindings, also one that only writes (a
        # shell, a management command, a worker): import each app's `bindings` module, as the
        # admin imports `admin` modules. Bindings register themselves when their class is
        # created; then the model signals of the models they serve are connected.
        autodiscover_modules("bindings")
        connect_signals(registry.subscribed_models())
