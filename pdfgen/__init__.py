"""Pure functions that turn a record dict into the 评审表/送审表 (PDF, Excel) and stamp them.

No Flask here: data in, bytes out.  See pdfgen/data.py for the record dict.
"""

from .codes import form_code, pretty_code, verify_code
from .data import sample_record
from .errors import FormError
from .excel import blind_review_form_xlsx, read_form_xlsx, review_form_xlsx, submission_form_xlsx
from .fonts import warm_up
from .forms import blind_review_form, review_form, submission_form
from .layout import (FORM_REVIEW, FORM_SUBMISSION, FORMS, ROLE_CITY, ROLE_COMMITTEE, ROLE_COUNTY,
                     ROLE_SUPERVISOR, ROLE_UNIT, ROLES, STAMPING_ROLES, cell_rect)
from .seals import generate_title_seal, normalise_seal_image, opinion_image
from .stamp import StampResult, stamp

__all__ = [
    "review_form", "submission_form", "blind_review_form", "review_form_xlsx", "submission_form_xlsx",
    "blind_review_form_xlsx", "read_form_xlsx", "generate_title_seal", "opinion_image",
    "normalise_seal_image", "stamp", "StampResult", "form_code", "verify_code", "pretty_code",
    "FormError", "cell_rect", "sample_record", "warm_up",
    "ROLE_UNIT", "ROLE_SUPERVISOR", "ROLE_COUNTY", "ROLE_CITY", "ROLE_COMMITTEE", "ROLES",
    "STAMPING_ROLES", "FORM_REVIEW", "FORM_SUBMISSION", "FORMS",
]
