"""Tests that tie the documents in docs/ to the code that cites them."""
