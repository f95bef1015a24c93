"""Shared infrastructure: masking, caches, rate limits, mail, SMS, audit, health, sessions, backups.

Imports nothing from the site (portal) or the apps; tests/test_architecture.py keeps it so.
"""
