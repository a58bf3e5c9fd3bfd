"""Benchmark pdfgen in a warm process: median times per form and peak memory.

Run with `.venv/bin/python bench/bench_pdf.py [runs]`.  Targets (issue 4): 评审表 ≤ 150 ms,
送审表 ≤ 60 ms, one stamp ≤ 20 ms, peak memory ≤ 300 MB.
"""

import datetime
import os
import resource
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import pdfgen  # noqa: E402
from pdfgen.fonts import warm_up  # noqa: E402

TARGETS_MS = {"评审表 PDF": 150, "送审表 PDF": 60, "one stamp": 20}


def measure(fn, runs):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), min(times), max(times)


def main():
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 30
    start = time.perf_counter()
    warm_up()
    startup = (time.perf_counter() - start) * 1000
    record = pdfgen.sample_record(20)
    assert record["photo"] and sum(len(record[k]) for k in (
        "education_history", "work_history", "qualifications", "certificates",
        "papers", "books", "awards", "projects", "patents")) == 20
    seals = {
        "seal": pdfgen.generate_title_seal("呼和浩特电力勘察设计有限公司"),
        "reviewer_sign": pdfgen.opinion_image("李明", 30, 10),
        "leader_sign": pdfgen.opinion_image("王建国", 30, 10),
        "opinion": "经审核,该同志申报材料真实有效,符合申报条件,同意推荐。",
        "publicity": {"time": "2025年7月1日至7月7日", "opinion": "公示期间无异议"},
    }
    date = datetime.date(2025, 7, 15)
    first = {}
    t = time.perf_counter()
    review = pdfgen.review_form(record)
    first["评审表 PDF"] = (time.perf_counter() - t) * 1000
    t = time.perf_counter()
    submission = pdfgen.submission_form(record)
    first["送审表 PDF"] = (time.perf_counter() - t) * 1000
    t = time.perf_counter()
    pdfgen.stamp(submission, "submission", "工作单位", seals, date)
    first["one stamp"] = (time.perf_counter() - t) * 1000

    cases = {
        "评审表 PDF": lambda: pdfgen.review_form(record),
        "送审表 PDF": lambda: pdfgen.submission_form(record),
        "评审表 Excel": lambda: pdfgen.review_form_xlsx(record),
        "送审表 Excel": lambda: pdfgen.submission_form_xlsx(record),
        "one stamp": lambda: pdfgen.stamp(submission, "submission", "工作单位", seals, date),
        "one stamp (评审表)": lambda: pdfgen.stamp(review, "review", "工作单位", seals, date),
    }
    print(f"font parse at start-up: {startup:.0f} ms; runs per case: {runs}")
    print(f"{'case':<20}{'median ms':>10}{'min':>8}{'max':>8}{'first call':>12}  target")
    failed = False
    for name, fn in cases.items():
        med, lo, hi = measure(fn, runs)
        target = TARGETS_MS.get(name)
        verdict = ""
        if target:
            ok = med <= target
            failed |= not ok
            verdict = f"≤ {target} ms {'ok' if ok else 'MISSED'}"
        first_call = f"{first[name]:.0f}" if name in first else ""
        print(f"{name:<20}{med:>10.1f}{lo:>8.1f}{hi:>8.1f}{first_call:>12}  {verdict}")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    ok = peak_mb <= 300
    failed |= not ok
    print(f"peak memory (max RSS): {peak_mb:.0f} MB  target ≤ 300 MB {'ok' if ok else 'MISSED'}")
    print(f"sizes: 评审表 {len(review) // 1024} KB, 送审表 {len(submission) // 1024} KB")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
