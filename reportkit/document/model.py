"""The validated fact-check: pydantic models for every field of the input format.

:class:`Document` is what the rest of the pipeline reads. It is built from a
plain mapping (an input file's front matter, a JSON file, or the
:class:`~reportkit.FactCheck` builder) by :func:`validate`, which turns
pydantic's errors into :class:`~reportkit.errors.InputError` messages that
name the field path (``sources[2].url``) and say what to do.

Unlike reportkit's other modules, this one does not postpone its annotations (``from __future__
import annotations``): pydantic would compile and evaluate the text of every field's annotation as
it builds the models (1.5 ms of every build); a type is defined before the fields that use it.
"""

import datetime as _dt
import difflib
import hashlib
import os
import re
import unicodedata
from collections.abc import Mapping
from typing import Annotated, Any, Literal, TypeVar
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    GetPydanticSchema,
    ValidationError,
    WithJsonSchema,
    field_validator,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import core_schema

from ..errors import InputError
from .colours import contrast_ratio, text_colour_on
from .messages import (
    FieldError,
    check_characters,
    describe,
    find_field_error,
    format_loc,
    line_for,
    message_for,
)
from .edtf import check_edtf

__all__ = [
    "DEFAULT_SCALE",
    "Claim",
    "CSL_TYPES",
    "Correction",
    "Document",
    "Name",
    "Publisher",
    "Rating",
    "ReportMeta",
    "ReportRating",
    "RatingScale",
    "Section",
    "Source",
    "Verdict",
    "contrast_ratio",
    "is_language_tag",
    "slugify",
    "validate",
    "validate_part",
]

#: A citation key: letters, digits and ``_``, with ``- . : /`` inside.
#: A citation key: letters (of any script), digits and '_', with '-', '.', ':' or '/' inside (as Pandoc reads them).
KEY_PATTERN = r"\w(?:[\w:.\-/]*\w)?"
_KEY_RE = re.compile(rf"^{KEY_PATTERN}$")
_LANG_RE = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$")
_DATE_RE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_COLOUR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")
#: The longest slug: output files are named ``<slug>.<format>`` and written through ``.<name>.<owner>.<random>.part``.
MAX_SLUG_CHARS = 200


# --- field types ---------------------------------------------------------------------------


def _check_url(value: str) -> str:
    value = value.strip()
    parts = urlsplit(value)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise ValueError(
            f"{value!r} is not a web address: write a full http:// or https:// URL"
        )
    if any(ch.isspace() for ch in value):
        raise ValueError(f"{value!r} contains spaces: encode them as %20")
    return value


def _check_date(value: Any, *, partial: bool) -> str:
    if isinstance(value, _dt.datetime):
        value = value.date()
    if isinstance(value, _dt.date):
        return value.isoformat()
    if not isinstance(value, str):
        raise ValueError("a date must be written as YYYY-MM-DD")
    text = value.strip()
    match = _DATE_RE.match(text)
    if not match or (not partial and match.group(3) is None):
        shape = "YYYY-MM-DD (or YYYY-MM, YYYY)" if partial else "YYYY-MM-DD"
        raise ValueError(f"{value!r} is not a date: write it as {shape}")
    year, month, day = (int(g) if g else 1 for g in match.groups())
    try:
        _dt.date(year, month, day)
    except ValueError as exc:
        raise ValueError(f"{value!r} is not a real date ({exc})") from None
    return text


def _non_empty(value: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError("must not be empty")
    return value


def _rating_key(value: Any) -> Any:
    # YAML reads the unquoted ratings `true` and `false` as booleans.
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def _string_list(value: Any) -> Any:
    # `authors: A. Writer` is as natural in YAML as a one-item list.
    if isinstance(value, str):
        return [value]
    return value


Url = Annotated[
    str, AfterValidator(_check_url), WithJsonSchema({"type": "string", "format": "uri", "pattern": "^https?://"})
]
# A date field reads a date or text (YAML gives unquoted dates as datetime.date) and always holds
# ISO text (_check_date): str for type checkers, the union for pydantic's core schema.
Date = Annotated[
    str,
    GetPydanticSchema(lambda _source, handler: handler(_dt.date | str)),
    AfterValidator(lambda v: _check_date(v, partial=False)),
    WithJsonSchema({"type": "string", "format": "date"}),
]
SourceDate = Annotated[
    str,
    GetPydanticSchema(lambda _source, handler: handler(_dt.date | str | int)),
    AfterValidator(check_edtf),
    WithJsonSchema({"type": "string", "description": "An EDTF date: YYYY-MM-DD, YYYY-MM, YYYY, -0043 (44 BC), "
                    "2017-21 (spring), 199X, 1985~ (circa), 2014/2015 (a range)"}),
]
PartialDate = Annotated[
    str,
    GetPydanticSchema(lambda _source, handler: handler(_dt.date | str)),
    AfterValidator(lambda v: _check_date(v, partial=True)),
    WithJsonSchema({"type": "string", "pattern": r"^\d{4}(-\d{2}(-\d{2})?)?$", "description": "YYYY-MM-DD, YYYY-MM or YYYY"}),
]
Text = Annotated[str, AfterValidator(_non_empty)]
Names = Annotated[list[Text], BeforeValidator(_string_list, json_schema_input_type=list[str] | str)]


#: Scripts whose names are written family name first, without a space (Han, kana, Hangul). Compiled
#: by :mod:`re` at the first structured name (2 ms: the ranges are large), not as the model is imported.
_FAMILY_FIRST = "[\u1100-\u11ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]"


def family_first(text: str) -> bool:
    """True when ``text`` is written in a script whose names put the family name first (CJK)."""
    return re.search(_FAMILY_FIRST, text) is not None


class Name(str):
    """A person's or organisation's name as shown (``Geoffrey Roberts``), keeping its parts when known.

    A ``Name`` is a string, so everything that shows names keeps working; reference
    managers' structured names (CSL ``family``/``given``, BibTeX's ``Last, First``)
    keep their parts in :attr:`family`, :attr:`given`, :attr:`particle` and
    :attr:`suffix`, so that they go back out (:func:`reportkit.render.csl.to_csl`) unchanged.
    """

    family: str | None
    given: str | None
    particle: str | None
    suffix: str | None

    #: The keys a structured name may have in an input file.
    KEYS = ("family", "given", "particle", "suffix")

    def __new__(
        cls,
        text: str | None = None,
        *,
        family: str | None = None,
        given: str | None = None,
        particle: str | None = None,
        suffix: str | None = None,
    ) -> "Name":
        if text is not None:
            shown = text
        elif family and given and family_first(family + given):
            shown = f"{family}{given}"  # Chinese, Japanese and Korean names: family name first, no space
        else:  # an elided particle (d', l') joins its family name
            last = f"{particle}{family}" if particle and family and particle[-1] in "'’" else " ".join(
                p for p in (particle, family) if p)
            shown = " ".join(p for p in (given, last) if p) + (f" {suffix}" if suffix else "")
        name = super().__new__(cls, shown.strip())
        name.family, name.given, name.particle, name.suffix = family, given, particle, suffix
        return name

    @property
    def structured(self) -> bool:
        """True when the name has a family part (a person's name), not only a display text."""
        return self.family is not None

    def to_data(self) -> str | dict[str, str]:
        """The name as an input file writes it: a string, or a mapping of its parts."""
        if not self.structured:
            return str(self)
        return {k: v for k in self.KEYS if (v := getattr(self, k))}

    @classmethod
    def parse(cls, value: Any) -> "Name":
        """A Name from a string or a mapping with ``family`` (and ``given``, ``particle``, ``suffix``)."""
        if isinstance(value, Name):
            return value
        if isinstance(value, str):
            return cls(_non_empty(value))
        if isinstance(value, Mapping):
            unknown = sorted(set(value) - set(cls.KEYS))
            if unknown:
                raise ValueError(
                    f"a name has no field {unknown[0]!r}: use {', '.join(cls.KEYS)} (or write the name as text)"
                )
            parts = {k: str(v).strip() for k, v in value.items() if v is not None and str(v).strip()}
            if "family" not in parts:
                raise ValueError("a name written as a mapping needs 'family' (or write the name as text)")
            return cls(**parts)
        raise ValueError(f"a name is text or a mapping with 'family' and 'given', not {describe(value)}")

    def __repr__(self) -> str:
        return f"Name({self.to_data()!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild_name, (str(self), self.family, self.given, self.particle, self.suffix))

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        return core_schema.no_info_plain_validator_function(
            cls.parse,
            serialization=core_schema.plain_serializer_function_ser_schema(
                lambda v: v.to_data() if isinstance(v, Name) else v
            ),
        )

    @classmethod
    def __get_pydantic_json_schema__(cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        return {
            "anyOf": [
                {"type": "string", "minLength": 1, "description": "The name as shown, e.g. 'NATO' or 'Geoffrey Roberts'."},
                {
                    "type": "object",
                    "description": "A person's name in parts, as reference managers keep it.",
                    "properties": {k: {"type": "string"} for k in cls.KEYS},
                    "required": ["family"],
                    "additionalProperties": False,
                },
            ]
        }


def _rebuild_name(text: str, family: str | None, given: str | None, particle: str | None, suffix: str | None) -> Name:
    return Name(text, family=family, given=given, particle=particle, suffix=suffix)


#: Names of a source's authors: text or structured, one name or a list.
AuthorNames = Annotated[list[Name], BeforeValidator(_string_list, json_schema_input_type=list[Name] | Name)]

#: The item types of CSL (the Citation Style Language), which reference managers use.
CSL_TYPES = (
    "article", "article-journal", "article-magazine", "article-newspaper", "bill", "book", "broadcast",
    "chapter", "classic", "collection", "dataset", "document", "entry", "entry-dictionary",
    "entry-encyclopedia", "event", "figure", "graphic", "hearing", "interview", "legal_case", "legislation",
    "manuscript", "map", "motion_picture", "musical_score", "pamphlet", "paper-conference", "patent",
    "performance", "periodical", "personal_communication", "post", "post-weblog", "regulation", "report",
    "review", "review-book", "software", "song", "speech", "standard", "thesis", "treaty", "webpage",
)
#: A DOI (``10.1000/xyz``) or a shortDOI (``10/fqd6hj``).
_DOI_RE = re.compile(r"^10(?:\.\d{4,9})?/\S+$")


def _check_doi(value: str) -> str:
    value = re.sub(r"^(?:https?://(?:dx\.)?doi\.org/|doi:)", "", value.strip(), flags=re.IGNORECASE)
    if not _DOI_RE.match(value):
        raise ValueError(f"{value!r} is not a DOI: write it as 10.NNNN/suffix (or a shortDOI, 10/abc)")
    return value


def _check_csl_type(value: str) -> str:
    if value not in CSL_TYPES:
        close = difflib.get_close_matches(value, CSL_TYPES, n=1)
        hint = f"did you mean {close[0]!r}?" if close else "e.g. webpage, article-newspaper, report, book"
        raise ValueError(f"{value!r} is not a CSL item type: {hint}")
    return value


def _no_items() -> list[Any]:
    """A new empty list, the default of the models' list fields.

    A function of Python, not ``list``: pydantic reads each default factory's signature as it
    builds a model, and a builtin's is parsed from its text with :mod:`tokenize` (3 ms for the
    models' thirteen list fields, the tokenizer's patterns compiled at the first; 0.1 ms this way).
    """
    return []


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


# --- parts of a fact-check -----------------------------------------------------------------


class Publisher(_Model):
    """The organisation that publishes the fact-check."""

    name: Text
    url: Url | None = None


class Claim(_Model):
    """The statement checked, and where it appeared."""

    text: Text
    claimant: str | None = None
    claimant_type: Literal["person", "organization"] | None = Field(
        default=None, description="Whether the claimant is a person or an organisation (for ClaimReview)."
    )
    date: PartialDate | None = None
    url: Url | None = None
    image: str | None = Field(default=None, description="A screenshot of the claim, next to the input file.")
    image_alt: str | None = Field(
        default=None,
        description="What the screenshot shows, for readers who cannot see it (default: 'Screenshot of the claim: ...').",
    )
    archived: Url | None = None


def _check_colour(value: str) -> str:
    if not _COLOUR_RE.match(value):
        raise ValueError(f"{value!r} is not a colour: write it as #rrggbb")
    return value.lower()


#: A colour written ``#rrggbb`` (kept in lowercase).
Colour = Annotated[str, AfterValidator(lambda v: _check_colour(v))]


class Rating(_Model):
    """One step of a rating scale."""

    key: Annotated[str, AfterValidator(_non_empty)]
    label: Text
    order: int = Field(description="Position on the scale, 1 = most accurate.")
    colour: Colour
    symbol: str = Field(default="", description="A glyph drawn in the badge beside the label.")
    graded: bool = Field(
        default=True,
        description="False for a rating that says nothing of how true the claim is (e.g. unsupported): "
        "ClaimReview then gives it no numeric ratingValue.",
    )

    @property
    def text_colour(self) -> str:
        """Badge text colour: white or black, whichever contrasts more with :attr:`colour` (always 4.58:1 or more)."""
        return text_colour_on(self.colour)


def is_language_tag(value: object) -> bool:
    """Whether ``value`` is written as a BCP 47 language tag (``en``, ``pt-BR``), as the ``language`` field must be."""
    return isinstance(value, str) and bool(_LANG_RE.match(value))


class ReportRating(BaseModel):
    """The rating a report's PDF records about itself (reportkit's ``/reportkit`` metadata)."""

    #: Built on first use (``defer_build``): only reading reports back (``reportkit bundle``) validates one.
    model_config = ConfigDict(extra="ignore", frozen=True, defer_build=True)

    key: str = ""
    label: str = ""
    order: int = 0
    colour: Colour = "#5a6470"
    symbol: str = ""
    shape: Literal["true", "mostly-true", "mixed", "mostly-false", "false", "unsupported", ""] = ""
    default_scale: bool = False


class ReportMeta(BaseModel):
    """What a report's PDF says about itself (its ``/reportkit`` metadata), read back as untrusted data.

    The fields have the types, dates and colours of the input format; fields reportkit
    does not read are ignored.
    """

    #: Built on first use, as :class:`ReportRating` is: a build never validates one.
    model_config = ConfigDict(extra="ignore", frozen=True, defer_build=True)

    id: str = ""
    title: str = ""
    language: str = "en"
    date: Annotated[PartialDate | None, BeforeValidator(lambda v: None if v == "" else v)] = None
    publisher: str = ""
    authors: list[str] = Field(default_factory=_no_items)
    verdict_label: str = ""
    rating: ReportRating | None = None


class RatingScale(_Model):
    """A named, ordered set of ratings a verdict picks from."""

    name: Text
    ratings: list[Rating] = Field(min_length=2)

    @model_validator(mode="after")
    def _unique_keys(self) -> "RatingScale":
        seen: set[str] = set()
        for rating in self.ratings:
            if rating.key in seen:
                raise ValueError(f"rating {rating.key!r} appears twice in the scale")
            seen.add(rating.key)
        return self

    def get(self, key: str) -> Rating | None:
        """Return the rating named ``key``, or ``None``."""
        return next((r for r in self.ratings if r.key == key), None)


#: The scale used when a fact-check names none. Colours differ in lightness as well as hue,
#: so the badges stay distinguishable when printed in grayscale; each also carries a symbol
#: (✓ ≈ ± ≠ × ?) that the layouts' own fonts draw.
DEFAULT_SCALE = RatingScale(
    name="reportkit",
    ratings=[
        Rating(key="true", label="True", order=1, colour="#1b7a3d", symbol="\u2713"),
        Rating(key="mostly-true", label="Mostly true", order=2, colour="#5f9e2f", symbol="\u2248"),
        Rating(key="mixed", label="Mixed", order=3, colour="#c98a00", symbol="\u00b1"),
        Rating(key="mostly-false", label="Mostly false", order=4, colour="#d4571c", symbol="\u2260"),
        Rating(key="false", label="False", order=5, colour="#a3161b", symbol="\u00d7"),
        Rating(key="unsupported", label="Unsupported", order=6, colour="#5a6470", symbol="?", graded=False),
    ],
)


class Verdict(_Model):
    """The rating given to the claim, a short label and a one-paragraph explanation."""

    rating: Annotated[str, BeforeValidator(_rating_key, json_schema_input_type=str | bool), AfterValidator(_non_empty)]
    label: str | None = None
    explanation: str = ""


class Section(_Model):
    """A heading and its Markdown body."""

    heading: Text
    body: str = ""


class Source(_Model):
    """A reference the fact-check cites by ``key``."""

    key: Annotated[str, AfterValidator(lambda v: _check_key(v))]
    title: Text
    url: Url | None = None
    publisher: str | None = None
    authors: AuthorNames = Field(default_factory=_no_items)
    editors: AuthorNames = Field(default_factory=_no_items)
    translators: AuthorNames = Field(default_factory=_no_items)
    container_authors: AuthorNames = Field(
        default_factory=_no_items, description="The authors of the book or work the source is part of."
    )
    published: SourceDate | None = None
    published_text: str | None = Field(
        default=None, description="The publication date as words, when it is no calendar date ('13th century')."
    )
    accessed: SourceDate | None = None
    archived: Url | None = None
    note: str | None = None
    container: str | None = Field(
        default=None, description="The newspaper, journal, website or book the source is part of."
    )
    type: Annotated[
        str, AfterValidator(_check_csl_type), WithJsonSchema({"type": "string", "enum": list(CSL_TYPES)})
    ] | None = Field(
        default=None,
        description="The kind of source, as a CSL item type (webpage, article-newspaper, report, book...).",
    )
    doi: Annotated[str, AfterValidator(_check_doi)] | None = Field(default=None, description="Digital Object Identifier.")


def _check_key(value: str) -> str:
    if not _KEY_RE.match(value):
        raise ValueError(
            f"{value!r} is not a usable key: use letters, digits, '_' and, inside, '-', '.', ':' or '/'"
        )
    return value


class Correction(_Model):
    """A dated note of what changed after publication."""

    date: Date
    text: Text


def _no_sources_file(value: Any) -> Any:
    # A file name is read by the loader (reportkit.input.loaders); here it can only be a mistake.
    if isinstance(value, str):
        raise ValueError(
            f"{value!r} names a sources file, which is read only when the fact-check is loaded from a file: "
            "load it with reportkit.load(), or add the sources with FactCheck.sources_from()"
        )
    return value


def _nocite_keys(value: Any) -> Any:
    """``nocite`` as keys: ``"@a, @b"``, ``["@a", "b"]`` or ``"@*"`` (every entry) -> ``["a", "b"]``, ``["*"]``."""
    if value is None:
        return []
    items = re.split(r"[,;\s]+", value) if isinstance(value, str) else value
    if not isinstance(items, list):
        return items
    keys = []
    for item in items:
        if not isinstance(item, str):
            raise ValueError(f"nocite lists keys such as '@key' (or '@*'), not {describe(item)}")
        key = item.strip().removeprefix("@")
        if key:
            if key != "*":
                _check_key(key)
            keys.append(key)
    return keys


class Document(_Model):
    """A whole, validated fact-check."""

    title: Text
    subtitle: str | None = None
    slug: str | None = Field(default=None, description="Stable identifier; derived from the title if absent.")
    language: str = "en"
    url: Url | None = Field(default=None, description="Where the fact-check is published on the web.")
    authors: Names = Field(default_factory=_no_items)
    editors: Names = Field(default_factory=_no_items)
    publisher: Publisher | None = None
    published: Date | None = None
    updated: Date | None = None
    tags: Names = Field(default_factory=_no_items)
    claim: Claim | None = None
    verdict: Verdict | None = None
    rating_scale: RatingScale | None = Field(default=None, description="A custom scale; the default scale otherwise.")
    summary: str = ""
    sections: list[Section] = Field(default_factory=_no_items, validate_default=True)
    sources: Annotated[list[Source], BeforeValidator(_no_sources_file, json_schema_input_type=list[Source] | str)] = Field(
        default_factory=_no_items,
        description="The sources, or the name of a CSL-JSON (.json) or BibTeX (.bib) file next to the input.",
    )
    corrections: list[Correction] = Field(default_factory=_no_items)
    nocite: Annotated[list[str], BeforeValidator(_nocite_keys, json_schema_input_type=list[str] | str)] = Field(
        default_factory=_no_items,
        description="Sources listed though never cited, as Pandoc's nocite: '@key' each, or '@*' for every "
        "entry of the sources file.",
    )

    @field_validator("language")
    @classmethod
    def _language(cls, value: str) -> str:
        if not _LANG_RE.match(value):
            raise ValueError(f"{value!r} is not a BCP 47 language tag such as 'en' or 'pt-BR'")
        return value

    @field_validator("slug")
    @classmethod
    def _slug(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^[a-z0-9]+(?:-[a-z0-9]+)*$", value):
            raise ValueError(f"{value[:80]!r} is not a slug: use lowercase letters, digits and single hyphens")
        if value is not None and len(value) > MAX_SLUG_CHARS:
            raise ValueError(
                f"the slug has {len(value)} characters, more than {MAX_SLUG_CHARS}: the output files are named "
                "after it, and file systems allow 255 bytes per name"
            )
        return value

    @field_validator("sections")
    @classmethod
    def _some_sections(cls, value: list[Section]) -> list[Section]:
        if not value:
            raise ValueError("a fact-check needs at least one section (a '## Heading' in Markdown)")
        return value

    @model_validator(mode="after")
    def _cross_checks(self) -> "Document":
        seen: dict[str, int] = {}
        for index, source in enumerate(self.sources):
            if source.key in seen:
                raise FieldError(
                    f"sources[{index}].key",
                    f"duplicate source key {source.key!r} (also sources[{seen[source.key]}]): "
                    "give every source its own key",
                )
            seen[source.key] = index
        if self.verdict is not None and self.scale.get(self.verdict.rating) is None:
            known = ", ".join(r.key for r in self.scale.ratings)
            raise FieldError(
                "verdict.rating",
                f"unknown rating {self.verdict.rating!r}: use one of {known}",
            )
        if self.updated and self.published and self.updated < self.published:
            raise FieldError("updated", f"{self.updated} is before the publication date {self.published}")
        return self

    # --- derived values ------------------------------------------------------------------------

    @property
    def scale(self) -> RatingScale:
        """The rating scale in force."""
        return self.rating_scale or DEFAULT_SCALE

    @property
    def rating(self) -> Rating | None:
        """The verdict's rating on the scale, or ``None`` without a verdict."""
        return self.scale.get(self.verdict.rating) if self.verdict else None

    @property
    def id(self) -> str:
        """The stable identifier: the slug, derived from the title when not given."""
        return self.slug or slugify(self.title)

    @property
    def date(self) -> str | None:
        """The date that stands for this version: ``updated``, else ``published``."""
        return self.updated or self.published

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping that :func:`validate` turns back into an equal document."""
        return self.model_dump(mode="json", exclude_none=True, exclude_defaults=True)


def slugify(text: str) -> str:
    """Turn a title into a lowercase ASCII slug; non-Latin titles get a hash-based one."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    slug = slug[:64].rstrip("-")
    if len(slug) < 3:
        digest = hashlib.sha256(text.encode()).hexdigest()[:10]
        slug = f"factcheck-{digest}"
    return slug


def validate(
    data: Mapping[str, Any],
    *,
    file: str | os.PathLike[str] | None = None,
    lines: Mapping[str, int] | None = None,
) -> Document:
    """Validate a mapping of fields into a :class:`Document`.

    Raises :class:`~reportkit.errors.InputError` naming the first wrong field;
    ``lines`` maps field paths to input-file lines so the error can name one.
    """
    if not isinstance(data, Mapping):
        raise InputError(
            f"a fact-check must be a mapping of fields, not {describe(data)}",
            file=file,
            hint="start with 'title: ...'",
        )
    return validate_part(Document, data, file=file, lines=lines)


_M = TypeVar("_M", bound=BaseModel)


def validate_part(
    model: type[_M],
    data: Mapping[str, Any],
    *,
    field: str = "",
    file: str | os.PathLike[str] | None = None,
    lines: Mapping[str, int] | None = None,
) -> _M:
    """Validate ``data`` as a ``model`` found at field path ``field`` (e.g. ``sources[2]``)."""
    check_characters(data, field, file, lines or {})
    try:
        return model.model_validate(dict(data))
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        error = errors[0]
        field_error = find_field_error(error)
        if field_error is not None:
            path, message = field_error.field, field_error.message
        else:
            path, message = format_loc(tuple(error["loc"])), message_for(error, model)
        if field:
            path = f"{field}.{path}" if path and not path.startswith("[") else field + path
        more = f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})" if len(errors) > 1 else ""
        line = line_for(path, lines or {})
        raise InputError(message + more, file=file, field=path or None, line=line) from None


#: Characters that XML (so EPUB) cannot hold, and controls that no reader should see.
