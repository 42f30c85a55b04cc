from django.conf import settings
from django.db import models


class Note(models.Model):
    """Owned by a user: bindings scope querysets and object permissions by owner."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    title = models.CharField(max_length=50)
    slug = models.SlugField(unique=True)
    tags = models.JSONField(default=list)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.title


class Sample(models.Model):
    """One column of every field kind the fast representation compiles (issue 12)."""

    class Size(models.TextChoices):
        SMALL = "s", "Small"
        LARGE = "l", "Large"

    big = models.BigIntegerField()
    small = models.SmallIntegerField(null=True)
    text = models.CharField(max_length=40)
    body = models.TextField(blank=True)
    slug = models.SlugField(max_length=40)
    email = models.EmailField(null=True)  # noqa: DJ001  # a null string, on purpose
    url = models.URLField(blank=True)
    flag = models.BooleanField(default=False)
    maybe = models.BooleanField(null=True)
    at = models.DateTimeField()
    day = models.DateField(null=True)
    clock = models.TimeField(null=True)
    span = models.DurationField(null=True)
    price = models.DecimalField(max_digits=9, decimal_places=3, null=True)
    ratio = models.FloatField(null=True)
    uid = models.UUIDField()
    size = models.CharField(max_length=1, choices=Size.choices)
    rank = models.IntegerField(choices=[(1, "first"), (2, "second")], null=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    parent = models.ForeignKey("self", null=True, on_delete=models.CASCADE, related_name="items")

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.text
