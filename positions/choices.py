"""Choices of the positions app."""

from django.db import models


class Stance(models.TextChoices):
    """One ordered scale from strong opposition to strong support; `unclear` sits outside it."""

    STRONGLY_OPPOSE = "strongly_oppose", "Strongly oppose"
    OPPOSE = "oppose", "Oppose"
    CONDITIONAL = "conditional", "Conditional"
    NEUTRAL = "neutral", "Neutral"
    SUPPORT = "support", "Support"
    STRONGLY_SUPPORT = "strongly_support", "Strongly support"
    UNCLEAR = "unclear", "Unclear"


# Position on the scale (-2..+2); `unclear` has none. Charts and "did the stance move" use this.
STANCE_SCORE: dict[str, int | None] = {
    Stance.STRONGLY_OPPOSE: -2,
    Stance.OPPOSE: -1,
    Stance.CONDITIONAL: 0,
    Stance.NEUTRAL: 0,
    Stance.SUPPORT: 1,
    Stance.STRONGLY_SUPPORT: 2,
    Stance.UNCLEAR: None,
}
