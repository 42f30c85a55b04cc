from rest_framework import serializers

from .models import Choice, Question


class ChoiceSerializer(serializers.ModelSerializer[Choice]):
    class Meta:
        model = Choice
        fields = ["id", "question", "choice_text", "votes"]
        read_only_fields = ["votes"]


class QuestionSerializer(serializers.ModelSerializer[Question]):
    class Meta:
        model = Question
        fields = ["id", "question_text", "pub_date"]


class VoteSerializer(serializers.Serializer[None]):
    """How many votes to add to a choice."""

    count = serializers.IntegerField(min_value=1, max_value=10, default=1)
