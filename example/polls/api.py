"""The WebSocket API of the demo: one URL, two streams."""

from typedws import API

from .bindings import QuestionBinding
from .views import ChoiceViewSet

api = API()
api.register(QuestionBinding)
api.register(ChoiceViewSet, stream="choices")
