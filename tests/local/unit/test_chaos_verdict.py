"""The fault suite's own rules, without a stack: what counts as an alert SMS, how the
SMSC's record is read, how figures fall into fault phases, and when the verdict fails."""

from __future__ import annotations

import json
from pathlib import Path

from qorgau_local.chaos import (
    ALERT,
    ChaosResult,
    Fault,
    FaultFigures,
    Sms,
    SmsRecord,
    Submitted,
    _figures,
    report_body,
)
from qorgau_local.smsc import _SHORT_CODE

ALERT_TEXT = (
    "Qorgau K7Q2 СРОЧНО ВЫСОКИЙ риск. Есиль, ул. Сыганак 10. Ответ: 1 K7Q2 принял, 2 K7Q2 не могу"
)
DRILL = (
    "УЧЕБНАЯ Qorgau K7Q2 риск обычный. Нура, ул. Кенесары 1. Ответ: 1 K7Q2 принял, 2 K7Q2 не могу"
)
ANSWERS = (
    "Qorgau K7Q2: принято, спасибо.",
    "Qorgau K7Q2: қабылданды, рахмет.",
    "Qorgau: код K7Q2 не найден. Ответ: 1 КОД или 2 КОД",
    "Принято: K7Q2, Есиль, ул. Сыганак 10",
)


def test_an_alert_or_a_drill_counts_and_an_answer_to_a_reply_does_not() -> None:
    assert Sms(0, "+77000001001", ALERT_TEXT).code == "K7Q2"
    assert Sms(0, "+77000001001", DRILL).code == "K7Q2"
    for text in ANSWERS:
        assert ALERT.search(text) is None, text


def test_the_dev_smsc_auto_replies_to_alerts_only_not_to_its_own_confirmations() -> None:
    match = _SHORT_CODE.search(ALERT_TEXT)
    assert match is not None
    assert match.group(1) == "K7Q2"
    for text in ANSWERS:
        assert _SHORT_CODE.search(text) is None, text


def test_the_record_is_read_incrementally_and_a_half_written_line_waits(tmp_path: Path) -> None:
    path = tmp_path / "sms.jsonl"
    record = SmsRecord(path)
    assert record.refresh() == []
    first = json.dumps({"at": 1.0, "to": "+77000001001", "parts": 2, "text": ALERT_TEXT})
    second = json.dumps({"at": 2.0, "to": "+77000001002", "parts": 1, "text": ANSWERS[0]})
    path.write_text(first + "\n" + second[:10])
    assert [s.at for s in record.refresh()] == [1.0]
    path.write_text(first + "\n" + second + "\n")
    assert [s.to for s in record.refresh()] == ["+77000001001", "+77000001002"]


def test_every_report_is_a_distinct_call() -> None:
    bodies = [report_body("r", n) for n in range(500)]
    assert len({b["call_id"] for b in bodies}) == 500
    assert len({b["caller_phone"] for b in bodies}) == 500
    assert len({(b["address"]["house"], b["address"]["apartment"]) for b in bodies}) == 500


def test_figures_fall_into_phases_and_recovery_is_the_first_sms_after_the_kill() -> None:
    records = [
        Submitted(n, f"c{n}", first_sent=100.0 + n, short_code=f"C{n:03d}") for n in range(20)
    ]
    # Reports 0-9 take 0.5 s; the fault at 110 stops the flow until 118.
    arrivals = {f"C{n:03d}": [Sms(100.0 + n + 0.5, "+7700", "")] for n in range(10)}
    arrivals |= {
        f"C{n:03d}": [Sms(max(118.0, 100.0 + n + 0.5), "+7700", "")] for n in range(10, 20)
    }
    fault = Fault("notify", killed_at=110.0, restarted_at=111.0, ready_at=113.0)
    figures, p50, longest = _figures(records, arrivals, [fault], started=100.0)
    assert (p50, longest) == (0.5, 0.5)  # the 8 reports before 108
    (notify,) = figures
    assert notify.recovery_s == 8.0
    assert notify.reports == 12  # first sent from 108 on
    assert notify.max_delay_s == 8.0
    assert notify.ready_after_restart_s == 2.0


def result(**changes: object) -> ChaosResult:
    clean = ChaosResult(
        plan={"rate_per_s": 20, "faults": ["notify"]},
        submitted=10,
        accepted=10,
        sms=10,
        unaccepted=[],
        lost=[],
        duplicates=[],
        second_officers=1,
        unexplained_second_officers=[],
        in_doubt=3,
        in_doubt_reached_smsc=1,
        in_doubt_bound=16,
        in_doubt_outside_window=[],
        crashes=[],
        faults=[FaultFigures("notify", 5.0, 1.0, 2.0, 3.0, 10, 0.5, 3.0, 0, 0)],
        baseline_p50_s=0.1,
        baseline_max_s=0.2,
        settled=True,
    )
    for name, value in changes.items():
        setattr(clean, name, value)
    return clean


def test_the_verdict_holds_with_explained_second_officers_and_fails_on_anything_else() -> None:
    assert result().failures == []
    assert "PASS" in result().render()
    failing = {
        "lost": ["K7Q2 ..."],
        "duplicates": ["K7Q2: 2 SMS to ALM-01"],
        "unexplained_second_officers": ["K7Q2: ..."],
        "in_doubt_outside_window": ["K7Q2: intent +2.5 s"],
        "unaccepted": ["c1: not accepted within 120 s"],
        "in_doubt": 17,
    }
    for name, value in failing.items():
        bad = result(**{name: value})
        assert len(bad.failures) == 1, name
        assert "FAIL" in bad.render()


def test_a_crash_or_a_run_that_did_not_settle_is_a_finding_not_the_verdict() -> None:
    noted = result(crashes=["routing exited by itself (code 3)"], settled=False)
    assert noted.failures == []
    assert len(noted.findings) == 2
