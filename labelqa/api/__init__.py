"""LabelQA's HTTP API (FastAPI, ``/api/v1``)."""
