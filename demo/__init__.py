"""The demo organisation a new user explores (`manage.py demo`), and its sign-in codes."""
