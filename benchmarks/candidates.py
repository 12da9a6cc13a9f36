"""Candidate training recipes compared on data that predicts unseen data, several seeds.

The proxy (fixed before any candidate was scored):

* **IMDB, films never trained on (G).** About 3,000 reviews of IMDB train held out as
  whole film groups (``movie_overlap.movie_groups``, draw 0). A random validation split
  shares films with training and flatters a model by about 0.5 points on average
  (``movie_overlap.md``); G does not.
* **SST-2 dev** (872 sentences, never trained on).
* **Other domains, never trained on:** ``reviews-en`` hotels, headphones and tweets,
  whole sets. Scored by balanced accuracy (the mean of the per-label recalls), so that a
  candidate cannot gain by leaning towards the majority label of these skewed sets.
* **Negation** (``data/checks``: negated positives and negated negatives), reported,
  not part of the rule.

Candidates, each trained with the bundled recipe (``--preset bundled``) and seeds 1-3:

* ``A``: IMDB train minus G, plus SST-2 train (the bundled model's data).
* ``B``: A's rows plus ``reviews-en`` clothing, fine food and product summaries, a
  sample of up to 5,000 reviews per label from each (all of a label that has fewer).
* ``D``: B's rows plus 25,000 unlabelled IMDB reviews (the first of the 49,730 in the
  file's seeded order, any that occur in G removed; half of them, so that a run fits in
  about half an hour on 2 cores), trained on the scores of B of the same seed as teacher
  (``--unlabelled --teacher``: distillation).

The rule: a candidate replaces the one it builds on (B over A, D over B) when its mean
over the seeds beats that one's by more than that one's seed spread (max - min) on the
score it is meant to move (B: other domains; D: G), and loses no more than that spread
on G, SST-2 dev and other domains. A gain smaller than the spread is not a gain.

Added after B was adopted, and fixed before E was trained:

* ``E``: B's rows plus ``data/negation_train.tsv`` (8,800 template sentences that negate
  and contrast sentiment words, written by ``negation_rows.py`` with no content word of
  the checks, so the checks stay unseen).
* Its rule: E replaces B when its mean over 2+ seeds beats B's on ``negation`` (the
  negated-positive and negated-negative checks) by more than the seed spread, and loses
  no more than the seed spread on G, SST-2 dev and other domains; the spread of each
  score is the larger of A's and B's (two seeds each; one pair alone can agree by
  chance, as B's two seeds did on domains, 0.01 points).

Added after E was adopted, and fixed before F was trained:

* ``F``: B's rows plus E's sentences and 2,400 more (``negation_rows.py --shapes``) of
  the two shapes E's left out and the checks fail most: the whole thing negated (*It
  isn't a mediocre sitcom.*) and an action negated (*The router doesn't lag anymore.*),
  half of them plain, with no content word of the checks.
* Its rule: F replaces E when its mean over 2+ seeds beats E's on ``negation`` by more
  than the seed spread, and loses no more than the seed spread on G, SST-2 dev and
  other domains; the spread of each score is the largest of A's, B's and E's.

Added after F was measured, and fixed before S was trained (which tokenizer English
ships with):

* ``S``: E's rows trained with ``--preset sentencepiece`` (the bundled recipe with the
  SentencePiece tokenizer, 6,000 pieces and 32,768 word-pair buckets, so that its phone
  file also stays under 1 MB) instead of ``--preset bundled``.
* Its rule: the English model changes tokenizer only when S's mean over 2+ seeds beats
  E's by more than the seed spread on one of G, SST-2 dev, other domains and
  ``negation``, and loses no more than the seed spread on any of the four; the spread
  of each score is the largest of A's, B's and E's. Otherwise the regex tokenizer stays:
  it is the one every MediaPipe and TFLite Task Library client runs. The short reviews
  of ``data/`` (``short``) are reported, not part of the rule: E's seed models were not
  kept, so only S has them.

Added after S was trained, and fixed before H was trained (SST-2's negations in the
form users type them):

* ``H``: E's rows plus a copy of every SST-2 training phrase with a split negation
  (``is n't``, ``ca n't``; 2,243 phrases) written as users write it (``isn't``,
  ``can't``, other split clitics such as ``it 's`` joined too). SST-2 is tokenized
  the Penn Treebank way, and the regex tokenizer keeps ``isn't`` whole, so E sees
  SST-2's negations only in a form no user types. The originals stay: SST-2's own
  test phrases are split.
* Its rule: F's (H replaces E when its mean over 2+ seeds beats E's on ``negation``
  by more than the seed spread, and loses no more than the seed spread on G, SST-2 dev
  and other domains; the spread of each score is the largest of A's, B's and E's).

Added after H was measured, and fixed before I was trained (more rows from outside film):

* ``I``: E's rows with up to 15,000 reviews per label of ``reviews-en`` product
  summaries instead of 5,000 (the one training domain with more than 5,000 of each
  label; clothing and fine food as in B), about 20,000 rows more. B's 22,000 rows from
  these domains moved other domains by 4.7 points; this asks whether more of them move
  it further.
* Its rule: I replaces E when its mean over 2 seeds beats E's on other domains by more
  than the seed spread, and loses no more than the seed spread on G, SST-2 dev and
  ``negation``; the spread of each score is the largest of A's, B's and E's. The bundled
  build must also stay within 60 minutes on 2 cores.

Added after I was adopted, and fixed before J was trained (F's shapes on I's rows):

* ``J``: I's rows plus F's 2,400 rows of the two shapes (``negation_rows.shape_rows``:
  the whole thing negated, an action negated). On E's rows they gained 6.75 points on
  ``negation`` and lost 1.15 on SST-2 dev; I's 20,000 more product rows make them a
  smaller share of the rows. This asks whether the gain stays and the loss goes.
* Its rule: J replaces I when its mean over 2 seeds beats I's on ``negation`` by more
  than the tolerance, and loses no more than the tolerance on G, SST-2 dev and other
  domains. The tolerance on G, SST-2 dev and other domains stays the largest seed spread
  of A, B and E. On ``negation`` it is the largest of the candidates trained with
  negation rows (E, F, H, I: 2.62): A's 7.63 is the spread of a model that reads
  negation below chance. F under this rule is still not adopted (SST-2 dev -1.15).

Added while J trained, and fixed before K was trained (negation of any sentiment word):

* ``K``: I's rows with E's 8,800 sentences written again over a wide lexicon
  (``negation_rows.wide_rows``): the same kinds and counts, half of their adjectives
  drawn from 151 sentiment adjectives (57 positive) read off the training rows (words SST-2
  train labels alone, with an adjective's ending and use, in 20+ IMDB reviews outside G
  with 70 %+ of that label; ``negation_rows.wide_lexicon``), none a word of the checks.
  E's sentences use eight words per kind of thing, so a model may learn what negation
  does to those words and not to others; the checks use other words.
* Its rule: J's, against I. Should J and K both pass, the one with the higher
  ``negation`` mean is adopted.

Fixed after J was measured, before K's second seed and before any build: the bundled
model is rebuilt from the adopted candidate's rows only if its phone file (seed 7, the
bundled recipe) keeps SST-2 dev at 85 % or more, the floor the slow test holds it to;
otherwise the bundled model stays as it is, and the other candidate that passed its rule,
if any, is the next to build. J's two seeds scored 84.06 and 84.40 on SST-2 dev.

Added after K's build replaced the bundled model, and fixed before L was trained (F's
shapes over the wide lexicon, on the bundled rows):

* ``L``: K's rows plus F's 2,400 sentences of the two shapes, the whole-thing ones with
  half of their adjectives from K's wide lexicon (``negation_rows.wide_shape_rows``).
  J (F's shapes on I's rows) gained 7.13 on negation and lost 1.03 on SST-2 dev; L asks
  whether the shapes still cost SST-2 when they, too, use many sentiment words.
* Its rule: J's and K's, against K (the same tolerances), and the same SST-2 floor for
  a build.

Added after L's build failed the floor, and fixed before M was trained (which of the
shape sentences cost SST-2):

* ``M``: K's rows plus L's shape sentences without their plain half: 1,196 negated ones
  (``negation_rows.negated_shape_rows``: the whole thing and an action negated, half of
  the whole-thing adjectives from the wide lexicon), balanced by shape and label, about
  as many negated sentences as L holds. Every run with the shapes (F, J, L) lost SST-2
  dev; M asks whether the negated sentences alone keep L's negation gain at less cost.
* Its rule: L's, against K (the same tolerances). M is built only if it passes and its
  SST-2 dev mean is no lower than K's by more than K's own SST-2 dev seed spread (L's
  seeds were 0.46 below, against K's 0.34); then the same SST-2 floor holds for the build.

Added after M was measured, and fixed before N and O were trained (cue words):

* ``N``: K's rows with K's 8,800 sentences written again so that no function word gives
  the label away (``negation_rows.balanced_rows``: the same kinds, counts and lexicon).
  In K's sentences *at all* (390) and *can't* (64) occur in positive ones only,
  *anymore* (279) and *didn't* (105) in negative ones only, so a model can read *I
  didn't hate it* as negative from *didn't* alone; in N's each occurs with both labels
  (*I didn't detest the sitcom*, *The router isn't faulty anymore*), and no negator or
  ending of 60+ sentences has more than 65 % of one label.
* ``O``: N's rows plus L's 2,400 shape sentences with their endings (*anymore*, *at
  all*) given to both labels (``negation_rows.balanced_shape_rows``); in L's they went
  with positive sentences only.
* Their rule: L's, against K (the same tolerances), and M's gate for a build (SST-2 dev
  mean no lower than K's by more than K's own spread there). Should both pass, the one
  with the higher ``negation`` mean is built first, to the same SST-2 floor; if its
  build fails the floor, the other is next.

Added after O was measured, and fixed before P was trained (a teacher that reads G better
than the student):

* ``P``: K's rows plus every unlabelled IMDB review outside G (49,700), each with the
  scores of a teacher as its target (``--teacher-scores``): the mean positive score of
  N's two seed models (K's rows with N's sentences, the nearest to K's on hand) and of
  NB-SVM (word 1-2 grams, ``baselines.NBLogistic``) trained on IMDB train without G.
  NB-SVM trained on IMDB alone reads G at 91.22 %, better than each of N's seeds (90.26,
  91.02); on K's mixed rows it read 87.86 % (``teachers``). The mean of the three reads
  G at 92.45 %. Only G was looked at, for seven teachers (L's seeds, N's, or all four,
  alone, with NB-SVM as one more member or at half the weight: 90.69-92.45 %), before P
  was fixed; this one is the one with the best G, so its own G is a little flattered.
  D's teacher, one seed model of the student's own recipe, read G no better than the
  student, and D moved G by less than the spread.
* Its rule: P replaces K when its mean over 2 seeds beats K's on G by more than the
  tolerance (1.46, the largest spread of A, B and E, as for every candidate), and loses
  no more than the tolerance on SST-2 dev, other domains and ``negation`` (2.62). It is
  built only if it passes and passes M's SST-2 gate, and its build must keep SST-2 dev
  at the 85 % floor. Its build trains the teacher on the bundled rows first (two seeds
  of the bundled recipe and NB-SVM on all of IMDB train), so the whole build must stay
  within 60 minutes on 2 cores.

Added after P was measured, and fixed before X was trained (a probe, not a candidate):

* ``X``: K's rows with the bundled recipe made larger: ``--vocab-size 30000 --units 128
  --embed-dim 64`` (its phone file is well over the 1 MB budget, so it cannot ship).
  NB-SVM trained on IMDB alone reads G better than the recipe (91.22 % against K's
  90.02 and 91.15 %) with a vocabulary of every word pair, and P showed that its scores
  do not pass into the 1 MB model. X asks whether a larger network of the same kind
  reads G better: if so, it is the teacher the issue names (a larger network of the
  same kind, distilled into the 1 MB one); if not, what G needs is pre-training.
* Its reading, one seed (seed 1; about half an hour on 2 cores): a lead for such a
  teacher when its G is at least K's mean plus K's seed spread on G (90.59 + 1.13 =
  91.72 %); otherwise not. Its other scores are reported.

Added after X was read, and fixed before Z was trained (which words the 8,000 are):

* ``Z``: K's rows with the vocabulary ranked by the texts a word is in, not by its
  occurrences (``--vocab-count texts``). On K's rows the two rankings share 7,718 of the
  8,000 words; the 282 only occurrences keep are mostly names repeated through film
  reviews (bettie, rochester, streisand), the 282 only texts keep mostly words many
  reviews use once (unsatisfied, sluggish, soggy, appetizing). X, with 30,000 words,
  read other domains and negation better, and the checks' unknown words include
  *overpriced*, *sleek*, *spotless*. The phone file keeps its size and speed.
* Its rule: S's, against K: Z replaces K when its mean over 2 seeds beats K's by more
  than the tolerance on one of G, SST-2 dev, other domains and ``negation``, and loses
  no more than the tolerance on any of the four (the largest spread of A, B and E, and
  2.62 on ``negation``); then M's SST-2 gate for a build, and the 85 % floor.

Added after Z was measured, and fixed before V was trained (more words in the same bytes):

* ``V``: K's rows with 12,000 words and half the word-pair buckets (``--vocab-size 12000
  --bigram-buckets 32768``): 4,000 more rows of 32 in the word table, 32,768 fewer of 4
  in the pair table, so the phone file keeps its size, and the graph its operators and
  speed. X (30,000 words and a larger network) read other domains and negation better
  on one seed, and Z showed that which words fill 8,000 places does not matter; V asks
  whether more words do, within the budget.
* Its rule: Z's (S's, against K), with M's SST-2 gate for a build and the 85 % floor.

Added after V was measured, and fixed before Y was trained (V within the budget):

* V passed its rule and its gate, but its phone file is 1.008 MB, over the 1.0 MB
  budget: the 4,000 more words bring their case spellings, and ``vocab.txt`` in the
  file grew from 0.18 to 0.26 MB (20,650 lines). From the sizes of N's and V's files,
  each 1,000 words cost about 51 KB and halving the pair buckets saves 131 KB.
* ``Y``: K's rows with 11,000 words and 32,768 pair buckets (``--vocab-size 11000
  --bigram-buckets 32768``): about 0.96 MB.
* Its rule: V's, against K, and its phone file must be within 1.0 MB; then M's gate,
  the 85 % floor and the budget for its build.

Added after Y's build replaced the bundled model, and fixed before W was trained (O's
sentences with Y's words):

* ``W``: O's rows (N's balanced sentences and L's shape sentences with balanced
  endings) with Y's settings (``--vocab-size 11000 --bigram-buckets 32768``). O read
  negation 9.38 points better than K on 2 seeds but its SST-2 dev mean fell 0.40 below
  K's, more than K's own spread there (0.34), so it was not built; Y's larger
  vocabulary raised SST-2 dev by 0.17. W asks whether the two together keep O's
  negation gain and Y's SST-2 dev.
* Its rule: W replaces Y when its mean over 2 seeds beats Y's on ``negation`` by more
  than the tolerance (2.62, the largest spread of the candidates with negation rows),
  and loses no more than the tolerance on G, SST-2 dev and other domains (the largest
  spread of A, B and E); then M's gate against Y (its SST-2 dev mean no lower than Y's
  by more than Y's own spread there), the 85 % floor for its build, its phone file
  within 1.0 MB and its build within 60 minutes.

Added after W's build replaced the bundled model, and fixed before Q was trained (short
negations as people type them):

* Tried as a user would, W's build answers *I don't like it* positive (0.65) and *not bad
  at all* negative (0.69), and a new check kind, ``short_negation`` (``data/checks``:
  400 negations typed as a short reply, with no subject or about *it*: *Not bad at
  all.*, *It wasn't great.*, *Didn't like it.*; written before Q's sentences), reads
  75.75 % on the bundled model, 76.25 and 77.50 % on W's two seed models: no sentence
  of W's rows has that shape.
* ``Q``: W's rows and settings, plus 2,400 short sentences of that shape over the
  negation sentences' own words (``negation_rows.short_rows``: *Not tasteless at all.*,
  *It wasn't delectable.*, *Didn't adore it.*, a third of them plain; no content word of
  the checks, every negator and ending with both labels).
* Its rule: Q replaces W when its mean over 2 seeds beats W's on ``typed`` (the
  ``short_negation`` check) by more than the larger seed spread there of W and Q, and
  loses no more than the tolerance on G, SST-2 dev and other domains (the largest
  spread of A, B and E) and on ``negation`` (2.62, as for W); then M's gate against W
  (its SST-2 dev mean no lower than W's by more than W's own spread there), the 85 %
  floor for its build, its phone file within 1.0 MB and its build within 60 minutes.

Added after Q's build replaced the bundled model, and fixed before R was trained
(negated actions):

* Q's build reads a negated negative action (*The app doesn't crash anymore*) at 41 %,
  the weakest shape of the negation checks; the negation sentences hold 26 actions of four
  kinds of thing, 18 of them negative.
* ``R``: Q's rows and settings, plus 2,400 action sentences over a wider lexicon
  (``negation_rows.wide_action_rows``: 48 more actions of six kinds of thing, 34 of them
  things that go wrong, *The hoodie doesn't sag anymore.*, *The salad never curdles.*;
  half plain, *no longer* among the negations, no word of the checks).
* Its rule: R replaces Q when its mean over 2 seeds beats Q's on ``action`` (the action
  sentences of the negated-positive and negated-negative checks, 133) by more than the
  larger seed spread there of Q and R, and loses no more than the tolerance on G,
  SST-2 dev and other domains (the largest spread of A, B and E), on ``negation`` (2.62)
  and on ``typed`` (the larger spread there of Q and R); then M's gate against Q, the
  85 % floor for its build, its phone file within 1.0 MB and its build within 60
  minutes.

Added after R was measured, and fixed before T was trained (the words users negate most):

* Q's build reads *I regret buying it.* positive (0.52) and *No regrets.* negative; W's
  build read *I don't like it* positive. The negation sentences may use no content word
  of the checks, so they never negate *like*, *regret*, *good* or *bad*, the words users
  negate most, and a model must carry negation over from *adore* and *tasteless*.
* The measurement changes first, so that T can be judged at all: the check sentences
  of the two negated kinds and of ``short_negation`` that hold a word of
  ``negation_rows.COMMON`` (the five judgements of each polarity that suit any thing
  and the most training texts hold: *good*, *great*, *excellent*, *amazing*,
  *wonderful*; *bad*, *poor*, *disappointing*, *horrible*, *awful*; and the verbs of
  judgement *like*, *love*, *enjoy*, *recommend*, *hate*, *dislike*, *regret*, with
  their past forms) are scored apart as ``common`` (561 sentences); the rest of the two
  negated kinds stay held out as ``negation_held`` (the mean of the two kinds, 183 and
  204 sentences), with every other check word.
* ``T``: Q's rows and settings, plus 2,400 sentences over those words
  (``negation_rows.common_rows``: *The router isn't good at all.*, *It's not a bad
  sitcom.*, *Not great.*, *I didn't like the soup.*, *I don't regret ordering the
  soup.*, *No regrets.*; a third plain, every negator and ending with both labels;
  subjects, and every other content word, still none of the checks').
* Its rule: T replaces Q when its mean over 2 seeds beats Q's on ``common`` by more
  than the larger seed spread there of Q and T, and loses no more than the tolerance
  on G, SST-2 dev and other domains (the largest spread of A, B and E), on
  ``negation_held`` (2.62) and on ``typed`` (the larger spread there of Q and T); then
  M's gate against Q, the 85 % floor for its build, its phone file within 1.0 MB and
  its build within 60 minutes. ``common`` measures sentences whose words T trained on,
  in other sentences: it says whether T reads those words negated, not whether it
  learnt negation; ``negation_held`` says that.

Added after T was measured, and fixed before U was trained (T's sentences in place of
others):

* T passed its rule (``common`` +4.99 against a 1.25 spread) but not M's gate: its
  SST-2 dev mean is 0.34 below Q's, whose two seeds scored the same (spread 0.00), so T
  is not built. G and other domains also fell (-0.45, -0.46), within their tolerances.
  Every candidate that added template sentences to the rows (F, J, L, O, T) lost some
  SST-2 dev; Q did not.
* ``U``: Q's rows and settings with T's 2,400 sentences in place of 2,400 of N's
  balanced sentences (the first 2,400 in their seeded order: a sample of their kinds,
  over the rare words), so that it holds as many template sentences as Q.
* Its rule: T's, against Q (the same tolerances, and the larger seed spread of Q and U
  on ``common`` and ``typed``); then M's gate against Q unchanged, the 85 % floor for
  its build, its phone file within 1.0 MB and its build within 60 minutes.

Added after U's build replaced the bundled model, and fixed before C was trained (which
sentences U's took the place of):

* U's seeds read the held-out negated sentences 2.26 points below Q's (``negation_held``,
  80.21 %, within the 2.62 tolerance): a quarter of N's sentences over rare words gave
  way, negated ones among them.
* ``C``: Q's rows and settings with T's 2,400 sentences in place of 2,400 of N's
  sentences that negate nothing (plain and *but* sentences, the first 2,400 in their
  seeded order), so every negated sentence over the rare words stays; as many template
  sentences as Q and U.
* Its rule: C replaces U when its mean over 2 seeds beats U's on ``negation_held`` by
  more than the larger seed spread there of U and C, and loses no more than the
  tolerance on G, SST-2 dev and other domains (the largest spread of A, B and E), on
  ``common`` and ``typed`` (the larger spread there of U and C); then M's gate against
  U, the 85 % floor for its build, its phone file within 1.0 MB and its build within 60
  minutes.

Added after C's build fell below the floor, and fixed before Cu was trained (how a
build is judged, and the unlabelled reviews as word vectors):

* C passed its rule and M's gate; its build (seed 7) scored 84.40 % on SST-2 dev, 1.72
  points below its seeds' mean. Three builds in a row (Q, U, C) landed 0.5 to 1.7 points
  from what their seeds said: one build of one seed is a draw. **From now on a build
  trains three seeds (7, 8 and 9) of the bundled recipe on the bundled rows; the one
  installed is the median of the three on SST-2 dev (its phone file), and the 85 %
  floor applies to that median.** The median is neither the luckiest nor the unluckiest
  draw, so its figures are what the recipe gives; all three are reported. Such a build
  takes about half an hour on 2 cores, within the 60 minutes.
* ``Cu``: C's rows and settings, plus the 49,700 unlabelled IMDB reviews outside G
  (P's) given as ``--unlabelled`` with no teacher: they are not trained on, they count
  for the vocabulary and for the word vectors the word table starts from (``--word-init
  ppmi``). Learning where words sit from unlabelled text is the oldest semi-supervised
  lever for reviews (Maas et al., ACL 2011), and unlike P's teacher it asks the small
  model to copy nothing.
* Its rule: Cu replaces C when its mean over 2 seeds beats C's on G by more than the
  larger seed spread there of C and Cu, and loses no more than the tolerance on SST-2
  dev and other domains (the largest spread of A, B and E), on ``negation_held`` (2.62)
  and on ``common`` and ``typed`` (the larger spread there of C and Cu); then M's gate
  against C, and the build rule above. If Cu is not adopted, C is built under it.

Added after C's build became the bundled model, and fixed before Cw was trained (the
judgements users type most, taught negated):

* C reads the check sentences holding a word its training sentences negate (``common``)
  at 99.8 %, the others at 83.9 % (``negation_held``; negated negative words 72 %), and
  the words it misses are among the commonest: *The customer support was not
  terrible.* reads negative at 0.93. Taught words are read and untaught ones are not
  (T: ``common`` +4.99, ``negation_held`` +0.06), and users type common words most.
* ``Cw``: C's rows and settings, with C's 2,400 sentences over the commonest judgements
  drawing their adjectives also from 54 more check adjectives
  (``negation_rows.frequent_judgements``: one polarity wherever the checks use them, in
  at least 100 texts of the training domains and SST-2 train, at least 70 % of them of
  that polarity: *beautiful*, *comfortable*, *fast* ... *terrible*, *boring*, *slow*,
  *cheap* ...); as many sentences as C, every other content word none of the checks'.
* Measured apart: ``negation_rare``, the mean over the two negated checks of the
  sentences holding none of those words nor of ``COMMON`` (219 of 800): what Cw carries
  over to words it never saw negated. C's two seeds are trained again to be scored on it
  (``Cr``: C's command and seeds, trained again on the machine that trains Cw; the
  trainings' bits vary by CPU, and Cr's figures are a few tenths of a point from those
  C's runs recorded, so Cw is judged against Cr, and C's rows stay as they were).
* Its rule: Cw replaces C when its mean over 2 seeds beats C's on ``negation`` (all 800
  sentences of the two negated checks) by more than the larger seed spread there of C
  and Cw, and loses no more than the tolerance on G, SST-2 dev and other domains (the
  largest spread of A, B and E), on ``negation_rare`` (2.62, ``negation_held``'s) and on
  ``common`` and ``typed`` (the larger spread there of C and Cw); then M's gate against
  C, and the three-seed build rule. ``negation`` rises partly because more of its
  sentences hold taught words: for a held-out set, Cw's gain is what ``common`` says
  where its words are among Cw's, and what ``negation_rare`` says where they are not.

Added after Cw's build became the bundled model, and fixed before Cd was trained (words
the model cannot read):

* A word the vocabulary lacks reaches the model as ``<UNKNOWN>``: a typo, a capitalisation
  never seen, a rare word. The bundled model answers a sentence whose judgement it cannot
  read about as surely as one it can: in the typo kind of the checks (*The pacing is
  incredibly bda.*) its wrong answers score 0.51 to 0.93 (median 0.72), and its right
  answers a median 0.71. Few training rows have ``<UNKNOWN>`` where their judgement
  stood: the vocabulary keeps the words most rows use.
* ``Cd``: Cw's rows and settings, trained with ``--unknown-rate 0.1`` (each word id is
  shown as ``<UNKNOWN>`` with probability 0.1 in training, never at inference; word
  dropout, as Iyyer et al., ACL 2015, drop words). 0.1 is fixed here and not tuned.
* Measured apart: ``readable``, the 382 adjective sentences of the two plain checks
  (*The waiter is wonderful.*), and ``unreadable``, the same sentences with the
  judgement, their last word, misspelt (the first two neighbouring letters after the
  first that differ, swapped: *wnoderful*); ``read_conf`` and ``unread_conf``, the mean
  score a model gives its own answer on each, and ``conf_gap``, the first minus the
  second: how much surer the model is of what it can read.
* Its rule: Cd replaces Cw when its mean over 2 seeds beats Cw's on ``conf_gap`` by more
  than the larger seed spread there of Cw and Cd, and loses no more than the tolerance
  on G, SST-2 dev and other domains (the largest spread of A, B and E), on ``negation``
  and ``negation_rare`` (2.62) and on ``common`` and ``typed`` (the larger spread there
  of Cw and Cd); then M's gate against Cw, and the three-seed build rule. Cw's two seed
  models are the ones measured before (trained on another machine of this kind).

Added after Cd was measured, and fixed before Ca was trained (apostrophes as phones type
them):

* iOS types ``isn’t`` with U+2019 unless told not to, and so do many web forms and
  review sites. The phone's tokenizer splits on it: ``wasn’t`` reaches the model as
  ``wasn`` (no word of the bundled vocabulary) and ``t``. Written that way, the
  apostrophe sentences of the negated and contraction checks and of ``short_negation``
  (564) read 42.9, 20.7, 24.7 and 50.4 % on the bundled model (as written: 99.3, 86.0,
  93.3 and 91.5 %); *The food wasn’t good.* is positive 0.86. The contract is fixed:
  the model must learn the split form.
* ``Ca``: Cw's rows and settings with every apostrophe of a seeded quarter of the rows
  that hold a contraction written as ’, in place (``baselines.curled``; SST-2's Penn
  Treebank rows, ``is n't``, left alone): as many rows, the same labels.
* Measured apart: ``curly``, those 564 check sentences with ’.
* Its rule: Ca replaces Cw when its mean over 2 seeds beats Cw's on ``curly`` by more
  than the larger seed spread there of Cw and Ca, and loses no more than the tolerance
  on G, SST-2 dev and other domains (the largest spread of A, B and E), on ``negation``
  and ``negation_rare`` (2.62) and on ``common`` and ``typed`` (the larger spread there
  of Cw and Ca); then M's gate against Cw, and the three-seed build rule.

Added after Ca's build fell below the floor, and fixed before Cf was trained (the
built model taught the split form, in one epoch more):

* Ca passed its rule and M's gate; its three builds scored 85.55, 84.86 and 84.98 % on
  SST-2 dev, and the median fell below the floor by a fraction of a sentence, so the
  bundled model stayed Cw's. Drawing Ca again to pass the floor would be choosing by
  the floor: not done.
* ``Cf``: each of Cw's seed models (``Cw-s1``, ``Cw-s2``) trained one epoch more on
  Cw's rows from its own weights (``--init``, the bundled recipe's training settings,
  ``--epochs 1``, ``--curly-share 0.25``: the setting's default and Ca's share; the seed
  picks which rows are curled). A build then starts from the model already built rather
  than drawing a new one from scratch.
* Its rule: Ca's, against Cw: Cf replaces Cw when its mean over 2 seeds beats Cw's on
  ``curly`` by more than the larger seed spread there of Cw and Cf, and loses no more
  than the tolerance on G, SST-2 dev and other domains (the largest spread of A, B and
  E), on ``negation`` and ``negation_rare`` (2.62) and on ``common`` and ``typed`` (the
  larger spread there of Cw and Cf); then M's gate against Cw. Its build: the installed
  model (Cw's build) trained one epoch more on the bundled rows with the same settings,
  seeds 7, 8 and 9; the median on SST-2 dev (its phone file) is installed only at or
  above the 85 % floor, with its phone file within 1.0 MB and the whole build (Cw's
  three seeds, then the three epochs more) within 60 minutes on 2 cores.

Added after Cf's build was withheld, and fixed before Cl was trained (the epoch more
moved the built model too far):

* Cf passed its rule and its build's median passed the SST-2 floor, but read negated
  negative words at 83.75 %, below the 85 % floor the tests hold each negation kind of
  the bundled model to (Cw's build 86.0 %, Cf's proxy seeds 87.75 and 88.75 %). Cf's
  epoch restarts the rate at the recipe's 0.002, ten times where Cw's training ended:
  a fresh start for weights that were already trained, and so a fresh draw of what they
  read. Drawing Cf's build again, or installing another seed of it, would be choosing by
  the floor: not done.
* ``Cl``: Cf with a quarter of the rate (``--learning-rate 0.0005``, falling to 0.00005
  along the cosine): the epoch more teaches the split contractions while moving the rest
  less. Expected, not a rule: ``curly`` below Cf's, the other scores nearer Cw's.
* Its rule: Cf's, against Cw (``curly`` by more than the larger seed spread there of Cw
  and Cl; the same tolerances; M's gate). Its build: Cf's, with the same rate, under the
  floors ``scripts/median_build.py`` now holds every median build to: SST-2 dev and each
  negation kind of ``data/checks`` at 85 % or above.

Added after Cl's build was installed, and fixed before Cn was trained (the open lead of
``bundled_candidates.md``: word rows started at length 1.0, which passed its rule on four
own-split seeds of an earlier recipe):

* ``Cn``: Cw with the word table's rows started at median length 1.0
  (``word_vectors.ROW_NORM``; 0.5 in the recipe); ``Cm``: Cl from Cn's seed models (the
  recipe's second step). Both steps are needed, since the installed model is Cl's.
* Its rule: Cm replaces Cl when its mean over 2 seeds beats Cl's by more than the
  tolerance on one of G, SST-2 dev and other domains (the largest spread of A, B and E:
  what the lead moved on its own splits were IMDB, SST-2 and short reviews), and loses
  no more than the tolerance on any of them, on ``negation`` and ``negation_rare``
  (2.62), or on ``common``, ``typed`` and ``curly`` (the larger spread there of Cl and
  Cm); then M's gate against Cl and the three-seed build rule. Cm's seeds train after
  the schedule's step count was corrected (a few steps an epoch on these rows), Cl's
  before; that difference is far below every tolerance.

Added after Cm's build was installed, and fixed before Co was trained (length 1.0 read
other domains 0.72 points better than 0.5: whether the gain goes on further out):

* ``Co``: Cn with the word rows started at median length 2.0; ``Cp``: Cm's second step
  from Co's seed models.
* Its rule: Cm's, with Cm in Cl's place: Cp replaces Cm when its mean over 2 seeds beats
  Cm's by more than the tolerance on one of G, SST-2 dev and other domains (1.46, 1.03,
  0.57), and loses no more than the tolerance on any of them, on ``negation`` and
  ``negation_rare`` (2.62), or on ``common``, ``typed`` and ``curly`` (the larger spread
  there of Cm and Cp); then M's gate against Cm and the three-seed build rule.

    python benchmarks/candidates.py split                  # runs/proxy/*.tsv
    python benchmarks/candidates.py train A 1              # runs/proxy/A-s1 (one run)
    python benchmarks/candidates.py measure                # candidates.md and .json
    python benchmarks/candidates.py speed S-s1             # its bulk speed against the bundled

Each training is ``sentigru train`` (printed before it runs); times are on 2 cores. The
split files hold shared data: they stay under ``runs/`` (ignored by git).
"""

from __future__ import annotations

import argparse
import collections
import json
import math
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
from baselines import (
    DATA,
    HELD_DOMAINS,
    NEGATION,
    SHARED,
    WIDER,
    curled,
    domain_mix,
    load,
    nb_logistic,
    short_reviews,
    tfidf_pipeline,
)
from checklist import (
    CURLY_KINDS,
    apostrophe_rows,
    read_checks,
    swap_places,
    taught_or_held,
)
from median_build import FLOOR, median_of
from movie_overlap import MOVIE_REVIEWS, movie_groups, write_tsv
from negation_rows import (
    balanced_rows,
    balanced_shape_rows,
    common_for_unnegated_rows,
    common_in_place_rows,
    common_rows,
    common_words,
    frequent_judgements,
    frequent_rows,
    load_lexicon,
    negated_shape_rows,
    shape_rows,
    short_rows,
    wide_action_rows,
    wide_lexicon,
    wide_rows,
    wide_shape_rows,
)
from negation_rows import rows as negation_sentences

from sentigru import word_vectors
from sentigru.data import Examples, read_examples
from sentigru.data.apostrophes import CURLY
from sentigru.data.files import read_texts

RUNS = Path("runs/proxy")
HERE = Path(__file__).resolve().parent
G_ROWS = 3000
UNLABELLED = 25_000
SEEDS = (1, 2, 3)
CANDIDATES = {
    "A": "imdb-sst",
    "B": "imdb-sst-domains",
    "D": "imdb-sst-domains",
    "E": "imdb-sst-domains-negation",
    "F": "imdb-sst-domains-negation-f",
    "S": "imdb-sst-domains-negation",
    "H": "imdb-sst-domains-negation-h",
    "I": "imdb-sst-wider-domains-negation",
    "J": "imdb-sst-wider-domains-negation-j",
    "K": "imdb-sst-wider-domains-negation-k",
    "L": "imdb-sst-wider-domains-negation-l",
    "M": "imdb-sst-wider-domains-negation-m",
    "N": "imdb-sst-wider-domains-negation-n",
    "O": "imdb-sst-wider-domains-negation-o",
    "P": "imdb-sst-wider-domains-negation-k",
    "X": "imdb-sst-wider-domains-negation-k",
    "Z": "imdb-sst-wider-domains-negation-k",
    "V": "imdb-sst-wider-domains-negation-k",
    "Y": "imdb-sst-wider-domains-negation-k",
    "W": "imdb-sst-wider-domains-negation-o",
    "Q": "imdb-sst-wider-domains-negation-q",
    "R": "imdb-sst-wider-domains-negation-r",
    "T": "imdb-sst-wider-domains-negation-t",
    "U": "imdb-sst-wider-domains-negation-u",
    "C": "imdb-sst-wider-domains-negation-c",
    "Cu": "imdb-sst-wider-domains-negation-c",
    "Cw": "imdb-sst-wider-domains-negation-cw",
    "Cr": "imdb-sst-wider-domains-negation-c",
    "Cd": "imdb-sst-wider-domains-negation-cw",
    "Ca": "imdb-sst-wider-domains-negation-ca",
    "Cf": "imdb-sst-wider-domains-negation-cw",
    "Cl": "imdb-sst-wider-domains-negation-cw",
    "Cn": "imdb-sst-wider-domains-negation-cw",
    "Cm": "imdb-sst-wider-domains-negation-cw",
    "Co": "imdb-sst-wider-domains-negation-cw",
    "Cp": "imdb-sst-wider-domains-negation-cw",
}
"""Each candidate's labelled training file in RUNS."""
PRESETS = {"S": "sentencepiece"}
"""Each candidate's ``--preset`` where it is not ``bundled``."""
SETTINGS = {
    "X": ["--vocab-size", "30000", "--units", "128", "--embed-dim", "64"],
    "Z": ["--vocab-count", "texts"],
    "V": ["--vocab-size", "12000", "--bigram-buckets", "32768"],
    "Y": ["--vocab-size", "11000", "--bigram-buckets", "32768"],
    "W": ["--vocab-size", "11000", "--bigram-buckets", "32768"],
    "Q": ["--vocab-size", "11000", "--bigram-buckets", "32768"],
    "R": ["--vocab-size", "11000", "--bigram-buckets", "32768"],
    "T": ["--vocab-size", "11000", "--bigram-buckets", "32768"],
    "U": ["--vocab-size", "11000", "--bigram-buckets", "32768"],
    "C": ["--vocab-size", "11000", "--bigram-buckets", "32768"],
    "Cu": ["--vocab-size", "11000", "--bigram-buckets", "32768"],
    "Cw": ["--vocab-size", "11000", "--bigram-buckets", "32768"],
    "Cr": ["--vocab-size", "11000", "--bigram-buckets", "32768"],
    "Cd": ["--vocab-size", "11000", "--bigram-buckets", "32768", "--unknown-rate", "0.1"],
    "Ca": ["--vocab-size", "11000", "--bigram-buckets", "32768"],
    "Cn": ["--vocab-size", "11000", "--bigram-buckets", "32768"],
    "Co": ["--vocab-size", "11000", "--bigram-buckets", "32768"],
}
"""Settings a candidate changes in its preset."""
FINE_TUNE = ["--epochs", "1", "--curly-share", "0.25"]
"""Cf's training settings over the bundled recipe's, from a built model (``--init``)."""
LOW_RATE = ["--learning-rate", "0.0005"]
"""What Cl changes in Cf's training: a quarter of the recipe's rate."""
ROW_NORMS = {"Cn": 1.0, "Co": 2.0}
"""Each candidate's ``word_vectors.ROW_NORM`` where it is not :data:`EARLIER_ROW_NORM`:
the candidates listed in :data:`CANDIDATES` before ``Cn`` started their word rows at
0.5, the recipe's length then (1.0 since Cm's build), and run so again here."""
EARLIER_ROW_NORM = 0.5
STARTS = {"Cf": "Cw", "Cl": "Cw", "Cm": "Cn", "Cp": "Co"}
"""The candidates trained one epoch more from another's seed models, and whose."""


def held_out(groups: list[int], rows: int) -> list[int]:
    """About ``rows`` reviews as whole film groups, drawn as ``movie_overlap.draw``
    draws G (groups of 2 to 60 reviews, seeded order), without its R half."""
    members: dict[int, list[int]] = collections.defaultdict(list)
    for i, g in enumerate(groups):
        members[g].append(i)
    linked = [g for g, m in members.items() if 1 < len(m) <= 2 * MOVIE_REVIEWS]
    random.Random(0).shuffle(linked)
    held: list[int] = []
    for g in linked:
        if len(held) >= rows:
            break
        held.extend(members[g])
    return held


def split(_: argparse.Namespace) -> None:
    RUNS.mkdir(parents=True, exist_ok=True)
    imdb, sst = load("imdb/train.tsv.gz"), load("sst2/train.tsv.gz")
    held = g_rows(imdb)
    g = imdb.subset(held)
    out = set(held)
    base = imdb.subset(i for i in range(len(imdb)) if i not in out)
    base.extend(sst)
    write_tsv(RUNS / "G.tsv", g)
    write_tsv(RUNS / "imdb-sst.tsv", base)
    mixed = Examples()
    mixed.extend(base)
    mixed.extend(domain_mix())
    write_tsv(RUNS / "imdb-sst-domains.tsv", mixed)
    mixed.extend(as_examples(negation_sentences()))  # E's sentences, whatever data/ holds now
    write_tsv(RUNS / "imdb-sst-domains-negation.tsv", mixed)
    typed = typed_negations(sst)
    with_typed = Examples([*mixed.texts, *typed.texts], [*mixed.labels, *typed.labels])
    write_tsv(RUNS / "imdb-sst-domains-negation-h.tsv", with_typed)
    mix = domain_mix(WIDER)  # read once: I's, K's and N's rows all take it
    wider = Examples([*base.texts], [*base.labels])
    wider.extend(mix)
    wider.extend(as_examples(negation_sentences()))
    write_tsv(RUNS / "imdb-sst-wider-domains-negation.tsv", wider)
    shaped = Examples([*wider.texts], [*wider.labels])
    shaped.extend(as_examples(shape_rows()))
    write_tsv(RUNS / f"{CANDIDATES['J']}.tsv", shaped)
    lexicon = k_lexicon(imdb, sst, out)
    (RUNS / "K-lexicon.json").write_text(json.dumps(lexicon, indent=1) + "\n")
    shipped = "the same as" if lexicon == load_lexicon() else "DIFFERENT from"
    wide = Examples([*base.texts], [*base.labels])
    wide.extend(mix)
    wide.extend(as_examples(wide_rows(lexicon)))
    write_tsv(RUNS / f"{CANDIDATES['K']}.tsv", wide)
    wide_shapes = Examples([*wide.texts], [*wide.labels])
    wide_shapes.extend(as_examples(wide_shape_rows(lexicon)))
    write_tsv(RUNS / f"{CANDIDATES['L']}.tsv", wide_shapes)
    negated = Examples([*wide.texts], [*wide.labels])
    negated.extend(as_examples(negated_shape_rows(lexicon)))
    write_tsv(RUNS / f"{CANDIDATES['M']}.tsv", negated)
    balanced = Examples([*base.texts], [*base.labels])
    balanced.extend(mix)
    balanced.extend(as_examples(balanced_rows(lexicon)))
    write_tsv(RUNS / f"{CANDIDATES['N']}.tsv", balanced)
    n_rows = len(balanced)
    balanced.extend(as_examples(balanced_shape_rows(lexicon)))
    write_tsv(RUNS / f"{CANDIDATES['O']}.tsv", balanced)
    o_rows = len(balanced)
    balanced.extend(as_examples(short_rows(lexicon)))
    write_tsv(RUNS / f"{CANDIDATES['Q']}.tsv", balanced)
    taught = joined(balanced, as_examples(common_rows()))
    write_tsv(RUNS / f"{CANDIDATES['T']}.tsv", taught)
    swapped = joined(base, mix, as_examples(common_in_place_rows(lexicon)))
    write_tsv(RUNS / f"{CANDIDATES['U']}.tsv", swapped)
    kept = joined(base, mix, as_examples(common_for_unnegated_rows(lexicon)))
    write_tsv(RUNS / f"{CANDIDATES['C']}.tsv", kept)
    frequent = frequent_judgements(pairs(mix) + pairs(sst))
    (RUNS / FREQUENT_WORDS).write_text(json.dumps(frequent, indent=1) + "\n")
    taught_more = joined(base, mix, as_examples(frequent_rows(lexicon, frequent)))
    write_tsv(RUNS / f"{CANDIDATES['Cw']}.tsv", taught_more)
    write_tsv(RUNS / f"{CANDIDATES['Ca']}.tsv", curled(taught_more))
    balanced.extend(as_examples(wide_action_rows()))
    write_tsv(RUNS / f"{CANDIDATES['R']}.tsv", balanced)
    unsup = read_texts(SHARED / "imdb/unsup.tsv.gz")
    g_texts = set(g.texts)
    texts = [t for t in unsup if t not in g_texts]
    with (RUNS / "unsup.tsv").open("w", encoding="utf-8") as f:
        f.write("text\n")
        f.writelines(f"{t}\n" for t in texts)
    print(
        f"G {len(g)} reviews; A {len(base)} rows; E {len(mixed)} rows; H adds {len(typed)}; "
        f"I {len(wider)} rows; J {len(shaped)} rows; K {len(wide)} rows "
        f"({len(lexicon['positive'])} and {len(lexicon['negative'])} wide adjectives, "
        f"{shipped} data/negation_lexicon.json); L {len(wide_shapes)} rows; "
        f"M {len(negated)} rows; N {n_rows} rows; O {o_rows} rows; "
        f"R {len(balanced)} rows; T {len(taught)} rows; U {len(swapped)} rows; "
        f"C {len(kept)} rows; Cw {len(taught_more)} rows "
        f"({len(frequent['positive'])} and {len(frequent['negative'])} frequent judgements); "
        f"unlabelled {len(texts)} ({len(unsup) - len(texts)} in G dropped)"
    )


def k_lexicon(imdb: Examples, sst: Examples, held: set[int]) -> dict[str, list[str]]:
    """K's wide lexicon, read off SST-2 train and IMDB train without G (``held``), so that
    nothing of G decides which words K's sentences use."""
    trained = imdb.subset(i for i in range(len(imdb)) if i not in held)
    return wide_lexicon(pairs(sst), pairs(trained))


def g_rows(imdb: Examples) -> list[int]:
    """The indices of G in IMDB train: whole films, about ``G_ROWS`` reviews."""
    return held_out(movie_groups(imdb.texts, 4, 30), G_ROWS)


def pairs(examples: Examples) -> list[tuple[str, str]]:
    return list(zip(examples.labels, examples.texts))


def joined(*parts: Examples) -> Examples:
    """A new set holding the rows of ``parts`` in order (the parts stay as they are)."""
    out = Examples()
    for part in parts:
        out.extend(part)
    return out


def as_examples(rows: list[tuple[str, str]]) -> Examples:
    """``(label, text)`` rows of ``negation_rows`` as examples."""
    return Examples([text for _, text in rows], [label for label, _ in rows])


def typed_negations(sst: Examples) -> Examples:
    """SST-2's phrases with a split negation (``does n't``), written as typed
    (``doesn't``), with the other split clitics of those phrases joined too."""
    found = Examples()
    for text, label in zip(sst.texts, sst.labels):
        if " n't" in text:
            found.texts.append(re.sub(r" (n't|'s|'re|'ve|'ll|'d|'m)\b", r"\1", text))
            found.labels.append(label)
    return found


def train(args: argparse.Namespace) -> None:
    out = RUNS / f"{args.candidate}-s{args.seed}"
    command = [
        *sentigru_command(row_norm(args.candidate)),
        "train", "--preset", PRESETS.get(args.candidate, "bundled"),
        "--strategy", "one", "--force",
        "--seed", str(args.seed), "--data", str(RUNS / f"{CANDIDATES[args.candidate]}.tsv"),
        "--out", str(out),
    ]  # fmt: skip
    command += SETTINGS.get(args.candidate, [])
    if args.candidate == "D":
        teacher = RUNS / f"B-s{args.seed}"
        command += ["--unlabelled", str(unlabelled()), "--teacher", str(teacher)]
    if args.candidate == "P":
        command += ["--teacher-scores", str(RUNS / P_SCORES)]
    if args.candidate == "Cu":  # no teacher: the reviews start the word vectors only
        command += ["--unlabelled", str(RUNS / "unsup.tsv")]
    if args.candidate in STARTS:  # a seed model, one epoch more (its network kept)
        command += [*FINE_TUNE, "--init", str(RUNS / f"{STARTS[args.candidate]}-s{args.seed}")]
    if args.candidate in ("Cl", "Cm", "Cp"):
        command += LOW_RATE
    print(" ".join(command), flush=True)
    shutil.rmtree(out, ignore_errors=True)  # with its figures, which --force would refuse
    start = time.perf_counter()
    subprocess.run(command, check=True)
    (out / "wall_seconds.txt").write_text(f"{time.perf_counter() - start:.0f}\n")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KiB on Linux
    (out / "peak_mib.txt").write_text(f"{peak / 1024:.0f}\n")


def row_norm(candidate: str) -> float | None:
    """The length ``candidate``'s word rows start at where it is not the package's: its
    own, or the one the recipe had when it was defined (candidates trained from
    another's seed models keep that model's table, whatever this says)."""
    earlier = list(CANDIDATES)[: list(CANDIDATES).index("Cn")]
    length = ROW_NORMS.get(candidate, EARLIER_ROW_NORM if candidate in earlier else None)
    return None if length == word_vectors.ROW_NORM else length


def sentigru_command(row_norm: float | None) -> list[str]:
    """``sentigru``, or where a candidate starts the word rows at another length (a
    constant, not a setting), the same command in a Python that sets it first."""
    if row_norm is None:
        return ["sentigru"]
    code = (
        "import sys; from sentigru import word_vectors; "
        f"word_vectors.ROW_NORM = {row_norm!r}; from sentigru.cli import run; run()"
    )
    return [sys.executable, "-c", code]


P_SCORES = "unsup-scored-P.tsv"
P_MEMBERS = ("N-s1", "N-s2")


def score_p(_: argparse.Namespace) -> None:
    """P's teacher scores the unlabelled reviews outside G: the mean positive score of
    N's two seed models and NB-SVM trained on IMDB train without G. Written as a table
    of texts and one probability per label, the file ``--teacher-scores`` reads."""
    import sentigru

    imdb = load("imdb/train.tsv.gz")
    held = set(g_rows(imdb))
    films = imdb.subset(i for i in range(len(imdb)) if i not in held)
    texts = read_texts(RUNS / "unsup.tsv")
    nb = nb_logistic().fit(films.texts, films.labels)
    negative, positive = nb.labels
    members = [nb.scores(texts)]
    for name in P_MEMBERS:
        model = sentigru.load(RUNS / name)
        members.append(model.scores(texts)[:, model.labels.index(positive)])
    mean = np.mean(members, axis=0)
    with (RUNS / P_SCORES).open("w", encoding="utf-8") as f:
        f.write(f"text\t{negative}\t{positive}\n")
        f.writelines(f"{t}\t{1 - p:.6f}\t{p:.6f}\n" for t, p in zip(texts, mean))
    print(f"{len(texts)} texts scored; {int((mean > 0.5).sum())} positive by the teacher")


def unlabelled() -> Path:
    """The first ``UNLABELLED`` texts of the split's unlabelled file."""
    part = RUNS / f"unsup-{UNLABELLED}.tsv"
    if not part.exists():
        with (RUNS / "unsup.tsv").open(encoding="utf-8") as f:
            lines = [line for _, line in zip(range(UNLABELLED + 1), f)]
        part.write_text("".join(lines), "utf-8")
    return part


def sets() -> dict[str, Examples]:
    found = {"G": read_examples(RUNS / "G.tsv").examples, "sst2_dev": load("sst2/dev.tsv.gz")}
    for name in HELD_DOMAINS:
        found[name] = load(f"reviews-en/{name}.tsv.gz")
    for name in NEGATION:
        found[name] = read_examples(DATA / "checks" / f"{name}.tsv").examples
    found["short"] = short_reviews()
    found["typed"] = read_examples(DATA / "checks" / "short_negation.tsv").examples
    checks = read_checks(DATA / "checks")
    found["action"] = family_rows(checks, NEGATION, "action")
    for kind in NEGATION:  # the sentences with no word T trains on: still held out
        found[f"{kind}_held"] = common_split(checks[kind], False)
    found["common"] = common_split([r for k in COMMON_KINDS for r in checks[k]], True)
    found["readable"], found["unreadable"] = judgements_misspelt(checks)
    found["curly"] = curly_checks(checks)
    if (RUNS / FREQUENT_WORDS).exists():  # the sentences with no word Cw trains on either
        frequent = json.loads((RUNS / FREQUENT_WORDS).read_text())
        taught = common_words() | {w for found_ in frequent.values() for w in found_}
        for kind in NEGATION:
            found[f"{kind}_rare"] = common_split(checks[kind], False, frozenset(taught))
    return found


FREQUENT_WORDS = "Cw-words.json"
"""Cw's frequent judgements (``negation_rows.frequent_judgements``), written by ``split``."""


COMMON_KINDS = (*NEGATION, "short_negation")
"""The checks whose sentences holding a word of ``negation_rows.COMMON`` make ``common``."""


def common_split(
    rows: list[dict[str, str]], common: bool, taught: frozenset[str] | None = None
) -> Examples:
    """The check ``rows`` that hold a word of ``taught`` (``common``), or those that hold
    none (``checklist.taught_or_held``); by default the words of ``negation_rows.COMMON``
    (T's), whatever the shipped sentences teach."""
    want = "common" if common else "held out"
    taught = frozenset(common_words()) if taught is None else taught
    kept = [r for r in taught_or_held(rows, taught) if r["words"] == want]
    return Examples([r["text"] for r in kept], [r["label"] for r in kept])


def curly_checks(checks: dict[str, list[dict[str, str]]]) -> Examples:
    """The sentences of ``checklist.CURLY_KINDS`` that hold an apostrophe, each written
    with the one phone keyboards type (Ca's target)."""
    rows = [row for kind in CURLY_KINDS for row in apostrophe_rows(checks, kind)]
    return Examples([row["text"].replace("'", CURLY) for row in rows], [r["label"] for r in rows])


def misspelt(word: str) -> str:
    """``word`` with its first two neighbouring letters after the first that differ
    swapped (*wonderful* → *wnoderful*), as the checks' typo kind misspells."""
    places = swap_places(word)
    if not places:
        return word
    i = places[0]
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]


def judgements_misspelt(checks: dict[str, list[dict[str, str]]]) -> tuple[Examples, Examples]:
    """The adjective sentences of the plain checks, and the same with their judgement
    (the last word) misspelt: ``readable`` and ``unreadable`` (Cd's scores)."""
    rows = family_rows(checks, ("plain_positive", "plain_negative"), "adjective")
    broken = []
    for text in rows.texts:
        head, _, last = text.rstrip(".").rpartition(" ")
        broken.append(f"{head} {misspelt(last)}.")
    return rows, Examples(broken, list(rows.labels))


def confidence(model, data: dict[str, Examples]) -> dict[str, float]:  # type: ignore[no-untyped-def]
    """Mean score a model gives its own answer on ``readable`` and ``unreadable``, and
    the gap between the two (Cd's target)."""
    read, unread = (float(model.scores(data[n].texts).max(1).mean()) for n in CONFIDENCE_SETS)
    return {"read_conf": read, "unread_conf": unread, "conf_gap": read - unread}


CONFIDENCE_SETS = ("readable", "unreadable")


def family_rows(
    checks: dict[str, list[dict[str, str]]], kinds: tuple[str, ...], family: str
) -> Examples:
    """The sentences of one family (a column of the check files) in the named kinds."""
    rows = [row for kind in kinds for row in checks[kind] if row["family"] == family]
    return Examples([row["text"] for row in rows], [row["label"] for row in rows])


def scores(predict, data: dict[str, Examples]) -> dict[str, float]:  # type: ignore[no-untyped-def]
    return graded({name: predict(examples.texts) for name, examples in data.items()}, data)


def graded_mean(
    cache: dict[str, dict], parts: list, data: dict[str, Examples], labels: tuple[str, str]
) -> dict[str, float]:
    """The proxy's scores of the mean of some models' positive scores: ``cache[set][part]``
    holds one model's positive score per text; ``labels`` is (negative, positive)."""
    negative, positive = labels
    guesses = {
        name: [
            positive if x > 0.5 else negative for x in np.mean([cache[name][p] for p in parts], 0)
        ]
        for name in data
    }
    return graded(guesses, data)


def graded(guesses: dict[str, list[str]], data: dict[str, Examples]) -> dict[str, float]:
    """The proxy's scores of one label guessed per text of each set."""
    out = {}
    for name, examples in data.items():
        guess = np.array(guesses[name])
        truth = np.array(examples.labels)
        recalls = [float(np.mean(guess[truth == x] == x)) for x in sorted(set(truth))]
        out[name] = float(np.mean(guess == truth))
        if name in HELD_DOMAINS:
            out[f"{name}_balanced"] = float(np.mean(recalls))
    out["domains"] = float(np.mean([out[f"{n}_balanced"] for n in HELD_DOMAINS]))
    out["negation"] = float(np.mean([out[n] for n in NEGATION]))
    if all(f"{n}_held" in out for n in NEGATION):
        out["negation_held"] = float(np.mean([out[f"{n}_held"] for n in NEGATION]))
    if all(f"{n}_rare" in out for n in NEGATION):
        out["negation_rare"] = float(np.mean([out[f"{n}_rare"] for n in NEGATION]))
    return out


def measure(args: argparse.Namespace) -> None:
    import sentigru

    data = sets()
    earlier = HERE / "candidates.json"
    kept = json.loads(earlier.read_text()) if earlier.exists() else {}
    # Runs whose folders are on this machine are scored again (those named, with
    # --only); the figures of the others are kept as written.
    named = [RUNS / name for name in args.only] if args.only else sorted(RUNS.glob("*-s*"))
    folders = [folder for folder in named if (folder / "model.tflite").exists()]
    scored = {folder.name for folder in folders}
    rows = {k: v for k, v in kept.items() if "-s" in k and k not in scored}
    for folder in folders:
        model = sentigru.load(folder)
        rows[folder.name] = scores(
            lambda t, m=model: [m.labels[i] for i in m.scores(t).argmax(1)], data
        )
        rows[folder.name].update(confidence(model, data))
        for key in ("wall_seconds", "peak_mib"):
            if (folder / f"{key}.txt").exists():
                rows[folder.name][key] = float((folder / f"{key}.txt").read_text())
        print(folder.name, {k: round(v, 4) for k, v in rows[folder.name].items()}, flush=True)
    rows = dict(sorted(rows.items()))
    rows.update({k: v for k, v in kept.items() if k.startswith("_")})  # speed, builds, teachers
    for name, file in ((f"tfidf-{c}", CANDIDATES[c]) for c in (*"ABEIKWQUC", "Cw", "Ca")):
        if name in kept and args.keep_peers:  # the same split gives the same peer
            rows[name] = kept[name]
            continue
        train = read_examples(RUNS / f"{file}.tsv").examples
        model = tfidf_pipeline().fit(train.texts, train.labels)
        rows[name] = scores(lambda t, m=model: list(m.predict(t)), data)
        print(name, {k: round(v, 4) for k, v in rows[name].items()}, flush=True)
    (HERE / "candidates.json").write_text(json.dumps(rows, indent=2) + "\n")
    report(rows)


TEACHERS = {
    "seed 1": ("s1",),
    "seed 2": ("s2",),
    "NB-SVM": ("nb",),
    "TF-IDF": ("tfidf",),
    "seeds 1+2": ("s1", "s2"),
    "seed 1 + NB-SVM": ("s1", "nb"),
    "seeds 1+2 + NB-SVM": ("s1", "s2", "nb"),
    "seeds 1+2 + NB-SVM + TF-IDF": ("s1", "s2", "nb", "tfidf"),
}
"""Teachers made without training a larger network: one member, or the mean of the
members' positive scores."""


def teachers(args: argparse.Namespace) -> None:
    """How well would a teacher made cheaply read the proxy: two seed models of one
    candidate, and NB-SVM and TF-IDF on K's rows, alone and averaged. Distillation can
    lift the student on G only as far as its teacher reads G."""
    import sentigru

    data = sets()
    train = read_examples(RUNS / f"{CANDIDATES['K']}.tsv").examples
    nb = nb_logistic().fit(train.texts, train.labels)
    tfidf = tfidf_pipeline().fit(train.texts, train.labels)
    negative, positive = nb.labels
    seeds = {f"s{s}": sentigru.load(RUNS / f"{args.candidate}-s{s}") for s in (1, 2)}

    def members(texts: list[str]) -> dict[str, np.ndarray]:
        found = {"nb": nb.scores(texts)}
        found["tfidf"] = tfidf.predict_proba(texts)[:, list(tfidf.classes_).index(positive)]
        for name, model in seeds.items():
            found[name] = model.scores(texts)[:, model.labels.index(positive)]
        return found

    cache = {name: members(examples.texts) for name, examples in data.items()}
    found = {}
    for teacher, parts in TEACHERS.items():
        found[teacher] = graded_mean(cache, parts, data, (negative, positive))
        print(teacher, {k: round(v, 4) for k, v in found[teacher].items()}, flush=True)
    store = HERE / "candidates.json"
    rows = json.loads(store.read_text())
    rows["_teachers"] = {"candidate": args.candidate, "scores": found}
    store.write_text(json.dumps(rows, indent=2) + "\n")
    report(rows)


BUILD_KEYS = ("sst2_dev", "domains", "negation", "short", "negation_held")
"""What ``builds`` reports: every score of the proxy but G, which the builds train on."""


def builds(args: argparse.Namespace) -> None:
    """The three seed builds of the last bundled build (``runs/bundled-sN``, the phone
    files), alone and as the mean of their scores: what distilling the three into one
    file would aim at."""
    import sentigru

    data = {name: examples for name, examples in sets().items() if name != "G"}
    seeds = [int(seed) for seed in args.seeds]
    models = {s: sentigru.load(Path("runs") / f"bundled-s{s}" / "model.tflite") for s in seeds}
    labels = models[seeds[0]].labels
    cache = {
        name: {s: m.scores(ex.texts)[:, labels.index("positive")] for s, m in models.items()}
        for name, ex in data.items()
    }
    found = {}
    for parts in [[s] for s in seeds] + [seeds]:
        scored = graded_mean(cache, parts, data, ("negative", "positive"))
        found["+".join(map(str, parts))] = {key: scored[key] for key in BUILD_KEYS}
        print(parts, {k: round(100 * v, 2) for k, v in found["+".join(map(str, parts))].items()})
    store = HERE / "candidates.json"
    rows = json.loads(store.read_text())
    rows["_build_mean"] = {"candidate": args.candidate, "scores": found}
    store.write_text(json.dumps(rows, indent=2) + "\n")
    report(rows)


def build_mean_lines(found: dict) -> list[str]:
    """The table of ``builds``."""
    names = {"sst2_dev": "SST-2 dev", "domains": "other domains", "negation": "negation",
             "short": "short", "negation_held": "negation_held"}  # fmt: skip
    lines = [
        f"{found['candidate']}'s three seed builds, the phone files, alone and as the mean "
        "of their scores (`python benchmarks/candidates.py builds`): the mean is what "
        "distilling the three into one file would aim at, and P's students did not come "
        "near their teacher. G is left out: the builds train on it. The phone files "
        "here give each word-table row its own int8 scale; the build line above read "
        "them exported with one scale for the whole table (86.24, 85.89, 84.75 %), "
        "which is why seeds 8 and 9 differ and the installed seed moved from 8 to 7 "
        "(`held_out.md`).",
        "",
        "| builds | " + " | ".join(names[k] for k in BUILD_KEYS) + " |",
        "|---|" + "---|" * len(BUILD_KEYS),
    ]
    for parts, scored in found["scores"].items():
        label = f"seed {parts}" if "+" not in parts else f"mean of seeds {parts.replace('+', ', ')}"
        lines.append(
            f"| {label} | " + " | ".join(f"{100 * scored[k]:.2f}" for k in BUILD_KEYS) + " |"
        )
    return lines


def speed(args: argparse.Namespace) -> None:
    """Texts a second of ``sentigru predict`` on many texts (bulk, every core) with a
    candidate's phone file against the bundled one, alternating, in one run: a tokenizer
    that makes more ids per text costs the recurrent layers time in proportion."""
    import sentigru
    from sentigru.presets import default_model

    data = sets()
    workloads = {"G": data["G"].texts, "sst2_dev": data["sst2_dev"].texts}
    folders = {"bundled": default_model().parent, args.folder: RUNS / args.folder}
    models = {name: sentigru.load(folder / "model.tflite") for name, folder in folders.items()}
    rates: dict[str, dict[str, list[float]]] = {m: {w: [] for w in workloads} for m in models}
    for _ in range(args.rounds):
        for work, texts in workloads.items():
            for name, model in models.items():
                began = time.perf_counter()
                model.scores(texts)
                rates[name][work].append(len(texts) / (time.perf_counter() - began))
    medians = {m: {w: statistics.median(v) for w, v in r.items()} for m, r in rates.items()}
    ids = {name: median_ids(folder, workloads["G"]) for name, folder in folders.items()}
    store = HERE / "candidates.json"
    rows = json.loads(store.read_text())
    rows["_speed"] = {"rounds": args.rounds, "texts_per_s": medians, "median_ids_G": ids}
    store.write_text(json.dumps(rows, indent=2) + "\n")
    print(json.dumps(rows["_speed"], indent=2))
    report(rows)


def median_ids(folder: Path, texts: list[str]) -> float:
    """The median number of ids a model folder's tokenizer makes of each text."""
    from sentigru import bundle
    from sentigru.pieces import tokenizer_for

    model = bundle.load(folder)
    tokenizer = tokenizer_for(model.vocab, model.spec.tokenizer.seq_len)
    return statistics.median(len(tokenizer.ids(t)) for t in texts)


def summary(rows: dict[str, dict], candidate: str, key: str) -> tuple[float, float, int]:
    values = [r[key] for name, r in rows.items() if name.startswith(f"{candidate}-s") and key in r]
    if not values:
        return float("nan"), float("nan"), 0
    return statistics.mean(values), max(values) - min(values), len(values)


TIE = 1e-9
"""Differences closer than this to the spread count as equal to it."""


def verdict(
    rows: dict[str, dict],
    new: str,
    old: str,
    target: str | tuple[str, ...],
    spreads: tuple[str, ...] = (),
    guarded: tuple[str, ...] = (),
    target_spreads: tuple[str, ...] = (),
    per_score: dict[str, tuple[str, ...] | float] | None = None,
) -> str:
    """The rule: ``new`` gains more than the spread on ``target`` (on any one, where
    several are named) and loses no more than the spread on G, SST-2 dev, other domains,
    the targets and the ``guarded`` scores. ``spreads`` names the candidates whose
    largest seed spread is the tolerance (default: ``old``'s alone);
    ``target_spreads``, where given, those of the targets' tolerance; ``per_score``,
    those of the scores it names (before either), or the tolerance itself."""
    targets = (target,) if isinstance(target, str) else target
    keys = tuple(dict.fromkeys(("G", "sst2_dev", "domains", *targets, *guarded)))

    def spread(k: str) -> float:
        named: tuple[str, ...] | float
        if per_score and k in per_score:
            named = per_score[k]
            if isinstance(named, float):
                return named
        elif k in targets and target_spreads:
            named = target_spreads
        else:
            named = spreads or (old,)
        return max(summary(rows, c, k)[1] for c in named)

    means = {k: (summary(rows, new, k)[0], summary(rows, old, k)[0], spread(k)) for k in keys}
    seeds = (summary(rows, new, targets[0])[2], summary(rows, old, targets[0])[2])
    if min(seeds) < 2:
        return f"{new} against {old}: not decided ({seeds[0]} and {seeds[1]} seeds; it needs 2+)"
    # Scores are counts over a set, so a difference can equal a spread exactly: equal is
    # "no more than the spread" (not a loss, not a gain), whatever the float rounding.
    gained = [k for k in targets if means[k][0] - means[k][1] > means[k][2] + TIE]
    losses = [k for k, (m, o, spread) in means.items() if o - m > spread + TIE]
    ok = bool(gained) and not losses
    parts = ", ".join(
        f"{k} {100 * (m - o):+.2f} (spread {100 * s:.2f})" for k, (m, o, s) in means.items()
    )
    return f"{new} against {old}: {parts} points: {'adopted' if ok else 'not adopted'}"


def pooled_sd(rows: dict[str, dict], metric: str) -> tuple[float, list[float]]:
    """The per-seed standard deviation pooled over every candidate with two seeds, in
    points, and those candidates' two-seed ranges: the scale a range is a sample of."""
    pairs: dict[str, list[float]] = {}
    for key, row in rows.items():
        if key.startswith("_") or "-s" not in key or metric not in row:
            continue
        pairs.setdefault(key.rsplit("-s", 1)[0], []).append(100 * row[metric])
    ranges = [abs(a - b) for a, b in (v for v in pairs.values() if len(v) == 2)]
    return math.sqrt(sum(r * r / 2 for r in ranges) / len(ranges)), ranges


def noise_lines(rows: dict[str, dict]) -> list[str]:
    """What the rules above cannot tell: two seeds give a rough tolerance."""
    said = []
    for metric in ("G", "sst2_dev", "domains", "negation"):
        sd, ranges = pooled_sd(rows, metric)
        said.append(
            f"{metric} {sd:.2f} (ranges {min(ranges):.2f}-{max(ranges):.2f}, "
            f"median {statistics.median(ranges):.2f})"
        )
    return [
        "**What these verdicts can and cannot tell.** Each rule above takes a two-seed "
        "range as its tolerance, and a range of two seeds is itself a noisy sample. "
        "The per-seed standard deviation pooled over every candidate with two seeds, "
        f"in points: {'; '.join(said)}. A range can be near zero by chance, and a gate "
        "takes the old candidate's own range: Q's two seeds read SST-2 dev alike "
        "(range 0.00), so T's loss of 0.34 there stopped T, while Cw's losses of 0.46 "
        "and 0.52 against Cr and C passed on their ranges of 1.49 and 0.92. Cw was "
        "adopted on negation +0.50 against a range of 0.12, four sentences of 800, "
        "below the pooled deviation of a single seed: a lead, not a measured gain. "
        "The proxy was fixed with three seeds a candidate in mind; every candidate ran "
        "two (D, X and Cu one). A verdict whose margin is under the pooled deviation "
        "above is a lead, whatever the rule said.",
    ]


def report(rows: dict[str, dict]) -> None:
    keys = ("G", "sst2_dev", "domains", "hotels", "headphones", "tweets", "negation", "short")
    keys += ("typed", "action", "common", "negation_held", "negation_rare", "conf_gap", "curly")
    lines = [
        "# Training candidates on a proxy that predicts unseen data",
        "",
        "Made by `benchmarks/candidates.py` (its docstring holds the proxy, the candidates "
        "and the rule, fixed before any run). Phone files scored in LiteRT. Accuracy in %; "
        "`domains` is the mean balanced accuracy on hotels, headphones and tweets (never "
        "trained on), and the three columns after it their plain accuracy; G is 3,007 IMDB "
        "reviews of films never trained on; `negation` is the mean over the negated-positive "
        "and negated-negative checks in `data/checks`; `short` the 600 short reviews of "
        "`data/`, `typed` the `short_negation` check, `action` the action sentences of the "
        "two negated checks, `common` the sentences of those three checks holding one of "
        "the commonest judgements that T's and U's training sentences also negate, "
        "`negation_held` the mean over the two negated checks of the sentences holding "
        "none, `negation_rare` the same over the sentences holding none of those words "
        "nor of the frequent judgements Cw's sentences also negate, `conf_gap` how much "
        "surer (in points of the score a model gives its answer) it is of the plain checks' "
        "adjective sentences than of the same with their judgement misspelt, `curly` the "
        "apostrophe sentences of four negation checks written with ’ (each measured only "
        "where the model was on hand).",
        "",
        "| model | " + " | ".join(keys) + " | training s | peak MiB |",
        "|---|" + "---|" * (len(keys) + 2),
    ]
    for name, r in rows.items():
        if name.startswith("_"):
            continue
        cells = " | ".join(f"{100 * r[k]:.2f}" if k in r else "" for k in keys)
        cost = " | ".join(f"{r[k]:.0f}" if k in r else "" for k in ("wall_seconds", "peak_mib"))
        lines.append(f"| {name} | {cells} | {cost} |")
    lines += ["", "Mean (seed spread, max - min) per candidate:", ""]
    for candidate in CANDIDATES:
        parts = []
        for k in keys:
            mean, spread, n = summary(rows, candidate, k)
            if n:
                parts.append(f"{k} {100 * mean:.2f} ({100 * spread:.2f})")
        if parts:
            n = summary(rows, candidate, "G")[2]
            lines.append(f"- {candidate}, {n} seed(s): " + ", ".join(parts))
    lines += ["", "The rule applied:", ""]
    lines.append(f"- {verdict(rows, 'B', 'A', 'domains')}")
    lines.append(f"- {verdict(rows, 'D', 'B', 'G')}")
    lines.append(f"- {verdict(rows, 'E', 'B', 'negation', ('A', 'B'))}")
    lines.append(f"- {verdict(rows, 'F', 'E', 'negation', ('A', 'B', 'E'))}")
    english = ("G", "sst2_dev", "domains", "negation")
    lines.append(f"- {verdict(rows, 'S', 'E', english, ('A', 'B', 'E'))}")
    lines.append(f"- {verdict(rows, 'H', 'E', 'negation', ('A', 'B', 'E'))}")
    lines.append(f"- {verdict(rows, 'I', 'E', 'domains', ('A', 'B', 'E'), ('negation',))}")
    negation_rows = ("E", "F", "H", "I")
    passed = {}
    for new in "JK":
        said = verdict(rows, new, "I", "negation", ("A", "B", "E"), (), negation_rows)
        lines.append(f"- {said}")
        if said.endswith(": adopted"):
            passed[new] = summary(rows, new, "negation")[0]
    if len(passed) == 2:
        first, second = sorted(passed, key=passed.get, reverse=True)
        lines.append(
            f"- J and K both pass: {first} has the higher negation mean "
            f"({100 * passed[first]:.2f} against {100 * passed[second]:.2f}), so {first} is "
            "adopted (built only if its phone file keeps SST-2 dev at 85 %: see the docstring)"
        )
        for name, nxt in ((first, second), (second, None)):
            built = rows.get("_builds", {}).get(name)
            if not built:
                break
            after = f" and {nxt} is the next to build" if nxt else ""
            lines.append(build_line(name, built, f"the bundled model stays as it was{after}"))
            if built["sst2_dev"] >= 0.85:
                break
    said = verdict(rows, "L", "K", "negation", ("A", "B", "E"), (), negation_rows)
    lines.append(f"- {said}")
    built = rows.get("_builds", {}).get("L")
    if built and said.endswith(": adopted"):
        lines.append(build_line("L", built, "the bundled model stays the one built from K's rows"))
    for new in "MNO":
        if summary(rows, new, "G")[2]:
            said = verdict(rows, new, "K", "negation", ("A", "B", "E"), (), negation_rows)
            lines += [f"- {said}", f"- {sst2_gate(rows, new, 'K')}"]
            built = rows.get("_builds", {}).get(new)
            if built:
                lines.append(build_line(new, built, "the bundled model stays K's"))
    tolerance = {"negation": negation_rows}
    if summary(rows, "P", "G")[2]:
        said = verdict(rows, "P", "K", "G", ("A", "B", "E"), ("negation",), (), tolerance)
        lines += [f"- {said}"]
    if summary(rows, "X", "G")[2]:
        lines += [f"- {probe_line(rows, 'X', 'K')}"]
    for new in "ZVY":
        if summary(rows, new, "G")[2]:
            said = verdict(rows, new, "K", english, ("A", "B", "E"), (), (), tolerance)
            lines += [f"- {said}", f"- {sst2_gate(rows, new, 'K')}"]
            built = rows.get("_builds", {}).get(new)
            if built:
                lines.append(build_line(new, built, "the bundled model stays K's"))
    if summary(rows, "W", "G")[2]:
        said = verdict(rows, "W", "Y", "negation", ("A", "B", "E"), (), negation_rows)
        lines += [f"- {said}", f"- {sst2_gate(rows, 'W', 'Y')}"]
        built = rows.get("_builds", {}).get("W")
        if built:
            lines.append(build_line("W", built, "the bundled model stays Y's"))
    if summary(rows, "Q", "G")[2]:
        said = verdict(
            rows, "Q", "W", "typed", ("A", "B", "E"), ("negation",), ("W", "Q"), tolerance
        )
        lines += [f"- {said}", f"- {sst2_gate(rows, 'Q', 'W')}"]
        built = rows.get("_builds", {}).get("Q")
        if built:
            lines.append(build_line("Q", built, "the bundled model stays W's"))
    if summary(rows, "R", "G")[2]:
        guards = {**tolerance, "typed": ("Q", "R")}
        lines += against(rows, "R", "Q", "action", ("negation", "typed"), guards)
    held = max(summary(rows, c, "negation")[1] for c in negation_rows)  # 2.62
    for new in "TU":
        if summary(rows, new, "G")[2]:
            guards = {**tolerance, "negation_held": held, "typed": ("Q", new)}
            lines += against(rows, new, "Q", "common", ("negation_held", "typed"), guards)
    if summary(rows, "C", "G")[2]:
        guards = {**tolerance, "common": ("U", "C"), "typed": ("U", "C")}
        lines += against(rows, "C", "U", "negation_held", ("common", "typed"), guards)
    if summary(rows, "Cu", "G")[2] == 1:
        lines.append(f"- {stopped_line(rows, 'Cu', 'C', 'G')}")
    elif summary(rows, "Cu", "G")[2]:
        guards = {**tolerance, "negation_held": held, "common": ("C", "Cu"), "typed": ("C", "Cu")}
        lines += against(rows, "Cu", "C", "G", ("negation_held", "common", "typed"), guards)
    medians = rows.get("_median_builds", {})
    if "C" in medians:  # C's build came before Cw was trained
        lines.append(median_build_line("C", medians["C"]))
    if summary(rows, "Cw", "G")[2]:
        guards = {  # the target's own tolerance is the larger spread of Cr and Cw
            "negation_rare": held,
            "common": ("Cr", "Cw"),
            "typed": ("Cr", "Cw"),
        }
        guarded = ("negation_rare", "common", "typed")
        lines += against(rows, "Cw", "Cr", "negation", guarded, guards)
    for new, target in (("Cd", "conf_gap"), ("Ca", "curly"), ("Cf", "curly"), ("Cl", "curly")):
        if summary(rows, new, "G")[2]:
            pair = ("Cw", new)
            guards = {"negation": held, "negation_rare": held, "common": pair, "typed": pair}
            lines += against(rows, new, "Cw", target, tuple(guards), guards)
    for new, old in (("Cm", "Cl"), ("Cp", "Cm")):  # word rows started at another length
        if not summary(rows, new, "G")[2]:
            continue
        pair = (old, new)
        guards = {
            "negation": held,
            "negation_rare": held,
            "common": pair,
            "typed": pair,
            "curly": pair,
        }
        english = ("G", "sst2_dev", "domains")
        said = verdict(rows, new, old, english, ("A", "B", "E"), tuple(guards), (), guards)
        lines += [f"- {said}"]
        if said.endswith(": adopted"):
            lines.append(f"- {sst2_gate(rows, new, old)}")
    for name, built in medians.items():
        if name != "C":
            lines.append(median_build_line(name, built))
    lines += ["", *noise_lines(rows)]
    if "_teachers" in rows:
        lines += ["", *teacher_lines(rows["_teachers"])]
    if "_build_mean" in rows:
        lines += ["", *build_mean_lines(rows["_build_mean"])]
    if "_speed" in rows:
        lines += ["", speed_lines(rows["_speed"])]
        lines += [
            "",
            "S passes the accuracy rule, and the bundled English model still keeps the "
            "regex tokenizer: the bundled model must also predict no slower than before "
            "(its throughput targets in `bulk_speed.md`: at least 0.75x TF-IDF on IMDB "
            "reviews, met at 0.82x), and SentencePiece's pieces are more ids per text "
            "than words, so S runs at the speed above. "
            "`--preset sentencepiece` is the recipe to use for English where short "
            "product reviews matter more than bulk speed.",
        ]
    (HERE / "candidates.md").write_text("\n".join(lines) + "\n")


def against(
    rows: dict[str, dict],
    new: str,
    old: str,
    target: str,
    guarded: tuple[str, ...],
    guards: dict[str, tuple[str, ...] | float],
) -> list[str]:
    """The rule of the candidates after Q (R, T, U): ``new`` against ``old`` on
    ``target``, with the tolerance of A, B and E on G, SST-2 dev and other domains, the
    larger spread of the two on ``target`` and the ``guards`` on the ``guarded`` scores;
    M's gate only for a candidate that passes, then its build, if any."""
    said = verdict(rows, new, old, target, ("A", "B", "E"), guarded, (old, new), guards)
    lines = [f"- {said}"]
    if said.endswith(": adopted"):  # the gate is asked only of a candidate that passes
        lines.append(f"- {sst2_gate(rows, new, old)}")
    built = rows.get("_builds", {}).get(new)
    if built:
        lines.append(build_line(new, built, f"the bundled model stays {old}'s"))
    return lines


def stopped_line(rows: dict[str, dict], new: str, old: str, target: str) -> str:
    """Why a candidate stopped after its first seed: no second seed's score on
    ``target`` could make its mean beat ``old``'s by more than the larger seed spread of
    the two, since a second seed far enough above the first widens ``new``'s own spread
    as much as it lifts the mean."""
    first = summary(rows, new, target)[0]
    mean, spread, _ = summary(rows, old, target)
    grid = np.linspace(0.0, 1.0, 100_001)
    passing = (first + grid) / 2 - mean > np.maximum(spread, np.abs(grid - first)) + TIE
    said = (
        f"{new} against {old}, stopped after 1 seed: {target} {100 * first:.2f} against "
        f"{old}'s mean {100 * mean:.2f} (spread {100 * spread:.2f}); "
    )
    if passing.any():
        return said + f"a second seed at {100 * grid[passing][0]:.2f} or more could pass"
    return said + "no second seed could pass, whatever it scored: not adopted"


def probe_line(rows: dict[str, dict], probe: str, base: str) -> str:
    """A probe's reading (X's, fixed before it trained): a lead for a teacher when its G
    is at least ``base``'s mean plus ``base``'s seed spread on G."""
    g, _, n = summary(rows, probe, "G")
    mean, spread, _ = summary(rows, base, "G")
    lead = g >= mean + spread - TIE
    return (
        f"{probe} (a probe, {n} seed): G {100 * g:.2f} against {base}'s {100 * mean:.2f} + "
        f"{100 * spread:.2f} = {100 * (mean + spread):.2f}: "
        f"{'a lead for a larger teacher' if lead else 'not a lead'}"
    )


def sst2_gate(rows: dict[str, dict], new: str, old: str) -> str:
    """Whether ``new`` is built: its SST-2 dev mean may lose no more than ``old``'s own
    seed spread there (M's gate, fixed before it trained)."""
    mean, _, _ = summary(rows, new, "sst2_dev")
    base, spread, _ = summary(rows, old, "sst2_dev")
    ok = base - mean <= spread + TIE
    side = "below" if base >= mean else "above"
    return (
        f"{new}'s SST-2 dev mean is {100 * abs(base - mean):.2f} points {side} {old}'s, "
        f"{'within' if ok else 'more than'} {old}'s own spread there ({100 * spread:.2f}): "
        f"{new} is {'built' if ok else 'not built'}"
    )


def build_line(name: str, built: dict, otherwise: str) -> str:
    """What a candidate's build (seed 7, every bundled row) scored, and so what it does:
    it replaces the bundled model only at the SST-2 floor or above."""
    negation = (
        f" and {100 * built['negation']:.2f} % on the negation checks"
        if "negation" in built
        else ""
    )
    verdict = (
        "at the floor or above, so it replaces the bundled model"
        if built["sst2_dev"] >= 0.85
        else f"below the floor, so {otherwise}"
    )
    return (
        f"- {name}'s build (seed 7, every bundled row, {built['rows']:,} rows) scores "
        f"{100 * built['sst2_dev']:.2f} % on SST-2 dev{negation}: {verdict}"
    )


def median_build_line(name: str, built: dict) -> str:
    """A build under the three-seed rule (fixed before Cu trained): each seed's build on
    SST-2 dev, and the median, which is installed at the floor or above."""
    seeds = built["sst2_dev"]
    median = median_of(seeds)  # the choice the build script made
    each = ", ".join(f"seed {seed} {100 * seeds[seed]:.2f} %" for seed in seeds)
    verdict = (
        "at the floor or above, so it replaces the bundled model"
        if seeds[median] >= FLOOR
        else "below the floor, so nothing is installed"
    )
    if "withheld" in built:  # another floor the bundled model is held to
        verdict = f"at the SST-2 floor or above, but {built['withheld']}"
    start = f", each {built['start']}" if "start" in built else ""
    return (
        f"- {name}'s build under the three-seed rule ({built['rows']:,} rows{start}): SST-2 "
        f"dev {each}; the median, seed {median} ({100 * seeds[median]:.2f} %), is {verdict}"
    )


def teacher_lines(found: dict) -> list[str]:
    """The table of ``teachers``: what each cheaply made teacher reads."""
    keys = ("G", "sst2_dev", "domains", "negation", "short")
    lines = [
        f"Teachers made without a larger network (`python benchmarks/candidates.py teachers`): "
        f"{found['candidate']}'s two seed models, and NB-SVM and TF-IDF trained on K's rows, "
        "alone and as the mean of their positive scores:",
        "",
        "| teacher | " + " | ".join(keys) + " |",
        "|---|" + "---|" * len(keys),
    ]
    for name, r in found["scores"].items():
        lines.append(f"| {name} | " + " | ".join(f"{100 * r[k]:.2f}" for k in keys) + " |")
    return lines


def speed_lines(found: dict) -> str:
    rates = found["texts_per_s"]
    (other,) = [m for m in rates if m != "bundled"]
    parts = [
        f"{work} {rates[other][work]:.0f} against {rates['bundled'][work]:.0f} texts/s "
        f"({rates[other][work] / rates['bundled'][work]:.2f}x)"
        for work in rates["bundled"]
    ]
    ids = found.get("median_ids_G")
    per_text = (
        f" Ids per G review (median): {ids[other]:.0f} against {ids['bundled']:.0f}." if ids else ""
    )
    return (
        f"Speed (`python benchmarks/candidates.py speed {other}`, medians of "
        f"{found['rounds']} alternating rounds, bulk prediction on every core): {other}'s "
        f"phone file against the bundled one on {', '.join(parts)}.{per_text}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("split").set_defaults(run=split)
    t = sub.add_parser("train")
    t.add_argument("candidate", choices=sorted(CANDIDATES))
    t.add_argument("seed", type=int)
    t.set_defaults(run=train)
    m = sub.add_parser("measure")
    m.add_argument("--keep-peers", action="store_true", help="reuse the TF-IDF rows written")
    m.add_argument("--only", nargs="*", default=[], help="score these runs (default: all)")
    m.set_defaults(run=measure)
    sub.add_parser("score-p", help="P's teacher scores the unlabelled reviews").set_defaults(
        run=score_p
    )
    e = sub.add_parser("teachers")
    e.add_argument("--candidate", default="L", help="whose two seed models (default: L)")
    e.set_defaults(run=teachers)
    b = sub.add_parser("builds", help="the last build's seed builds, alone and averaged")
    b.add_argument("--seeds", nargs="*", default=["7", "8", "9"])
    b.add_argument("--candidate", default="C", help="whose rows they were built from")
    b.set_defaults(run=builds)
    v = sub.add_parser("speed")
    v.add_argument("folder", help="a run in runs/proxy, such as S-s1")
    v.add_argument("--rounds", type=int, default=5)
    v.set_defaults(run=speed)
    args = parser.parse_args()
    args.run(args)


if __name__ == "__main__":
    main()
