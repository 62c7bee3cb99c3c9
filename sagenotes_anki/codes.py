"""Every diagnostic code the parser emits, with its severity and meaning.

Codes are stable: tools and users may filter on them. ``E`` codes are errors (the file gives
no cards), ``W`` codes warnings (the note still gives the cards it can), ``I`` codes
information.

=====  ========  ============================  ===============================================
code   severity  name                          meaning
=====  ========  ============================  ===============================================
E001   error     unreadable                    the file could not be read (permissions, I/O)
E002   error     binary                        the file is binary, not text
E003   error     front-matter                  the YAML front matter is broken or unclosed
E004   error     mis-encoded                   the text is not UTF-8/CP949, or was damaged by
                                               a wrong decode (UTF-8 read as cp1252 & saved)
E005   error     not-a-file                    the path is not a regular file (a FIFO, a
                                               device, a socket); it is not read
E006   error     too-large                     the file is over the size limit for a note
E007   error     too-deep                      the front matter or the Markdown nests deeper
                                               than the stated limit
E008   error     front-matter-too-large        the front matter's YAML aliases expand past
                                               the stated limit (a "billion laughs")
W101   warning   answer-not-in-options         a correct letter names no option
W102   warning   question-without-options      a question has no ``A) ...`` options
W103   warning   question-without-answer       a question has no ``정답:`` line
W104   warning   missing-section               a template note lacks one of its sections,
                                               or its explanation has no trade-offs
W105   warning   empty-file                    the file has no content
W106   warning   duplicate-title               several notes claim one front-matter title
W107   warning   unreadable-answer             the ``정답:`` line names no option letter
W108   warning   question-not-found            a question section holds no ``Question:``
W109   warning   legacy-encoding               the file is not UTF-8 and was read as
                                               Windows-1252; check accented letters
W110   warning   cut-off                       the file ends in a broken character (cut
                                               off while saving?); that character is dropped
W111   warning   control-character             the text holds control characters (such as
                                               U+001F, Anki's field separator); removed
W112   warning   file-name-not-utf8            the file name is not UTF-8 (a Windows zip
                                               unpacked on Linux?); read as CP949
W113   warning   symlink-skipped               a linked folder was read already (a loop, or
                                               a second link to it) or cannot be read; skipped
W114   warning   duplicate-yaml-key            the front matter sets one key twice; the last
                                               value is used
W115   warning   title-not-text                the front matter's ``title`` is not text
W116   warning   duplicate-option-letter       a question has two options with one letter
W117   warning   unclosed-comment              a ``%%`` or ``<!--`` comment is never closed;
                                               a ``%%`` is kept as text, ``<!--`` hides the rest
W118   warning   html-key-point                the key point is written as block HTML
W119   warning   lock-stale                    the lock file could not be written; it no
                                               longer matches the deck
W130   warning   image-not-found               an embedded image is not in the vault; the card
                                               shows its name
W131   warning   image-unreadable              an embedded image cannot be read (not a regular
                                               file, no permission, over 10 MiB)
I201   info      free-form-note                a note without the template's sections
I202   info      raw-html                      the note holds HTML; cards get it sanitised
I203   info      media-not-packaged            the note embeds notes/files (or, parsed alone,
                                               images); cards show their names
I204   info      template-file                 the file is a note template ({{title}},
                                               <% tp.… %>), not a note; it gives no cards
I205   info      items-rematched               items moved or renamed in a note were matched
                                               to their earlier cards by content
I206   info      explanation-unmatched         an explanation's bold label names no option
                                               (by letter, "A옵션" or wording) while an
                                               option has no explanation
I214   info      remote-image                  an image on the web is shown as a link, not
                                               fetched
I215   info      image-ambiguous               several vault files have an embed's name; the
                                               one nearest the vault's root is shown
=====  ========  ============================  ===============================================
"""

from __future__ import annotations

UNREADABLE = "E001"
BINARY = "E002"
FRONT_MATTER = "E003"
MIS_ENCODED = "E004"
NOT_A_FILE = "E005"
TOO_LARGE = "E006"
TOO_DEEP = "E007"
FRONT_MATTER_TOO_LARGE = "E008"
ANSWER_NOT_IN_OPTIONS = "W101"
QUESTION_WITHOUT_OPTIONS = "W102"
QUESTION_WITHOUT_ANSWER = "W103"
MISSING_SECTION = "W104"
EMPTY_FILE = "W105"
DUPLICATE_TITLE = "W106"
UNREADABLE_ANSWER = "W107"
QUESTION_NOT_FOUND = "W108"
LEGACY_ENCODING = "W109"
CUT_OFF = "W110"
CONTROL_CHARACTER = "W111"
FILE_NAME_NOT_UTF8 = "W112"
SYMLINK_SKIPPED = "W113"
DUPLICATE_YAML_KEY = "W114"
TITLE_NOT_TEXT = "W115"
DUPLICATE_OPTION_LETTER = "W116"
UNCLOSED_COMMENT = "W117"
HTML_KEY_POINT = "W118"
LOCK_STALE = "W119"
IMAGE_NOT_FOUND = "W130"
IMAGE_UNREADABLE = "W131"
FREE_FORM_NOTE = "I201"
RAW_HTML = "I202"
MEDIA_NOT_PACKAGED = "I203"
TEMPLATE_FILE = "I204"
ITEMS_REMATCHED = "I205"
EXPLANATION_UNMATCHED = "I206"
REMOTE_IMAGE = "I214"
IMAGE_AMBIGUOUS = "I215"

# The build's own codes, about the lock and the items it remembers (not about a note's text):
# named, not numbered, and kept as users have seen them.
DUPLICATE_KEY = "duplicate-key"
UNKNOWN_NOTETYPE = "unknown-notetype"
REMOVED_LOST = "removed-lost"
LOCK_IGNORED = "lock-ignored"
