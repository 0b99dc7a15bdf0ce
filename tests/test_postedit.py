"""Post-editing rules, one by one, and the whole chain per target language."""

from __future__ import annotations

import pytest

from localize.stages.translate.postedit import (
    Context,
    common,
    english,
    finish,
    french,
    numbers,
    portuguese,
    rules_digest,
    rules_for,
    spanish,
)

NBSP = "\u00a0"


def context(source: str = "", target: str = "en", keep: tuple[str, ...] = ()) -> Context:
    return Context(source, target, frozenset(keep))


def test_unknown_words_are_listed_and_unmarked() -> None:
    marked = "*Querés Some mates, *boludo? #Tu é @guita."
    assert common.unknown_words(marked) == ["Querés", "boludo", "guita"], "# marks a generation slip, not a source word"
    assert common.unmark(marked) == "Querés Some mates, boludo? Tu é guita."
    assert common.casing_after_unknown(marked, context("Querés unos mates")) == "*Querés some mates, *boludo? #Tu é @guita."


def test_pivoted_words_are_listed_and_take_their_rendering() -> None:
    marked = f"{common.pivot_mark('Billetera', 'ca', 'Cartable')} Nouvelle, le {common.pivot_mark('aguinaldo', 'gl', 'abono')}."
    assert common.pivoted_words(marked) == [("Billetera", "ca", "Cartable"), ("aguinaldo", "gl", "abono")]
    finished = finish(marked, context("Billetera nueva, el aguinaldo.", "fr"))
    assert finished.text == "Cartable nouvelle, l'abono." and finished.untranslated == (), "the rules run on the rendering"
    assert [(word.word, word.via, word.rendering) for word in finished.pivoted] == common.pivoted_words(marked)


def test_capitals_leaking_mid_sentence() -> None:
    assert common.capital_after_comma("Bonjour, Il est là, Martín.", context("Hola, está, Martín.")) == "Bonjour, il est là, Martín."
    assert common.capital_after_comma("Well, I know.", context()) == "Well, I know."
    assert common.sentence_case("je n'ai pas argent. ils voient.", context("No tengo plata.")) == "Je n'ai pas argent. Ils voient."
    assert common.sentence_case("y luego... no sé.", context("y luego... no sé.")) == "y luego... no sé."
    assert common.spacing("  Hi ,  there ! ¿ Qué ?", context()) == "Hi, there! ¿Qué?"


def test_french_typography() -> None:
    assert french.french_spacing("Quoi? Il est 11:45 ; « oui » !", context(target="fr")) == (
        f"Quoi{NBSP}? Il est 11:45{NBSP}; «{NBSP}oui{NBSP}»{NBSP}!"
    )
    assert french.french_spacing("Vraiment ?!", context(target="fr")) == f"Vraiment{NBSP}?!"
    assert french.french_words("mil pesos", context(target="fr")) == "mille pesos"
    assert numbers.french_numbers("12.500 pesos et 1,5 kilo", context(target="fr")) == f"12{NBSP}500 pesos et 1,5 kilo"


def test_english_forms() -> None:
    assert english.english_articles("a apartment, an car, a hour, an university", context()) == "an apartment, a car, an hour, a university"
    assert english.english_i("and i know i'm", context()) == "and I know I'm"
    assert numbers.english_numbers("$12.500 and 1,5 kilos at 6:40", context()) == "$12,500 and 1.5 kilos at 6:40"


def test_brazilian_portuguese() -> None:
    keep = context(target="pt-BR")
    assert portuguese.new_spelling("Eles vêem a idéia do vôo; lingüiça e herói.", keep) == "Eles veem a ideia do voo; linguiça e herói."
    assert portuguese.new_spelling("Müller", context(target="pt-BR", keep=("Müller",))) == "Müller"
    assert portuguese.brazilian_pronouns("Diga-me a verdade. Vemo-nos amanhã.", keep) == "Me diga a verdade. Nos vemos amanhã."
    assert portuguese.brazilian_pronouns("Vou pagá-los amanhã.", keep) == "Vou os pagar amanhã."
    assert portuguese.brazilian_words("Tenho uma t-shirt e o telefone móvel.", keep) == "Tenho uma camiseta e o celular."


def test_spanish_opening_marks() -> None:
    assert spanish.inverted_marks("Qué hora es? Vamos! ¿Ya?", context(target="es")) == "¿Qué hora es? ¡Vamos! ¿Ya?"


@pytest.mark.parametrize(
    ("target", "candidate", "expected", "untranslated"),
    [
        ("en", "*Querés Some mates , Martín?", "Querés some mates, Martín?", ("Querés",)),
        ("fr", "je n'ai pas *guita, Martín. Il coûte 3.500?", f"J'ai pas guita, Martín. Il coûte 3{NBSP}500{NBSP}?", ("guita",)),
        ("pt-BR", "Eles vêem-me. Paguei-lhe.", "Eles me veem. Lhe paguei.", ()),
    ],
)
def test_the_chain_per_target(target: str, candidate: str, expected: str, untranslated: tuple[str, ...]) -> None:
    done = finish(candidate, context("Ellos me ven. Le pagué.", target, keep=("Martín",)))
    assert done.text == expected
    assert done.untranslated == untranslated


def test_names_are_never_untranslated_and_copies_count_without_marks() -> None:
    assert finish("*Quique, ven.", context("Quique, vení.", keep=("Quique",))).untranslated == ()
    done = finish("Hey, the laburo is hard.", context("Che, el laburo es duro.", "en"), marked=False)
    assert done.untranslated == ("laburo",), "without marks, a source word copied into the output that English does not know"


def test_rules_and_their_digest_differ_per_target() -> None:
    assert french.french_spacing in rules_for("fr") and french.french_spacing not in rules_for("en")
    assert portuguese.brazilian_pronouns in rules_for("pt-BR") and portuguese.brazilian_pronouns not in rules_for("pt")
    assert len({rules_digest(tag) for tag in ("en", "fr", "pt", "pt-BR")}) == 4


def test_days_and_thousands() -> None:
    assert english.english_days("The Sunday I go, the Monday of the Friday.", context()) == "On Sunday I go, on Monday of Friday."
    assert (
        portuguese.thousands_and("quatro mil quinhentos e mil pessoas", context(target="pt-BR")) == "quatro mil e quinhentos e mil pessoas"
    )


def test_english_dialogue() -> None:
    en = context()
    assert english.english_contractions("I do not know where it is. It is late and I am tired; you will see.", en) == (
        "I don't know where it is. It's late and I'm tired; you'll see."
    )
    assert english.english_contractions("I have seen it. I have a car.", en) == "I've seen it. I have a car."
    assert english.english_questions("Hey, Vero! You cover me tomorrow? You are sure?", en) == (
        "Hey, Vero! Do you cover me tomorrow? Are you sure?"
    )
    assert english.english_questions("You left the kettle on? He goes home? Hey, I can touch it?", en) == (
        "Did you leave the kettle on? Does he go home? Hey, can I touch it?"
    )
    assert english.english_questions("You know. It is here?", en) == "You know. Is it here?", "only questions"
    assert english.english_anymore("Don't cry more. I want more coffee.", en) == "Don't cry anymore. I want more coffee."


def test_spoken_french() -> None:
    fr = context(target="fr")
    assert french.french_negation("Je ne peux pas. Il n'y a rien. Personne ne vient. Ne bouge pas !", fr) == (
        "Je peux pas. Il y a rien. Personne vient. Bouge pas !"
    )
    assert french.french_elision("Je ai vu si il vient, que elle est là et tu as de argent.", fr) == (
        "J'ai vu s'il vient, qu'elle est là et t'as d'argent."
    )
    assert french.french_elision("Je vais de Acá à Mar de Ajó.", context(target="fr", keep=("Mar de Ajó",))) == (
        "Je vais de Acá à Mar de Ajó."
    ), "the words of a kept name are not elided"
    assert french.french_days("Je touche le jeudi, jusqu'au jeudi. Le barbecue du samedi. Tous les lundis.", fr) == (
        "Je touche jeudi, jusqu'à jeudi. Le barbecue de samedi. Tous les lundis."
    )
    assert french.french_slips("Il s'a échappé. Regarde qui est-ce qui il est arrivé !", fr) == "Il s'est échappé. Regarde qui est arrivé !"
    assert french.french_on("Nous nous voyons. Nous jouons, nous avons trouvé, nous l'appelons et nous achetons.", fr) == (
        "On se voit. On joue, on a trouvé, on l'appelle et on achète."
    )
    assert french.french_on("Il nous voit.", fr) == "Il nous voit.", "an object stays"


def test_apertiums_french_grammar_slips_are_mended() -> None:
    fr = context(target="fr")
    assert french.french_grammar("J'Ai hier acheté du pain en le quartier. Je L'ai croisée près la gare. Il A été là.", fr) == (
        "Hier, j'ai acheté du pain au quartier. Je l'ai croisée près de la gare. Il a été là."
    )
    assert french.french_grammar("Ils m'ont dits que tu viens. Ils nous ont volés le vélo.", fr) == (
        "Ils m'ont dit que tu viens. Ils nous ont volé le vélo."
    ), "an indirect object takes no agreement"
    assert french.french_grammar("Oui. Je l'ai hier croisée. J'ai hier soir rêvé de toi.", fr) == (
        "Oui. Hier, je l'ai croisée. Hier soir, j'ai rêvé de toi."
    ), "the time opens the sentence, not the verb's middle"
    unchanged = "Il a déjà mangé. Il nous a mariés. Ils m'ont pris le vélo. En la matière, il aime l'Argentine."
    assert french.french_grammar(unchanged, fr) == unchanged, "a direct object agrees; names keep their capital"


def test_spoken_brazilian_portuguese() -> None:
    pt = context(target="pt-BR")
    assert portuguese.brazilian_imperative("Me dê um minuto. Não chore. Fale comigo, diga tudo. Não seja chato.", pt) == (
        "Me dá um minuto. Não chora. Fala comigo, diz tudo. Não seja chato."
    )
    assert portuguese.brazilian_imperative("Para ir lá. Há um cheiro.", pt) == "Para ir lá. Há um cheiro.", "not commands"
    assert portuguese.brazilian_speech("Vou para a casa, para de gritar. Estou bem e está aqui. Prova este vinho.", pt) == (
        "Vou pra casa, para de gritar. Tô bem e tá aqui. Prova esse vinho."
    )
    assert portuguese.brazilian_speech("Há um cheiro aqui há dez anos. Tu sabe.", pt) == "Tem um cheiro aqui há dez anos. Você sabe."
    assert portuguese.brazilian_speech("São dez para as onze.", context(target="pt-BR", keep=("dez para as onze",))) == (
        "São dez para as onze."
    ), "a rendering put in stays as written"
