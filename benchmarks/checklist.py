"""Behaviour checks of negation and contrast, in the manner of CheckList.

CheckList (Ribeiro, Wu, Guestrin and Singh, "Beyond Accuracy: Behavioral Testing of NLP
Models with CheckList", ACL 2020) tests a model on many small sentences made from
templates, one capability at a time, instead of one accuracy figure on a corpus. This
script does that for the capabilities a short review needs: plain sentiment words,
negation of a positive or a negative word, contracted and full negations, a "but" clause
that decides, and case and typing variants. The templates and their wording are ours.

It writes one labelled file per kind to ``data/checks/`` (``label``, ``text``,
``variant``, ``family``; the typo kind adds ``base``), made from a fixed seed, so that a
run rewrites them byte for byte, and each file can be given to ``sentigru evaluate``.
Then it measures, in the same run:

* the bundled model's phone file (``sentigru.load()``, LiteRT, no TensorFlow) per kind;
* a TF-IDF (word 1-2 grams) + logistic regression peer trained on the bundled model's own
  training rows (``baselines.bundled_rows`` minus its validation split), as in
  ``baselines.py``;
* whether SST-2's PTB tokenization (``is n't``, ``ca n't``, lower case) hides its
  negations from a model that reads ``isn't``: how the training data and the bundled
  vocabulary hold those forms, the bundled model on the same sentences written both
  ways, and TF-IDF peers trained with SST-2 as is and detokenized (``is n't`` ->
  ``isn't``), which says whether the mismatch matters without retraining the GRU.

Benchmark-only dependency: ``pip install scikit-learn``.

    python benchmarks/checklist.py                  # data/checks/ and both reports
    python benchmarks/checklist.py --generate-only  # data/checks/ only
    python benchmarks/checklist.py --report-only    # checklist.md again from checklist.json

Writes ``data/checks/*.tsv``, ``benchmarks/checklist.md`` and ``benchmarks/checklist.json``.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache, partial
from pathlib import Path

from sentigru.data.apostrophes import CURLY

ROOT = Path(__file__).resolve().parents[1]
CHECKS = ROOT / "data" / "checks"
SEED = "sentigru-checklist/1"
KINDS = (
    "plain_positive",
    "plain_negative",
    "negated_positive",
    "negated_negative",
    "contraction",
    "contrast",
    "typo_case",
    "short_negation",
)
NEGATION_KINDS = ("negated_positive", "negated_negative", "contraction")
PER_KIND = 400
POS, NEG = "positive", "negative"
FILMS, PRODUCTS, RESTAURANTS, HOTELS, APPS = "film", "product", "restaurant", "hotel", "app"
DOMAINS = (FILMS, PRODUCTS, RESTAURANTS, HOTELS, APPS)
# Things that can change over time, so "no longer" reads naturally about them.
CHANGING = (PRODUCTS, RESTAURANTS, HOTELS, APPS)
# Things one "enjoys" (one does not enjoy a charger).
EXPERIENCES = (FILMS, RESTAURANTS, HOTELS)
FORMS = ("contracted", "full", "never", "no_longer", "s_not")

# -- lexicon -----------------------------------------------------------------------------

GENERIC = {
    POS: ("good", "great", "excellent", "fantastic", "amazing", "wonderful"),
    NEG: ("bad", "terrible", "awful", "horrible", "disappointing", "dreadful"),
}
# Words at the end of their scale: "really great", not "very great" or "quite great".
EXTREME = frozenset(
    (
        *("great", "fantastic", "amazing", "wonderful", "excellent", "superb", "brilliant"),
        *("stunning", "heavenly", "spotless", "delicious", "perfect", "terrible", "awful"),
        *("horrible", "dreadful", "filthy", "useless", "pointless"),
    )
)


@dataclass(frozen=True)
class Subject:
    """A thing a review speaks of, with adjectives that suit it."""

    text: str
    domain: str
    plural: bool
    words: dict[str, tuple[str, ...]]

    def adjectives(self, polarity: str) -> tuple[str, ...]:
        return tuple(dict.fromkeys(self.words[polarity] + GENERIC[polarity]))


def _subject(text: str, domain: str, pos: str, neg: str, plural: bool = False) -> Subject:
    return Subject(text, domain, plural, {POS: tuple(pos.split(",")), NEG: tuple(neg.split(","))})


_FILM_POS = "gripping,moving,funny,clever,entertaining,beautiful,memorable"
_FILM_NEG = "boring,dull,predictable,forgettable,tedious,pointless"
SUBJECTS = (
    _subject("the film", FILMS, _FILM_POS, _FILM_NEG),
    _subject("the movie", FILMS, _FILM_POS, _FILM_NEG),
    _subject("the sequel", FILMS, _FILM_POS, _FILM_NEG),
    _subject("the plot", FILMS, "clever,gripping,original,engaging", "predictable,confusing,thin"),
    _subject("the acting", FILMS, "convincing,natural,brilliant", "wooden,stiff,poor"),
    _subject("the script", FILMS, "sharp,witty,clever", "clumsy,lazy,flat"),
    _subject("the ending", FILMS, "satisfying,moving,surprising", "rushed,unsatisfying"),
    _subject("the soundtrack", FILMS, "beautiful,memorable,catchy", "forgettable,grating"),
    _subject("the dialogue", FILMS, "witty,sharp,natural", "clunky,wooden,stilted"),
    _subject("the jokes", FILMS, "funny,clever,sharp", "lame,stale,flat", plural=True),
    _subject("the cast", FILMS, "superb,convincing,charming", "wooden,unconvincing,bland"),
    _subject("the special effects", FILMS, "stunning,convincing", "cheap,unconvincing", True),
    _subject("the pacing", FILMS, "tight,brisk", "slow,sluggish,uneven"),
    _subject("the battery", PRODUCTS, "reliable,long-lasting", "weak,unreliable"),
    _subject("the screen", PRODUCTS, "sharp,bright,clear", "dim,blurry,grainy"),
    _subject("the charger", PRODUCTS, "fast,reliable", "slow,flimsy,unreliable"),
    _subject("the headphones", PRODUCTS, "comfortable,lightweight", "uncomfortable,tinny", True),
    _subject("the keyboard", PRODUCTS, "sturdy,responsive,quiet", "flimsy,noisy,unresponsive"),
    _subject("the blender", PRODUCTS, "powerful,quiet", "loud,weak,flimsy"),
    _subject("the camera", PRODUCTS, "sharp,fast", "blurry,slow"),
    _subject("the phone", PRODUCTS, "fast,reliable,sleek", "slow,unreliable,clunky"),
    _subject("the build quality", PRODUCTS, "solid,excellent", "cheap,flimsy,poor"),
    _subject("the shoes", PRODUCTS, "comfortable,sturdy", "uncomfortable,flimsy,stiff", True),
    _subject("the laptop", PRODUCTS, "fast,lightweight,reliable", "slow,heavy,unreliable"),
    _subject("the sound quality", PRODUCTS, "crisp,clear,rich", "tinny,muffled,poor"),
    _subject("the food", RESTAURANTS, "delicious,tasty,fresh", "bland,greasy,stale,cold"),
    _subject("the service", RESTAURANTS, "friendly,quick,attentive", "slow,rude,poor"),
    _subject("the staff", RESTAURANTS, "friendly,helpful,attentive", "rude,unhelpful", True),
    _subject("the pizza", RESTAURANTS, "delicious,crispy,tasty", "soggy,burnt,bland"),
    _subject("the coffee", RESTAURANTS, "rich,smooth", "bitter,weak,lukewarm"),
    _subject("the portions", RESTAURANTS, "generous", "tiny,stingy", plural=True),
    _subject("the dessert", RESTAURANTS, "delicious,heavenly", "stale,bland"),
    _subject("the waiter", RESTAURANTS, "friendly,attentive,charming", "rude,careless"),
    _subject("the pasta", RESTAURANTS, "delicious,fresh", "overcooked,bland,soggy"),
    _subject("the atmosphere", RESTAURANTS, "relaxed,lively,warm", "gloomy,stuffy"),
    _subject("the room", HOTELS, "clean,spacious,quiet,comfortable", "dirty,cramped,noisy"),
    _subject("the bed", HOTELS, "comfortable", "uncomfortable,lumpy"),
    _subject("the hotel", HOTELS, "lovely,spotless,quiet", "shabby,noisy,dirty"),
    _subject("the location", HOTELS, "convenient,central", "inconvenient"),
    _subject("the breakfast", HOTELS, "delicious,generous", "bland,stale,skimpy"),
    _subject("the hotel staff", HOTELS, "friendly,helpful", "rude,unhelpful", plural=True),
    _subject("the bathroom", HOTELS, "clean,spotless,modern", "dirty,filthy,tiny"),
    _subject("the wifi", HOTELS, "fast,reliable", "slow,patchy,poor"),
    _subject("the pool", HOTELS, "clean,lovely", "dirty,crowded"),
    _subject("the view", HOTELS, "stunning,beautiful", "dreary"),
    _subject("the app", APPS, "fast,reliable,intuitive,useful", "slow,buggy,confusing,clunky"),
    _subject("the interface", APPS, "clean,intuitive,simple", "cluttered,confusing,clunky"),
    _subject("the update", APPS, "smooth,useful", "buggy,annoying"),
    _subject("the checkout", APPS, "quick,simple", "slow,confusing"),
    _subject("the customer support", APPS, "helpful,responsive", "useless,unhelpful,slow"),
    _subject("the notifications", APPS, "useful,helpful", "annoying,intrusive", plural=True),
    _subject("the new design", APPS, "clean,beautiful,intuitive", "cluttered,ugly,confusing"),
    _subject("the search", APPS, "fast,accurate", "slow,useless"),
)


@dataclass(frozen=True)
class Action:
    """Something a thing does: third person, plural/base and past forms."""

    subject: str
    domain: str
    plural: bool
    polarity: str
    forms: tuple[str, str, str]


PLURAL = ("the hotel staff", "the staff")


def _actions(domain: str, polarity: str, lines: str) -> list[Action]:
    """``subject: does|do|did`` lines; a subject ending in ``s``, or named in
    :data:`PLURAL`, is plural."""
    out = []
    for line in lines.strip().splitlines():
        subject, forms = (part.strip() for part in line.split(":"))
        third, base, past = forms.split("|")
        plural = subject.endswith("s") or subject in PLURAL
        out.append(Action(subject, domain, plural, polarity, (third, base, past)))
    return out


ACTIONS = (
    *_actions(
        FILMS,
        POS,
        """
        the film: keeps me hooked|keep me hooked|kept me hooked
        the movie: makes me laugh|make me laugh|made me laugh
        the story: holds my attention|hold my attention|held my attention
        the jokes: land|land|landed
        the twist: surprises me|surprise me|surprised me
        """,
    ),
    *_actions(
        FILMS,
        NEG,
        """
        the plot: drags|drag|dragged
        the film: bores me|bore me|bored me
        the ending: falls flat|fall flat|fell flat
        the second half: drags|drag|dragged
        the jokes: fall flat|fall flat|fell flat
        the movie: puts me to sleep|put me to sleep|put me to sleep
        """,
    ),
    *_actions(
        PRODUCTS,
        POS,
        """
        the battery: lasts all day|last all day|lasted all day
        the charger: works perfectly|work perfectly|worked perfectly
        the headphones: sound great|sound great|sounded great
        the shoes: fit perfectly|fit perfectly|fit perfectly
        the laptop: boots up quickly|boot up quickly|booted up quickly
        the vacuum: picks up everything|pick up everything|picked up everything
        the camera: takes sharp photos|take sharp photos|took sharp photos
        the kettle: boils quickly|boil quickly|boiled quickly
        """,
    ),
    *_actions(
        PRODUCTS,
        NEG,
        """
        the battery: drains overnight|drain overnight|drained overnight
        the phone: overheats|overheat|overheated
        the phone: freezes|freeze|froze
        the blender: leaks|leak|leaked
        the headphones: hurt my ears|hurt my ears|hurt my ears
        the shoes: give me blisters|give me blisters|gave me blisters
        the printer: jams|jam|jammed
        the screen: flickers|flicker|flickered
        the zipper: sticks|stick|stuck
        """,
    ),
    *_actions(
        RESTAURANTS,
        POS,
        """
        the food: arrives hot|arrive hot|arrived hot
        the pizza: tastes amazing|taste amazing|tasted amazing
        the staff: make us feel welcome|make us feel welcome|made us feel welcome
        the dessert: melts in your mouth|melt in your mouth|melted in your mouth
        """,
    ),
    *_actions(
        RESTAURANTS,
        NEG,
        """
        the food: takes forever|take forever|took forever
        the staff: ignore us|ignore us|ignored us
        the waiter: gets our order wrong|get our order wrong|got our order wrong
        the coffee: tastes burnt|taste burnt|tasted burnt
        """,
    ),
    *_actions(
        HOTELS,
        POS,
        """
        the wifi: works well|work well|worked well
        the air conditioning: works perfectly|work perfectly|worked perfectly
        the hotel staff: go out of their way to help|go out of their way to help|went out of their way to help
        """,  # noqa: E501
    ),
    *_actions(
        HOTELS,
        NEG,
        """
        the wifi: keeps dropping|keep dropping|kept dropping
        the room: smells of smoke|smell of smoke|smelled of smoke
        the shower: runs cold|run cold|ran cold
        the street noise: keeps us awake|keep us awake|kept us awake
        the bed: creaks|creak|creaked
        """,
    ),
    *_actions(
        APPS,
        POS,
        """
        the app: loads quickly|load quickly|loaded quickly
        the app: runs smoothly|run smoothly|ran smoothly
        the checkout: works smoothly|work smoothly|worked smoothly
        the search: finds what I need|find what I need|found what I needed
        the notifications: arrive on time|arrive on time|arrived on time
        """,
    ),
    *_actions(
        APPS,
        NEG,
        """
        the app: crashes|crash|crashed
        the app: freezes|freeze|froze
        the app: drains my battery|drain my battery|drained my battery
        the app: logs me out|log me out|logged me out
        the app: shows too many ads|show too many ads|showed too many ads
        """,
    ),
)

# Whole things ("It's a clumsy film"), with adjectives that suit the thing itself.
WHOLES = {
    FILMS: ("film movie sequel documentary", _FILM_POS, _FILM_NEG),
    PRODUCTS: ("phone charger blender laptop kettle", "reliable,sturdy", "flimsy,unreliable"),
    RESTAURANTS: ("restaurant place cafe bakery", "charming,welcoming", "overpriced,dingy"),
    HOTELS: ("hotel guesthouse place", "charming,comfortable,clean", "shabby,dirty,noisy"),
    APPS: ("app", "useful,reliable,intuitive", "buggy,useless,clunky,confusing"),
}
# What one regrets about each kind of thing.
REGRETS = {
    FILMS: ("watching this film", "watching this movie"),
    PRODUCTS: ("buying this phone", "buying this blender", "buying these headphones"),
    RESTAURANTS: ("eating here", "booking this restaurant"),
    HOTELS: ("booking this hotel", "staying here"),
    APPS: ("downloading this app", "installing this update"),
}
OBJECTS = {
    FILMS: ("this film", "this movie", "the sequel", "the documentary", "it"),
    PRODUCTS: ("this phone", "these headphones", "this charger", "this blender", "this laptop"),
    RESTAURANTS: ("this restaurant", "this place", "the food here", "this cafe", "it"),
    HOTELS: ("this hotel", "this place", "the room", "it"),
    APPS: ("this app", "the new version", "the update", "it"),
}
# Sentences about oneself, plain: (template, domains it suits) by the verb's polarity.
I_PLAIN = {
    POS: (
        ("I love {obj}.", DOMAINS),
        ("I loved {obj}.", DOMAINS),
        ("I really like {obj}.", DOMAINS),
        ("I absolutely loved {obj}.", DOMAINS),
        ("I enjoyed {obj}.", EXPERIENCES),
        ("I really enjoyed {obj}.", EXPERIENCES),
        ("I would recommend {obj}.", DOMAINS),
        ("I'd recommend {obj} to anyone.", DOMAINS),
    ),
    NEG: (
        ("I hate {obj}.", DOMAINS),
        ("I hated {obj}.", DOMAINS),
        ("I really dislike {obj}.", DOMAINS),
        ("I absolutely hated {obj}.", DOMAINS),
        ("I regret {regret}.", DOMAINS),
        ("I really regret {regret}.", DOMAINS),
        ("I would avoid {obj}.", DOMAINS),
        ("I'd avoid {obj} if I were you.", DOMAINS),
    ),
}
# Negated: {form: template} groups, by the polarity of the verb negated.
I_NEGATED = {
    POS: (
        {
            "contracted": "I don't like {obj}.",
            "full": "I do not like {obj}.",
            "never": "I never liked {obj}.",
            "no_longer": "I no longer like {obj}.",
        },
        {
            "contracted": "I didn't enjoy {obj}.",
            "full": "I did not enjoy {obj}.",
            "never": "I never enjoyed {obj}.",
        },
        {
            "contracted": "I wouldn't recommend {obj}.",
            "full": "I would not recommend {obj}.",
            "never": "I would never recommend {obj}.",
            "no_longer": "I no longer recommend {obj}.",
        },
        {"contracted": "I can't recommend {obj}.", "full": "I cannot recommend {obj}."},
    ),
    NEG: (
        {
            "contracted": "I didn't hate {obj}.",
            "full": "I did not hate {obj}.",
            "never": "I never hated {obj}.",
            "no_longer": "I no longer hate {obj}.",
        },
        {
            "contracted": "I don't regret {regret}.",
            "full": "I do not regret {regret}.",
            "never": "I never regretted {regret}.",
        },
        {
            "contracted": "I don't regret {regret} at all.",
            "full": "I do not regret {regret} at all.",
        },
    ),
}
# A closing verdict on the whole, free of negation, for "but" clauses.
VERDICTS = {
    FILMS: {
        POS: ("I still loved it", "I'd happily watch it again", "overall I enjoyed it"),
        NEG: ("I was bored by the end", "I regret watching it", "overall it was a waste of time"),
    },
    PRODUCTS: {
        POS: ("it's worth every penny", "I'm very happy with it", "I'd buy it again"),
        NEG: ("I'm returning it", "it was a waste of money", "I regret buying it"),
    },
    RESTAURANTS: {
        POS: ("we'll definitely be back", "I'd happily eat here again", "we had a lovely evening"),
        NEG: ("we're going elsewhere next time", "I regret going", "it was a waste of money"),
    },
    HOTELS: {
        POS: ("we'd happily stay here again", "overall we loved our stay", "it was worth it"),
        NEG: ("we checked out early", "I regret booking it", "our stay was miserable"),
    },
    APPS: {
        POS: ("I use it every day and love it", "overall it's a great app", "I'd recommend it"),
        NEG: ("I uninstalled it", "I regret downloading it", "overall it's a waste of time"),
    },
}
NEGATION = re.compile(r"\b(?:not|never|no longer|cannot)\b|n't\b", re.IGNORECASE)


def cue_lists() -> dict[str, set[str]]:
    """Every sentiment-bearing word or phrase the templates use, by polarity: what decides
    a sentence's label before a negation or a "but" clause turns it."""
    out: dict[str, set[str]] = {POS: set(), NEG: set()}
    for subject in SUBJECTS:
        for polarity in (POS, NEG):
            out[polarity].update(subject.adjectives(polarity))
    for _, pos, neg in WHOLES.values():
        out[POS].update(pos.split(","))
        out[NEG].update(neg.split(","))
    for action in ACTIONS:
        out[action.polarity].update(action.forms)
    out[POS].update(("love", "loved", "like", "liked", "enjoy", "enjoyed", "recommend"))
    out[NEG].update(("hate", "hated", "dislike", "avoid", "regret", "regretted"))
    for verdicts in VERDICTS.values():
        for polarity, lines in verdicts.items():
            out[polarity].update(lines)
    return out


@lru_cache(maxsize=1)
def _cue_patterns() -> dict[str, re.Pattern[str]]:
    """One pattern per polarity matching any of its cues as whole words, in lower case."""
    return {
        polarity: re.compile(
            r"(?<![\w'])(?:"
            + "|".join(re.escape(c.lower()) for c in sorted(cues, key=len, reverse=True))
            + r")(?![\w'])"
        )
        for polarity, cues in cue_lists().items()
    }


def cue_polarities(text: str) -> set[str]:
    """The polarities of the cues in ``text`` (whole words, any case)."""
    lowered = text.lower()
    return {polarity for polarity, pattern in _cue_patterns().items() if pattern.search(lowered)}


def negated(text: str) -> bool:
    return bool(NEGATION.search(text))


# -- sentence pieces ---------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    label: str
    text: str
    variant: str
    family: str
    base: str = ""


def flip(polarity: str) -> str:
    return NEG if polarity == POS else POS


def sentence(text: str, end: str = ".") -> str:
    return text[0].upper() + text[1:] + end


def article(word: str) -> str:
    vowel = word[0] in "aeio" or (word[0] == "u" and not word.startswith(("us", "uni")))
    return "an" if vowel else "a"


def be(plural: bool, past: bool) -> str:
    return ("were" if plural else "was") if past else ("are" if plural else "is")


def do(plural: bool, past: bool) -> str:
    return "did" if past else "do" if plural else "does"


class Draw:
    """Seeded choices; one per kind, so each kind's rows depend only on the seed and on
    the rows drawn before it."""

    def __init__(self, name: str) -> None:
        self.rng = random.Random(f"{SEED}:{name}")

    def pick(self, items):  # type: ignore[no-untyped-def]
        return items[self.rng.randrange(len(items))]

    def chance(self, p: float) -> bool:
        return self.rng.random() < p


def subject_of(draw: Draw, domain: str | None = None) -> Subject:
    pool = [s for s in SUBJECTS if domain is None or s.domain == domain]
    return draw.pick(pool)


def action_of(draw: Draw, polarity: str, domain: str | None = None) -> Action:
    pool = [a for a in ACTIONS if a.polarity == polarity and (domain is None or a.domain == domain)]
    return draw.pick(pool)


def adjective_forms(
    subject: Subject, adjective: str, past: bool, before: str, tail: str
) -> dict[str, str]:
    """The same judgement of ``subject`` in each negation form (``{form: clause}``): the
    contracted and full forms differ in the negation only."""
    verb = be(subject.plural, past)
    who = subject.text
    forms = {
        "contracted": f"{who} {verb}n't {before}{adjective}{tail}",
        "full": f"{who} {verb} not {before}{adjective}{tail}",
        "never": f"{who} {verb} never {adjective}",
    }
    if subject.domain in CHANGING:
        forms["no_longer"] = f"{who} {verb} no longer {adjective}"
    if not subject.plural and not past:
        forms["s_not"] = f"{who}'s not {before}{adjective}{tail}"
    return forms


def action_forms(action: Action, past: bool, anymore: bool) -> dict[str, str]:
    third, base, past_form = action.forms
    helper = do(action.plural, past)
    later = " anymore" if anymore and not past else ""
    now = base if action.plural else third
    forms = {
        "contracted": f"{action.subject} {helper}n't {base}{later}",
        "full": f"{action.subject} {helper} not {base}{later}",
        "never": f"{action.subject} never {past_form if past else now}",
    }
    if action.domain in CHANGING and not past:
        forms["no_longer"] = f"{action.subject} no longer {now}"
    return forms


def whole_forms(noun: str, adjective: str, past: bool) -> dict[str, str]:
    a = article(adjective)
    if past:
        return {
            "contracted": f"it wasn't {a} {adjective} {noun}",
            "full": f"it was not {a} {adjective} {noun}",
        }
    return {
        "contracted": f"it isn't {a} {adjective} {noun}",
        "full": f"it is not {a} {adjective} {noun}",
        "s_not": f"it's not {a} {adjective} {noun}",
    }


def i_fill(template: str, draw: Draw, domain: str) -> str:
    return template.format(obj=draw.pick(OBJECTS[domain]), regret=draw.pick(REGRETS[domain]))


# -- one sentence of each family ---------------------------------------------------------


def adverb(draw: Draw, adjective: str) -> str:
    """An intensifier that suits ``adjective`` (or none, half the time)."""
    if draw.chance(0.5):
        return ""
    if adjective in EXTREME:
        return draw.pick(("really ", "absolutely ", "truly "))
    return draw.pick(("really ", "very ", "so ", "quite ", "incredibly "))


def plain(draw: Draw, polarity: str) -> Row:
    """A sentence whose sentiment words say its label, with no negation."""
    family = draw.pick(("adjective", "adjective", "action", "whole", "i"))
    label = polarity
    if family == "adjective":
        subject = subject_of(draw)
        past = draw.chance(0.5)
        adjective = draw.pick(subject.adjectives(polarity))
        verb = be(subject.plural, past)
        return Row(
            label,
            sentence(f"{subject.text} {verb} {adverb(draw, adjective)}{adjective}"),
            "plain",
            family,
        )
    if family == "action":
        action = action_of(draw, polarity)
        past = action.domain == FILMS or draw.chance(0.4)
        third, base, past_form = action.forms
        verb = past_form if past else base if action.plural else third
        often = "" if past or draw.chance(0.5) else "always "
        return Row(label, sentence(f"{action.subject} {often}{verb}"), "plain", family)
    domain = draw.pick(DOMAINS)
    if family == "whole":
        nouns, pos, neg = WHOLES[domain]
        adjectives = (pos if polarity == POS else neg).split(",") + list(GENERIC[polarity])
        adjective = draw.pick(adjectives)
        noun = draw.pick(nouns.split())
        shape = draw.pick(
            (
                "it's {a} {adj} {noun}",
                "this is {a} really {adj} {noun}",
                "what {a} {adj} {noun}",
                "{a} {adj} {noun}, honestly",
            )
        )
        a = "a" if "really" in shape else article(adjective)
        end = "!" if shape.startswith("what") else "."
        return Row(
            label, sentence(shape.format(a=a, adj=adjective, noun=noun), end), "plain", family
        )
    templates = [t for t, domains in I_PLAIN[polarity] if domain in domains]
    return Row(label, i_fill(draw.pick(templates), draw, domain), "plain", family)


def plain_words(adjectives: Sequence[str], cue: str) -> list[str]:
    """``adjectives`` fit to follow "not": "not unreliable" is a double negative that
    reads as a riddle, so negative words formed with un- or in- are left out."""
    if cue == POS:
        return list(adjectives)
    return [a for a in adjectives if not a.startswith("un") and a != "inconvenient"]


def negated_group(draw: Draw, cue: str, domain: str | None = None) -> tuple[str, dict[str, str]]:
    """A negated judgement in every form it takes: ``(family, {form: sentence})``. The
    label is the opposite of ``cue``, the polarity of the word negated."""
    family = draw.pick(("adjective", "adjective", "action", "whole", "i"))
    domain = domain or draw.pick(DOMAINS)
    if family == "adjective":
        subject = subject_of(draw, domain)
        adjective = draw.pick(plain_words(subject.adjectives(cue), cue))
        softer = ("that ", "particularly ") + (() if adjective in EXTREME else ("very ",))
        soften = cue == POS and draw.chance(0.3)
        tail = " at all" if cue == NEG and draw.chance(0.4) else ""
        before = draw.pick(softer) if soften else ""
        forms = adjective_forms(subject, adjective, draw.chance(0.5), before, tail)
    elif family == "action":
        action = action_of(draw, cue, domain)
        past = action.domain == FILMS or draw.chance(0.4)
        forms = action_forms(action, past, anymore=draw.chance(0.4))
    elif family == "whole":
        nouns, pos, neg = WHOLES[domain]
        adjectives = plain_words((pos if cue == POS else neg).split(",") + list(GENERIC[cue]), cue)
        forms = whole_forms(draw.pick(nouns.split()), draw.pick(adjectives), draw.chance(0.4))
    else:
        group = draw.pick(I_NEGATED[cue])
        if "enjoy" in group["full"] and domain not in EXPERIENCES:
            group = I_NEGATED[cue][0]
        obj, regret = draw.pick(OBJECTS[domain]), draw.pick(REGRETS[domain])
        forms = {
            form: template.format(obj=obj, regret=regret)[:-1]
            for form, template in group.items()
            if form != "no_longer" or domain in CHANGING
        }
    return family, {form: sentence(text) for form, text in forms.items()}


# What one "but" sentence may speak of: the parts of one thing, or of one visit. The
# first name of each group is the thing as a whole.
CONTRAST_GROUPS = {
    FILMS: (
        (
            "the film",
            "the movie",
            "the sequel",
            "the plot",
            "the acting",
            "the script",
            "the ending",
            "the soundtrack",
            "the dialogue",
            "the jokes",
            "the cast",
            "the special effects",
            "the pacing",
            "the story",
            "the twist",
            "the second half",
        ),
    ),
    PRODUCTS: (
        (
            "the phone",
            "the battery",
            "the screen",
            "the camera",
            "the charger",
            "the build quality",
        ),
        ("the laptop", "the battery", "the screen", "the keyboard", "the build quality"),
        ("the headphones", "the sound quality", "the battery", "the build quality"),
    ),
}
WHOLE_NAMES = (
    "the film",
    "the movie",
    "the sequel",
    "the phone",
    "the laptop",
    "the headphones",
    "the hotel",
    "the app",
)


def group_of(domain: str, draw: Draw) -> tuple[str, ...]:
    """The subjects one "but" sentence about ``domain`` may name."""
    if domain in (FILMS, PRODUCTS):
        return draw.pick(CONTRAST_GROUPS[domain])
    names = [s.text for s in SUBJECTS if s.domain == domain]
    names += [a.subject for a in ACTIONS if a.domain == domain]
    return tuple(dict.fromkeys(names))


def clause(
    draw: Draw, polarity: str, group: tuple[str, ...], past: bool, avoid: tuple[str, ...]
) -> tuple[str, str]:
    """``(subject, clause)``: a judgement of one of ``group``, none of ``avoid``."""
    subjects = [s for s in SUBJECTS if s.text in group and s.text not in avoid]
    actions = [
        a
        for a in ACTIONS
        if a.polarity == polarity and a.subject in group and a.subject not in avoid
    ]
    if subjects and (not actions or draw.chance(0.7)):
        subject = draw.pick(subjects)
        own = subject.words[polarity]
        adjective = draw.pick(own if draw.chance(0.7) else subject.adjectives(polarity))
        return subject.text, f"{subject.text} {be(subject.plural, past)} {adjective}"
    action = draw.pick(actions)
    third, base, past_form = action.forms
    verb = past_form if past else base if action.plural else third
    return action.subject, f"{action.subject} {verb}"


def contrast(draw: Draw, label: str) -> Row:
    """Two clauses of opposite sentiment joined by "but": the second decides. A verdict
    on the whole follows a judgement of a part, and two judgements of the whole thing
    are never set against each other (that would contradict, not contrast)."""
    domain = draw.pick(DOMAINS)
    group = group_of(domain, draw)
    past = domain == FILMS or draw.chance(0.5)
    verdict = draw.chance(0.35)
    first_subject, first = clause(draw, flip(label), group, past, WHOLE_NAMES if verdict else ())
    if verdict:
        second, family = draw.pick(VERDICTS[domain][label]), "verdict"
    else:
        avoid = WHOLE_NAMES if first_subject in WHOLE_NAMES else (first_subject,)
        _, second = clause(draw, label, group, past, avoid)
        family = "aspect"
    variant = "negative_then_positive" if label == POS else "positive_then_negative"
    return Row(label, sentence(f"{first}, but {second}"), variant, family)


# -- perturbations for the typo and case kind --------------------------------------------


def swap_places(word: str) -> list[int]:
    """Where two different neighbouring letters of ``word`` can swap, the first kept."""
    return [i for i in range(1, len(word) - 1) if word[i] != word[i + 1]]


def swap_letters(word: str, draw: Draw) -> str:
    """Two neighbouring letters inside ``word`` swapped, first letter kept."""
    i = draw.pick(swap_places(word))
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]


def drop_apostrophes(text: str) -> str:
    return re.sub(r"n't\b", "nt", text)


def noun_of(subject: Subject) -> str:
    """The longest word of the subject's name, the article left out."""
    return max(subject.text.split()[1:], key=len)


def typo_row(draw: Draw, variant: str, label: str) -> Row:
    """A sentence with one perturbation; ``base`` holds it before the change."""
    if variant == "no_apostrophe":
        family, forms = negated_group(draw, flip(label))
        base = forms["contracted"]
        return Row(label, drop_apostrophes(base), variant, family, base)
    subject = draw.pick([s for s in SUBJECTS if swap_places(noun_of(s))])
    adjective = draw.pick([a for a in subject.adjectives(label) if swap_places(a) and "-" not in a])
    past = draw.chance(0.5)
    verb = be(subject.plural, past)
    base = sentence(f"{subject.text} {verb} {adverb(draw, adjective)}{adjective}")
    if variant == "upper":
        text = base.upper()
    elif variant == "lower":
        text = base.lower().rstrip(".")
    elif variant == "typo_sentiment_word":
        text = base.replace(f" {adjective}.", f" {swap_letters(adjective, draw)}.")
    else:  # typo_other_word
        noun = noun_of(subject)
        text = base.replace(noun, swap_letters(noun, draw), 1)
    return Row(label, text, variant, "adjective", base)


TYPO_VARIANTS = ("upper", "lower", "no_apostrophe", "typo_sentiment_word", "typo_other_word")

# -- short negations, typed as a reply: no subject, or "it" -----------------------------

SHORT_FRAGMENTS = {
    "not": ("Not {adj}.", "Not {adj} at all.", "Not really {adj}.", "Not {a} {adj} {noun}."),
    "never": ("Never {adj}.",),
}
"""Negated words with no subject and no verb, by form: *Not bad at all.*"""
SHORT_IT = {
    "contracted": ("It isn't {adj}.", "It wasn't {adj}.", "It wasn't {adj} at all."),
    "full": ("It is not {adj}.", "It was not {adj} at all."),
    "s_not": ("It's not {adj}.", "It's not {adj} at all."),
}
"""Negated words said of *it*: *It wasn't great.*"""
SHORT_VERBS = {
    POS: {
        "contracted": (
            "I don't like|Don't like|Didn't like|I didn't like|Didn't enjoy|I didn't love|"
            "Didn't love|Don't love|Wouldn't recommend|Can't recommend"
        ),
        "full": "Did not like|Do not like|Did not enjoy|Would not recommend",
        "never": "Never liked|Never enjoyed|Would never recommend",
    },
    NEG: {
        "contracted": "Didn't hate|I don't hate|Don't hate|Don't regret|I don't regret",
        "full": "Did not hate|I do not regret|Do not regret|I did not hate",
        "never": "Never hated|Never regretted|I never regretted|I never hated",
    },
}
"""Negated verbs of liking and disliking, by form, before *it*: *Didn't like it.*"""
SHORT_OBJECTS = ("it", "this", "this one", "it at all")


def short_negation(draw: Draw, cue: str) -> Row:
    """A negation as people type a short reply, of a word of polarity ``cue``: a fragment
    (*Not bad at all.*), a judgement of *it* (*It wasn't great.*) or a verb of liking
    (*Didn't like it.*). The label is the opposite of ``cue``."""
    family = draw.pick(("fragment", "fragment", "it", "verb"))
    if family == "verb":
        form = draw.pick(sorted(SHORT_VERBS[cue]))
        verb = draw.pick(SHORT_VERBS[cue][form].split("|"))
        return Row(flip(cue), f"{verb} {draw.pick(SHORT_OBJECTS)}.", form, family)
    domain = draw.pick(DOMAINS)
    nouns, pos, neg = WHOLES[domain]
    whole = [*(pos if cue == POS else neg).split(","), *GENERIC[cue]]
    forms = SHORT_FRAGMENTS if family == "fragment" else SHORT_IT
    form = draw.pick(sorted(forms))
    template = draw.pick(forms[form])
    if "{noun}" in template:  # words that suit the thing itself: not "a lukewarm cafe"
        words = whole
    else:
        words = sorted(
            {*whole, *(w for s in SUBJECTS if s.domain == domain for w in s.adjectives(cue))}
        )
    adjective = draw.pick(plain_words(words, cue))
    text = template.format(adj=adjective, a=article(adjective), noun=draw.pick(nouns.split()))
    return Row(flip(cue), text, form, family)


# -- kinds -------------------------------------------------------------------------------


def unique(rows: Iterator[Row], seen: set[str], count: int, key: Callable[[Row], str]) -> list[Row]:
    """The first ``count`` rows whose key was not seen before (in any kind)."""
    out: list[Row] = []
    for tries, row in enumerate(rows):
        if tries > 200 * count:
            raise RuntimeError("the templates cannot make enough distinct sentences")
        if key(row) in seen:
            continue
        seen.add(key(row))
        out.append(row)
        if len(out) == count:
            return out
    raise AssertionError("unreachable")


def lower_key(row: Row) -> str:
    return row.text.lower()


def exact_key(row: Row) -> str:
    return row.text


def forever(make: Callable[[], Row]) -> Iterator[Row]:
    while True:
        yield make()


def negated_rows(draw: Draw, cue: str) -> Iterator[Row]:
    while True:
        family, forms = negated_group(draw, cue)
        form = draw.pick(sorted(forms))
        yield Row(flip(cue), forms[form], form, family)


def contraction_rows(draw: Draw, seen: set[str], count: int) -> list[Row]:
    """Pairs of groups, one per label, of the same family and domain, each written in
    every negation form both take: minimal pairs, balanced in every form."""
    out: list[Row] = []
    while len(out) < count:
        domain = draw.pick(DOMAINS)
        pair = []
        for cue in (POS, NEG):
            family, forms = negated_group(draw, cue, domain)
            pair.append((cue, family, forms))
        common = set(pair[0][2]) & set(pair[1][2])
        texts = [forms[form].lower() for _, _, forms in pair for form in common]
        if len(common) < 2 or seen.intersection(texts) or len(set(texts)) < len(texts):
            continue
        seen.update(texts)
        for cue, family, forms in pair:
            out += [Row(flip(cue), forms[f], f, family) for f in FORMS if f in common]
    return out


def generate() -> dict[str, list[Row]]:
    """Every kind's rows, from the seed alone."""
    seen: set[str] = set()
    kinds: dict[str, list[Row]] = {}
    for kind, polarity in (("plain_positive", POS), ("plain_negative", NEG)):
        make = partial(plain, Draw(kind), polarity)
        kinds[kind] = unique(forever(make), seen, PER_KIND, lower_key)
    for kind, cue in (("negated_positive", POS), ("negated_negative", NEG)):
        kinds[kind] = unique(negated_rows(Draw(kind), cue), seen, PER_KIND, lower_key)
    kinds["contraction"] = contraction_rows(Draw("contraction"), seen, PER_KIND)
    draw = Draw("contrast")
    kinds["contrast"] = []
    for label in (POS, NEG):
        make = partial(contrast, draw, label)
        kinds["contrast"] += unique(forever(make), seen, PER_KIND // 2, lower_key)
    draw = Draw("typo_case")
    per = PER_KIND // len(TYPO_VARIANTS) // 2
    exact = {row.text for rows in kinds.values() for row in rows}
    kinds["typo_case"] = []
    for variant in TYPO_VARIANTS:
        for label in (POS, NEG):
            rows = forever(partial(typo_row, draw, variant, label))
            changed = (row for row in rows if row.text != row.base)
            kinds["typo_case"] += unique(changed, exact, per, exact_key)
    draw = Draw("short_negation")
    kinds["short_negation"] = []
    for cue in (POS, NEG):
        make = partial(short_negation, draw, cue)
        kinds["short_negation"] += unique(forever(make), seen, PER_KIND // 2, lower_key)
    draw = Draw("order")
    for rows in kinds.values():
        if rows is not kinds["contraction"]:  # groups stay together there
            draw.rng.shuffle(rows)
    return kinds


def to_tsv(rows: list[Row]) -> str:
    with_base = any(row.base for row in rows)
    header = ["label", "text", "variant", "family"] + (["base"] if with_base else [])
    lines = ["\t".join(header)]
    for row in rows:
        fields = [row.label, row.text, row.variant, row.family] + ([row.base] if with_base else [])
        lines.append("\t".join(fields))
    return "\n".join(lines) + "\n"


def write_checks(folder: Path = CHECKS) -> dict[str, Path]:
    """Write ``<kind>.tsv`` for every kind into ``folder``; returns the paths."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for kind, rows in generate().items():
        path = folder / f"{kind}.tsv"
        tmp = path.with_suffix(".tsv.tmp")
        tmp.write_bytes(to_tsv(rows).encode("utf-8"))
        tmp.replace(path)
        paths[kind] = path
    return paths


def read_checks(folder: Path = CHECKS) -> dict[str, list[dict[str, str]]]:
    """The check files as rows of column -> value."""
    out = {}
    for kind in KINDS:
        lines = (folder / f"{kind}.tsv").read_text("utf-8").splitlines()
        header = lines[0].split("\t")
        out[kind] = [dict(zip(header, line.split("\t"))) for line in lines[1:]]
    return out


# -- measuring ---------------------------------------------------------------------------

Scorer = Callable[[list[str]], list[float]]
"""Texts to the probability of ``positive``."""
# The phone's tokens (sentigru.tokenizer): runs of ASCII letters, digits, _ and '.
PHONE_TOKENS = r"[0-9A-Za-z_']+"
PROBES = (
    "n't",
    "not",
    "never",
    "isn't",
    "don't",
    "doesn't",
    "didn't",
    "wasn't",
    "aren't",
    "can't",
    "won't",
    "wouldn't",
    "ca",
    "wo",
    "Isn't",
    "ISN'T",
    "Don't",
    "isnt",
    "dont",
    "didnt",
    "it's",
    "'s",
)
EXAMPLES = (
    "The battery isn't good.",
    "The food wasn't bad at all.",
    "I don't like it.",
    "I didn't hate it.",
    "It's not a good app.",
    "The app doesn't crash anymore.",
    "I can't recommend this hotel.",
    "The room wasn't dirty.",
)


def detokenize(text: str) -> str:
    """SST-2's PTB clitics joined back as people type them: ``ca n't`` -> ``can't``,
    ``is n't`` -> ``isn't``, ``it 's`` -> ``it's`` (case and other spacing as they are)."""
    text = re.sub(r"\bca n't\b", "can't", text)
    text = re.sub(r"\bwo n't\b", "won't", text)
    text = re.sub(r"(\w) n't\b", r"\1n't", text)
    return re.sub(r"(\w) '(s|re|ve|ll|d|m)\b", r"\1'\2", text)


def ptb(text: str) -> str:
    """``text`` written as SST-2 writes it: lower case, clitics and punctuation split."""
    text = text.lower()
    text = re.sub(r"\bcan't\b", "ca n't", text)
    text = re.sub(r"\bwon't\b", "wo n't", text)
    text = re.sub(r"(\w)n't\b", r"\1 n't", text)
    text = re.sub(r"(\w)'(s|re|ve|ll|d|m)\b", r"\1 '\2", text)
    return re.sub(r"\s*([.,!?;:])", r" \1", text)


def full_form(text: str) -> str:
    """``n't`` contractions written out: ``isn't`` -> ``is not``, ``can't`` -> ``cannot``."""
    text = re.sub(r"\bcan't\b", "cannot", text)
    text = re.sub(r"\bwon't\b", "will not", text)
    return re.sub(r"(\w)n't\b", r"\1 not", text)


def bundled_scorer(model: Path) -> Scorer:
    import sentigru

    clf = sentigru.load(model)

    def score(texts: list[str]) -> list[float]:
        out = []
        for result in clf.predict(texts, top_k=2):
            out.append(next(s["score"] for s in result["scores"] if s["label"] == POS))
        return out

    return score


def pipeline_scorer(pipeline) -> Scorer:  # type: ignore[no-untyped-def]
    column = list(pipeline.classes_).index(POS)
    return lambda texts: [float(p) for p in pipeline.predict_proba(texts)[:, column]]


def accuracy(scores: list[float], labels: list[str]) -> float:
    right = sum((score > 0.5) == (label == POS) for score, label in zip(scores, labels))
    return right / len(labels)


def by_column(rows: list[dict[str, str]], scores: list[float], column: str) -> dict:
    groups: dict[str, list[int]] = {}
    for i, row in enumerate(rows):
        groups.setdefault(row[column], []).append(i)
    return {
        name: {
            "n": len(index),
            "accuracy": accuracy([scores[i] for i in index], [rows[i]["label"] for i in index]),
        }
        for name, index in sorted(groups.items())
    }


def sureness(scores: list[float]) -> float:
    """The mean score of the label given (the larger of P(positive) and 1 - P)."""
    return sum(max(x, 1.0 - x) for x in scores) / len(scores)


def measure_kinds(score: Scorer, checks: dict[str, list[dict[str, str]]]) -> dict:
    """Accuracy per kind, per variant and per family; for the typo kind also on the
    sentences before the change, and how many answers the change turned."""
    out: dict = {}
    pooled: list[tuple[float, str]] = []
    for kind, rows in checks.items():
        labels = [row["label"] for row in rows]
        scores = score([row["text"] for row in rows])
        entry = {
            "n": len(rows),
            "accuracy": accuracy(scores, labels),
            "variants": by_column(rows, scores, "variant"),
            "families": by_column(rows, scores, "family"),
        }
        if kind == "typo_case":
            base = score([row["base"] for row in rows])
            for name, variant in entry["variants"].items():
                index = [i for i, row in enumerate(rows) if row["variant"] == name]
                variant["base_accuracy"] = accuracy(
                    [base[i] for i in index], [labels[i] for i in index]
                )
                variant["turned"] = sum((base[i] > 0.5) != (scores[i] > 0.5) for i in index)
                variant["base_sure"] = sureness([base[i] for i in index])
                variant["sure"] = sureness([scores[i] for i in index])
        if kind == "short_negation":  # which word was negated: the label says
            entry["families_by_label"] = {
                label: by_column(
                    [row for row in rows if row["label"] == label],
                    [x for x, row in zip(scores, rows) if row["label"] == label],
                    "family",
                )
                for label in (NEG, POS)
            }
        if kind in TAUGHT_KINDS:
            entry["words"] = by_column(taught_or_held(rows), scores, "words")
        if kind in NEGATION_KINDS:
            pooled += zip(scores, labels)
        out[kind] = entry
    out["negation_pooled"] = {
        "n": len(pooled),
        "accuracy": accuracy([s for s, _ in pooled], [lab for _, lab in pooled]),
    }
    return out


TAUGHT_KINDS = ("negated_positive", "negated_negative", "short_negation")
"""The kinds whose sentences are also scored apart by the words they hold."""


@lru_cache(maxsize=1)
def _taught() -> tuple[frozenset[str], Callable[[str], list[str]]]:
    """The check words the shipped negation sentences teach, and the word splitter."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from negation_rows import taught_words, words

    return frozenset(taught_words()), words


def taught_or_held(
    rows: list[dict[str, str]], taught: frozenset[str] | None = None
) -> list[dict[str, str]]:
    """``rows`` with a ``words`` column: ``common`` where a sentence holds one of the
    words the negation training sentences also teach (``taught``; by default the shipped
    sentences': ``negation_rows.COMMON``, *good*, *bad*, *like*, *regret* ..., and the
    frequent judgements, *terrible*, *boring* ...), ``held out`` where it holds none."""
    shipped, words = _taught()
    taught = shipped if taught is None else taught
    return [
        {**row, "words": "common" if set(words(row["text"])) & taught else "held out"}
        for row in rows
    ]


NO_APOSTROPHE = frozenset(("isnt", "dont", "didnt", "doesnt", "wasnt", "cant", "wont"))


def negation_kind(word: str) -> str | None:
    """Which way of writing negation ``word`` (lower case) is, if any."""
    if word == "n't":
        return "separate n't"
    if word.endswith("n't"):
        return "fused xn't"
    if word in NO_APOSTROPHE:
        return "xnt without apostrophe"
    if word in ("not", "never", "cannot"):
        return word
    return None


def negation_counts(texts: list[str], labels: list[str]) -> dict:
    """How a corpus writes negation, in the phone's tokens: the separate PTB ``n't`` (and
    the word before it), fused ``isn't``-style words, ``not``, ``never``; with the share of
    positive rows among the rows holding each."""
    from collections import Counter

    from sentigru.tokenizer import split

    tokens: Counter[str] = Counter()
    rows: Counter[str] = Counter()
    positive: Counter[str] = Counter()
    before: Counter[str] = Counter()
    fused: Counter[str] = Counter()
    for text, label in zip(texts, labels):
        words = [w.lower() for w in split(text)]
        present = set()
        for i, word in enumerate(words):
            kind = negation_kind(word)
            if kind is None:
                continue
            tokens[kind] += 1
            present.add(kind)
            if kind == "separate n't":
                before[words[i - 1] if i else "(start)"] += 1
            elif kind == "fused xn't":
                fused[word] += 1
        for kind in present:
            rows[kind] += 1
            positive[kind] += label == POS
    return {
        "rows": len(texts),
        "positive_rows": sum(label == POS for label in labels),
        "tokens": dict(sorted(tokens.items())),
        "rows_with": dict(sorted(rows.items())),
        "positive_share": {kind: positive[kind] / rows[kind] for kind in sorted(rows)},
        "word_before_separate_nt": dict(before.most_common(8)),
        "fused_forms": dict(fused.most_common(10)),
    }


def vocabulary_probes(folder: Path) -> dict[str, dict]:
    """Each probe word's id in the bundled vocabulary (None: unknown) and whether it is a
    case alias of another word's id. Ids count from the most frequent word."""
    from sentigru.tokenizer import Vocabulary

    vocab = Vocabulary.load(folder / "vocab.txt")
    index = vocab.index
    aliases = {word for word, _ in vocab.aliases}
    out = {}
    for word in PROBES:
        found = index.get(word)
        out[word] = {
            "id": found,
            "alias_of": vocab.tokens[found] if word in aliases and found is not None else None,
        }
    return out


def writings(score: Scorer, checks: dict[str, list[dict[str, str]]]) -> dict:
    """The bundled model on every negation-kind sentence with an ``n't`` contraction, as
    written, in SST-2's writing (``is n't``, lower case), and written out (``is not``)."""
    rows = [row for kind in NEGATION_KINDS for row in checks[kind] if "n't" in row["text"]]
    labels = [row["label"] for row in rows]
    texts = [row["text"] for row in rows]
    as_written = score(texts)
    out = {"n": len(rows)}
    for name, scores in (
        ("as_written", as_written),
        ("sst2_style", score([ptb(t) for t in texts])),
        ("written_out", score([full_form(t) for t in texts])),
    ):
        out[name] = {
            "accuracy": accuracy(scores, labels),
            "mean_p_correct": sum(s if lab == POS else 1 - s for s, lab in zip(scores, labels))
            / len(rows),
        }
        for label in (NEG, POS):  # negated positives are labelled negative, and so on
            index = [i for i, lab in enumerate(labels) if lab == label]
            out[name][f"{label}_rows"] = {
                "n": len(index),
                "accuracy": accuracy([scores[i] for i in index], [label] * len(index)),
            }
    examples = list(EXAMPLES)
    probes = (
        score(examples)
        + score([ptb(t) for t in examples])
        + score([full_form(t) for t in examples])
    )
    k = len(examples)
    out["examples"] = [
        {
            "text": t,
            "as_written": probes[i],
            "sst2_style": probes[k + i],
            "written_out": probes[2 * k + i],
        }
        for i, t in enumerate(examples)
    ]
    return out


def fix_check(data: dict, sst_texts: set[str], checks: dict) -> dict:
    """TF-IDF + logistic regression trained on the bundled model's rows with SST-2 as is
    and with SST-2 detokenized, each with scikit-learn's own word pattern and with the
    phone's: does writing SST-2's negations as users do change the negation figures?"""
    from baselines import tfidf_pipeline

    train = data["train"]
    detok = [detokenize(t) if t in sst_texts else t for t in train.texts]
    out = {}
    for tokens in ("sklearn", "phone"):
        for sst2 in ("as_is", "detokenized"):
            pipeline = tfidf_pipeline()
            if tokens == "phone":
                pipeline.set_params(tfidfvectorizer__token_pattern=PHONE_TOKENS)
            start = time.perf_counter()
            pipeline.fit(detok if sst2 == "detokenized" else train.texts, train.labels)
            seconds = time.perf_counter() - start
            score = pipeline_scorer(pipeline)
            dev = data["sst_dev"]
            dev_texts = [detokenize(t) for t in dev.texts] if sst2 == "detokenized" else dev.texts
            name = f"{tokens}_tokens/{sst2}"
            out[name] = {
                "fit_seconds": seconds,
                "kinds": measure_kinds(score, checks),
                "imdb_val": accuracy(score(data["imdb_val"].texts), data["imdb_val"].labels),
                "sst_dev": accuracy(score(dev_texts), dev.labels),
                "weights": feature_weights(pipeline),
            }
            print(
                f"{name}: negation {out[name]['kinds']['negation_pooled']['accuracy']:.4f}",
                flush=True,
            )
    return out


PEER = "sklearn_tokens/as_is"
FEATURES = (
    "not",
    "n't",
    "isn't",
    "don't",
    "didn't",
    "never",
    "not good",
    "n't good",
    "isn't good",
    "not bad",
    "n't bad",
    "wasn't bad",
    "isn",
    "don",
    "didn",
)


def feature_weights(pipeline) -> dict[str, float | None]:  # type: ignore[no-untyped-def]
    """The logistic regression's weight (towards positive) of a few negation features;
    None where the vectorizer has no such feature."""
    vectorizer, model = pipeline.steps[0][1], pipeline.steps[-1][1]
    sign = 1.0 if list(model.classes_).index(POS) == 1 else -1.0
    vocabulary = vectorizer.vocabulary_
    return {
        f: (sign * float(model.coef_[0][vocabulary[f]]) if f in vocabulary else None)
        for f in FEATURES
    }


CURLY_KINDS = ("negated_positive", "negated_negative", "contraction", "short_negation")


def apostrophe_rows(checks: dict[str, list[dict[str, str]]], kind: str) -> list[dict[str, str]]:
    """The sentences of one check kind that hold an apostrophe."""
    return [row for row in checks[kind] if "'" in row["text"]]


def curly_apostrophes(score: Scorer, checks: dict[str, list[dict[str, str]]]) -> dict:
    """Per negation kind, the sentences with an apostrophe as written and with the one
    phone keyboards type (:data:`CURLY`), which the phone's tokenizer splits on."""
    out = {}
    for kind in CURLY_KINDS:
        rows = apostrophe_rows(checks, kind)
        labels = [row["label"] for row in rows]
        straight = score([row["text"] for row in rows])
        curly = score([row["text"].replace("'", CURLY) for row in rows])
        out[kind] = {
            "n": len(rows),
            "straight": accuracy(straight, labels),
            "curly": accuracy(curly, labels),
        }
    return out


def curly_section(result: dict) -> list[str]:
    return [
        "## Apostrophes as phones type them",
        "",
        "iOS keyboards type ’ (U+2019) for the apostrophe unless told not to, and many "
        "sites store it so. The phone's tokenizer splits on it (it is no ASCII word "
        "character), and sentigru's Python does the same: *wasn’t* reaches the model as "
        "*wasn* and *t*. The vocabulary gives a head like *wasn* the id of *wasn't*, but "
        "*don*, *can* and *won* are words of their own, so *don’t* stays *don* and *t*. "
        "The check sentences with an apostrophe, written both ways:",
        "",
        *curly_table(result),
        "",
    ]


def curly_table(result: dict) -> list[str]:
    lines = [
        "| kind | sentences with an apostrophe | bundled: as written (') | with ’ |",
        "|---|---|---|---|",
    ]
    for kind, v in result["curly"].items():
        lines.append(f"| `{kind}` | {v['n']} | {pct(v['straight'])} | {pct(v['curly'])} |")
    return lines


def measure(args: argparse.Namespace) -> dict:
    import platform

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from baselines import load, splits

    from sentigru import bundle

    checks = read_checks()
    folder = bundle.load(args.model)
    bundled = bundled_scorer(args.model)
    result: dict = {
        "date": time.strftime("%Y-%m-%d"),
        "machine": f"{platform.machine()}, Python {platform.python_version()}",
        "checks": {
            kind: {"n": len(rows), "positive": sum(r["label"] == POS for r in rows)}
            for kind, rows in checks.items()
        },
        "bundled": measure_kinds(bundled, checks),
    }
    print(f"bundled: negation {result['bundled']['negation_pooled']['accuracy']:.4f}", flush=True)
    imdb, sst = load("imdb/train.tsv.gz"), load("sst2/train.tsv.gz")
    result["training_data"] = {
        "imdb_train": negation_counts(imdb.texts, imdb.labels),
        "sst2_train": negation_counts(sst.texts, sst.labels),
    }
    result["vocabulary"] = vocabulary_probes(folder.path)
    result["writings"] = writings(bundled, checks)
    result["curly"] = curly_apostrophes(bundled, checks)
    data = splits(folder)
    result["train_rows"] = len(data["train"])
    result["fix_check"] = fix_check(data, set(sst.texts), checks)
    # The peer is the fit with scikit-learn's words and SST-2 as is: baselines.py's TF-IDF.
    result["tfidf"] = result["fix_check"][PEER]["kinds"]
    return result


# -- reports -----------------------------------------------------------------------------

KIND_TEXT = {
    "plain_positive": "a positive word, no negation (all positive)",
    "plain_negative": "a negative word, no negation (all negative)",
    "negated_positive": "a positive word negated: *The battery is not good* (all negative)",
    "negated_negative": "a negative word negated: *I didn't hate it* (all positive)",
    "contraction": "one judgement per group in each form: *isn't* / *is not* / *is never* / "
    "*is no longer* / *'s not* (balanced)",
    "contrast": "*A, but B* with A and B of opposite sentiment; B decides (balanced)",
    "typo_case": "upper case, lower case, *isnt* for *isn't*, a typo in the sentiment word or "
    "in another word (balanced)",
    "short_negation": "a negation typed as a short reply: *Not bad at all.*, *It wasn't great.*, "
    "*Didn't like it.* (balanced)",
}
FORM_TEXT = {
    "contracted": "*isn't*, *doesn't*, *didn't*, *can't*, *wouldn't*",
    "full": "*is not*, *does not*, *did not*, *cannot*, *would not*",
    "never": "*is never*, *never crashes*, *never liked*",
    "no_longer": "*is no longer*, *no longer crashes*",
    "s_not": "*The food's not*, *It's not*",
}


def pct(x: float) -> str:
    return f"{100 * x:.1f} %"


def points(x: float) -> str:
    return f"{100 * x:+.1f}"


def kinds_table(result: dict) -> list[str]:
    ours, peer = result["bundled"], result["tfidf"]
    lines = [
        "| kind | rows | what it holds | bundled model | TF-IDF peer |",
        "|---|---|---|---|---|",
    ]
    for kind in KINDS:
        lines.append(
            f"| `{kind}` | {ours[kind]['n']} | {KIND_TEXT[kind]} | {pct(ours[kind]['accuracy'])} "
            f"| {pct(peer[kind]['accuracy'])} |"
        )
    pooled = "negation_pooled"
    lines.append(
        f"| the three negation kinds together | {ours[pooled]['n']:,} | | "
        f"**{pct(ours[pooled]['accuracy'])}** | **{pct(peer[pooled]['accuracy'])}** |"
    )
    return lines


def forms_table(result: dict) -> list[str]:
    ours, peer = result["bundled"]["contraction"], result["tfidf"]["contraction"]
    lines = ["| form | examples | rows | bundled model | TF-IDF peer |", "|---|---|---|---|---|"]
    for form in FORMS:
        if form in ours["variants"]:
            o, p = ours["variants"][form], peer["variants"][form]
            lines.append(
                f"| {form} | {FORM_TEXT[form]} | {o['n']} | {pct(o['accuracy'])} "
                f"| {pct(p['accuracy'])} |"
            )
    return lines


def family_table(header: Sequence[str], examples: dict[str, str], columns) -> list[str]:  # type: ignore[no-untyped-def]
    """One row per family, one column per ``(bundled, peer)`` pair of family figures."""
    lines = [
        "| family | example | " + " | ".join(header) + " |",
        "|---|---|" + "---|" * len(header),
    ]
    for family, example in examples.items():
        cells = [
            f"{pct(o[family]['accuracy'])} / {pct(p[family]['accuracy'])} ({o[family]['n']})"
            for o, p in columns
        ]
        lines.append(f"| {family} | {example} | " + " | ".join(cells) + " |")
    return lines


def families_table(result: dict) -> list[str]:
    kinds = ("negated_positive", "negated_negative")
    examples = {
        "adjective": "*The room wasn't clean*",
        "action": "*The app doesn't crash anymore*",
        "whole": "*It isn't a bad phone*",
        "i": "*I didn't hate it*",
    }
    columns = [(result["bundled"][k]["families"], result["tfidf"][k]["families"]) for k in kinds]
    header = ("negated positive: bundled / TF-IDF", "negated negative: bundled / TF-IDF")
    return family_table(header, examples, columns)


def short_table(result: dict) -> list[str]:
    ours, peer = result["bundled"]["short_negation"], result["tfidf"]["short_negation"]
    examples = {
        "fragment": "*Not bad at all.*",
        "it": "*It wasn't great.*",
        "verb": "*Didn't like it.*",
    }
    labels = (NEG, POS)  # a positive word negated is negative
    columns = [(ours["families_by_label"][x], peer["families_by_label"][x]) for x in labels]
    header = ("positive word negated: bundled / TF-IDF", "negative word negated: bundled / TF-IDF")
    return family_table(header, examples, columns)


def words_table(result: dict) -> list[str]:
    examples = {
        "held out": "*The battery isn't reliable.*, *It wasn't greasy.*",
        "common": "*The hotel is not good.*, *The room is not terrible.*, *Not bad.*",
    }
    columns = [(result["bundled"][k]["words"], result["tfidf"][k]["words"]) for k in TAUGHT_KINDS]
    header = [f"`{k}`: bundled / TF-IDF" for k in TAUGHT_KINDS]
    return family_table(header, examples, columns)


def contrast_table(result: dict) -> list[str]:
    lines = ["| sentences | rows | bundled model | TF-IDF peer |", "|---|---|---|---|"]
    for column in ("variants", "families"):
        for name, o in result["bundled"]["contrast"][column].items():
            p = result["tfidf"]["contrast"][column][name]
            lines.append(f"| {name} | {o['n']} | {pct(o['accuracy'])} | {pct(p['accuracy'])} |")
    return lines


def typo_table(result: dict) -> list[str]:
    lines = [
        "| change | rows | bundled: before → after (answers turned) | bundled: score of its "
        "answer, before → after | TF-IDF: before → after (turned) |",
        "|---|---|---|---|---|",
    ]
    for name in TYPO_VARIANTS:
        cells = []
        for model in ("bundled", "tfidf"):
            v = result[model]["typo_case"]["variants"][name]
            cells.append(f"{pct(v['base_accuracy'])} → {pct(v['accuracy'])} ({v['turned']})")
        v = result["bundled"]["typo_case"]["variants"][name]
        sure = f"{v['base_sure']:.2f} → {v['sure']:.2f}" if "sure" in v else ""
        lines.append(f"| {name} | {v['n']} | {cells[0]} | {sure} | {cells[1]} |")
    return lines


def data_table(result: dict) -> list[str]:
    kinds = ("separate n't", "fused xn't", "xnt without apostrophe", "not", "never")
    lines = [
        "| corpus | rows | " + " | ".join(f"`{k}`" for k in kinds) + " |",
        "|---|---|" + "---|" * len(kinds),
    ]
    names = {"imdb_train": "IMDB train", "sst2_train": "SST-2 train"}
    for key, name in names.items():
        c = result["training_data"][key]
        cells = []
        for kind in kinds:
            n = c["tokens"].get(kind, 0)
            share = c["positive_share"].get(kind)
            cells.append(f"{n:,}" + (f" ({pct(share)} pos.)" if share is not None else ""))
        lines.append(f"| {name} | {c['rows']:,} | " + " | ".join(cells) + " |")
    return lines


def vocab_table(result: dict) -> list[str]:
    lines = ["| word | id in the bundled vocabulary |", "|---|---|"]
    for word, v in result["vocabulary"].items():
        if v["id"] is None:
            cell = "unknown (`<UNKNOWN>`)"
        elif v["alias_of"]:
            cell = f"{v['id']} (case alias of `{v['alias_of']}`)"
        else:
            cell = str(v["id"])
        lines.append(f"| `{word}` | {cell} |")
    return lines


def writings_table(result: dict) -> list[str]:
    w = result["writings"]
    lines = [
        "| writing | example | all | negated positive words | negated negative words "
        "| mean probability of the right label |",
        "|---|---|---|---|---|---|",
    ]
    shown = {
        "as_written": "*The battery isn't good.*",
        "sst2_style": "*the battery is n't good .*",
        "written_out": "*The battery is not good.*",
    }
    for name, example in shown.items():
        v = w[name]
        lines.append(
            f"| {name} | {example} | {pct(v['accuracy'])} | "
            f"{pct(v[f'{NEG}_rows']['accuracy'])} ({v[f'{NEG}_rows']['n']}) | "
            f"{pct(v[f'{POS}_rows']['accuracy'])} ({v[f'{POS}_rows']['n']}) | "
            f"{v['mean_p_correct']:.3f} |"
        )
    lines += [
        "",
        "| sentence | P(positive) as written | SST-2 style | written out |",
        "|---|---|---|---|",
    ]
    for e in w["examples"]:
        lines.append(
            f"| {e['text']} | {e['as_written']:.2f} | {e['sst2_style']:.2f} "
            f"| {e['written_out']:.2f} |"
        )
    return lines


def fix_table(result: dict) -> list[str]:
    lines = [
        "| words | SST-2 rows | negated positive | negated negative | contraction | negation "
        "kinds | plain kinds | IMDB val | SST-2 dev |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, fit in result["fix_check"].items():
        tokens, sst2 = name.split("/")
        k = fit["kinds"]
        plain_kinds = (k["plain_positive"]["accuracy"] + k["plain_negative"]["accuracy"]) / 2
        lines.append(
            f"| {tokens.replace('_tokens', '')} | {sst2.replace('_', ' ')} "
            f"| {pct(k['negated_positive']['accuracy'])} "
            f"| {pct(k['negated_negative']['accuracy'])} "
            f"| {pct(k['contraction']['accuracy'])} | **{pct(k['negation_pooled']['accuracy'])}** "
            f"| {pct(plain_kinds)} | {pct(fit['imdb_val'])} | {pct(fit['sst_dev'])} |"
        )
    return lines


def weights_table(result: dict) -> list[str]:
    fits = [f"phone_tokens/{s}" for s in ("as_is", "detokenized")]
    lines = ["| feature | SST-2 as is | SST-2 detokenized |", "|---|---|---|"]
    for feature in FEATURES:
        cells = []
        for fit in fits:
            w = result["fix_check"][fit]["weights"][feature]
            cells.append("absent" if w is None else f"{w:+.2f}")
        if cells != ["absent", "absent"]:
            lines.append(f"| `{feature}` | {cells[0]} | {cells[1]} |")
    return lines


def reading(result: dict) -> list[str]:
    """What the figures say about the PTB hypothesis, written from them."""
    ours = result["bundled"]
    forms = ours["contraction"]["variants"]
    contracted, full = forms["contracted"]["accuracy"], forms["full"]["accuracy"]
    w = result["writings"]
    imdb, sst = result["training_data"]["imdb_train"], result["training_data"]["sst2_train"]
    fits = result["fix_check"]
    before, after = fits["phone_tokens/as_is"], fits["phone_tokens/detokenized"]

    def moved(kind: str) -> str:
        return points(after["kinds"][kind]["accuracy"] - before["kinds"][kind]["accuracy"])

    isnt = before["weights"]["isn't"], after["weights"]["isn't"]
    nt = before["weights"]["n't"]
    neg_rows, pos_rows = f"{NEG}_rows", f"{POS}_rows"
    vocab = result["vocabulary"]
    spelling = w["sst2_style"]["accuracy"] - w["as_written"]["accuracy"]
    return [
        f"- **The training rows do hold `isn't`-style words, but not as SST-2's sharp "
        f"signal.** IMDB train has {imdb['tokens'].get(FUSED, 0):,} fused `xn't` words "
        f"(SST-2 train {sst['tokens'].get(SEPARATE, 0):,} separate `n't`), and "
        + (
            "every fused word probed has its own id in the bundled vocabulary"
            if all(vocab[word]["id"] for word in vocab if word.lower().endswith("n't"))
            else "some fused words probed are unknown to the bundled vocabulary"
        )
        + f". But IMDB's sit in long reviews, {pct(imdb['positive_share'][FUSED])} of them "
        f"positive ({pct(imdb['positive_rows'] / imdb['rows'])} of all IMDB rows); SST-2's "
        f"`n't` rows are short phrases, {pct(sst['positive_share'][SEPARATE])} positive "
        f"({pct(sst['positive_rows'] / sst['rows'])} of all SST-2 rows): there `n't` is a "
        "strong sign of a negative label. Unknown to the vocabulary: "
        + (", ".join(f"`{word}`" for word in vocab if vocab[word]["id"] is None) or "none")
        + ".",
        f"- **{'The spelling matters' if spelling > 0.05 else 'The spelling matters little'} "
        f"to the bundled model.** On the {w['n']} negation-kind "
        f"sentences with an `n't` it scores {pct(w['as_written']['accuracy'])} as written, "
        f"{pct(w['sst2_style']['accuracy'])} rewritten as SST-2 writes them and "
        f"{pct(w['written_out']['accuracy'])} with *not* ({points(spelling)} points for the "
        f"rewrite); in the contraction kind, contracted forms score {pct(contracted)} and the "
        f"same judgements with *not* {pct(full)}. "
        + (
            "The bundled model reads a typed `isn't` as a weaker negation than `n't` or `not`."
            if spelling > 0.05 and full - contracted > 0.05
            else "The spelling moves the bundled model little."
        ),
        "- **The spelling is not the whole story: negated negative words are the hard "
        "half.** A model that takes a negation for a negative word, instead of turning the "
        "word it negates, gets negated positive words right and negated negative words "
        "wrong, however they are spelt. Negated positive words "
        f"{pct(w['sst2_style'][neg_rows]['accuracy'])} right in SST-2 writing, negated "
        f"negative words {pct(w['sst2_style'][pos_rows]['accuracy'])} "
        f"(as written {pct(w['as_written'][neg_rows]['accuracy'])} and "
        f"{pct(w['as_written'][pos_rows]['accuracy'])}). Over the whole kinds: "
        f"`negated_positive` {pct(ours['negated_positive']['accuracy'])}, `negated_negative` "
        f"{pct(ours['negated_negative']['accuracy'])}. The contrast kind shows the same lean: "
        f"{pct(ours['contrast']['variants']['positive_then_negative']['accuracy'])} when the "
        "deciding clause is the negative one, "
        f"{pct(ours['contrast']['variants']['negative_then_positive']['accuracy'])} when it "
        "is the positive one.",
        "- **The cheap check of the fix says the same.** Detokenizing SST-2 gives the "
        f"phone-word TF-IDF `isn't` the weight `n't` had ({isnt[0]:+.2f} → {isnt[1]:+.2f}; "
        f"`n't` was {nt:+.2f}) and moves its "
        f"negation kinds {moved('negation_pooled')} points: `negated_positive` "
        f"{moved('negated_positive')}, `contraction` {moved('contraction')}, "
        f"`negated_negative` {moved('negated_negative')}. The mismatch is real, and "
        "detokenizing SST-2 before training should lift the bundled model's contracted "
        "negations towards its *not* figures, "
        + (
            "but the turn from a negated negative word to a positive sentence is not in it: "
            "that figure does not rise."
            if after["kinds"]["negated_negative"]["accuracy"]
            <= before["kinds"]["negated_negative"]["accuracy"]
            else "and its negated negative words rise too."
        ),
    ]


FUSED, SEPARATE = "fused xn't", "separate n't"


HERE = Path(__file__).resolve().parent


def write_reports(result: dict, here: Path = HERE) -> None:
    n_checks = sum(c["n"] for c in result["checks"].values())
    sst = result["training_data"]["sst2_train"]
    before = ", ".join(f"`{w} n't` {n:,}" for w, n in sst["word_before_separate_nt"].items())
    fused = ", ".join(
        f"`{w}` {n:,}" for w, n in result["training_data"]["imdb_train"]["fused_forms"].items()
    )
    lines = [
        "# Negation and contrast checks",
        "",
        "Does the bundled model read negation, a deciding *but* clause and typing variants in "
        "short reviews? Behaviour checks in the manner of CheckList (Ribeiro, Wu, Guestrin and "
        'Singh, "Beyond Accuracy: Behavioral Testing of NLP Models with CheckList", ACL 2020): '
        "many short template sentences, one capability at a time. The templates and their "
        f"wording are ours. {n_checks:,} sentences about films, products, restaurants, hotels "
        "and apps, in `data/checks/` (one file per kind; see its README).",
        "",
        f"Measured {result['date']} on {result['machine']}, 2 shared cores. Models: the bundled "
        "model's phone file through `sentigru.load()` (LiteRT, as `sentigru predict` runs it), "
        "and a TF-IDF (word 1-2 grams) + logistic regression peer, `baselines.py`'s recipe, "
        f"trained on the bundled model's own {result['train_rows']:,} training rows (IMDB train, "
        "SST-2 train, three other review domains and `data/negation_train.tsv`, minus its "
        "validation split; `baselines.bundled_rows`).",
        "",
        "Reproduce (about six minutes on 2 cores; scikit-learn is benchmark-only):",
        "",
        "```",
        "pip install scikit-learn",
        "python benchmarks/checklist.py                  # data/checks/, checklist.md, .json",
        "python benchmarks/checklist.py --generate-only  # data/checks/ only, byte-identical",
        "python benchmarks/checklist.py --report-only    # this report again from the .json",
        "sentigru evaluate --data data/checks/contraction.tsv  # any one kind",
        "```",
        "",
        "## Accuracy per kind",
        "",
        *kinds_table(result),
        "",
        "A kind whose rows share one label (the plain and negated kinds) can be passed by "
        "answering that label always; read them in pairs, or pooled.",
        "",
        "## Negation by form",
        "",
        "The contraction kind writes each judgement in every form it takes, in pairs of groups "
        "of opposite label, so each form is balanced and the contracted and full rows differ in "
        "the negation only.",
        "",
        *forms_table(result),
        "",
        "By sentence family, in the two negated kinds (rows in brackets):",
        "",
        *families_table(result),
        "",
        "## Short replies",
        "",
        "The `short_negation` kind: a negation typed as a short reply, with no subject "
        "(`fragment`), about *it*, or a verb of liking or disliking before *it* or *this* "
        "(`verb`); balanced. Rows in brackets:",
        "",
        *short_table(result),
        "",
        "## Words the training sentences teach",
        "",
        "The negation sentences the bundled model trains on (`data/negation_train.tsv`) use "
        "no word of these checks but the judgements users type most, which they negate in "
        "sentences of their own: the commonest (`negation_rows.COMMON`: *good*, *great*, "
        "*excellent*, *amazing*, *wonderful*, *bad*, *poor*, *disappointing*, *horrible*, "
        "*awful*, and *like*, *love*, *enjoy*, *recommend*, *hate*, *dislike*, *regret*) "
        "and 54 more adjectives that the training reviews use most with one polarity "
        "(`data/negation_frequent.json`: *beautiful*, *comfortable*, *fast* … *terrible*, "
        "*boring*, *slow*, *cheap* …). The check sentences holding one of those words "
        "(`common`) are therefore not wholly unseen; the rest (`held out`) measure what the "
        "model carries over to words it never saw negated. Rows in brackets:",
        "",
        *words_table(result),
        "",
        "## Contrast",
        "",
        "*aspect*: two parts of one thing (*The plot is dull, but the acting is superb*); "
        "*verdict*: a part, then a judgement of the whole (*The screen is sharp, but I'm "
        "returning it*). Neither clause holds a negation.",
        "",
        *contrast_table(result),
        "",
        "## Typing and case",
        "",
        "Each sentence next to its unchanged form (`base` column). *before* is the accuracy on "
        "the unchanged sentences, *turned* how many answers the change flipped. The "
        "no-apostrophe rows are contracted negations, so their *before* is a negation figure. "
        "*Score of its answer* is the mean probability the bundled model gives the label it "
        "answers: where a change hides the judgement from it (a misspelt word is "
        "`<UNKNOWN>` to the vocabulary), it should fall towards 0.5.",
        "",
        *typo_table(result),
        "",
        *(curly_section(result) if "curly" in result else []),
        "## Does SST-2's PTB tokenization hide its negations?",
        "",
        "SST-2 (67,349 of the training rows) is lower-cased and PTB-tokenized: `is n't`, "
        "`ca n't`. The phone's tokenizer splits on anything but ASCII letters, digits, `_` "
        "and `'`, so a user's `isn't` is one word and SST-2's `is n't` two. The suspicion: the "
        "model learns negation from SST-2's `n't` and never meets it in the form users type.",
        "",
        "**Training data**, in the phone's words, lower-cased (token counts; in brackets the "
        "share of positive rows among the rows holding one):",
        "",
        *data_table(result),
        "",
        f"SST-2's separate `n't` follows: {before}. IMDB's commonest fused forms: {fused}.",
        "",
        "**Bundled vocabulary** (ids count from the most frequent word; 3 ids are special):",
        "",
        *vocab_table(result),
        "",
        "**The same sentences written three ways**, bundled model:",
        "",
        *writings_table(result),
        "",
        "**A cheap check of the fix**: TF-IDF + logistic regression on the same rows, SST-2 as "
        "is or detokenized (`ca n't` → `can't`, `wo n't` → `won't`, `is n't` → `isn't`, "
        "`it 's` → `it's`), with scikit-learn's word pattern (two or more word characters: "
        "`isn't` reads as `isn`, `n't` is dropped) or the phone's. SST-2 dev is scored in the "
        "writing the model was trained on. The first row is the peer above.",
        "",
        *fix_table(result),
        "",
        "Weights (towards positive) of negation features in the phone-word fits:",
        "",
        *weights_table(result),
        "",
        "### Reading",
        "",
        *reading(result),
        "",
        "The GRU was not retrained for this report.",
    ]
    (here / "checklist.md").write_text("\n".join(lines) + "\n", "utf-8")
    (here / "checklist.json").write_text(json.dumps(result, indent=2) + "\n", "utf-8")
    print("\n".join(lines))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--generate-only", action="store_true", help="write data/checks only")
    parser.add_argument(
        "--report-only", action="store_true", help="rewrite checklist.md from checklist.json"
    )
    parser.add_argument("--model", type=Path, default=ROOT / "sentigru" / "models" / "default")
    args = parser.parse_args()
    if args.report_only:
        write_reports(json.loads((HERE / "checklist.json").read_text("utf-8")))
        return
    for kind, path in write_checks().items():
        print(f"{kind}: {path.relative_to(ROOT)}")
    if args.generate_only:
        return
    result = measure(args)
    write_reports(result)


if __name__ == "__main__":
    main()
