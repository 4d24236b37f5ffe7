"""Scamline: an SMS and voice scam-reporting bot."""
