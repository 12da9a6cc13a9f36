"""Labelled training sentences that teach negation and contrast, with no content word of
the behaviour checks but the commonest judgements (:data:`COMMON`).

The checks in ``data/checks`` (``checklist.py``) show that a model trained on reviews
reads *not good* as positive and *not bad* as negative: reviews seldom negate a negative
word, so the data never says what it means. These sentences say it, in short template
reviews of things the checks never name (shows, clothes, gadgets, bars, flights,
websites), with sentiment words the checks never use, so that the checks still measure
whether a model learnt negation rather than these sentences:

* plain sentences: *The jacket is flattering.* / *The soup was tasteless.*
* a negated positive word: *The router isn't dependable.* (negative)
* a negated negative word: *The soup was not tasteless at all.* (positive)
* negated verbs: *I didn't adore the sitcom.* / *I have no complaints about the seller.*
* a deciding "but" clause: *The lobby was decrepit, but the suite was gorgeous.*

Every negation form a user types appears: *isn't*, *is not*, *is never*, *is no longer*,
*'s not*, *hardly*, *far from*, with and without the apostrophe's word joined. Labels
follow from construction. :func:`check_disjoint` refuses a content word (subject,
adjective, verb phrase) that occurs in any check sentence or in ``checklist.py``.

Half of the adjectives come from a wide lexicon of 151 sentiment adjectives
(``data/negation_lexicon.json``, read off SST-2 and IMDB train by :func:`wide_lexicon`),
so that a model learns what a negation does to any sentiment word, not to a few.

    python benchmarks/negation_rows.py       # data/negation_train.tsv, byte for byte

The file is part of the bundled model's training rows (candidate Cw of
``candidates.md``): N's sentences, all but 2,400 that negate nothing, and O's shapes,
balanced so that no function word gives the label away; short replies with no subject
or about *it* (*Not tasteless at all.*, *Didn't adore it.*; Q's); and, in place of
those 2,400, sentences that negate the judgements users type most, which are words of
the checks on purpose: the commonest (*The router isn't good at all.*, *I don't regret
ordering the soup.*; :data:`COMMON`, T's) and 54 more that reviews use most with one
polarity (*The smartwatch is not dull.*; ``data/negation_frequent.json``, Cw's). The
check sentences that hold one of those words are scored apart from the rest.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import json
import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "data" / "negation_train.tsv"
LEXICON = ROOT / "data" / "negation_lexicon.json"
FREQUENT = ROOT / "data" / "negation_frequent.json"
SEED = "sentigru-negation-rows/1"
POS, NEG = "positive", "negative"
ROWS = {"plain": 2400, "negated": 4800, "contrast": 1600}
"""Rows per kind, half of each label."""

# -- lexicon: (subject, plural) and the words that suit each kind of thing -------------

KINDS = {
    "show": (
        "the sitcom,the series,the episode,the finale,the animation,the cinematography,"
        "the protagonists:p,the performances:p,the villain,the storyline,the musical",
        "enjoyable,delightful,hilarious,touching,thrilling,splendid,terrific,remarkable",
        "mediocre,lousy,amateurish,cheesy,tiresome,unwatchable,awkward,lackluster",
    ),
    "gadget": (
        "the tablet,the speaker,the router,the mouse,the earbuds:p,the smartwatch,"
        "the toaster,the lamp,the monitor,the cable,the remote,the projector",
        "dependable,durable,handy,efficient,rugged,impressive,speedy,terrific",
        "defective,faulty,shoddy,laggy,overrated,fragile,glitchy,mediocre",
    ),
    "clothes": (
        "the jacket,the dress,the jeans:p,the sweater,the backpack,the sandals:p,"
        "the scarf,the gloves:p,the hoodie,the socks:p",
        "flattering,cozy,stylish,elegant,durable,gorgeous,snug,adorable",
        "itchy,shoddy,scratchy,baggy,threadbare,frumpy,tacky,defective",
    ),
    "meal": (
        "the soup,the burger,the steak,the salad,the curry,the sushi,the noodles:p,"
        "the pancakes:p,the cocktails:p,the menu,the sandwich,the tacos:p",
        "appetizing,flavorful,tender,scrumptious,yummy,mouthwatering,delectable,filling",
        "tasteless,chewy,mushy,undercooked,salty,rubbery,inedible,watery",
    ),
    "place": (
        "the bar,the diner,the lobby,the suite,the apartment,the beach,the museum,"
        "the gym,the spa,the campsite,the airport,the resort",
        "cozy,gorgeous,immaculate,peaceful,picturesque,stylish,roomy,pleasant",
        "decrepit,claustrophobic,smelly,squalid,chaotic,grimy,unpleasant,seedy",
    ),
    "people": (
        "the bartender,the host,the driver,the seller,the landlord,the guide,"
        "the receptionist,the crew,the instructor,the pilot",
        "courteous,polite,professional,gracious,patient,knowledgeable,pleasant,prompt",
        "impolite,unprofessional,arrogant,sloppy,negligent,unfriendly,clueless,pushy",
    ),
    "service": (
        "the website,the delivery,the flight,the airline,the software,the course,"
        "the game,the subscription,the refund process,the warranty",
        "painless,seamless,dependable,prompt,worthwhile,enjoyable,impressive,efficient",
        "frustrating,pathetic,glitchy,sloppy,erratic,exorbitant,tiresome,infuriating",
    ),
}
ADMIRE = "adore,appreciate,admire,cherish,treasure"
"""Verbs of a positive judgement: *I didn't adore the sitcom* is negative."""
COMPLAIN = (
    "I have no complaints about {s}.|I can't complain about {s}.|"
    "I wasn't let down by {s}.|"
    "I don't mind {s} at all.|{S} did not let me down."
)
"""Negated negative judgements about oneself: all positive."""
GRUMBLE = "I have complaints about {s}.|{S} let me down.|I was let down by {s}."
DESPISE = "detest,loathe,despise,resent"
"""Verbs of a negative judgement, for the balanced sentences (:func:`balanced_rows`):
*I didn't detest the sitcom* is positive, *I detest the sitcom* negative."""
CONTENT = ADMIRE + "," + DESPISE + ",complaints,complain,mind,let,down,nothing"

_FUNCTION = """what anymore always still once
    a an the is was are were be been not never no longer isn't wasn't aren't weren't
    isnt wasnt arent werent it it's its 's i i'm me my this that these those and but
    at all really very so quite too hardly far from anything of about to by with
    do does did don't doesn't didn't dont doesnt didnt have has had can can't cant
    would wouldn't wouldnt"""
FUNCTION = frozenset(_FUNCTION.split())
"""Words the sentences share with the checks on purpose: negators and grammar."""


def subjects(kind: str) -> list[tuple[str, bool]]:
    out = []
    for item in KINDS[kind][0].split(","):
        text, _, mark = item.partition(":")
        out.append((text, mark == "p"))
    return out


def adjectives(kind: str, polarity: str) -> list[str]:
    own = KINDS[kind][1 if polarity == POS else 2].split(",")
    wide = _WIDE.get(polarity, [])
    return own * max(1, len(wide) // len(own)) + wide  # with a wide lexicon, half each


_WIDE: dict[str, list[str]] = {}
"""Candidate K's wide lexicon while :func:`wide_rows` writes (empty otherwise)."""
_BALANCED: list[bool] = []
"""Non-empty while :func:`balanced_rows` writes: no negator or ending of the sentences
then occurs with one label only."""


def be(plural: bool, past: bool) -> tuple[str, str]:
    """The verb and its contracted negation: (is, isn't), (were, weren't), ..."""
    word = ("were" if plural else "was") if past else ("are" if plural else "is")
    return word, f"{word}n't"


def capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def plain(rng: random.Random, label: str) -> str:
    kind = rng.choice(sorted(KINDS))
    subject, plural = rng.choice(subjects(kind))
    if rng.random() < 0.2:  # judgements about oneself, as the negated ones
        if label == POS:
            return f"I {rng.choice(ADMIRE.split(','))} {subject}."
        if _BALANCED and rng.random() < 0.5:  # the verbs negated in positive sentences
            return f"I {rng.choice(DESPISE.split(','))} {subject}."
        return rng.choice(GRUMBLE.split("|")).format(s=subject, S=capital(subject))
    adjective = rng.choice(adjectives(kind, label))
    verb, _ = be(plural, rng.random() < 0.5)
    shape = rng.choice(
        (
            f"{subject} {verb} {adjective}.",
            f"{subject} {verb} really {adjective}.",
            f"{subject} {verb} so {adjective}!",
            f"I found {subject} {adjective}.",
            f"{subject} {verb} {adjective}, honestly.",
        )
    )
    return capital(shape)


def negated(rng: random.Random, label: str) -> str:
    """A sentence whose label is ``label`` made by negating the opposite word."""
    kind = rng.choice(sorted(KINDS))
    subject, plural = rng.choice(subjects(kind))
    if rng.random() < 0.2:  # judgements about oneself
        if label == NEG or (_BALANCED and rng.random() < 0.7):
            verb = rng.choice((ADMIRE if label == NEG else DESPISE).split(","))
            return rng.choice(
                (
                    f"I didn't {verb} {subject}.",
                    f"I did not {verb} {subject}.",
                    f"I don't {verb} {subject}.",
                    f"I never {verb}d {subject}."
                    if verb.endswith("e")
                    else f"I never {verb}ed {subject}.",
                )
            )
        templates = COMPLAIN.split("|")
        if _BALANCED:  # "can't" would say positive on its own
            templates = [t for t in templates if "can't" not in t]
        return rng.choice(templates).format(s=subject, S=capital(subject))
    word = rng.choice(adjectives(kind, NEG if label == POS else POS))
    verb, contracted = be(plural, rng.random() < 0.5)
    forms = [
        f"{subject} {contracted} {word}",
        f"{subject} {verb} not {word}",
        f"{subject} {verb} never {word}",
        f"{subject} {verb} no longer {word}",
        f"{subject} {verb} hardly {word}",
        f"{subject} {verb} far from {word}",
        f"{subject} {contracted.replace(chr(39), '')} {word}",  # isnt: typed without '
    ]
    if not plural and verb == "is":
        forms.append(f"{subject}'s not {word}")
    form = rng.randrange(len(forms))
    sentence = forms[form]
    if _BALANCED:  # either ending with either label: "not good at all", "not bad anymore"
        ending = rng.choice(("", "", " at all", " anymore"))
    else:
        ending = rng.choice(("", " at all", "") if label == POS else ("", "", " anymore"))
    if form in (2, 3, 4, 5):  # never, no longer, hardly, far from: nothing to add
        ending = ""
    return capital(sentence + ending) + rng.choice((".", ".", "!"))


def contrast(rng: random.Random, label: str) -> str:
    """*A, but B*: the clauses of opposite sentiment, the second decides."""
    first, second = (NEG, POS) if label == POS else (POS, NEG)
    clauses: list[str] = []
    for polarity in (first, second):
        kind = rng.choice(sorted(KINDS))
        subject, plural = rng.choice(subjects(kind))
        while clauses and clauses[0].startswith(f"{subject} "):
            subject, plural = rng.choice(subjects(kind))
        verb, _ = be(plural, True)
        clauses.append(f"{subject} {verb} {rng.choice(adjectives(kind, polarity))}")
    return capital(f"{clauses[0]}, but {clauses[1]}.")


def rows(seed: str = SEED) -> list[tuple[str, str]]:
    """``(label, text)`` rows, distinct texts, in a seeded order."""
    rng = random.Random(seed)
    makers = {"plain": plain, "negated": negated, "contrast": contrast}
    out: dict[str, str] = {}
    for kind, count in ROWS.items():
        for label in (POS, NEG):
            _add(rng, out, makers[kind], label, count // 2, lower=0.15)
    return _shuffled(rng, out)


def _add(rng, out, maker, label: str, wanted: int, lower: float | None = None) -> None:  # type: ignore[no-untyped-def]
    """Add ``wanted`` new texts that ``maker`` writes for ``label`` to ``out``; with
    ``lower``, that share of them lower-cased (as people type)."""
    made = 0
    for _ in range(200 * wanted):
        if made == wanted:
            return
        text = maker(rng, label)
        if lower is not None and rng.random() < lower:
            text = text.lower()
        if text not in out:
            out[text] = label
            made += 1


def _shuffled(rng: random.Random, out: dict[str, str]) -> list[tuple[str, str]]:
    items = list(out.items())
    rng.shuffle(items)
    return [(label, text) for text, label in items]


# -- candidate F: two more shapes, the whole thing and an action negated ---------------

ACTIONS = {
    "gadget": (
        "syncs instantly|sync instantly,connects effortlessly|connect effortlessly",
        "lags|lag,stutters|stutter,disconnects|disconnect,rattles|rattle,wobbles|wobble",
    ),
    "clothes": (
        "breathes nicely|breathe nicely,washes nicely|wash nicely",
        "shrinks|shrink,fades|fade,rips|rip,unravels|unravel,pills|pill",
    ),
    "service": (
        "refunds promptly|refund promptly,syncs instantly|sync instantly",
        "glitches|glitch,stalls|stall,overbills|overbill,reboots|reboot",
    ),
    "people": (
        "listens patiently|listen patiently,explains patiently|explain patiently",
        "interrupts|interrupt,overcharges|overcharge,mumbles|mumble,yells|yell",
    ),
}
"""Things a thing does, ``third person|base``, by kind: positive, then negative."""
SHAPE_ROWS = 2400
"""Rows of the two shapes, half of each label."""


def article(word: str) -> str:
    return "an" if word[0] in "aeiou" else "a"


def whole(rng: random.Random, label: str) -> str:
    """*It isn't a mediocre sitcom.* (positive): a negated judgement of the whole thing;
    half of them plain (*It's a mediocre sitcom.*)."""
    kind = rng.choice(sorted(KINDS))
    noun = rng.choice([s for s, plural in subjects(kind) if not plural]).removeprefix("the ")
    if rng.random() < 0.5:  # plain: the word gives the label
        word = rng.choice(adjectives(kind, label))
        return capital(rng.choice(("it's", "this is", "what")) + f" {article(word)} {word} {noun}.")
    word = rng.choice(adjectives(kind, NEG if label == POS else POS))
    opener = rng.choice(("it isn't", "it is not", "this is not", "it's not", "this isnt"))
    return capital(f"{opener} {article(word)} {word} {noun}.")


def action(
    rng: random.Random, label: str, lexicon: dict | None = None, later: tuple[str, ...] = ()
) -> str:
    """*The router doesn't lag anymore.* (positive): a negated action; half plain. With
    ``lexicon`` (kind: positive, negative actions), its actions instead of
    :data:`ACTIONS`; ``later`` adds forms such as *no longer* to the negated ones."""
    lexicon = lexicon or ACTIONS
    kind = rng.choice(sorted(lexicon))
    subject = rng.choice([s for s, plural in subjects(kind) if not plural])
    if rng.random() < 0.5:
        third, _ = rng.choice(lexicon[kind][0 if label == POS else 1].split(",")).split("|")
        return capital(f"{subject} {rng.choice(('', 'always ', 'still '))}{third}.")
    third, base = rng.choice(lexicon[kind][1 if label == POS else 0].split(",")).split("|")
    ending = rng.choice((" anymore", " at all", "")) if label == POS or _BALANCED else ""
    forms = (f"doesn't {base}{ending}", f"does not {base}{ending}", f"never {third}")
    forms += (f"didn't {base}", *(f"{form} {third}" for form in later))
    return capital(f"{subject} {rng.choice(forms)}.")


def shape_rows(seed: str = SEED + "/shapes") -> list[tuple[str, str]]:
    """Candidate F's added rows: :func:`whole` and :func:`action` sentences, balanced."""
    rng = random.Random(seed)
    out: dict[str, str] = {}
    for maker in (whole, action):
        for label in (POS, NEG):
            _add(rng, out, maker, label, SHAPE_ROWS // 4)
    return _shuffled(rng, out)


def content_words() -> set[str]:
    """Every word of the lexicon above other than :data:`FUNCTION`."""
    lexicons = (*ACTIONS.values(), *WIDE_ACTIONS.values())
    actions = ",".join(",".join(v) for v in lexicons).replace("|", ",")
    text = " ".join([*(",".join(v) for v in KINDS.values()), CONTENT, COMPLAIN, GRUMBLE, actions])
    for mark in (":p", "{s}", "{S}"):
        text = text.replace(mark, " ")
    found = {w for w in words(text) if w not in FUNCTION}
    return found | set(" ".join(GERUNDS.values()).split())


def words(text: str) -> list[str]:
    return [w for w in re.split(r"[^a-z']+", text.lower().replace("-", " ")) if w]


def check_words() -> set[str]:
    """Every word of the behaviour checks (their sentences and generator)."""
    seen: set[str] = set()
    for path in sorted((ROOT / "data" / "checks").glob("*.tsv")):
        seen.update(words(path.read_text("utf-8")))
    seen.update(words((ROOT / "benchmarks" / "checklist.py").read_text("utf-8")))
    return seen


def check_disjoint() -> None:
    """Refuse a content word that a behaviour check uses (its sentences or generator),
    the wide lexicon's words included; candidate T's sentences may use :data:`COMMON`."""
    lexicon = {w for found in load_lexicon().values() for w in found}
    with _words_in(_FREQUENT, load_frequent()):  # the shipped sentences' common ones
        common = common_rows()
    taught = {w for _, text in common for w in words(text)} - taught_words() - FUNCTION
    shared = sorted((content_words() | lexicon | taught) & check_words())
    if shared:
        sys.exit(f"content words the checks use: {', '.join(shared)}")


# -- candidate K: E's sentences over a wide lexicon of sentiment adjectives -----------

SUFFIXES = ("ous", "ive", "ful", "less", "able", "ible", "ic", "al", "ing", "ed", "ent")
SUFFIXES += ("ant", "ish", "y", "ile", "id", "ar")
NOT_ADJECTIVE = ("ly", "ness", "ment", "tion", "ism", "ist", "ity")
PREDICATE = re.compile(r"\b(?:is|was|are|were|so|very|too|really|quite|pretty)\s+(?=([a-z]+)\b)")
"""A word after *is*, *so*, *very* ...; the lookahead lets *was so good* count *so* and *good*."""


def wide_lexicon(sst: list[tuple[str, str]], imdb: list[tuple[str, str]]) -> dict[str, list[str]]:
    """Sentiment adjectives of each polarity, read off training data, none a check word.

    A word qualifies when SST-2 train labels it alone as a phrase (``sst``: ``(label,
    text)`` rows, labels ``positive``/``negative``), it looks like an adjective (an
    adjective's ending; at least a tenth of its IMDB reviews say *is/so/very ... word*),
    it is in at least 20 IMDB train reviews (``imdb``), at least 70 % of them of the
    label SST-2 gives it, and neither a behaviour check nor E's own lexicon uses it.
    E's sentences use eight words per kind of thing; these are about 150 more, so that
    a model learns what a negation does to any sentiment word, not to those eight."""
    banned = check_words() | FUNCTION | content_words()
    one = {
        text.strip(): label
        for label, text in sst
        if re.fullmatch(r"[a-z]{4,}", text.strip())
        and text.strip().endswith(SUFFIXES)
        and not text.strip().endswith(NOT_ADJECTIVE)
        and text.strip() not in banned
    }
    docs = {POS: collections.Counter(), NEG: collections.Counter()}
    predicative: collections.Counter = collections.Counter()
    for label, text in imdb:
        lower = text.lower()
        docs[label].update(set(re.findall(r"[a-z]+", lower)) & one.keys())
        predicative.update(w for w in PREDICATE.findall(lower) if w in one)
    out: dict[str, list[tuple[int, str]]] = {POS: [], NEG: []}
    for word, label in one.items():
        n = docs[POS][word] + docs[NEG][word]
        if n >= 20 and docs[label][word] >= 0.7 * n and predicative[word] >= 0.1 * n:
            out[label].append((-n, word))
    return {label: [w for _, w in sorted(found)] for label, found in out.items()}


@contextlib.contextmanager
def _words_in(store: dict[str, list[str]], found: dict[str, list[str]]):  # type: ignore[no-untyped-def]
    """While inside, ``store`` (a word list the makers read) holds ``found``."""
    store.update(found)
    try:
        yield
    finally:
        store.clear()


def _widened(lexicon: dict[str, list[str]]):  # type: ignore[no-untyped-def]
    """While inside, :func:`adjectives` draws half of its words from ``lexicon``."""
    return _words_in(_WIDE, lexicon)


def wide_rows(lexicon: dict[str, list[str]], seed: str = SEED + "/wide") -> list[tuple[str, str]]:
    """E's sentences (as many, the same kinds), half their adjectives from ``lexicon``."""
    with _widened(lexicon):
        return rows(seed)


def wide_shape_rows(lexicon: dict[str, list[str]]) -> list[tuple[str, str]]:
    """F's shape sentences (as many), half of the whole-thing adjectives from ``lexicon``
    (candidate L)."""
    with _widened(lexicon):
        return shape_rows()


NEGATED = re.compile(r"n't\b|\bnot\b|\bnever\b|\bisnt\b")
"""A negation cue of the shape sentences: the plain ones have none."""


def negated_shape_rows(lexicon: dict[str, list[str]]) -> list[tuple[str, str]]:
    """Candidate M's rows: L's shape sentences without their plain half, as many negated
    ones as L holds (``SHAPE_ROWS // 2``), balanced by shape and label."""

    def only_negated(maker):  # type: ignore[no-untyped-def]
        def make(rng: random.Random, label: str) -> str:
            while not NEGATED.search(text := maker(rng, label)):
                pass
            return text

        return make

    rng = random.Random(SEED + "/shapes-negated")
    out: dict[str, str] = {}
    with _widened(lexicon):
        for maker in (whole, action):
            for label in (POS, NEG):
                _add(rng, out, only_negated(maker), label, SHAPE_ROWS // 8)
    return _shuffled(rng, out)


@contextlib.contextmanager
def _balanced():  # type: ignore[no-untyped-def]
    """While inside, the makers use every negator and ending with both labels."""
    _BALANCED.append(True)
    try:
        yield
    finally:
        _BALANCED.clear()


def balanced_rows(lexicon: dict[str, list[str]]) -> list[tuple[str, str]]:
    """Candidate N's sentences: K's (:func:`wide_rows`), with no function word that
    gives the label away. In K's, *at all* and *can't* occur in positive sentences only,
    *anymore* and *didn't* in negative ones only, so a model can learn *I didn't hate
    it* as negative from *didn't* alone; here each occurs with both labels (*I didn't
    detest the sitcom*, *The router isn't faulty anymore*)."""
    with _balanced():
        return wide_rows(lexicon, SEED + "/balanced")


def balanced_shape_rows(lexicon: dict[str, list[str]]) -> list[tuple[str, str]]:
    """Candidate O's added sentences: L's shapes (:func:`wide_shape_rows`), their
    endings (*anymore*, *at all*) with both labels."""
    with _balanced():
        return wide_shape_rows(lexicon)


# -- candidate Q: short negations typed as a reply ------------------------------------

SHORT_ROWS = 2400
"""Short sentences, half of each label; two thirds of them negated."""
SHORT_OBJECTS = ("it", "this", "it at all")
DOUBLED = {"regret": "regretted"}
"""Past tenses that double their last consonant; the others add *d* or *ed*."""


def past(verb: str) -> str:
    """*adored*, *detested*, *regretted*."""
    return DOUBLED.get(verb, verb + ("d" if verb.endswith("e") else "ed"))


PAST = {v: past(v) for v in f"{ADMIRE},{DESPISE}".split(",")}
"""The past tense of the verbs of judgement: *adored*, *detested*."""


def short(rng: random.Random, label: str) -> str:
    """A reply with no subject, or about *it*, over the sentences' own words: *Not
    tasteless at all.* (positive), *It wasn't delectable.* (negative), *Didn't adore
    it.* (negative); a third of them plain (*So tasteless!*, *Adored it.*), and every
    negator and ending with both labels."""
    kind = rng.choice(sorted(KINDS))
    negate = rng.random() < 2 / 3
    word = label if not negate else (NEG if label == POS else POS)
    if rng.random() < 0.25:  # a verb of judgement: ADMIRE positive, DESPISE negative
        verb = rng.choice((ADMIRE if word == POS else DESPISE).split(","))
        thing = rng.choice(SHORT_OBJECTS)
        if not negate:
            return capital(f"{rng.choice((PAST[verb], f'I {verb}', f'I {PAST[verb]}'))} {thing}.")
        form = rng.choice(("didn't", "don't", "did not", "do not", "I didn't", "I don't", "never"))
        said = PAST[verb] if form == "never" else verb
        return capital(f"{form} {said} {thing}.")
    adjective = rng.choice(adjectives(kind, word))
    if not negate:
        shape = ("{a}.", "really {a}.", "so {a}!", "it's {a}.", "it was {a}.", "very {a}.")
    else:
        shape = ("not {a}.", "not {a} at all.", "not really {a}.", "never {a}.", "hardly {a}.")
        shape += ("it isn't {a}.", "it wasn't {a} at all.", "it's not {a}.", "it is not {a}.")
        noun = rng.choice([s for s, plural in subjects(kind) if not plural]).removeprefix("the ")
        shape += (f"not {article(adjective)} {{a}} {noun}.",)
    return capital(rng.choice(shape).format(a=adjective))


def short_rows(lexicon: dict[str, list[str]]) -> list[tuple[str, str]]:
    """Candidate Q's added sentences: :func:`short` over the wide lexicon, balanced."""
    rng = random.Random(SEED + "/short")
    out: dict[str, str] = {}
    with _widened(lexicon):
        for label in (POS, NEG):
            _add(rng, out, short, label, SHORT_ROWS // 2)
    return _shuffled(rng, out)


# -- candidate R: negated actions over a wider lexicon of things that things do -------

WIDE_ACTIONS = {
    "gadget": (
        "responds instantly|respond instantly,hums quietly|hum quietly,charges fully|charge fully",
        "squeaks|squeak,buzzes|buzz,sparks|spark,beeps|beep,rusts|rust,cracks|crack,"
        "warps|warp,dies|die",
    ),
    "clothes": (
        "drapes nicely|drape nicely,insulates nicely|insulate nicely,wicks sweat|wick sweat",
        "frays|fray,pinches|pinch,chafes|chafe,sags|sag,stains|stain,wrinkles|wrinkle,bleeds|bleed",
    ),
    "meal": (
        "sizzles|sizzle,satisfies|satisfy",
        "wilts|wilt,curdles|curdle,congeals|congeal,sours|sour",
    ),
    "place": ("sparkles|sparkle,gleams|gleam", "floods|flood,reeks|reek,echoes|echo"),
    "people": (
        "greets everyone warmly|greet everyone warmly,smiles|smile",
        "shouts|shout,sulks|sulk,dawdles|dawdle,gossips|gossip,bickers|bicker,lectures|lecture",
    ),
    "service": (
        "launches instantly|launch instantly,syncs seamlessly|sync seamlessly",
        "buffers|buffer,spams|spam,nags|nag,misroutes|misroute,misfires|misfire,"
        "malfunctions|malfunction",
    ),
}
"""Actions for candidate R, ``third person|base``, by kind: positive, then negative; most
of them things that go wrong, none a word of the checks."""
ACTION_ROWS = 2400
"""R's rows, half of each label; half of them negated."""


def wide_action_rows() -> list[tuple[str, str]]:
    """Candidate R's added sentences: :func:`action` over :data:`WIDE_ACTIONS`, with *no
    longer* among the negations, every ending with both labels."""
    rng = random.Random(SEED + "/wide-actions")
    out: dict[str, str] = {}

    def make(rng: random.Random, label: str) -> str:
        return action(rng, label, WIDE_ACTIONS, ("no longer",))

    with _balanced():
        for label in (POS, NEG):
            _add(rng, out, make, label, ACTION_ROWS // 2)
    return _shuffled(rng, out)


# -- candidate T: the words users negate most, taught on purpose --------------------

COMMON = {
    POS: ("good,great,excellent,amazing,wonderful", "like,love,enjoy,recommend"),
    NEG: ("bad,poor,disappointing,horrible,awful", "hate,dislike,regret"),
}
"""Words of judgement that fit any kind of thing, by polarity: adjectives, then verbs.
They are words of the checks too, and the words users negate most: the five adjectives
of each polarity are the checks' judgements that suit any thing and that the most
training texts hold (``reviews-en`` training domains and SST-2 train: *good* 11,036,
*bad* 3,795, the fifth 558 and 198), the verbs every verb of judgement the checks use but
*avoid*. Candidate T trains on them; the checks' sentences holding one of them are
then measured apart (``candidates.py``: ``common``), the rest stay held out."""
COMMON_ROWS = 2400
"""T's rows, half of each label; two thirds of them negated."""
GERUNDS = {
    "show": "streaming", "gadget": "ordering", "clothes": "ordering", "meal": "ordering",
    "place": "visiting", "people": "hiring", "service": "using",
}  # fmt: skip
"""What one regrets doing with each kind of thing: *I don't regret ordering the soup.*"""


def common_words() -> set[str]:
    """Every form of :data:`COMMON` the sentences use (check words by design)."""
    found = {"regrets"}
    for adjectives_, verbs in COMMON.values():
        found.update(adjectives_.split(","))
        for verb in verbs.split(","):
            found.update((verb, past(verb)))
    return found


def common(rng: random.Random, label: str) -> str:
    """A sentence over :data:`COMMON`: *The router isn't good at all.* (negative),
    *It's not a bad sitcom.* (positive), *Not great.*, *I didn't like the soup.*, *I don't
    regret ordering the soup.* (positive), *No regrets.*; a third plain, every negator
    and ending with both labels."""
    kind = rng.choice(sorted(KINDS))
    subject, plural = rng.choice(subjects(kind))
    negate = rng.random() < 2 / 3
    polarity = label if not negate else (NEG if label == POS else POS)
    adjectives_, verbs = COMMON[polarity]
    if rng.random() < 0.3:
        return _common_verb(rng, rng.choice(verbs.split(",")), negate, kind, subject)
    word = rng.choice(adjectives_.split(",") + _FREQUENT.get(polarity, []))
    verb, contracted = be(plural, rng.random() < 0.5)
    noun = rng.choice([s for s, p in subjects(kind) if not p]).removeprefix("the ")
    if not negate:
        shapes = (
            f"{subject} {verb} {word}.",
            f"{subject} {verb} really {word}.",
            f"{word}.",
            f"so {word}!",
            f"it's {article(word)} {word} {noun}.",
            f"it was {word}.",
        )
        return capital(rng.choice(shapes))
    ending = rng.choice(("", "", " at all", " anymore"))
    shapes = (
        f"{subject} {contracted} {word}{ending}.",
        f"{subject} {verb} not {word}{ending}.",
        f"{subject} {verb} never {word}.",
        f"{subject} {verb} no longer {word}.",
        f"{subject} {contracted.replace(chr(39), '')} {word}{ending}.",
        f"not {word}{ending}.",
        f"not really {word}.",
        f"it wasn't {word}{ending}.",
        f"it's not {article(word)} {word} {noun}.",
        f"not {article(word)} {word} {noun}.",
        f"it isn't {article(word)} {word} {noun}.",
    )
    return capital(rng.choice(shapes))


def _common_verb(rng: random.Random, verb: str, negate: bool, kind: str, subject: str) -> str:
    """*I didn't enjoy the sitcom.*, *Liked it.*, *I don't regret ordering the soup.*"""
    thing = rng.choice((subject, subject, "it", "this", "it at all" if negate else "it"))
    doing = f"{GERUNDS[kind]} {subject}"
    if verb == "regret":
        if not negate:
            return rng.choice((f"I regret {doing}.", "I regret it.", f"I really regret {doing}."))
        thing = rng.choice((doing, "it", f"{doing} at all"))
        return rng.choice(
            (
                f"I don't regret {thing}.",
                f"I do not regret {thing}.",
                f"I never regretted {thing}.",
                f"Don't regret {thing}.",
                "No regrets.",
                "No regrets at all.",
            )
        )
    if not negate:
        plain = (f"I {verb}", f"I {past(verb)}", past(verb), f"I really {verb}")
        return capital(f"{rng.choice(plain)} {thing}.")
    forms = ("didn't", "did not", "don't", "do not", "I didn't", "I don't", "I did not")
    form = rng.choice((*forms, "I never", "never"))
    said = past(verb) if form.endswith("never") else verb
    return capital(f"{form} {said} {thing}.")


_FREQUENT: dict[str, list[str]] = {}
"""Candidate Cw's words (:func:`frequent_judgements`) while :func:`frequent_rows`
writes: :func:`common` then draws its adjectives from them as well (empty otherwise)."""


def common_rows() -> list[tuple[str, str]]:
    """Candidate T's added sentences: :func:`common`, balanced by label."""
    rng = random.Random(SEED + "/common")
    out: dict[str, str] = {}
    for label in (POS, NEG):
        _add(rng, out, common, label, COMMON_ROWS // 2, lower=0.15)
    return _shuffled(rng, out)


def load_lexicon(path: Path | None = None) -> dict[str, list[str]]:
    """The wide lexicon the shipped sentences use: candidate K's, which
    :func:`wide_lexicon` read off SST-2 train and IMDB train without the proxy's held-out
    films (``candidates.py split`` writes it again and says whether it still matches)."""
    data = json.loads((path or LEXICON).read_text("utf-8"))
    return {POS: list(data[POS]), NEG: list(data[NEG])}


def common_in_place_rows(lexicon: dict[str, list[str]]) -> list[tuple[str, str]]:
    """Candidate U's sentences: Q's (:func:`balanced_rows`, :func:`balanced_shape_rows`,
    :func:`short_rows`) with T's 2,400 (:func:`common_rows`) in place of the first 2,400
    of the balanced ones (a seeded sample of their kinds), so as many as Q's."""
    common = common_rows()
    balanced = balanced_rows(lexicon)[len(common) :]
    return balanced + balanced_shape_rows(lexicon) + short_rows(lexicon) + common


NEGATOR = re.compile(r"n't\b|\b(?:not|never|no|hardly|far|isnt|wasnt|arent|werent)\b", re.I)
"""A negation in N's sentences (*far from*, *no complaints*, *isnt* included)."""


def common_for_unnegated_rows(lexicon: dict[str, list[str]]) -> list[tuple[str, str]]:
    """Candidate C's sentences: Q's, with T's 2,400 (:func:`common_rows`) in place of
    the first 2,400 of the balanced ones that negate nothing (plain and *but* sentences,
    in their seeded order), so that every negated sentence over the rare words stays."""
    common = common_rows()
    dropped, balanced = 0, []
    for label, text in balanced_rows(lexicon):
        if dropped < len(common) and not NEGATOR.search(text):
            dropped += 1
            continue
        balanced.append((label, text))
    return balanced + balanced_shape_rows(lexicon) + short_rows(lexicon) + common


def shipped_rows() -> list[tuple[str, str]]:
    """The sentences of ``data/negation_train.tsv``, candidate Cw's
    (:func:`frequent_rows`) over the shipped wide lexicon and frequent judgements: C's
    read every score better than U's on two seeds, Cw's read the negation checks better
    than C's, and the median of three builds keeps the SST-2 floor."""
    return frequent_rows(load_lexicon(), load_frequent())


def write(path: Path = OUT, shapes: bool = False) -> int:
    """``data/negation_train.tsv`` (:func:`shipped_rows`); with ``shapes``, candidate F's
    file instead: E's own sentences and F's shapes."""
    check_disjoint()
    made = rows() + shape_rows() if shapes else shipped_rows()
    with path.open("w", encoding="utf-8", newline="\n") as f:
        f.write("label\ttext\n")
        f.writelines(f"{label}\t{text}\n" for label, text in made)
    return len(made)


# -- candidate Cw: the checks' judgements that training texts use most, taught too ------

FREQUENT_TEXTS = 100
"""The least number of training texts that hold a word of :func:`frequent_judgements`."""
FREQUENT_SHARE = 0.7
"""The least share of those texts whose label is the word's polarity."""


def frequent_judgements(rows: list[tuple[str, str]]) -> dict[str, list[str]]:
    """The checks' adjectives that users type most, by polarity, besides :data:`COMMON`:
    one polarity wherever a check uses the word, held by at least :data:`FREQUENT_TEXTS`
    of ``rows`` (``(label, text)`` training rows), at least :data:`FREQUENT_SHARE` of them
    with the word's polarity (so *thin*, *heavy* and *tiny*, which reviews use both
    ways, stay out). Commonest first; of words held equally often, the one met first in
    ``rows`` (then the alphabet), so the order, which the sentences draw by, never
    depends on the process. Check words by design, like :data:`COMMON`: the check
    sentences that hold none of them stay held out."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from checklist import SUBJECTS, WHOLES

    polarity: dict[str, set[str]] = collections.defaultdict(set)
    for subject in SUBJECTS:
        for label in (POS, NEG):
            for word in subject.adjectives(label):
                polarity[word].add(label)
    for _, good, bad in WHOLES.values():
        for label, found in ((POS, good), (NEG, bad)):
            for word in found.split(","):
                polarity[word].add(label)
    single = {w: next(iter(p)) for w, p in polarity.items() if len(p) == 1}
    single = {w: p for w, p in single.items() if w not in common_words()}
    held, agree, first = collections.Counter(), collections.Counter(), {}
    for row, (label, text) in enumerate(rows):
        for word in set(words(text)) & single.keys():
            first.setdefault(word, row)
            held[word] += 1
            agree[word] += label == single[word]
    out: dict[str, list[str]] = {POS: [], NEG: []}
    for word in sorted(held, key=lambda w: (-held[w], first[w], w)):
        if held[word] >= FREQUENT_TEXTS and agree[word] >= FREQUENT_SHARE * held[word]:
            out[single[word]].append(word)
    return out


def frequent_rows(
    lexicon: dict[str, list[str]], frequent: dict[str, list[str]]
) -> list[tuple[str, str]]:
    """Candidate Cw's sentences: C's (:func:`common_for_unnegated_rows`), their 2,400
    sentences over the commonest judgements drawing adjectives from ``frequent`` too."""
    with _words_in(_FREQUENT, frequent):
        return common_for_unnegated_rows(lexicon)


def load_frequent(path: Path | None = None) -> dict[str, list[str]]:
    """The frequent judgements the shipped sentences negate: candidate Cw's, which
    :func:`frequent_judgements` read off the training domains and SST-2 train
    (``candidates.py split`` writes them again)."""
    data = json.loads((path or FREQUENT).read_text("utf-8"))
    return {POS: list(data[POS]), NEG: list(data[NEG])}


def taught_words() -> set[str]:
    """Every check word the shipped sentences negate on purpose: :data:`COMMON`'s forms
    and the frequent judgements. The check sentences holding none stay held out."""
    return common_words() | {w for found in load_frequent().values() for w in found}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--shapes", type=Path, help="write candidate F's rows (with the shapes) to this file"
    )
    args = parser.parse_args()
    if args.shapes:  # candidate F's file, outside data/ until adopted
        print(f"{args.shapes}: {write(args.shapes, shapes=True)} rows")
    else:
        print(f"{OUT.relative_to(ROOT)}: {write()} rows")
