"""The WebSocket API of the demo: one URL, two streams."""

from typedws import API

from .bindings import ChoiceBinding, QuestionBinding

api = API(path="/ws/")
api.register(QuestionBinding)
api.register(ChoiceBinding)
