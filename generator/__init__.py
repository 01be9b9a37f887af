"""Outreach: a static site generator for the news and outreach of community campaigns."""

__version__ = "0.1.0"
