"""The typedws targets.

``api`` serves a binding configured exactly like the DCRF consumer (queryset and serializer, no
filter backends): the like-for-like comparison. ``demo_api`` is the demo's own ``polls.api.api``,
whose ``QuestionBinding`` also runs three filter backends (django-filter, search, ordering) on
every retrieve and list; it is measured to show what those cost.
"""

from polls.api import api as demo_api
from polls.models import Question
from polls.serializers import QuestionSerializer
from typedws import API, ResourceBinding

__all__ = ["api", "demo_api", "novalidate_api"]


class BenchQuestionBinding(ResourceBinding[Question]):
    """Poll questions: the same queryset and serializer as the DCRF consumer."""

    stream = "questions"
    queryset = Question.objects.all()
    serializer_class = QuestionSerializer


api = API()
api.register(BenchQuestionBinding)

# The same binding with the contract's checks of ``data`` off (API(validate=False)): what
# validation costs end to end.
novalidate_api = API(validate=False)
novalidate_api.register(BenchQuestionBinding)
