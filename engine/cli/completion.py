"""``genlab completion bash|zsh``: a completion script made from the parser itself.

The script is static: it lists every command, each command's options and the choices of options
that have them (families, datasets, export formats), so pressing Tab never starts GenLab (nor loads
PyTorch). Generated from ``build_parser`` (no PyTorch either), it cannot drift from the command line;
a build can write it once (``genlab completion bash > genlab.bash``) and ship it.
"""

from __future__ import annotations

import argparse

from engine.catalogue import builtin_names, downloadable_names
from engine.cli.parser import build_parser


def _spec(parser: argparse.ArgumentParser) -> dict:
    """{"": top-level options, command: {"options": [...], "choices": {option: [...]}, "positional": [...]}}"""
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    out = {"": {"options": [o for a in parser._actions for o in a.option_strings], "choices": {}, "positional": []}}
    for name, p in sub.choices.items():
        opts, choices, positional = [], {}, []
        for a in p._actions:
            if a.option_strings:
                opts += a.option_strings
                if a.choices:
                    for o in a.option_strings:
                        choices[o] = [str(c) for c in a.choices]
            elif a.choices:
                positional += [str(c) for c in a.choices]
            if a.dest == "data" and a.option_strings:   # a name or a path: offer the names
                for o in a.option_strings:
                    choices[o] = builtin_names() + downloadable_names()
        out[name] = {"options": opts, "choices": choices, "positional": positional}
    return out


def bash_script() -> str:
    spec = _spec(build_parser())
    commands = " ".join(k for k in spec if k)
    cases = []
    for name, s in spec.items():
        if not name:
            continue
        choice_cases = "".join(f"            {opt}) COMPREPLY=($(compgen -W \"{' '.join(vals)}\" -- \"$cur\")); return;;\n"
                               for opt, vals in s["choices"].items())
        words = " ".join(s["options"] + s["positional"])
        cases.append(f"        {name})\n          case \"$prev\" in\n{choice_cases}"
                     f"            -o|--output|--run|--out|--resume|--config|--workspace) "
                     f"COMPREPLY=($(compgen -f -- \"$cur\")); return;;\n"
                     f"          esac\n          COMPREPLY=($(compgen -W \"{words}\" -- \"$cur\"));;\n")
    return ("# bash completion for genlab (made by 'genlab completion bash'; runs nothing on Tab)\n"
            "_genlab() {\n"
            "    local cur prev cmd i\n"
            "    cur=\"${COMP_WORDS[COMP_CWORD]}\"; prev=\"${COMP_WORDS[COMP_CWORD-1]}\"; cmd=\"\"\n"
            "    for ((i=1; i < COMP_CWORD; i++)); do\n"
            "        case \"${COMP_WORDS[i]}\" in -*) ;; *) cmd=\"${COMP_WORDS[i]}\"; break;; esac\n"
            "    done\n"
            "    if [[ -z \"$cmd\" ]]; then\n"
            f"        COMPREPLY=($(compgen -W \"{commands} {' '.join(spec['']['options'])}\" -- \"$cur\")); return\n"
            "    fi\n"
            "    case \"$cmd\" in\n" + "".join(cases) + "    esac\n}\ncomplete -o default -F _genlab genlab\n")


def zsh_script() -> str:
    """zsh reads bash completions through bashcompinit."""
    return "autoload -U +X bashcompinit && bashcompinit\n" + bash_script()


def cmd_completion(args) -> int:
    print(bash_script() if args.shell == "bash" else zsh_script(), end="")
    return 0
