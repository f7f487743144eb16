"""The documents generated for a submission: jinja2 templates rendered to Letter-size PDFs.

Templates
    The built-in templates live in ``packager/templates/documents``: ``base.html.j2`` (the
    frame: title block and a ``content`` block), ``index.html.j2``,
    ``executive_summary.html.j2``, ``self_scoring.html.j2``, ``auditor_maintenance.html.j2``
    and ``acknowledgement.html.j2`` for the final submission, ``action_plan.html.j2`` and
    ``proposal_details.html.j2`` for the proposal. The context each one uses is described in
    a comment at its top. Templates produce simple HTML that fpdf2's ``write_html`` lays
    out: h1-h6, p, b/i/u, font (color, size), ul/ol/li, table/thead/tr/th/td (plain text in
    cells; widths and bgcolor on cells), hr, br.

Overriding
    A consultant can replace ANY template, including ``base.html.j2``, by putting a file of
    the same name in their templates folder (``templates_dir``); templates not found there
    come from the built-ins, so an override may also ``{% extends "base.html.j2" %}``.
    Output is HTML-escaped automatically. Undefined names render as empty text in
    overridden templates (the built-ins are tested not to rely on any).

Logo and colours
    ``logo.png`` (or ``logo.jpg``) in the templates folder is drawn in the running header of
    every page. ``theme.yaml`` there may set colours and the body size (see
    ``packager.documents.theme`` for the keys); invalid values are ignored, never fatal.
    Templates see the theme as ``theme`` (e.g. ``{{ theme.accent }}``) and the document
    title as ``title``.

Determinism
    The same template, context, title, header text, date and templates folder give the
    same PDF bytes (see ``packager.documents.render``).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from packager.documents.specs import (
    FINAL_DOCUMENTS,
    PROPOSAL_DOCUMENTS,
    DocumentSpec,
    documents_for,
)

if TYPE_CHECKING:
    from packager.documents.render import html_to_pdf, make_environment, printable, render_html, render_pdf
    from packager.documents.theme import Branding, Logo, Theme, load_branding, load_theme

# The renderer (fpdf2, fontTools, jinja2: about 0.25 s of imports) loads on first use, so that
# `packager build` can load it while the files are inspected (packager.build) and `check` never does.
_LAZY = {
    **dict.fromkeys(("html_to_pdf", "make_environment", "printable", "render_html", "render_pdf"), "render"),
    **dict.fromkeys(("Branding", "Logo", "Theme", "load_branding", "load_theme"), "theme"),
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


__all__ = [
    "FINAL_DOCUMENTS",
    "PROPOSAL_DOCUMENTS",
    "Branding",
    "DocumentSpec",
    "Logo",
    "Theme",
    "documents_for",
    "html_to_pdf",
    "load_branding",
    "load_theme",
    "make_environment",
    "printable",
    "render_html",
    "render_pdf",
]
