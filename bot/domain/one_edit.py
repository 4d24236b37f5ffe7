"""Which words of a fixed vocabulary a text spells one typo away, without comparing every pair.

Two words within one edit (an insertion, a deletion, a substitution or a swap of neighbours)
always share a variant once at most one letter is deleted from each ("symmetric delete"):
`colis`/`colsi` both give `cols`, `amende`/`amande` both give `amnde`. So each vocabulary word is
filed under its variants once, a text's words look up theirs, and only those candidates are
confirmed with `within_one_edit`. The answer is the one comparing every pair would give.
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.domain.lookalike import within_one_edit


def deletion_variants(word: str) -> set[str]:
    """The word and each word it gives with one letter deleted."""
    return {word} | {word[:i] + word[i + 1 :] for i in range(len(word))}


class OneEditIndex:
    def __init__(self, vocabulary: Iterable[str]) -> None:
        self._by_variant: dict[str, set[str]] = {}
        for word in set(vocabulary):
            for variant in deletion_variants(word):
                self._by_variant.setdefault(variant, set()).add(word)

    def matches(self, words: Iterable[str]) -> set[str]:
        """The vocabulary words within one edit of any of `words`."""
        found: set[str] = set()
        for word in set(words):
            for variant in deletion_variants(word):
                for candidate in self._by_variant.get(variant, ()):
                    if candidate not in found and within_one_edit(word, candidate):
                        found.add(candidate)
        return found
