"""Builders of landing files and reference data for the ingestion tests."""
