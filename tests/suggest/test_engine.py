"""The suggestion engine on realistic paragraphs: plain text in, candidate claims out (no database)."""

import datetime

from sources.content import verify_excerpt
from suggest.engine import KnownActor, KnownCitation, KnownRole, KnownTopic, suggest_claims

UK = ("United Kingdom", "UK", "Britain")
FEB_2025 = datetime.date(2025, 2, 17)

STARMER = KnownActor(
    "starmer", "Keir Starmer", ("Starmer",), True, (KnownRole("Prime Minister", UK, datetime.date(2024, 7, 5)),)
)
SUNAK = KnownActor(
    "sunak",
    "Rishi Sunak",
    ("Sunak",),
    True,
    (KnownRole("Prime Minister", UK, datetime.date(2022, 10, 25), datetime.date(2024, 7, 5)),),
)
UNITED_KINGDOM = KnownActor("uk", "United Kingdom", ("UK", "Britain"), False)
RUBIO = KnownActor("rubio", "Marco Rubio", ("Rubio",), True)
LAVROV = KnownActor("lavrov", "Sergey Lavrov", ("Lavrov",), True)
PUTIN = KnownActor("putin", "Vladimir Putin", ("Putin",), True)
TRUMP = KnownActor("trump", "Donald Trump", ("Trump",), True)
ACTORS = [STARMER, SUNAK, UNITED_KINGDOM, RUBIO, LAVROV, PUTIN, TRUMP]


def _only(text, **kwargs):
    result = suggest_claims(text, actors=kwargs.pop("actors", ACTORS), **kwargs)
    assert len(result.suggestions) == 1, [s.excerpt for s in result.suggestions]
    return result.suggestions[0], result


def test_a_role_finds_the_actor_who_held_it_on_the_source_date():
    text = "The British prime minister said the UK was ready to put troops on the ground in Ukraine."
    suggestion, _ = _only(text, published_on=FEB_2025)
    assert suggestion.speaker.actor_key == "starmer"
    assert suggestion.speaker.matched_by == "role"
    assert suggestion.speaker.mention == "British prime minister"

    earlier, _ = _only(text, published_on=datetime.date(2023, 5, 1))
    assert earlier.speaker.actor_key == "sunak"


def test_reported_speech_gives_the_verb_the_kind_and_the_reported_content_as_claim_text():
    text = (
        "Meanwhile, talks continued in Riyadh.\n"
        "While the recent call between Putin and Trump was deemed positive, Rubio cautioned that there is still "
        "much work to be done in addressing the situation in Ukraine."
    )
    suggestion, _ = _only(text, published_on=FEB_2025, published_on_precision="month")
    assert suggestion.speaker.actor_key == "rubio"  # not Putin or Trump, named in the leading clause
    assert suggestion.kind == "reported"
    assert suggestion.verb == "cautioned"
    assert suggestion.text == "There is still much work to be done in addressing the situation in Ukraine."
    assert suggestion.paragraph == 2
    assert (suggestion.stated_on, suggestion.stated_on_precision) == (FEB_2025, "month")


def test_excerpts_are_verbatim_and_pass_the_checks_verifier():
    text = (
        "Rubio, who emphasized the need for logistical planning in discussions with Russian Foreign Minister "
        "Lavrov, stated that the upcoming weeks will be crucial in determining the seriousness of Putin’s "
        "intentions.\n“We have to be realistic,” Lavrov told reporters in Riyadh."
    )
    result = suggest_claims(text, actors=ACTORS)
    assert [s.speaker.actor_key for s in result.suggestions] == ["rubio", "lavrov"]
    for suggestion in result.suggestions:
        assert text[suggestion.start : suggestion.end] == suggestion.excerpt
        assert verify_excerpt(suggestion.excerpt, text).status == "present"
    quote = result.suggestions[1]
    assert quote.kind == "direct_quote"
    assert quote.text == "We have to be realistic."
    assert quote.excerpt == "“We have to be realistic,” Lavrov told reporters in Riyadh."


def test_a_pronoun_goes_back_to_the_last_person_named_in_the_paragraph():
    text = (
        "Keir Starmer met Nato leaders in Brussels on Monday. "
        "He also accused Russia of dragging its feet over a ceasefire, and said Europe must spend more."
    )
    suggestion, _ = _only(text)
    assert suggestion.speaker.actor_key == "starmer"
    assert suggestion.speaker.matched_by == "pronoun"
    assert suggestion.speaker.mention == "He"
    assert suggestion.excerpt.startswith("He also accused Russia")


def test_a_quotation_paragraph_continues_the_previous_speaker_and_is_a_direct_quote():
    text = (
        "“We will not accept a deal made over our heads,” Starmer said.\n"
        "“Europe must be at the table when the future of European security is decided.”"
    )
    result = suggest_claims(text, actors=ACTORS)
    assert [s.speaker.actor_key for s in result.suggestions] == ["starmer", "starmer"]
    assert [s.kind for s in result.suggestions] == ["direct_quote", "direct_quote"]
    assert result.suggestions[1].text == "Europe must be at the table when the future of European security is decided."


def test_an_unknown_speaker_is_offered_as_a_new_actor_and_their_surname_carries_over():
    text = (
        "“The breaking of that consensus is important,” said Avi Bell, senior fellow at a policy forum.\n"
        "Bell added that the decision would embolden the settlement movement."
    )
    result = suggest_claims(text, actors=ACTORS)
    assert [(s.speaker.actor_key, s.speaker.new_name) for s in result.suggestions] == [
        (None, "Avi Bell"),
        (None, "Avi Bell"),
    ]
    assert result.suggestions[1].speaker.matched_by == "surname"
    assert result.new_actors == ["Avi Bell"]


def test_a_possessive_or_an_apposition_does_not_take_the_speaker_role():
    kellogg = KnownActor("kellogg", "Keith Kellogg", ("Kellogg",), True)
    text = "Keith Kellogg, Trump’s appointed Ukraine envoy, has been vocal in labeling Russia as the enemy."
    suggestion, _ = _only(text, actors=[*ACTORS, kellogg])
    assert suggestion.speaker.actor_key == "kellogg"


def test_a_sentence_joining_two_speakers_gives_two_suggestions():
    officials = KnownActor("eu-officials", "European officials", (), False)
    administration = KnownActor("trump-admin", "Trump administration", (), False)
    text = (
        "The Trump administration has made it clear that American troops will not be deployed to Ukraine, but "
        "European officials believe that the US may still provide external support to Nato allies in the region."
    )
    result = suggest_claims(text, actors=[*ACTORS, officials, administration])
    assert [s.speaker.actor_key for s in result.suggestions] == ["trump-admin", "eu-officials"]
    assert result.suggestions[1].excerpt.startswith("European officials believe")


def test_narration_without_a_speech_verb_suggests_nothing():
    text = (
        "The emergency meeting in Paris will be an opportunity for leaders to coordinate their response.\n"
        "The United States faced criticism over the decision on Tuesday."
    )
    assert suggest_claims(text, actors=ACTORS).suggestions == []


def test_topics_are_suggested_by_their_question_and_their_published_claims():
    topics = [
        KnownTopic(1, "European troops in Ukraine", "Should European troops be deployed to Ukraine as peacekeepers?"),
        KnownTopic(2, "Sanctions on Russia", "Should sanctions be imposed on Russia?", ("Oil sanctions must stay.",)),
        KnownTopic(3, "Energy prices", "Should energy bills be capped?"),
    ]
    text = "Starmer said British troops could be deployed to Ukraine as part of a peacekeeping force."
    suggestion, _ = _only(text, topics=topics)
    assert [t.topic_key for t in suggestion.topics] == [1]
    assert 0 < suggestion.topics[0].score <= 1


def test_an_excerpt_an_existing_claim_already_cites_is_flagged_as_a_duplicate():
    text = "Starmer said the UK was willing to send troops to Ukraine if necessary.\nRubio said talks would go on."
    cited = [KnownCitation(41, "the UK was willing to send troops to Ukraine if necessary")]
    result = suggest_claims(text, actors=ACTORS, citations=cited)
    assert [s.duplicates for s in result.suggestions] == [[41], []]


def test_confidence_is_higher_for_a_full_name_than_for_a_pronoun():
    text = "Keir Starmer said Europe must step up. He said the UK would lead."
    named, pronoun = suggest_claims(text, actors=ACTORS).suggestions
    assert named.confidence > pronoun.confidence > 0


def test_an_inverted_attribution_names_the_head_of_the_apposition():
    hill = KnownActor("hill", "Fiona Hill", ("Hill",), True)
    white_house = KnownActor("white-house", "White House", (), False)
    text = (
        'Sondland was known for telling others "he was in charge of Ukraine" despite being the U.S. envoy in '
        "Brussels, said another witness in the impeachment probe, former White House Russia adviser Fiona Hill."
    )
    suggestion, _ = _only(text, actors=[*ACTORS, hill, white_house])
    assert suggestion.speaker.actor_key == "hill"


def test_a_trailing_tag_attributes_the_whole_sentence():
    morrison = KnownActor("morrison", "Timothy Morrison", ("Morrison",), True)
    sondland = KnownActor("sondland", "Gordon Sondland", ("Sondland",), True)
    text = (
        "Afterward, Sondland said he had relayed to the Ukrainian that U.S. aid might be freed if the country "
        "would announce the investigations, Morrison testified."
    )
    suggestion, _ = _only(text, actors=[*ACTORS, morrison, sondland])
    assert suggestion.speaker.actor_key == "morrison"


def test_a_verb_inside_a_relative_clause_is_not_the_subjects_statement():
    authority = KnownActor("pa", "Palestinian Authority", (), False)
    united_states = KnownActor("us", "United States", ("US",), False)
    text = (
        "The Palestinian Authority - which considers the US biased and has rejected the US as a mediator - "
        "called for an emergency meeting of the body."
    )
    suggestion, _ = _only(text, actors=[*ACTORS, authority, united_states])
    assert suggestion.speaker.actor_key == "pa"
    assert suggestion.verb == "called"
