"""The HTML report: one self-contained file per run folder (no network, all text escaped)."""

from __future__ import annotations

from thememine.report.build import build_report, render_report
from thememine.report.load import ReportInput, load_report_input
from thememine.report.projection import pca_2d

__all__ = ["ReportInput", "build_report", "load_report_input", "pca_2d", "render_report"]
