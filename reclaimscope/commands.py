# SPDX-License-Identifier: GPL-2.0
"""The commands: each reads, analyses and prints through the modules above."""

import json
import os
import shutil
import signal
import sys
import time

from .errors import (
    EXIT_BAD_DATA, EXIT_FINDINGS, EXIT_NOT_LOADED, EXIT_NO_GNUPLOT, EXIT_OK, RSError)
from .tree import PROC_FILES, open_source, read_tree, sample
from .text import fmt_bytes, fmt_seconds, plural, text_width
from .analysis import rates
from .rules import DIAGNOSE_INTERVAL, Window, diagnose, rule_options
from .snapshot import snapshot_report
from .render import Screen, render_diagnose, render_snapshot, render_watch
from .top import render_top, top_frame
from .prometheus import prometheus
from .record import Recorder, read_records, record_line, write_atomic
from .plot import panels, plot_data, render_png, render_svg
from .doctor import Host, doctor_report, render_doctor


def cmd_snapshot(args):
    rep = snapshot_report(read_tree(open_source(args.root)), args.top)
    print(json.dumps(rep, indent=1) if args.json else render_snapshot(rep))
    return EXIT_OK


def quit_on_signal(signum, frame):
    raise KeyboardInterrupt


def interval_loop(args, take, draw_first, show):
    """The loop of watch and top: take() a sample every -i seconds, -n
    times or until q (on a terminal), Ctrl-C, SIGTERM or SIGHUP, with the
    terminal restored on every way out.  draw_first(screen, sample) draws
    the first screen on a terminal; show(screen, prev, cur, dt) prints or
    draws one interval (screen is None when not on a terminal)."""
    prev = take()
    interactive = sys.stdout.isatty() and not args.json
    screen = None
    done = 0
    try:
        if interactive:
            keys = sys.stdin if sys.stdin is not None and sys.stdin.isatty() else None
            screen = Screen(sys.stdout, keys)
            # kill and a closed terminal end it as q does: the terminal restored
            for sig in (signal.SIGTERM, signal.SIGHUP):
                signal.signal(sig, quit_on_signal)
            draw_first(screen, prev)
        next_t = time.monotonic() + args.interval
        while args.count is None or done < args.count:
            key = screen.wait(next_t - time.monotonic()) if screen else \
                time.sleep(max(0.0, next_t - time.monotonic()))
            if key == 'q':
                break
            next_t = max(next_t + args.interval, time.monotonic() + 0.05)
            cur = take()
            dt = cur['t'] - prev['t'] if cur['clock'] == prev['clock'] else args.interval
            show(screen, prev, cur, dt if dt > 0 else args.interval)
            sys.stdout.flush()
            prev = cur
            done += 1
    except KeyboardInterrupt:
        pass
    finally:
        if screen:
            screen.close()
    return EXIT_OK


def cmd_watch(args):
    source = open_source(args.root)

    def take():
        return sample(source, cgroup_files=False)

    def draw_first(screen, smp):
        size = shutil.get_terminal_size()
        screen.draw(render_watch(smp, None, args.interval, height=size.lines, first=True))

    def show(screen, prev, cur, dt):
        r = rates(prev, cur, dt)
        if args.json:
            print(json.dumps(dict(r, schema='reclaimscope.watch', schema_version=1,
                                  t=cur['t'])))
        elif screen:
            size = shutil.get_terminal_size()
            screen.draw(render_watch(cur, r, args.interval, height=size.lines))
        else:
            print('\n'.join(render_watch(cur, r, args.interval, height=10 ** 6)))
            print()

    return interval_loop(args, take, draw_first, show)


TOP_PROC = ('uptime', 'pressure')


def use_color(stream):
    """Colours (reverse video) only on a terminal that has them, and not
    with NO_COLOR set (no-color.org)."""
    return stream.isatty() and 'NO_COLOR' not in os.environ and \
        os.environ.get('TERM', 'dumb') != 'dumb'


def cmd_top(args):
    """top: on a terminal, a screen redrawn every interval until q; else
    (or --json) a frame per interval, -n times or until Ctrl-C.  The
    frames come from top_frame and render_top; this is only the loop."""
    source = open_source(args.root)
    color = use_color(sys.stdout)

    def take():
        return sample(source, proc=TOP_PROC)

    def draw_first(screen, smp):
        size = shutil.get_terminal_size()
        screen.draw(render_top(top_frame(None, smp, None), size.columns, size.lines,
                               args.interval, color))

    def show(screen, prev, cur, dt):
        frame = top_frame(prev, cur, dt)
        if args.json:
            print(json.dumps(frame))
        elif screen:
            size = shutil.get_terminal_size()
            screen.draw(render_top(frame, size.columns, size.lines, args.interval, color))
        else:
            print('\n'.join(render_top(frame, text_width(), None, args.interval)))
            print()

    return interval_loop(args, take, draw_first, show)


def cmd_diagnose(args):
    source = open_source(args.root) if not args.record else None
    overrides = {o.dest: getattr(args, o.dest) for o in rule_options()}
    if args.record:
        first = last = None
        for smp in read_records(args.record):
            first = first or smp
            last = smp
        if first is None or last is first or last['t'] <= first['t']:
            raise RSError('%s: a window needs two samples or more, in time order'
                          % ' '.join(args.record), EXIT_BAD_DATA)
        rep = diagnose(last, first, Window('interval', last['t'] - first['t'],
                                           how='first and last sample of the record'),
                       **overrides)
    elif args.before is not None:
        before = read_tree(open_source(args.before))
        cur = read_tree(source)
        b_up, c_up = before['proc']['uptime'], cur['proc']['uptime']
        if b_up is None or c_up is None or c_up <= b_up:
            raise RSError('--before %s and --root %s: the window needs proc/uptime in both, '
                          'the first earlier' % (args.before, args.root), EXIT_BAD_DATA)
        window = Window('interval', c_up - b_up, how='the copies\' proc/uptime')
        rep = diagnose(cur, before, window, **overrides)
    elif args.since_load or (args.root is not None and args.interval is None):
        rep = diagnose(read_tree(source), None, None, **overrides)
    else:
        interval = args.interval if args.interval is not None else DIAGNOSE_INTERVAL
        first = sample(source, proc=PROC_FILES)
        if sys.stderr.isatty() and not args.json:
            sys.stderr.write('reading again in %s (-i) ...\r' % fmt_seconds(interval))
            sys.stderr.flush()
        time.sleep(interval)
        cur = sample(source, proc=PROC_FILES)
        if sys.stderr.isatty() and not args.json:
            sys.stderr.write('\x1b[K')
        dt = cur['t'] - first['t'] if cur['clock'] == first['clock'] else interval
        rep = diagnose(cur, first, Window('interval', dt if dt > 0 else interval),
                       **overrides)
    print(json.dumps(rep, indent=1) if args.json else render_diagnose(rep))
    return EXIT_FINDINGS if rep['findings'] else EXIT_OK


def cmd_export(args):
    tree = read_tree(open_source(args.root), proc=PROC_FILES if args.json else (),
                     cgroup_files=args.json)
    text = prometheus(tree, args.demo) if args.prometheus else \
        json.dumps(tree, indent=1) + '\n'
    if args.file in (None, '-'):
        sys.stdout.write(text)
    else:
        try:
            write_atomic(args.file, text)
        except OSError as e:
            raise RSError('%s: %s' % (args.file, e.strerror or e), EXIT_BAD_DATA)
    return EXIT_OK


def cmd_record(args):
    source = open_source(args.root)
    s = sample(source, cgroup_files=False)      # fails before FILE is created
    rec = Recorder(args.output, int(args.max_mb * (1 << 20)))
    written = size = 0
    try:
        next_t = time.monotonic()
        while True:
            line = record_line(s)
            rec.write(line)
            written += 1
            size += len(line) + 1
            if args.count is not None and written >= args.count:
                break
            next_t += args.interval
            time.sleep(max(0.0, next_t - time.monotonic()))
            s = sample(source, cgroup_files=False)
    except KeyboardInterrupt:
        pass
    finally:
        rec.close()
    per = size // written if written else 0
    if args.json:
        print(json.dumps({'output': args.output, 'samples': written, 'bytes': size,
                          'rotations': rec.rotations}))
    else:
        print('%s: %s, %s a sample%s' % (
            args.output, plural(written, 'sample'), fmt_bytes(per),
            ', rotated %s (older samples in %s.1)' % (plural(rec.rotations, 'time'),
                                                        args.output)
            if rec.rotations else ''))
    return EXIT_OK


def cmd_plot(args):
    fmt = args.format or ('png' if args.output.lower().endswith('.png') else 'svg')
    gnuplot = None
    if fmt == 'png':
        gnuplot = shutil.which('gnuplot')
        if gnuplot is None:
            raise RSError('PNG output needs gnuplot, which is not installed '
                          '(apt install gnuplot-nox); SVG needs nothing: -o FILE.svg',
                          EXIT_NO_GNUPLOT)
    try:        # an unwritable OUT fails before any work, with its name
        with open(args.output, 'ab'):
            pass
    except OSError as e:
        raise RSError('%s: %s' % (args.output, e.strerror or e), EXIT_BAD_DATA)
    data = plot_data(read_records(args.files))
    if len(data['t']) < 2:
        raise RSError('%s: %s: a plot needs two samples or more'
                      % (' '.join(args.files), plural(len(data['t']), 'sample')),
                      EXIT_BAD_DATA)
    if fmt == 'png':
        render_png(data, args.output, gnuplot)
    else:
        try:
            write_atomic(args.output, render_svg(data))
        except OSError as e:
            raise RSError('%s: %s' % (args.output, e.strerror or e), EXIT_BAD_DATA)
    series = sum(len(p[2]) for p in panels(data))
    if args.json:
        print(json.dumps({'output': args.output, 'format': fmt, 'samples': len(data['t']),
                          'series': series}))
    else:
        print('%s: %s, %s, %s' % (args.output, fmt, plural(len(data['t']), 'sample'),
                                  plural(series, 'series', 'series')))
    return EXIT_OK


def cmd_doctor(args):
    if args.root is not None:
        if not os.path.isdir(args.root):
            raise RSError('%s: no such directory' % args.root, EXIT_NOT_LOADED)
        host = Host(args.root, copy=True, programs=False)
    else:
        host = Host()
    rep = doctor_report(host)
    print(json.dumps(rep, indent=1) if args.json else render_doctor(rep))
    return EXIT_FINDINGS if rep['failed'] else EXIT_OK
