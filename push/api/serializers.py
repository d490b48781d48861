"""What partners read and write about their webhook endpoints and deliveries. Fields listed
explicitly; what a partner may write is a separate serializer."""

from __future__ import annotations

from rest_framework import serializers

from push.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint


class WebhookEndpointSerializer(serializers.ModelSerializer):
    secret = serializers.CharField(
        read_only=True, help_text="The Standard Webhooks secret (whsec_…) to verify signatures with."
    )

    class Meta:
        model = WebhookEndpoint
        fields = [
            "id",
            "url",
            "description",
            "event_types",
            "secret",
            "is_active",
            "disabled_at",
            "disabled_reason",
            "cursor",
            "replay_round",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class WebhookEndpointWriteSerializer(serializers.Serializer):
    url = serializers.CharField(max_length=2000)
    description = serializers.CharField(max_length=200, required=False, allow_blank=True)
    event_types = serializers.ListField(
        child=serializers.CharField(max_length=50),
        required=False,
        max_length=100,
        help_text='e.g. ["claims.upsert", "claims.delete"]; empty or absent for every event.',
    )
    secret = serializers.CharField(
        max_length=100, required=False, help_text="Your own whsec_… secret; one is generated when absent."
    )
    is_active = serializers.BooleanField(required=False, help_text="Set true to enable a disabled endpoint.")
    after = serializers.IntegerField(
        min_value=0,
        max_value=2**62,
        required=False,
        help_text="On creation: send the feed's events after this cursor (default: from now on).",
    )


class ReplaySerializer(serializers.Serializer):
    after = serializers.IntegerField(
        min_value=0, max_value=2**62, help_text="A feed cursor: events after it are sent again."
    )


class WebhookAttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookAttempt
        fields = ["attempted_at", "outcome", "status_code", "elapsed_ms", "error", "response_excerpt"]
        read_only_fields = fields


class WebhookDeliverySerializer(serializers.ModelSerializer):
    message_id = serializers.CharField(read_only=True, help_text="The webhook-id header.")
    attempt_log = WebhookAttemptSerializer(many=True, read_only=True)

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "message_id",
            "seq",
            "round",
            "event_type",
            "status",
            "attempts",
            "next_attempt_at",
            "first_attempted_at",
            "last_attempted_at",
            "delivered_at",
            "last_status_code",
            "last_error",
            "attempt_log",
        ]
        read_only_fields = fields
