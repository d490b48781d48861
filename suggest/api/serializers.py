"""What /api/v1/claim-suggestions/ answers: the suggestions the team page shows, as data."""

from __future__ import annotations

from rest_framework import serializers


class SpeakerSerializer(serializers.Serializer):
    actor = serializers.IntegerField(allow_null=True, help_text="The tracked actor's id, or null for a new name.")
    actor_slug = serializers.CharField(allow_null=True)
    new_name = serializers.CharField(help_text="A speaker the tracker does not know yet ('' when `actor` is set).")
    matched_by = serializers.ChoiceField(choices=["name", "alias", "surname", "role", "pronoun", "new"])
    mention = serializers.CharField(help_text="The words of the text that name the speaker.")


class TopicScoreSerializer(serializers.Serializer):
    topic = serializers.IntegerField()
    score = serializers.FloatField(help_text="Word overlap with the topic's question or published claims, 0-1.")


class SuggestionSerializer(serializers.Serializer):
    excerpt = serializers.CharField(help_text="Exactly as in the source's text: text[start:end].")
    start = serializers.IntegerField()
    end = serializers.IntegerField()
    locator = serializers.CharField()
    kind = serializers.ChoiceField(choices=["direct_quote", "reported"])
    speaker = SpeakerSerializer()
    confidence = serializers.FloatField()
    text = serializers.CharField(help_text="A proposed claim text.")
    verb = serializers.CharField(help_text="The words that report the speech ('' for a quotation continuing).")
    topics = TopicScoreSerializer(many=True)
    stated_on = serializers.DateField(allow_null=True, help_text="The source's publication date (inferred).")
    stated_on_precision = serializers.CharField()
    duplicates = serializers.ListField(
        child=serializers.IntegerField(), help_text="Claims that already cite an overlapping excerpt of this source."
    )


class SuggestionsSerializer(serializers.Serializer):
    source = serializers.IntegerField()
    new_actors = serializers.ListField(child=serializers.CharField())
    results = SuggestionSerializer(many=True)
