"""Certificates of participation: who qualifies, the PDFs and the page."""
