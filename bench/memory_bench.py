"""Time the translation-memory index on a seeded synthetic memory: its build, then lookups of new and edited sentences.

    .venv/bin/python bench/memory_bench.py [--entries 100000] [--queries 2000] [--threshold 75]
                                           [--verify N] [--seed 1]

The memory holds patient-leaflet-like English sentences of 8-30 words drawn from
two dozen sentence patterns over a Zipfian health vocabulary (recurring openers
such as "Talk to your doctor or pharmacist if", drug names, doses, markup). A
tenth of the queries are memory entries with 1-3 word edits, the rest are new
sentences (many of which still match an entry fuzzily: the patterns repeat).
The index is exact by construction (see ``workflow.memory.FuzzyIndex``); to show
it, every fuzzy lookup is then repeated as a full scan of the length window
(``process.extractOne``, the memory without its index), timed separately, and
the disagreements counted (text or score): ``--verify N`` checks only the first
N lookups, ``--verify 0`` none. The peak RSS is the whole process's, generator
and full scan included.
"""

from __future__ import annotations

import argparse
import itertools
import random
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from workflow.catalogs import POEntry  # noqa: E402
from workflow.memory import Memory  # noqa: E402

NOUNS = """tablet capsule dose medicine inhaler injection cream patch syrup antibiotic painkiller vaccine spray
drops ointment gel lozenge suppository implant pump infusion drip plaster bandage dressing splint headache
rash cough fever nausea vomiting diarrhoea constipation dizziness swelling bleeding cramp infection allergy
asthma eczema psoriasis acne migraine arthritis osteoporosis anaemia diabetes hypertension angina stroke
seizure epilepsy depression anxiety insomnia fatigue tiredness itching numbness tingling weakness stiffness
heartburn indigestion bloating ulcer hernia gallstones jaundice hepatitis pneumonia bronchitis sinusitis
tonsillitis conjunctivitis cystitis thrush shingles chickenpox measles flu cold pressure cholesterol sugar
glucose insulin thyroid hormone oestrogen testosterone iron calcium vitamin kidney liver heart stomach skin
joint muscle back knee hip shoulder neck chest throat lung bladder bowel brain nerve eye ear nose mouth
tooth gum tongue foot hand wrist ankle elbow spine bone blood vein artery appetite weight sleep mood energy
breathing pregnancy baby child infant teenager adult parent partner carer hospital clinic surgery pharmacy
ward practice appointment referral prescription leaflet label packet box diary test scan result biopsy
sample ultrasound operation procedure anaesthetic stitches wound scar treatment therapy exercise diet
meal snack drink water juice milk alcohol caffeine coffee tea smoking symptom sign risk benefit chance
problem condition illness disease disorder complication reaction effect week day month year hour minute
morning evening night bedtime mealtime weekend holiday journey flight car machine work school sport
swimming walking running cycling stretching posture position rest break fluid salt fat fibre protein
fruit vegetable bread cereal rice pasta potato chocolate grapefruit temperature pulse rhythm wheeze
phlegm mucus urine stool period menopause contraception fertility labour breastfeeding formula bottle
vaccination booster screening checkup review plan goal habit routine stress worry grief pain ache
soreness lump bruise burn cut bite sting blister wart mole sunburn sunscreen heat frost damp dust pollen
pet mould smoke pollution noise light screen phone alarm reminder app website helpline charity group
service record letter form consent advice information guidance""".split()
VERBS = """take use stop start avoid reduce increase check record discuss notice feel keep ask tell treat
manage prevent ease cause worsen trigger lower raise monitor measure book follow swallow apply store
repeat change skip miss chew crush dissolve mix shake rinse wash dry cover clean remove replace inject
inhale rub drink eat cut limit continue finish contact call visit see phone arrange collect carry bring
show explain understand read need want try help protect support improve affect damage harm irritate
relieve soothe control clear heal share plan track count weigh test examine prescribe recommend suggest
offer refer review adjust delay restart order renew report describe mention""".split()
ADJECTIVES = """mild severe sudden painful regular daily weekly low high short long slow gentle strong usual new
common rare serious minor chronic acute itchy dry swollen tired healthy safe extra missed next last first
second normal higher lower full empty warm cold hot cool sore red stiff weak heavy light small large
different same other important possible unusual persistent recurrent worse better sensitive fragile
allergic pregnant elderly young active quiet busy careful simple clear useful helpful harmful""".split()
ADVERBS = ("slowly carefully regularly usually often rarely gently quickly safely always never sometimes "
           "gradually").split()
PREPOSITIONS = "with for after before during without about from into through between under over at in on by".split()
DETERMINERS = "the a your this their any each some every another".split()
PEOPLE = ("your doctor|your pharmacist|a nurse|your GP|the specialist|your midwife|a physiotherapist|your dentist|"
          "the surgeon|your care team|a dietitian|NHS 111|your health visitor|a counsellor|the clinic|your optician|"
          "a pharmacist|the practice nurse|your consultant|an occupational therapist").split("|")
SUBJECTS = ("you|most people|some people|children|older adults|many patients|parents|people with diabetes|"
            "women who are pregnant|anyone with kidney disease|adults|teenagers|smokers|athletes|carers|"
            "people over 65|babies|your family|people with asthma|anyone taking blood thinners").split("|")
MODALS = "should|may|can|might|must|will|could|need to|may need to|should not|cannot|will usually".split("|")
TIMES = ("every morning|twice a day|once a week|at night|after meals|before breakfast|for two weeks|"
         "for a few days|for at least three months|until the course is finished|as soon as you remember|"
         "at the same time each day|every four to six hours|during the first few weeks|in the evening|"
         "straight away|within 24 hours|over the next few days|for the rest of your life|while you are pregnant|"
         "before you travel|after surgery|on an empty stomach|with a glass of water").split("|")
PLACES = ("a pharmacy|a supermarket|your GP surgery|the hospital|a walk-in centre|the clinic|"
          "a sexual health clinic|an optician|a dentist|online|an urgent treatment centre").split("|")
OPENERS = ("Talk to your doctor or pharmacist if|Tell your doctor straight away if|Remember that|"
           "It is important that|Ask your pharmacist before|In rare cases,|For most people,|Call 111 if|"
           "You may find that|Sometimes|Usually,|For example,|This means that|Try not to worry if|"
           "Speak to a nurse if|However,|In the UK,|Some studies suggest that|If you are not sure,|"
           "Do not worry if|Get an urgent appointment if|It is not clear whether|Most of the time,|"
           "After a few weeks,|During treatment,|Once you feel better,").split("|")
UNITS = "mg|ml|g|micrograms|tablets|capsules|hours|days|weeks|units|puffs|drops".split("|")
SYLLABLES = ("ab ac al am an ar as at be ca ce ci co da de di do du fe fi fo ga ge la le li lo lu ma me mi mo "
             "na ne ni no pa pe pi po pra pro qui ra re ri ro sa se si so ta te ti to tra tri va ve vi vo xa "
             "ze zo").split()
SUFFIXES = ("pril sartan olol statin azole mycin cillin oxacin tidine prazole dronate lukast mab nib vir pam "
            "lam zine done ine amide formin gliptin").split()


def _zipf(words: list[str], flatten: int = 0) -> tuple[list[str], list[float]]:
    """Zipf-Mandelbrot cumulative weights: word k is drawn with odds 1 / (k + 1 + flatten)."""
    return words, list(itertools.accumulate(1 / (rank + 1 + flatten) for rank in range(len(words))))


class Sentences:
    """A seeded source of health-leaflet sentences and of near-duplicates of them."""

    def __init__(self, seed: int = 1):
        self.rng = rng = random.Random(seed)
        drugs: set[str] = set()
        while len(drugs) < 800:
            drugs.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(1, 3))) + rng.choice(SUFFIXES))
        nouns = rng.sample(NOUNS, len(NOUNS)) + [n + "s" for n in rng.sample(NOUNS, 150)] + sorted(drugs)

        def shuffled(words: list[str]) -> tuple[list[str], list[float]]:
            return _zipf(rng.sample(words, len(words)), 5)

        self.pools = {
            "noun": _zipf(nouns, 20), "verb": shuffled(VERBS), "adj": shuffled(ADJECTIVES), "adv": shuffled(ADVERBS),
            "prep": _zipf(PREPOSITIONS), "det": _zipf(DETERMINERS), "person": shuffled(PEOPLE),
            "subj": _zipf(SUBJECTS), "modal": _zipf(MODALS), "time": shuffled(TIMES), "place": shuffled(PLACES),
            "opener": shuffled(OPENERS)}
        self.vocabulary = sorted(set(nouns + VERBS + ADJECTIVES + ADVERBS + PREPOSITIONS + DETERMINERS))

    def pick(self, kind: str) -> str:
        words, weights = self.pools[kind]
        return self.rng.choices(words, cum_weights=weights)[0]

    def noun_phrase(self) -> str:
        rng = self.rng
        if rng.random() < 0.06:
            return f"{rng.choice((1, 2, 5, 10, 20, 25, 50, 100, 200, 500))} {rng.choice(UNITS)}"
        words = [self.pick("det")] + ([self.pick("adj")] if rng.random() < 0.35 else []) + [self.pick("noun")]
        if rng.random() < 0.12:
            words += ["of", self.pick("det"), self.pick("noun")]
        if rng.random() < 0.04:
            words[-1] = f"**{words[-1]}**"
        elif rng.random() < 0.03:
            words[-1] = f"[{words[-1]}](https://www.nhs.uk/conditions/{words[-1]}/)"
        return " ".join(words)

    def extras(self, most: int = 2) -> str:
        return "".join(f" {self.pick('prep')} {self.noun_phrase()}" for _ in range(self.rng.randint(0, most)))

    def clause(self) -> str:
        rng = self.rng
        adverb = f" {self.pick('adv')}" if rng.random() < 0.2 else ""
        when = f" {self.pick('time')}" if rng.random() < 0.3 else ""
        action = f"{self.pick('verb')} {self.noun_phrase()}{self.extras()}"
        return f"{self.pick('subj')} {self.pick('modal')}{adverb} {action}{when}"

    def instruction(self) -> str:
        return f"{'do not ' if self.rng.random() < 0.3 else ''}{self.pick('verb')} {self.noun_phrase()}{self.extras()}"

    def listing(self) -> str:
        return f"{self.noun_phrase()}, {self.noun_phrase()} or {self.noun_phrase()}"

    PATTERNS = (
        lambda s: f"{s.pick('opener')} {s.clause()}",
        lambda s: f"if {s.clause()}, {s.instruction()}",
        lambda s: f"{s.instruction()} {s.pick('time')}",
        lambda s: s.clause(),
        lambda s: f"{s.clause()} because {s.clause()}",
        lambda s: f"{s.clause()}, but {s.clause()}",
        lambda s: f"{s.noun_phrase()} can {s.pick('verb')} {s.listing()}",
        lambda s: f"about {s.rng.randint(1, 9)} in {s.rng.choice((10, 20, 100, 1000))} people "
                  f"{s.pick('verb')} {s.noun_phrase()}{s.extras(1)}",
        lambda s: f"it is {s.pick('adj')} to {s.pick('verb')} {s.noun_phrase()}{s.extras()}",
        lambda s: f"ask {s.pick('person')} about {s.noun_phrase()}{s.extras(1)}",
        lambda s: f"symptoms of {s.pick('noun')} include {s.noun_phrase()}, {s.noun_phrase()} and {s.noun_phrase()}",
        lambda s: f"you can {s.pick('verb')} {s.noun_phrase()} from {s.pick('place')} without a prescription",
        lambda s: f"{s.pick('person')} will {s.pick('verb')} {s.noun_phrase()} {s.pick('time')}",
        lambda s: f"{s.noun_phrase()} is {s.pick('adj')} {s.pick('prep')} {s.noun_phrase()}{s.extras(1)}",
        lambda s: f"when {s.clause()}, {s.pick('person')} may {s.pick('verb')} {s.noun_phrase()}",
        lambda s: f"{s.pick('person')} may suggest {s.listing()} if {s.clause()}",
        lambda s: f"there is no need to {s.pick('verb')} {s.noun_phrase()} unless {s.clause()}",
        lambda s: f"the most common side effects of {s.pick('noun')} are {s.listing()}",
        lambda s: f"{s.pick('adv')} {s.pick('verb')} {s.noun_phrase()} and {s.instruction()}",
        lambda s: f"you should not {s.pick('verb')} {s.noun_phrase()} if you have {s.noun_phrase()}{s.extras(1)}",
        lambda s: f"{s.noun_phrase()} usually gets better {s.pick('time')}, but {s.clause()}",
        lambda s: f"keep {s.noun_phrase()} {s.pick('prep')} {s.noun_phrase()} and out of the reach of children",
        lambda s: f"how {s.pick('modal')} {s.pick('subj')} {s.pick('verb')} {s.noun_phrase()}{s.extras()}",
        lambda s: f"it can take {s.pick('time')} for {s.noun_phrase()} to {s.pick('verb')} {s.noun_phrase()}",
    )

    def sentence(self, shortest: int = 8, longest: int = 30) -> str:
        while True:
            text = self.rng.choice(self.PATTERNS)(self)
            if shortest <= len(text.split()) <= longest:
                return text[0].upper() + text[1:] + self.rng.choice("......!?:")

    def near_duplicate(self, text: str, edits: int) -> str:
        """``text`` with ``edits`` random word substitutions, insertions or deletions."""
        rng, words = self.rng, text.split()
        for _ in range(edits):
            kind, at = rng.random(), rng.randrange(len(words))
            if kind < 0.4:
                words[at] = rng.choice(self.vocabulary)
            elif kind < 0.7:
                words.insert(at, rng.choice(self.vocabulary))
            elif len(words) > 2:
                del words[at]
        return " ".join(words)


def workload(entries: int, queries: int, seed: int = 1) -> tuple[list[str], list[str]]:
    """``entries`` distinct memory sentences, and ``queries`` lookups: 10% near-duplicates, the rest new sentences."""
    source = Sentences(seed)
    memory: dict[str, None] = {}
    while len(memory) < entries:
        memory[source.sentence()] = None
    texts = list(memory)
    lookups = [source.near_duplicate(source.rng.choice(texts), source.rng.randint(1, 3))
               if source.rng.random() < 0.1 else source.sentence() for _ in range(queries)]
    return texts, lookups


def rss_mb() -> float:
    """The current resident set size of this process, in MB (Linux), else the peak so far."""
    try:
        return int(Path("/proc/self/statm").read_text().split()[1]) * resource.getpagesize() / 2**20
    except OSError:
        return peak_rss_mb()


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=100_000, help="memory size (default 100000)")
    parser.add_argument("--queries", type=int, default=2000, help="lookups to time (default 2000)")
    parser.add_argument("--threshold", type=float, default=75, help="fuzzy threshold (default 75)")
    parser.add_argument("--verify", type=int, default=None, metavar="N",
                        help="compare the first N lookups with a full scan (default: all of them; 0 to skip)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the synthetic memory and queries (default 1)")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    texts, queries = workload(args.entries, args.queries, args.seed)
    generated = time.perf_counter() - started
    started = time.perf_counter()
    memory = Memory.of_texts(texts)
    constructed, before = time.perf_counter() - started, rss_mb()
    memory.index                                                # the index is built on first need
    indexed, index_mb = time.perf_counter() - started - constructed, rss_mb() - before

    times: dict[str, list[float]] = {"exact": [], "fuzzy": [], "none": []}
    found: list[tuple[str, int] | None] = []                    # (memory text, score) of each lookup
    for query in queries:
        entry = POEntry(msgid=query)
        started = time.perf_counter()
        match = memory.lookup(entry, "bench/query", args.threshold)
        elapsed = time.perf_counter() - started
        times["none" if match is None else "exact" if match[1] == 100 else "fuzzy"].append(elapsed)
        found.append(match and (match[0].forms[0], match[1]))  # each text is its own translation
    total = sum(map(sum, times.values()))
    lookups_peak = peak_rss_mb()

    print(f"memory of {len(texts):,} entries ({generated:.1f} s to generate); {len(queries):,} lookups at "
          f"threshold {args.threshold:g}; exact branch and bound")
    rows = [("memory built (s)", f"{constructed:.2f}"), ("index built (s)", f"{indexed:.2f}"),
            ("index size (MB of RSS)", f"{index_mb:.0f}"), ("all lookups (segments/s)", f"{len(queries) / total:,.0f}")]
    for kind, label in (("fuzzy", "fuzzy hits"), ("none", "misses"), ("exact", "exact hits")):
        if times[kind]:
            rows.append((f"  {len(times[kind])} {label} (segments/s)", f"{len(times[kind]) / sum(times[kind]):,.0f}"))
    rows.append(("peak RSS after the lookups (MB)", f"{lookups_peak:.0f}"))
    checked = queries if args.verify is None else queries[:args.verify]
    if checked:
        verified, disagreements, rate = verify(memory, checked, args.threshold)
        rows.append((f"full scan, {verified} fuzzy lookups (segments/s)", f"{rate:,.0f}"))
    rows.append(("peak RSS (MB)", f"{peak_rss_mb():.0f}"))
    width = max(len(label) for label, _ in rows)
    for label, value in rows:
        print(f"  {label:<{width}}  {value:>9}")
    if checked:
        print(f"disagreements: {disagreements} of {verified}")


def verify(memory: Memory, queries: list[str], threshold: float) -> tuple[int, int, float]:
    """(fuzzy lookups checked, how many differ from a full scan in text or score, the full scan's lookups/s).

    Queries that are entries of the memory are skipped (an exact match needs no fuzzy search); each
    other one is answered again by :meth:`Memory.best` (its result is cached by ``lookup``, not here).
    """
    checked = disagreements = 0
    elapsed = 0.0
    for query in dict.fromkeys(queries):
        if (query, None) in memory.exact:
            continue
        found = memory.best(query, threshold)
        started = time.perf_counter()
        truth = memory.scan(query, threshold)
        elapsed += time.perf_counter() - started
        checked += 1
        disagreements += found != truth
    return checked, disagreements, checked / max(elapsed, 1e-9)


if __name__ == "__main__":
    main()
