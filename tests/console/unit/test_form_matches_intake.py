"""The console's form offers exactly the choices intake accepts.

The console does not import intake (services stay independent), so its lists are its own;
this test holds them to intake's models, so neither side can drift.
"""

from __future__ import annotations

from typing import get_args

from console.domain import report_form
from intake.domain.report import Relation, Victim
from intake.domain.triage import Checklist
from qorgau_contracts import Priority


def test_choices_are_intakes() -> None:
    assert set(report_form.RELATIONS) == set(get_args(Relation))
    assert set(report_form.AGE_BANDS) == set(get_args(Victim.model_fields["age_band"].annotation))
    assert set(report_form.SEXES) == set(get_args(Victim.model_fields["sex"].annotation))
    assert set(report_form.PRIORITIES) == set(get_args(Priority))


def test_the_checklist_is_intakes() -> None:
    assert set(report_form.CHECKLIST) == set(Checklist.model_fields)
