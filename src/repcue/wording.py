"""The coach's words: numbers, durations, plurals and every phrase the planner speaks.

The planner decides *when* something is said; this module decides *how* it is said,
so grammar lives in one place and is tested as a table. Every phrase is a sentence
that ends with a full stop and starts with a capital, as a clip of speech.
"""

from __future__ import annotations

from collections.abc import Sequence

from repcue.model import Phase

_ONES = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
         "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
         "eighteen", "nineteen")
_TENS = {2: "twenty", 3: "thirty", 4: "forty", 5: "fifty", 6: "sixty", 7: "seventy",
         8: "eighty", 9: "ninety"}

#: The go word for a phase when the exercise has none of its own (an override made a squat a
#: hold, or a custom exercise names only some phases): short, and true of any movement.
DEFAULT_GO = {
    Phase.HOLD: "Hold.",
    Phase.ECCENTRIC: "Lower.",
    Phase.BOTTOM: "Pause.",
    Phase.CONCENTRIC: "Go.",
    Phase.TOP: "Pause.",
}

#: The pre-set cue of an exercise whose file names none: true of any lift, no body part assumed.
DEFAULT_PRESET = ("Get set. Brace.",)


def number_word(n: int) -> str:
    """``12`` -> ``twelve``, ``45`` -> ``forty-five``, ``100`` -> ``one hundred``."""
    if n < 0:
        return f"minus {number_word(-n)}"
    if n < 20:
        return _ONES[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return _TENS[tens] + (f"-{_ONES[ones]}" if ones else "")
    if n < 1000:
        hundreds, rest = divmod(n, 100)
        return f"{_ONES[hundreds]} hundred" + (f" and {number_word(rest)}" if rest else "")
    return str(n)


def plural(n: int, noun: str, plural_form: str | None = None) -> str:
    """The noun to go with ``n``: ``set`` for one, ``sets`` otherwise."""
    return noun if n == 1 else (plural_form or noun + "s")


def count(n: int, noun: str, plural_form: str | None = None) -> str:
    """Digits and noun for the screen: ``1 set``, ``3 sets``, ``0 warnings``."""
    return f"{n} {plural(n, noun, plural_form)}"


def spoken_count(n: int, noun: str, plural_form: str | None = None) -> str:
    """Words and noun for the voice: ``one set``, ``three sets``."""
    return f"{number_word(n)} {plural(n, noun, plural_form)}"


def sentence(text: str) -> str:
    """Capitalise the first letter and end with a full stop (unless it already ends a sentence)."""
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".!?" else text + "."


def _halves(ms: int) -> tuple[int, bool]:
    """Whole seconds and whether there is a half, rounded to the nearest half second."""
    halves = round(ms / 500)
    return halves // 2, bool(halves % 2)


def seconds_words(ms: int) -> str:
    """A stretch of time as a coach says it: ``half a second``, ``one second``, ``ninety
    seconds`` (under two minutes rounds to whole seconds past ten), ``one minute thirty``."""
    if ms < 10_000:
        whole, half = _halves(ms)
        if whole == 0:
            return "half a second" if half else "zero seconds"
        if half:
            return f"{number_word(whole)} and a half seconds"
        return spoken_count(whole, "second")
    seconds = round(ms / 1000)
    if seconds < 60:
        return spoken_count(seconds, "second")
    minutes, rest = divmod(seconds, 60)
    lead = spoken_count(minutes, "minute")
    return f"{lead} {number_word(rest)}" if rest else lead


def hold_length(ms: int) -> str:
    """The length of a hold used as an adjective: ``five-second``, ``half-second``,
    ``two-and-a-half-second``, ``one-minute``."""
    if ms >= 60_000 and ms % 60_000 == 0:
        return f"{number_word(ms // 60_000)}-minute"
    if ms >= 10_000:
        return f"{number_word(round(ms / 1000))}-second"
    whole, half = _halves(ms)
    if whole == 0:
        return "half-second"
    return f"{number_word(whole)}-and-a-half-second" if half else f"{number_word(whole)}-second"


def join_words(items: Sequence[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


# --- the phrases, one function per moment of the session ------------------------------------


def amount(sets: int, reps: int, *, hold_ms: int = 0, each_side: bool = False) -> str:
    """What the lifter will do: ``three sets of eight``, ``one set of one five-second hold``."""
    if hold_ms > 0:
        work = f"{number_word(reps)} {hold_length(hold_ms)} {plural(reps, 'hold')}"
    elif reps == 1:
        work = "one rep"
    else:
        work = number_word(reps)
    text = f"{spoken_count(sets, 'set')} of {work}"
    return text + (", each side" if each_side else "")


def announce(name: str, amount_text: str, *, first: bool) -> str:
    opener = "First up" if first else "Next exercise"
    return f"{opener}: {name}. {sentence(amount_text)}"


def works(targets: Sequence[str], stabiliser: str) -> str | None:
    """What the exercise trains, and the base it trains from when the file names one."""
    if not targets:
        return None
    base = f", with the {stabiliser} as the base" if stabiliser else ""
    return f"It works the {join_words(targets)}{base}."


def set_of(n: int, total: int) -> str:
    return f"Set {number_word(n)} of {number_word(total)}."


def next_set(n: int, total: int) -> str:
    return f"Next: set {number_word(n)} of {number_word(total)}."


def next_up(name: str) -> str:
    return f"Next up: {name}."


def side(name: str) -> str:
    return f"{name.capitalize()} side."


SWITCH_SIDES = "Switch sides."
LAST_REP = "Last rep."
HALFWAY = "Halfway."
TEN_SECONDS = "Ten seconds."
WORKOUT_COMPLETE = "Workout complete."


def rest(ms: int) -> str:
    return f"Rest. {sentence(seconds_words(ms))}"


#: A rest that waits for the lifter (live play with ``rest = "ready"``): said as it begins,
#: then the reminder while it waits.
REST_READY = "Rest. Press play when you're ready."
READY_REMINDER = "Ready when you are."


def count_word(n: int) -> str:
    """A rep count or a countdown number: ``Three.``"""
    return sentence(number_word(n))


def sets_done(total_sets: int) -> str:
    return f"{sentence(spoken_count(total_sets, 'set') + ' done')} Great work."


def title_line(title: str) -> str:
    return sentence(title)
