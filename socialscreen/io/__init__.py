"""Readers (text, stdin, JSONL, CSV, XLSX) yield Post or RecordError; writers (text, json,
jsonl, csv, html) take results and record errors. A new output format is one writer class in
writers.py and one line in WRITERS."""
from .readers import InputOpenError, read_inputs
from .writers import WRITERS

__all__ = ["read_inputs", "InputOpenError", "WRITERS"]
