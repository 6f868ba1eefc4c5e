# SPDX-License-Identifier: GPL-2.0
"""Text for a terminal: widths, wrapping that never cuts a number, units."""

import os
import shutil
import textwrap
import unicodedata


def fmt_us(us):
    if us < 1000:
        return ('%d' % us if us == int(us) else '%.1f' % us) + 'us'
    if us < 1000000:
        return '%.1fms' % (us / 1000)
    return '%.2fs' % (us / 1000000)


def fmt_pct(value, exact=False):
    """A percentile as text: '<=2.05ms' (an upper bound), '>1.05s' (the
    overflow bucket), '-' (no data); @exact (the maximum, max_ns itself
    when consistent): '77.3ms'."""
    if value is None:
        return '-'
    if 'gt_us' in value:
        return '>' + fmt_us(value['gt_us'])
    return ('' if exact and value.get('exact') else '<=') + fmt_us(value['le_us'])

# Text: widths, units, wrapping.  Lines fit the width (80 columns, or the
# terminal's or $COLUMNS when wider); a line is only ever broken between
# words, and a number is glued to its label and unit with GLUE, so no
# number is cut or separated from what it counts.

GLUE = '\xa0'       # a space that wrapping never breaks at (not in any data)

MIN_WIDTH = 80


def text_width():
    """The columns text output may use: $COLUMNS or the terminal's width
    when more than 80, else 80."""
    cols = shutil.get_terminal_size((MIN_WIDTH, 24)).columns
    return max(MIN_WIDTH, cols)


def glue(*words):
    return GLUE.join(str(w) for w in words)


def wrap(text, width, indent='', first=None):
    """@text wrapped at spaces into lines of at most @width (a word longer
    than the line stands alone, never cut); GLUE becomes a space."""
    lines = textwrap.wrap(text, width, initial_indent=indent if first is None else first,
                          subsequent_indent=indent, break_long_words=False,
                          break_on_hyphens=False) or [indent if first is None else first]
    return [l.replace(GLUE, ' ') for l in lines]


def fields(first, items, width, indent, sep=', '):
    """@first then @items joined by @sep, wrapped between items only; the
    first line starts with @first, the others with @indent."""
    return wrap(first + sep.join(i.replace(' ', GLUE) for i in items if i), width, indent,
                first='')


def plural(n, word, words=None):
    """'1 stall', '2 stalls', '0 stalls' (@words: an irregular plural)."""
    if n == 1:
        return '%s %s' % (fmt_count(n), word)
    return '%s %s' % (fmt_count(n), words or word + 's')


def fmt_count(n):
    return '%d' % n


def page_size():
    try:
        return os.sysconf('SC_PAGE_SIZE')
    except (ValueError, OSError, AttributeError):
        return 4096

PAGE_SIZE = page_size()


def mib(pages):
    return pages * PAGE_SIZE / (1 << 20)


def fmt_mib(pages, unit=True):
    """Pages as MiB with 3 significant digits or more: '302', '14.8', '0.09'."""
    v = mib(pages)
    if v == 0:
        text = '0'
    elif v >= 100:
        text = '%.0f' % v
    elif v >= 10:
        text = '%.1f' % v
    elif v >= 0.01:
        text = '%.2f' % v
    else:
        text = '%.3f' % v
    return text + (' MiB' if unit else '')


def fmt_seconds(s):
    """A duration: '0.35 s', '19.3 s', '47 s', '12 min', '3.2 h', '100 days'."""
    if s is None:
        return '?'
    if s < 10:
        return '%.2f s' % s
    if s < 100:
        return '%.1f s' % s
    if s < 600:
        return '%.0f s' % s
    if s < 3600 * 2:
        return '%.0f min' % (s / 60)
    if s < 86400 * 2:
        return '%.1f h' % (s / 3600)
    return '%.0f days' % (s / 86400)


def fmt_share(x):
    """A share of time as a percentage: '41%', '0.3%', '0%'."""
    pct = 100 * x
    if pct == 0:
        return '0%'
    if pct < 1:
        return '%.1f%%' % pct
    return '%.0f%%' % pct


def table(headers, rows, width, indent='  ', right=None, shrink=()):
    """Rows of strings under @headers, columns as wide as their widest
    cell; @right: indexes of right-aligned columns (default all but the
    first).  When too wide, the columns in @shrink are given again from
    the compact forms in rows (cells given as (full, compact) tuples)."""
    right = set(range(1, len(headers))) if right is None else set(right)

    def pick(cell, compact):
        if isinstance(cell, tuple):
            return cell[1] if compact else cell[0]
        return cell

    for compact in (False, True):
        cells = [[pick(c, compact) for c in row] for row in rows]
        widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(headers)]
        if len(indent) + sum(widths) + 2 * (len(widths) - 1) <= width:
            break

    def line(row):
        out = [c.rjust(w) if i in right else c.ljust(w)
               for i, (c, w) in enumerate(zip(row, widths))]
        return (indent + '  '.join(out)).rstrip()
    return [line(headers)] + [line(r) for r in cells]


def fmt_big(n):
    """A count in at most 5 characters: 950, 12.3k, 4.56M, 7.89G."""
    for div, suffix in ((1e9, 'G'), (1e6, 'M'), (1e3, 'k')):
        if n >= div:
            v = n / div
            return ('%.0f' if v >= 100 else '%.1f' if v >= 10 else '%.2f') % v + suffix
    return '%d' % n


def fmt_latency(lat):
    """p50, p90, p99 and max as glued items."""
    return ['%s %s' % (name, fmt_pct(lat[name], exact=(name == 'max')))
            for name in ('p50', 'p90', 'p99', 'max')]

# watch: like top.  On a terminal: the alternate screen, the first screen
# at once (state now, rates after one interval), redrawn in place, q
# quits.  On a pipe (or --json): one report per interval.


def fmt_rate(v):
    """A rate for a table cell: '-' unknown, '0', '3.4', '1234'."""
    if v is None:
        return '-'
    if v == 0:
        return '0'
    return '%.1f' % v if v < 100 else '%.0f' % v


def fmt_interval(s):
    return '%gs' % s


def fmt_bytes(n):
    for unit, div in (('MiB', 1 << 20), ('KiB', 1 << 10)):
        if n >= div:
            return '%.1f %s' % (n / div, unit)
    return '%d bytes' % n

# Tables that fit any width (top, snapshot's who pays): names from the
# kernel shown safely, columns dropped and names shortened until a line
# fits.


def fmt_ns(ns):
    """A duration in ns, in at most 6 characters (up to 11 years): '0',
    '0.35ms', '4.2ms', '412ms', '4.21s', '42.1s', '421s', '1.5h', '120h'."""
    if ns is None:
        return '-'
    if ns <= 0:
        return '0'
    ms = ns / 1e6
    if ms < 1:
        return '%.2fms' % ms
    if ms < 9.95:
        return '%.1fms' % ms
    if ms < 999.5:
        return '%.0fms' % ms
    s = ns / 1e9
    if s < 9.995:
        return '%.2fs' % s
    if s < 99.95:
        return '%.1fs' % s
    if s < 999.5:
        return '%.0fs' % s
    if s < 359640:
        return '%.1fh' % (s / 3600)
    return '%.0fh' % (s / 3600)


def display_name(name):
    """@name (a comm or cgroup path, as the module's octal escapes mean it)
    safe for a terminal: a character that is not printable (tab, newline,
    escape, other controls) as \\ooo, or \\uXXXX past ASCII."""
    out = []
    for ch in name:
        if ch.isprintable():
            out.append(ch)
        elif ord(ch) < 256:
            out.append('\\%03o' % ord(ch))
        else:
            out.append('\\u%04x' % ord(ch) if ord(ch) < 0x10000 else '\\U%08x' % ord(ch))
    return ''.join(out)


def cell_width(text):
    """Terminal columns @text takes: wide (East Asian) characters two,
    combining marks none."""
    if text.isascii() if hasattr(text, 'isascii') else all(ord(c) < 128 for c in text):
        return len(text)
    n = 0
    for ch in text:
        if unicodedata.combining(ch):
            continue
        n += 2 if unicodedata.east_asian_width(ch) in ('W', 'F') else 1
    return n


def clip(text, width, keep='head'):
    """@text cut to @width columns, marked '~' where cut: keep='head'
    keeps the start ('postgres-wor~'), 'tail' the end ('~/x.service')."""
    if cell_width(text) <= width:
        return text
    if width <= 1:
        return '~'[:width]
    chars = list(text) if keep == 'head' else list(reversed(text))
    out, used = [], 0
    for ch in chars:
        w = cell_width(ch)
        if used + w > width - 1:
            break
        out.append(ch)
        used += w
    if keep == 'head':
        return ''.join(out) + '~'
    return '~' + ''.join(reversed(out))


def pad(text, width, right=False):
    fill = ' ' * max(0, width - cell_width(text))
    return fill + text if right else text + fill


class Column:
    """A column of fit_table: @head, right-aligned or not; @drop: the
    order in which columns go when the line is too wide (lowest first,
    None: never); @flex: the narrowest a name column may be cut to
    (None: never cut) and @soft the width it keeps while other
    columns can go; @keep: which end of a cut name stays."""

    def __init__(self, head, right=True, drop=None, flex=None, soft=None, keep='head'):
        self.head, self.right, self.drop = head, right, drop
        self.flex, self.soft, self.keep = flex, soft, keep


def fit_table(columns, rows, width, sep=' '):
    """Lines of @rows (lists of cell strings) under @columns that fit
    @width: name columns are first cut to their soft width, then
    columns dropped in their drop order, then names cut to their
    narrowest; a line that still does not fit is cut at @width.
    Returns (lines, the indexes of the columns shown)."""
    natural = [max([cell_width(c.head)] + [cell_width(r[i]) for r in rows])
               for i, c in enumerate(columns)]
    widths = list(natural)
    shown = list(range(len(columns)))

    def total():
        return sum(widths[i] for i in shown) + len(sep) * (len(shown) - 1)

    def shrink(attr):
        for i in shown:
            floor = getattr(columns[i], attr)
            if floor is not None and total() > width:
                widths[i] = max(min(floor, natural[i]), widths[i] - (total() - width))

    shrink('soft')
    for i in sorted((i for i in shown if columns[i].drop is not None),
                    key=lambda i: columns[i].drop):
        if total() <= width:
            break
        shown.remove(i)
    for i in shown:         # room left by a dropped column goes back to names
        if columns[i].flex is not None and total() < width:
            widths[i] = min(natural[i], widths[i] + width - total())
    shrink('flex')

    def line(cells, head=False):
        out = []
        for i in shown:
            c = columns[i]
            # a heading is cut at its end, whichever end of names stays
            text = cells[i] if c.flex is None else clip(cells[i], widths[i],
                                                        'head' if head else c.keep)
            out.append(pad(text, widths[i], c.right))
        text = sep.join(out).rstrip()
        return text if cell_width(text) <= width else clip(text, width)
    return ([line([c.head for c in columns], head=True)] + [line(r) for r in rows], shown)
