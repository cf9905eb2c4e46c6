"""LabelQA: quality assurance for ML training labels made in Label Studio."""

__version__ = "0.1.0"
