# SPDX-License-Identifier: GPL-2.0
"""The command line: options, and main(), which turns every failure into a
message and an exit status."""

import argparse
import sys

from .errors import EXIT_INTERNAL, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, RSError
from .tree import DEFAULT_ROOT, KNOWN_ABIS
from .rules import DIAGNOSE_INTERVAL, rule_options
from .snapshot import TOP_SHRINKERS
from .record import RECORD_MAX_MB
from .commands import (
    cmd_diagnose, cmd_doctor, cmd_export, cmd_plot, cmd_record, cmd_snapshot, cmd_top,
    cmd_watch)


TOOL_VERSION = '0.2.0'          # this tool's version (the module's is in its version file)

# Command line


def positive(value):
    v = float(value)
    if not v > 0:
        raise argparse.ArgumentTypeError('must be greater than 0')
    return v


def not_negative(value):
    v = float(value)
    if not v >= 0:
        raise argparse.ArgumentTypeError('must be 0 or more')
    return v


def count(value):
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError('not a whole number: %r' % value)
    if n < 0:
        raise argparse.ArgumentTypeError('must be 0 or more')
    return n


def at_least_one(value):
    n = int(value)
    if n < 1:
        raise argparse.ArgumentTypeError('must be at least 1')
    return n


def version_text():
    return ('reclaimscope %s (the tool; it reads module abi %s), Python %s'
            % (TOOL_VERSION, ', '.join(map(str, KNOWN_ABIS)), sys.version.split()[0]))


def build_parser():
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument('--json', action='store_true',
                        help='print JSON (shapes in Documentation/reclaimscope-cli.rst)')
    tree = argparse.ArgumentParser(add_help=False)
    tree.add_argument('--root', metavar='DIR',
                      help='read a copy of the debugfs tree (and DIR/proc/ if present) '
                      'instead of %s' % DEFAULT_ROOT)
    p = argparse.ArgumentParser(
        prog='reclaimscope', description='Show what memory reclaim is doing, from the '
        'reclaimscope module\'s debugfs files.',
        epilog='Exit status: 0 ok (diagnose: nothing found), 1 diagnose found something '
        '(doctor: a check failed), '
        '2 usage, 3 debugfs not mounted, 4 module not loaded, 5 permission denied, '
        '6 unknown abi, 7 bad or missing file, 8 gnuplot missing, 130 interrupted.')
    # required=True would need Python 3.7: main() checks for a command.
    p.add_argument('--version', action='version', version=version_text())
    sub = p.add_subparsers(dest='command', metavar='COMMAND')

    s = sub.add_parser('snapshot', parents=[common, tree], help='a report of every node')
    s.add_argument('--top', type=count, default=TOP_SHRINKERS, metavar='N',
                   help='shrinkers to show (default %(default)s)')
    s.set_defaults(func=cmd_snapshot)

    s = sub.add_parser('watch', parents=[common, tree], help='live rates per node')
    s.add_argument('-i', '--interval', type=positive, default=2.0, metavar='SECONDS',
                   help='seconds between samples (default %(default)s)')
    s.add_argument('-n', '--count', type=at_least_one, metavar='COUNT',
                   help='stop after COUNT updates (default: until Ctrl-C)')
    s.set_defaults(func=cmd_watch)

    s = sub.add_parser('top', parents=[common, tree],
                       help='the tasks and cgroups that stall on reclaim, like top')
    s.add_argument('-i', '--interval', type=positive, default=2.0, metavar='SECONDS',
                   help='seconds between frames (default %(default)s)')
    s.add_argument('-n', '--iterations', dest='count', type=at_least_one,
                   metavar='ITERATIONS',
                   help='stop after ITERATIONS frames (default: until q or Ctrl-C)')
    s.set_defaults(func=cmd_top)

    s = sub.add_parser('diagnose', parents=[common, tree],
                       help='findings over a window, with evidence and what to do')
    w = s.add_mutually_exclusive_group()
    w.add_argument('-i', '--interval', type=positive, metavar='SECONDS',
                   help='judge the SECONDS between two readings (default for the live '
                   'tree: %g)' % DIAGNOSE_INTERVAL)
    w.add_argument('--since-load', action='store_true',
                   help='judge every counter since the module was loaded (default '
                   'with --root: a copy is one reading)')
    w.add_argument('--before', metavar='DIR',
                   help='with --root: judge the window from the copy DIR to the '
                   'copy of --root (by their proc/uptime)')
    w.add_argument('--record', metavar='FILE', nargs='+',
                   help='judge the window from the first to the last sample of record '
                   'files (FILE.1 FILE: a rotated recording)')
    for o in rule_options():
        s.add_argument(o.flag, dest=o.dest, type=count if o.kind is int else not_negative,
                       default=None, metavar=o.unit.split('/')[0].upper() if o.kind is int
                       else 'N', help='%s (default %g %s)' % (o.help, o.default, o.unit))
    s.set_defaults(func=cmd_diagnose)

    s = sub.add_parser('export', parents=[common, tree],
                       help='Prometheus textfile or the raw tree as JSON')
    s.add_argument('--prometheus', action='store_true',
                   help='node_exporter textfile-collector format')
    s.add_argument('--demo', action='store_true',
                   help='with --prometheus: the demo shrinker\'s stats too')
    s.add_argument('file', nargs='?', metavar='FILE',
                   help='write FILE atomically (temporary file + rename); default stdout')
    s.set_defaults(func=cmd_export)

    s = sub.add_parser('record', parents=[common, tree], help='sample into JSON lines')
    s.add_argument('-i', '--interval', type=positive, default=1.0, metavar='SECONDS',
                   help='seconds between samples (default %(default)s)')
    s.add_argument('-o', '--output', required=True, metavar='FILE')
    s.add_argument('-n', '--count', type=at_least_one, metavar='COUNT',
                   help='samples to take (default: until Ctrl-C)')
    s.add_argument('--max-mb', type=not_negative, default=RECORD_MAX_MB, metavar='MB',
                   help='past MB, FILE becomes FILE.1 and a new FILE begins (0: no cap; '
                   'default %(default)s)')
    s.set_defaults(func=cmd_record)

    s = sub.add_parser('plot', parents=[common], help='draw a record file')
    s.add_argument('files', nargs='+', metavar='FILE',
                   help='written by record (FILE.1 FILE: a rotated recording in order)')
    s.add_argument('-o', '--output', required=True, metavar='OUT',
                   help='OUT.svg (standard library) or OUT.png (needs gnuplot)')
    s.add_argument('--format', choices=('svg', 'png'),
                   help='default: from the extension of OUT, else svg')
    s.set_defaults(func=cmd_plot)

    s = sub.add_parser('doctor', parents=[common],
                       help='preflight: can the module build, load and be read here')
    s.add_argument('--root', metavar='DIR',
                   help='check a copy of the machine\'s files under DIR (DIR/proc/, '
                   'DIR/sys/, DIR/boot/, DIR/lib/modules/, ...; the module\'s debugfs '
                   'files in DIR itself) instead of this machine; runs no program')
    s.set_defaults(func=cmd_doctor)
    return p


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_usage(sys.stderr)
        sys.stderr.write('reclaimscope: give a command (reclaimscope --help lists them)\n')
        return EXIT_USAGE
    if args.command == 'export' and args.prometheus == args.json:
        sys.stderr.write('reclaimscope export: give exactly one of --prometheus, --json\n')
        return EXIT_USAGE
    try:
        return args.func(args)
    except RSError as e:
        sys.stderr.write('reclaimscope: %s\n' % e)
        return e.status
    except KeyboardInterrupt:
        sys.stderr.write('reclaimscope: interrupted\n')
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return EXIT_OK
    except Exception as e:      # a bug: say so in one line, no traceback
        tb = e.__traceback__
        while tb.tb_next is not None:
            tb = tb.tb_next
        sys.stderr.write('reclaimscope: internal error, a bug in this tool (please report '
                         'it with this line): %s: %s at line %d\n'
                         % (type(e).__name__, e, tb.tb_lineno))
        return EXIT_INTERNAL
