"""Choices of the sources app."""

from django.db import models


class SourceKind(models.TextChoices):
    NEWS_ARTICLE = "news_article", "News article"
    OFFICIAL_STATEMENT = "official_statement", "Official statement"
    TRANSCRIPT = "transcript", "Transcript"
    SOCIAL_MEDIA_POST = "social_media_post", "Social media post"
    VIDEO_OR_AUDIO = "video_or_audio", "Video or audio"
    DOCUMENT = "document", "Document"


class CitationRelation(models.TextChoices):
    SUPPORTS = "supports", "Supports"
    CONTRADICTS = "contradicts", "Contradicts"
    CONTEXT = "context", "Context"
