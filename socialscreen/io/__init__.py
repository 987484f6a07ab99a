"""Readers (text, stdin, JSONL, CSV, XLSX) and writers (text, json, jsonl, csv, html)."""
from .readers import Record, read_inputs, InputOpenError
from .writers import WRITERS

__all__ = ["Record", "read_inputs", "InputOpenError", "WRITERS"]
