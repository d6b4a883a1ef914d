"""Drop-in replacements for CodeCarbon and Carbontracker (docs/python-migration.md):
change one import line and the script runs on greenrun's engine."""
