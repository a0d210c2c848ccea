"""The class's scores as the gradebook import files of Canvas and Moodle, each in the layout its importer reads.

**Canvas** (Grades › Import). Followed: Canvas's importer, ``lib/gradebook_importer.rb`` in
instructure/canvas-lms (``row_has_student_headers?``, ``update_column_count``, ``check_for_non_student_row``,
``process_student``), and the course guide "Import a CSV file into Carmen Grades"
(https://teaching.resources.osu.edu/toolsets/carmencanvas/guides/calculating-final-grades/import-csv-file-carmen-grades):

* the header is ``Student, ID, SIS User ID, SIS Login ID, Section``, then one column per assignment. The
  importer requires ``Student`` first, ``ID`` second and ``Section`` as the last student column, and takes
  every other column as an assignment (an ``Email`` or ``Problem`` column would become an assignment);
* a second row whose first cell holds ``Points Possible`` gives each assignment's points (a new assignment
  is created with them);
* a row is matched by ``ID`` (the Canvas user ID), else by ``SIS User ID``/``SIS Login ID``, else by name.

**Moodle** (Grades › Import › CSV file). Followed: Moodle's importer, ``grade/import/csv/classes/load_data.php``
in moodle/moodle (``prepare_import_grade_data``, ``map_user_data_with_value``, ``update_grade_item``). The
teacher maps one column to the user (email address, ID number, username or user id) and the score column to a
grade item; a row whose user field is blank or unknown stops the **whole** import, and a blank score is
imported as "no grade", which **clears** a grade already there.

So both files leave out the learners who could not be graded (their reasons stay in ``grades.csv``): an
import never clears a grade or stops on them. The Moodle file also leaves out a learner without an email
address, the column it is matched by.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass

from stepgrad.exercise.grade import ClassGrades, LearnerGrade

#: Canvas's student columns, in the order its importer requires.
CANVAS_COLUMNS = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
#: The first cell of Canvas's points row (its export writes it indented; the importer looks for the words).
CANVAS_POINTS_ROW = "Points Possible"
#: Moodle's user columns, named as its own export names them.
MOODLE_COLUMNS = ("Email address", "ID number")
#: The points a score is out of: scores are percentages.
POINTS = 100


def _score(grade: LearnerGrade) -> str:
    return f"{POINTS * grade.score:.1f}"


@dataclass(frozen=True)
class Gradebook:
    """One platform's import file.

    Attributes:
        filename: the file ``grade --gradebook`` writes.
        columns: the columns before the assignment's.
        row: a graded learner's cells in those columns.
        keeps: whether a learner has a row (one who could not be graded never has).
        points_row: the cells before the assignment's points, for a platform that reads them in a second row.
    """

    filename: str
    columns: tuple[str, ...]
    row: Callable[[LearnerGrade], list[str]]
    keeps: Callable[[LearnerGrade], bool] = lambda grade: True
    points_row: tuple[str, ...] | None = None

    def text(self, grades: ClassGrades, assignment: str) -> str:
        """The header (the columns, then ``assignment``), the points row if any, a row per kept learner."""
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow([*self.columns, assignment])
        if self.points_row is not None:
            writer.writerow([*self.points_row, str(POINTS)])
        writer.writerows([*self.row(grade), _score(grade)] for grade in self.kept(grades))
        return buffer.getvalue()

    def kept(self, grades: ClassGrades) -> list[LearnerGrade]:
        """The learners with a row: graded ones the platform can match."""
        return [grade for grade in grades.learners if not grade.error and self.keeps(grade)]


GRADEBOOKS: dict[str, Gradebook] = {
    # name, the roster's id as the Canvas user ID; no SIS ids or section (the roster has none)
    "canvas": Gradebook(
        "grades-canvas.csv",
        CANVAS_COLUMNS,
        lambda grade: [grade.learner, grade.student_id, "", "", ""],
        points_row=(CANVAS_POINTS_ROW, "", "", "", ""),
    ),
    "moodle": Gradebook(
        "grades-moodle.csv",
        MOODLE_COLUMNS,
        lambda grade: [grade.email, grade.student_id],
        lambda grade: bool(grade.email),
    ),
}
