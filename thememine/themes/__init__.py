"""Candidate themes: fitting, keywords, codebook, decisions."""

from __future__ import annotations
