"""A refused case action in the page's language: each refusal twin.ops names (CaseError's
key and params) worded from the message catalog, statuses and actions by their labels."""

from __future__ import annotations

from typing import Any

from twin.app.i18n import MESSAGES, t
from twin.app.views import CatalogText
from twin.catalog.terms import CASES
from twin.ops.errors import CaseError, CaseNotFound


def refusal_text(exc: CaseError | CaseNotFound, lang: str, text: CatalogText) -> str:
    """What the dialog says when an action is refused (inside the catalog's "Not done: …")."""
    if isinstance(exc, CaseNotFound):
        why = t("rf_not_found", lang, code=exc.code)
    elif f"rf_{exc.key}" in MESSAGES:
        why = t(f"rf_{exc.key}", lang, **_worded(exc.params, lang, text))
    else:  # a refusal without a catalog entry still reads in the page's language
        why = t("rf_other", lang, field=_field(exc.field, lang))
    return t("refused", lang, why=why)


def _worded(params: dict[str, Any], lang: str, text: CatalogText) -> dict[str, Any]:
    """The refusal's values as the page words them: statuses, actions and fields by label."""
    out = dict(params)

    def status(value: str) -> str:  # mid-sentence in English: "case E1 is in progress"
        label = text.value(CASES, "status", value, lang)
        return label.lower() if lang == "en" else label

    if "status" in out:
        out["status"] = status(out["status"])
    if "moves" in out:
        labels = [status(m) for m in out["moves"]]
        out["moves"] = ("、" if lang != "en" else ", ").join(labels) or t("rf_nothing", lang)
    if "action" in out and f"act_{out['action']}" in MESSAGES:
        out["action"] = t(f"act_{out['action']}", lang).lower()
    if "field" in out:
        out["field"] = _field(out["field"], lang)
    return out


def _field(field: str, lang: str) -> str:
    key = f"rf_f_{field}"
    return t(key, lang) if key in MESSAGES else field
