from django.conf import settings
from django.db import models


class Memo(models.Model):
    """Seen by its owner, and by everyone once public."""

    # Declared for type checkers, which do not see this bench-only app installed.
    objects: models.Manager["Memo"] = models.Manager()
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    text = models.CharField(max_length=200)
    public = models.BooleanField(default=False)

    def __str__(self) -> str:
        return self.text
