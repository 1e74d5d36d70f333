"""The headless command line: ``genlab train | sample | eval | data`` (and ``python main.py ...``)."""
