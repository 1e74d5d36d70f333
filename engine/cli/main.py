"""``genlab`` command line: dispatch and exit codes (the parser is ``engine.cli.parser``).

Exit status: 0 success; 2 bad arguments, unknown names or bad data (one line on stderr, never a
traceback); 1 a failure while running (message plus the path of a crash log holding the traceback);
130 on Ctrl+C or SIGTERM, after a checkpoint is saved. Progress and messages go to stderr, results to
stdout.
"""

from __future__ import annotations

import sys
import traceback

import engine
from engine.cli import completion
from engine.cli.parser import UsageError, build_parser
from engine.crash import write_crash_log
from engine.errors import GenLabError, TrainingError

EXIT_OK, EXIT_FAILURE, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


def _print_version() -> int:
    print(f"GenLab {engine.__version__}")
    return EXIT_OK


def main(argv: list[str] | None = None, gui=None, selftest=None) -> int:
    """Run one command. ``gui()`` and ``selftest(screenshot, report)`` come from ``main.py``, so the
    engine never imports the window."""
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        # The window and --version skip the parser (the window must paint before anything else loads).
        if argv in ([], ["gui"]) and gui is not None:
            return gui()
        if argv == ["--version"]:
            return _print_version()
        if argv[:1] == ["worker"]:  # hidden: the window's training process (frames on stdin/stdout)
            # lazy: the worker loads PyTorch itself, after it has taken over stdout for its frames
            from engine.training.worker import worker_main
            return worker_main(argv[1:])
        parser = build_parser()
        args = parser.parse_args(argv)
        if args.version:
            return _print_version()
        command = "selftest" if args.selftest else args.command
        if command in (None, "gui"):
            if gui is None:
                raise UsageError("genlab: the window is not available here; use a command (see 'genlab --help')")
            return gui()
        if command == "selftest":
            if selftest is None:
                raise UsageError("genlab: selftest needs the window, which is not available here")
            return selftest(getattr(args, "screenshot", None), getattr(args, "report", None))
        if command == "completion":  # made from the parser alone: no PyTorch
            return completion.cmd_completion(args)
        # lazy: the commands load PyTorch, which --help and --version never need
        from engine.cli import commands
        return getattr(commands, f"cmd_{command}")(args)
    except SystemExit as e:  # argparse --help
        return int(e.code or 0)
    except KeyboardInterrupt:
        print("genlab: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except TrainingError as e:
        print(f"genlab: failed: {e}", file=sys.stderr)
        return EXIT_FAILURE
    except GenLabError as e:
        print(f"genlab: error: {e}", file=sys.stderr)
        return EXIT_USAGE
    except Exception as e:
        log = write_crash_log(traceback.format_exc(), context="genlab " + " ".join(argv))
        where = f"; details in {log}" if log else ""
        print(f"genlab: failed: {type(e).__name__}: {e}{where}", file=sys.stderr)
        return EXIT_FAILURE
