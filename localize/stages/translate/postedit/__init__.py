"""Post-editing of machine translations, per target language: small rules, each testable on its own.

``finish`` takes a translator's candidate as it came back (Apertium's marks on
words it did not know included), lists the source words left untranslated,
removes the marks, and applies the rules for the target: the common ones, then
those of its base language, then those of its exact tag (``pt-BR``).
"""

from localize.stages.translate.postedit.rules import Context, Finished, finish, rules_digest, rules_for

__all__ = ["Context", "Finished", "finish", "rules_digest", "rules_for"]
