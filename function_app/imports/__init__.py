"""Import attendance from MIS exports (SIMS, Arbor, Bromcom ...): .xlsx, .xls, .ods and .csv.

Three shapes are read and normalised to one model (``model.ImportedPupil``): a summary
sheet (one row per pupil), session marks in long form (pupil x date x session x mark) and
a wide register grid (a column per date and session). ``read_attendance`` reads a file,
``assess_pupils`` runs the domain's attendance rules on every pupil.
"""

from .assess import PupilAssessment, assess_pupils
from .model import ImportedPupil, ImportProblem, ImportRejected, ImportResult
from .reader import read_attendance

__all__ = [
    "ImportProblem",
    "ImportRejected",
    "ImportResult",
    "ImportedPupil",
    "PupilAssessment",
    "assess_pupils",
    "read_attendance",
]
