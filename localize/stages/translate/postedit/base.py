"""What every post-editing rule gets: the text, and what it may not change."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

__all__ = ["WORD", "Context", "Rule", "lower_first"]

WORD = re.compile(r"[^\W\d_][\w'’-]*")


@dataclass(frozen=True)
class Context:
    """The line a candidate translates, and the words no rule may change (names, glossary renderings)."""

    source: str
    """The text the translator read."""
    target: str
    keep: frozenset[str] = field(default_factory=frozenset)
    """Names and renderings (each word of them counts)."""

    @cached_property
    def _protected_words(self) -> frozenset[str]:
        return frozenset(WORD.findall(" ".join(self.keep)))

    @cached_property
    def _source_words(self) -> frozenset[str]:
        return frozenset(WORD.findall(self.source))

    def protects(self, word: str) -> bool:
        """Whether ``word`` belongs to a name or rendering kept verbatim."""
        return word in self._protected_words

    def keeps(self, word: str) -> bool:
        """Whether ``word``'s capital stays: it belongs to a kept name or rendering, or the source capitalises it too."""
        return self.protects(word) or (word[:1].isupper() and word in self._source_words)


Rule = Callable[[str, Context], str]
"""A post-editing rule: a candidate in, the candidate edited out."""


def lower_first(word: str) -> str:
    """``word`` with its first letter in lowercase."""
    return word[:1].lower() + word[1:]
