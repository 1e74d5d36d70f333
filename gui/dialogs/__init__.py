"""Dialogs: fork a run, continue a run, preferences, what to do on close, file pickers."""
