"""The measured quality of suggestions (make eval-suggest) stays at the targets of issue 16 on every article."""

import pytest

from suggest.evaluation import TARGETS, evaluate, labelled_articles, seed_article

ARTICLES = [seed_article(), *labelled_articles()]


def test_the_eval_has_the_seed_and_at_least_two_real_articles_with_their_urls():
    assert len(ARTICLES) >= 3
    assert all(article.url.startswith("https://") for article in ARTICLES[1:])
    assert len({article.url.split("/")[2] for article in ARTICLES[1:]}) >= 2  # different outlets


@pytest.mark.parametrize("article", ARTICLES, ids=[article.name for article in ARTICLES])
def test_suggestions_meet_the_targets(article):
    score = evaluate(article)
    assert score.recall >= TARGETS["recall"], score
    assert score.precision >= TARGETS["precision"], score
    assert score.speaker_accuracy >= TARGETS["speaker_accuracy"], score


def test_a_suggestion_that_misses_the_labels_lowers_precision():
    seed = seed_article()
    shifted = type(seed)(**{**seed.__dict__, "labels": [("The emergency meeting in Paris", frozenset({"x"}))]})
    score = evaluate(shifted)
    assert score.precision == 0.0 and score.recall == 0.0
