"""The `model` kind: a rule that stands for the learned context layer in one category.

Its hits are not found here: the layer scores every sentence (socialscreen/models/) and the
decision stage (decide.py) turns high scores the rules missed into findings of this rule, and
vetoes a rule's soft hit the layer scores very low. The rule file gives the category, the
message, severity, fix and examples that the model itself must get right.
"""
from __future__ import annotations


class ModelDetector:
    name = "model"
    OPTIONS = ()

    def __init__(self, rules):
        self.rules = list(rules)

    def detect(self, analysis):
        return []
