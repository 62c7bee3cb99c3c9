"""The four Anki note types: fixed ids, fields, templates and CSS (no genanki here).

Every id below was drawn at random once and is a literal forever: Anki matches note types,
fields and templates by id on import, so a changed id would mean a new note type and a full
sync for every user. Field and template ids let a later rename happen in place.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from importlib.resources import files


@dataclass(frozen=True)
class Field:
    """A note-type field; ``id`` is fixed forever so a rename happens in place."""

    name: str
    id: int


@dataclass(frozen=True)
class Template:
    """A card template (front ``qfmt``, back ``afmt``)."""

    name: str
    id: int
    qfmt: str
    afmt: str


@dataclass(frozen=True)
class NoteType:
    """An Anki note type ("model")."""

    name: str
    id: int
    fields: tuple[Field, ...]
    templates: tuple[Template, ...]
    css: str
    sort_field: int = 0

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    def definition(self) -> str:
        """The whole note type as canonical JSON: what the lock's note-type hash and the
        kept empty collection (``package/collection.py``) are made from."""
        return json.dumps(asdict(self), sort_keys=True, ensure_ascii=False)


# Schema (names and order are final):
#   SageNotes Concept:   Term, Definition, Group, Topic, Source
#   SageNotes Trade-off: Subject, Pros, Cons, Topic, Source        (templates: Pros, Cons)
#   SageNotes MCQ:       Question, Options, Answer, Explanation, Choose, Topic, Source
#   SageNotes Key Point: Topic, Point, Flow, Source                 (no longer made; kept for
#                        the removed-tagged cards of earlier builds)
#   SageNotes Scenario:  Situation, Prompt, Decision, Point, Flow, Topic, Source


def _asset(name: str) -> str:
    return files(__package__).joinpath("templates", name).read_text(encoding="utf-8")


CSS = _asset("card.css")
_MCQ_JS = _asset("mcq.js").strip()

_SOURCE = '{{#Source}}<div class="source">{{Source}}</div>{{/Source}}'


def _front_back(front: str, back: str) -> tuple[str, str]:
    return front, '{{FrontSide}}\n<hr id="answer">\n' + back


_CONCEPT_Q, _CONCEPT_A = _front_back(
    '<div class="sn concept">\n<div class="kind">개념 · Concept</div>\n'
    '<div class="term">{{Term}}</div>\n</div>',
    '<div class="sn concept">\n<div class="definition">{{Definition}}</div>\n'
    '<div class="context">{{#Group}}<span class="group">{{Group}}</span>{{/Group}}'
    '{{#Topic}}<span class="topic">{{Topic}}</span>{{/Topic}}</div>\n' + _SOURCE + "\n</div>",
)


def _tradeoff(side: str, label: str, prompt: str) -> tuple[str, str]:
    # Wrapping the whole front in {{#Side}} means Anki makes this card only when the list
    # exists: a subject with pros only gets one card.
    return _front_back(
        f'{{{{#{side}}}}}<div class="sn tradeoff">\n<div class="kind">{label}</div>\n'
        '<div class="subject">{{Subject}}</div>\n'
        '{{#Topic}}<div class="context">{{Topic}}</div>{{/Topic}}\n'
        f'<div class="prompt">{prompt}</div>\n</div>{{{{/{side}}}}}',
        f'<div class="sn tradeoff">\n<div class="{side.lower()}">{{{{{side}}}}}</div>\n'
        + _SOURCE
        + "\n</div>",
    )


_PROS_Q, _PROS_A = _tradeoff("Pros", "장점 · Pros", "장점은? · What are the pros?")
_CONS_Q, _CONS_A = _tradeoff("Cons", "단점 · Cons", "단점은? · What are the cons?")

_MCQ_HEAD = (
    '<div class="kind">문제 · Question</div>\n<div class="question">{{Question}}</div>\n'
    '{{#Choose}}<div class="choose">{{Choose}}</div>{{/Choose}}\n'
)
# The front shows only the question and the plain options (Options holds no mark and no
# explanation), so it is the same whichever option is right. The back repeats the question
# instead of {{FrontSide}} so that the options appear once: graded, with their reasons, in
# the Explanation field.
_MCQ_Q = (
    '<div class="sn mcq">\n' + _MCQ_HEAD + '<div class="mcq-front">{{Options}}</div>\n</div>\n'
    f'<script>\n{_MCQ_JS}("front");\n</script>'
)
_MCQ_A = (
    '<div class="sn mcq">\n' + _MCQ_HEAD + '<hr id="answer">\n'
    '<div class="answer-line">정답 · Answer: {{Answer}}</div>\n'
    '<div class="sn-result" hidden></div>\n'
    '<div class="mcq-back">{{Explanation}}</div>\n'
    '{{#Topic}}<div class="context">{{Topic}}</div>{{/Topic}}\n' + _SOURCE + "\n</div>\n"
    f'<script>\n{_MCQ_JS}("back");\n</script>'
)

_KEYPOINT_Q, _KEYPOINT_A = _front_back(
    '<div class="sn keypoint">\n<div class="kind">핵심 포인트 · Key point</div>\n'
    '<div class="topic-title">{{Topic}}</div>\n'
    '<div class="prompt">핵심은? · What is the key point?</div>\n</div>',
    '<div class="sn keypoint">\n<div class="point">{{Point}}</div>\n'
    '{{#Flow}}<div class="flows">{{Flow}}</div>{{/Flow}}\n' + _SOURCE + "\n</div>",
)


# A scenario -> decision card (from the key point and from practical-application bullets):
# the situation and a prompt on the front, the decision withheld until the back.
_SCENARIO_Q, _SCENARIO_A = _front_back(
    '<div class="sn scenario">\n<div class="kind">시나리오 · Scenario</div>\n'
    '<div class="situation">{{Situation}}</div>\n'
    '{{#Prompt}}<div class="prompt">{{Prompt}}</div>{{/Prompt}}\n</div>',
    '<div class="sn scenario">\n<div class="decision">{{Decision}}</div>\n'
    '{{#Point}}<div class="point">{{Point}}</div>{{/Point}}\n'
    '{{#Flow}}<div class="flows">{{Flow}}</div>{{/Flow}}\n'
    '{{#Topic}}<div class="context">{{Topic}}</div>{{/Topic}}\n' + _SOURCE + "\n</div>",
)


def _fields(*pairs: tuple[str, int]) -> tuple[Field, ...]:
    return tuple(Field(name, id_) for name, id_ in pairs)


CONCEPT = NoteType(
    name="SageNotes Concept",
    id=1950071801,
    fields=_fields(
        ("Term", 1456779046),
        ("Definition", 1243553944),
        ("Group", 1762601764),
        ("Topic", 1815752124),
        ("Source", 1858597725),
    ),
    templates=(Template("Concept", 1888114880, _CONCEPT_Q, _CONCEPT_A),),
    css=CSS,
)

TRADEOFF = NoteType(
    name="SageNotes Trade-off",
    id=2031391325,
    fields=_fields(
        ("Subject", 1654801660),
        ("Pros", 1914099916),
        ("Cons", 1525832936),
        ("Topic", 1822719210),
        ("Source", 1100061367),
    ),
    templates=(
        Template("Pros", 1618442848, _PROS_Q, _PROS_A),
        Template("Cons", 1586176231, _CONS_Q, _CONS_A),
    ),
    css=CSS,
)

MCQ = NoteType(
    name="SageNotes MCQ",
    id=1191548303,
    fields=_fields(
        ("Question", 1344618881),
        ("Options", 1482835277),
        ("Answer", 1950102571),
        ("Explanation", 1349740950),
        ("Choose", 1903257382),
        ("Topic", 1784880085),
        ("Source", 1388353193),
    ),
    templates=(Template("MCQ", 1461905893, _MCQ_Q, _MCQ_A),),
    css=CSS,
)

KEYPOINT = NoteType(
    name="SageNotes Key Point",
    id=1161010570,
    fields=_fields(
        ("Topic", 1339626538),
        ("Point", 1851904686),
        ("Flow", 1245894331),
        ("Source", 2093166432),
    ),
    templates=(Template("Key Point", 1249761399, _KEYPOINT_Q, _KEYPOINT_A),),
    css=CSS,
)

SCENARIO = NoteType(
    name="SageNotes Scenario",
    id=1097725426,
    fields=_fields(
        ("Situation", 1487319139),
        ("Prompt", 1551923511),
        ("Decision", 1317700048),
        ("Point", 1829536377),
        ("Flow", 1285089825),
        ("Topic", 1842158102),
        ("Source", 1486001168),
    ),
    templates=(Template("Scenario", 1367428168, _SCENARIO_Q, _SCENARIO_A),),
    css=CSS,
)

NOTE_TYPES: tuple[NoteType, ...] = (KEYPOINT, CONCEPT, TRADEOFF, MCQ, SCENARIO)

# The kinds of card a build can be asked for (``--cards``): "scenario" is the key point's
# scenario -> decision card (note type Scenario), "practical" the practical-application
# bullets' (same note type). The key point's old card (note type Key Point) is no longer
# made: "keypoint", its kind's old name, now means "scenario" (KIND_ALIASES).
CARD_KINDS = frozenset({"scenario", "practical", "concept", "tradeoff", "mcq"})
KIND_ALIASES = {"keypoint": "scenario"}
# The kinds made when none are asked for.
DEFAULT_CARD_KINDS = frozenset({"scenario", "practical", "concept", "tradeoff", "mcq"})


def card_kinds(names: frozenset[str]) -> frozenset[str]:
    """The kinds ``names`` ask for, old names (``keypoint``) read as the kinds they became."""
    return frozenset(KIND_ALIASES.get(name, name) for name in names)
