"""One blueprint per actor; access rules live in access.py, forms in forms.py."""
