"""Text normalisation for search across Latin and Arabic script."""

import re
import unicodedata

# Arabic diacritics (tashkeel), the tatweel, and letter variants people write interchangeably.
_ARABIC_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_ARABIC_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه", "ؤ": "و", "ئ": "ي"})
_SPACES = re.compile(r"\s+")


def search_normalise(text: str) -> str:
    """Lower-case, strip Latin accents and Arabic diacritics, fold hamza/alef/taa marbuta variants.

    "Fatma Ben Salah", "FATMA BEN SALAH" and "Fatmà" meet; so do "فاطمة" and "فاطمه", "أحمد" and "احمد".
    """
    text = _ARABIC_MARKS.sub("", text or "").translate(_ARABIC_FOLD)
    decomposed = unicodedata.normalize("NFKD", text)
    # Drop Latin combining marks only: Arabic letters have no decomposition we want to keep apart.
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _SPACES.sub(" ", stripped.casefold()).strip()
