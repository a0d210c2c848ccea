"""Canvas Classic Quizzes: a QTI 1.2 zip, one assessment per exercise.

The zip holds ``imsmanifest.xml`` (IMS Content Packaging: one ``imsqti_xmlv1p2`` resource per assessment)
and ``<ident>/<ident>.xml`` per exercise: a ``questestinterop`` with one ``assessment``, one ``section``
and these ``item``\\ s, typed by Canvas's ``question_type`` metadata field:

* a ``text_only_question`` with the given numbers and the diagram (an inline SVG data image), stored once;
* a ``numerical_question`` (1 point) per asked value, answered when ``low ≤ response ≤ high``
  (``<vargte>``/``<varlte>`` in a ``respcondition`` that sets ``SCORE`` to 100, Canvas's "answer in range").

**Canvas's rounding.** Canvas keeps numerical answers to 4 decimals: a range end or an exact answer
below 1e-4 (or with more decimals) is rounded, which could open a range to 0 or close it around the
right answer. So every range end here already lies on the 4-decimal grid, rounded *inward*:
``low = ⌈(v − tol)·10⁴⌉/10⁴``, ``high = ⌊(v + tol)·10⁴⌋/10⁴``, where ``tol`` is the checker's rounding
bound (``stepgrad.exercise.moodle.tolerance_text``). Canvas's rounding leaves such numbers as they are;
the range loses no 4-decimal response the checker accepts (the sheet asks for 4 decimals, and every
4-decimal number in ``[v − tol, v + tol]`` is in ``[low, high]``), and as a part of ``[v − tol, v + tol]``
it still excludes 0 and −v. The range is never empty: ``round(v, 4)`` lies in it (``tol ≥ ½·10⁻⁴``).
"""

from __future__ import annotations

import base64
import io
import math
import uuid
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Sequence
from html import escape

from stepgrad.exercise.moodle import QuizPart, tolerance_text

QTI_NAMESPACE = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"
MANIFEST_NAMESPACE = "http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1"
#: Canvas keeps numerical answers to this many decimals.
CANVAS_DECIMALS = 4
#: Fixed timestamps so the same exercise gives the same zip, byte for byte.
_ZIP_TIME = (2020, 1, 1, 0, 0, 0)


def answer_range(value: float, bound: float) -> tuple[str, str]:
    """``(low, high)``: the checker's tolerance around ``value``, each end rounded inward to 4 decimals."""
    tolerance = float(tolerance_text(bound, value))
    scale = 10**CANVAS_DECIMALS
    low = math.ceil(round((value - tolerance) * scale, 6)) / scale
    high = math.floor(round((value + tolerance) * scale, 6)) / scale
    return f"{low:.{CANVAS_DECIMALS}f}", f"{high:.{CANVAS_DECIMALS}f}"


def ident(title: str) -> str:
    """A stable identifier from a title: ``g`` and 32 hex digits (Canvas's style)."""
    return "g" + uuid.uuid5(uuid.NAMESPACE_URL, f"stepgrad:{title}").hex


def _metadata(item: ET.Element, fields: dict[str, str]) -> None:
    metadata = ET.SubElement(ET.SubElement(item, "itemmetadata"), "qtimetadata")
    for label, entry in fields.items():
        field = ET.SubElement(metadata, "qtimetadatafield")
        ET.SubElement(field, "fieldlabel").text = label
        ET.SubElement(field, "fieldentry").text = entry


def _material(parent: ET.Element, html: str) -> None:
    ET.SubElement(ET.SubElement(parent, "material"), "mattext", {"texttype": "text/html"}).text = html


def _intro_item(section: ET.Element, part: QuizPart) -> None:
    item = ET.SubElement(section, "item", {"ident": ident(f"{part.title}/given"), "title": "The network"})
    _metadata(item, {"question_type": "text_only_question", "points_possible": "0"})
    diagram = base64.b64encode(part.diagram_svg.encode("utf-8")).decode("ascii")
    image = f'<p><img src="data:image/svg+xml;base64,{diagram}" alt="The network with its weights and biases"></p>'
    _material(ET.SubElement(item, "presentation"), f"{part.given_html}{image}<p>{escape(part.instruction)}</p>")


def _numerical_item(section: ET.Element, part: QuizPart, name: str) -> None:
    item = ET.SubElement(section, "item", {"ident": ident(f"{part.title}/{name}"), "title": name})
    _metadata(item, {"question_type": "numerical_question", "points_possible": "1"})
    presentation = ET.SubElement(item, "presentation")
    _material(presentation, f"<p>What is <code>{escape(name)}</code>? {escape(part.instruction)}</p>")
    response = ET.SubElement(presentation, "response_str", {"ident": "response1", "rcardinality": "Single"})
    ET.SubElement(ET.SubElement(response, "render_fib", {"fibtype": "Decimal"}), "response_label", {"ident": "answer1"})
    processing = ET.SubElement(item, "resprocessing")
    outcomes = ET.SubElement(processing, "outcomes")
    ET.SubElement(outcomes, "decvar", {"maxvalue": "100", "minvalue": "0", "varname": "SCORE", "vartype": "Decimal"})
    condition = ET.SubElement(processing, "respcondition", {"continue": "No"})
    low, high = answer_range(part.values[name], part.bounds[name])
    variables = ET.SubElement(condition, "conditionvar")
    ET.SubElement(variables, "vargte", {"respident": "response1"}).text = low
    ET.SubElement(variables, "varlte", {"respident": "response1"}).text = high
    ET.SubElement(condition, "setvar", {"action": "Set", "varname": "SCORE"}).text = "100"


def assessment_xml(part: QuizPart) -> str:
    """One exercise as a QTI 1.2 assessment."""
    root = ET.Element("questestinterop", {"xmlns": QTI_NAMESPACE})
    assessment = ET.SubElement(root, "assessment", {"ident": ident(part.title), "title": part.title})
    section = ET.SubElement(assessment, "section", {"ident": "root_section"})
    _intro_item(section, part)
    for name in part.asked:
        _numerical_item(section, part, name)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def manifest_xml(title: str, idents: Sequence[str]) -> str:
    """``imsmanifest.xml``: one QTI resource per assessment."""
    root = ET.Element("manifest", {"identifier": ident(f"manifest/{title}"), "xmlns": MANIFEST_NAMESPACE})
    metadata = ET.SubElement(root, "metadata")
    ET.SubElement(metadata, "schema").text = "IMS Content"
    ET.SubElement(metadata, "schemaversion").text = "1.1.3"
    ET.SubElement(root, "organizations")
    resources = ET.SubElement(root, "resources")
    for name in idents:
        resource = ET.SubElement(
            resources, "resource", {"identifier": name, "type": "imsqti_xmlv1p2", "href": f"{name}/{name}.xml"}
        )
        ET.SubElement(resource, "file", {"href": f"{name}/{name}.xml"})
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def canvas_zip(title: str, parts: Sequence[QuizPart]) -> bytes:
    """The QTI zip Canvas imports (Settings > Import Course Content > QTI .zip file): a quiz per exercise."""
    buffer = io.BytesIO()
    idents = [ident(part.title) for part in parts]
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:

        def put(name: str, text: str) -> None:
            archive.writestr(zipfile.ZipInfo(name, _ZIP_TIME), text.encode("utf-8"), zipfile.ZIP_DEFLATED)

        put("imsmanifest.xml", manifest_xml(title, idents))
        for name, part in zip(idents, parts, strict=True):
            put(f"{name}/{name}.xml", assessment_xml(part))
    return buffer.getvalue()
