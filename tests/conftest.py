import os

# Tests run with the test profile: no DEBUG, throwaway key in a temp var dir.
os.environ.setdefault("DJANGO_ENV", "test")
