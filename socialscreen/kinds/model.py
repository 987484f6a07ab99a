"""The `model` kind: a rule that stands for the learned context layer in one category.

Its hits are not found here: the layer scores every sentence (socialscreen/models/) and the
decision stage (decide.py) turns high scores the rules missed into findings of this rule, and
vetoes a rule's soft hit the layer scores very low. The rule file gives the category, the
message, severity, fix and examples that the model itself must get right.
"""
from __future__ import annotations


from .options import Option


class ModelDetector:
    name = "model"
    OPTIONS = (
        Option("unless", "regexes", (), "the layer adds no finding of this rule when one of these matches the "
                                        "post, the profile or an attachment's alt text (a disclaimer, for "
                                        "missing_disclaimer; a consent statement, for unconsented_image)"),
        Option("unless_lexicons", "lexicons", (), "lexicons of patterns joining `unless`", into="unless"),
        Option("counter_speech", "regexes", (), "offensive and discriminatory layer rules: the layer adds no finding "
                                                "of its own in a sentence that quotes someone when one of these "
                                                "matches the post (abuse quoted to condemn or report it)"),
        Option("counter_speech_lexicons", "lexicons", (), "lexicons of patterns joining `counter_speech`",
               into="counter_speech"),
        Option("reads_as", "string", "", "what a whole-post finding's explanation says the post reads as "
                                         "(\"tied to work\")"),
    )

    def __init__(self, rules):
        self.rules = list(rules)

    def detect(self, analysis):
        return []
