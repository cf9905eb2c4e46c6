"""Fixtures for the metrics tests (data lives in metrics_data.py)."""

from __future__ import annotations

import pandas as pd
import pytest
from metrics_data import KRIPPENDORFF_2011, reliability_to_long


@pytest.fixture
def kripp_long() -> pd.DataFrame:
    """Krippendorff's 2011 worked example as a long frame."""
    return reliability_to_long(KRIPPENDORFF_2011)
