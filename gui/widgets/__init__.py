"""Reusable widgets: the generated settings form, spin boxes, image and scatter views."""
