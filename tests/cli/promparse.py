# SPDX-License-Identifier: GPL-2.0
"""A strict parser of the Prometheus text exposition format (0.0.4), for
the tests of "reclaimscope export --prometheus".

parse(text) returns {family name: Family} or raises ParseError.  Stricter
than Prometheus itself where node_exporter's textfile collector would be
right to complain, and where this project promises more:

- metric and label names follow the grammar; label values use only the
  escapes \\\\, \\" and \\n; values are Go floats (NaN, +Inf, -Inf too);
- "# HELP" and "# TYPE" at most once per family, before its samples;
  every family has both; a family's samples are contiguous;
- no two samples with the same name and label set;
- counters are named *_total and are not negative;
- histograms: per label set, _bucket samples with "le" in ascending
  order, non-decreasing (cumulative), ending with le="+Inf" equal to
  _count, and one _sum and one _count.
"""
import math
import re

METRIC_NAME = re.compile(r'[a-zA-Z_:][a-zA-Z0-9_:]*')
LABEL_NAME = re.compile(r'[a-zA-Z_][a-zA-Z0-9_]*')
FLOAT = re.compile(r'[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$')
TYPES = ('counter', 'gauge', 'histogram', 'summary', 'untyped')
SUFFIXES = {'histogram': ('_bucket', '_sum', '_count'),
            'summary': ('_sum', '_count', '')}


class ParseError(ValueError):
    pass


class Family:
    def __init__(self, name):
        self.name = name
        self.help = None
        self.type = None
        self.samples = []       # (sample name, labels dict, value)


def parse_value(text, lineno):
    if text in ('NaN', '+Inf', '-Inf', 'Inf'):
        return float(text)
    if not FLOAT.match(text):
        raise ParseError('line %d: bad value %r' % (lineno, text))
    return float(text)


def parse_labels(text, pos, lineno):
    """Labels from text[pos] == '{'; returns (dict, position after '}')."""
    labels = {}
    pos += 1
    while True:
        if text.startswith('}', pos):
            return labels, pos + 1
        m = LABEL_NAME.match(text, pos)
        if not m:
            raise ParseError('line %d: bad label name at %r' % (lineno, text[pos:]))
        name = m.group(0)
        if name.startswith('__'):
            raise ParseError('line %d: reserved label name %s' % (lineno, name))
        if name in labels:
            raise ParseError('line %d: label %s twice' % (lineno, name))
        pos = m.end()
        if not text.startswith('="', pos):
            raise ParseError('line %d: expected =" after %s' % (lineno, name))
        pos += 2
        value = []
        while True:
            if pos >= len(text):
                raise ParseError('line %d: unterminated label value' % lineno)
            ch = text[pos]
            if ch == '"':
                pos += 1
                break
            if ch == '\\':
                esc = text[pos + 1:pos + 2]
                if esc not in ('\\', '"', 'n'):
                    raise ParseError('line %d: bad escape \\%s' % (lineno, esc))
                value.append('\n' if esc == 'n' else esc)
                pos += 2
                continue
            if ch == '\n':
                raise ParseError('line %d: raw newline in label value' % lineno)
            value.append(ch)
            pos += 1
        labels[name] = ''.join(value)
        if text.startswith(',', pos):
            pos += 1
        elif not text.startswith('}', pos):
            raise ParseError('line %d: expected , or } after label %s' % (lineno, name))


def unescape_help(text, lineno):
    out, i = [], 0
    while i < len(text):
        if text[i] == '\\':
            esc = text[i + 1:i + 2]
            if esc not in ('\\', 'n'):
                raise ParseError('line %d: bad escape in HELP \\%s' % (lineno, esc))
            out.append('\n' if esc == 'n' else '\\')
            i += 2
        else:
            out.append(text[i])
            i += 1
    return ''.join(out)


def family_of(name, families):
    """The family a sample name belongs to (histogram suffixes stripped)."""
    for fam in families.values():
        for suffix in SUFFIXES.get(fam.type, ('',)):
            if name == fam.name + suffix:
                return fam
    return None


def parse(text):
    if text and not text.endswith('\n'):
        raise ParseError('the last line has no newline')
    families = {}
    closed = set()          # families whose samples have ended
    current = None
    series = set()
    for lineno, line in enumerate(text.split('\n')[:-1], 1):
        if not line.strip():
            continue
        if line.startswith('#'):
            parts = line.split(None, 3)
            if len(parts) >= 3 and parts[1] in ('HELP', 'TYPE'):
                name = parts[2]
                if not METRIC_NAME.fullmatch(name):
                    raise ParseError('line %d: bad metric name %r' % (lineno, name))
                if current is not None and current.name != name:
                    closed.add(current.name)
                    current = None
                fam = families.setdefault(name, Family(name))
                if fam.samples or name in closed:
                    raise ParseError('line %d: %s for %s after its samples'
                                     % (lineno, parts[1], name))
                rest = parts[3] if len(parts) == 4 else ''
                if parts[1] == 'HELP':
                    if fam.help is not None:
                        raise ParseError('line %d: second HELP for %s' % (lineno, name))
                    fam.help = unescape_help(rest, lineno)
                else:
                    if fam.type is not None:
                        raise ParseError('line %d: second TYPE for %s' % (lineno, name))
                    if rest not in TYPES:
                        raise ParseError('line %d: unknown type %r' % (lineno, rest))
                    fam.type = rest
            continue
        m = METRIC_NAME.match(line)
        if not m:
            raise ParseError('line %d: bad metric name in %r' % (lineno, line))
        name, pos = m.group(0), m.end()
        labels = {}
        if line.startswith('{', pos):
            labels, pos = parse_labels(line, pos, lineno)
        if not line.startswith(' ', pos):
            raise ParseError('line %d: expected a space before the value' % lineno)
        fields = line[pos + 1:].split(' ')
        if len(fields) not in (1, 2) or not fields[0]:
            raise ParseError('line %d: expected "value [timestamp]"' % lineno)
        value = parse_value(fields[0], lineno)
        if len(fields) == 2 and not re.fullmatch(r'-?[0-9]+', fields[1]):
            raise ParseError('line %d: bad timestamp %r' % (lineno, fields[1]))
        fam = family_of(name, families)
        if fam is None or fam.type is None or fam.help is None:
            raise ParseError('line %d: sample %s without HELP and TYPE before it'
                             % (lineno, name))
        if fam.name in closed:
            raise ParseError('line %d: samples of %s are not contiguous' % (lineno, fam.name))
        if current is not None and current is not fam:
            closed.add(current.name)
        current = fam
        key = (name, tuple(sorted(labels.items())))
        if key in series:
            raise ParseError('line %d: duplicate series %s%s' % (lineno, name, labels))
        series.add(key)
        fam.samples.append((name, labels, value))
    for fam in families.values():
        check_family(fam)
    return families


def check_family(fam):
    if fam.type is None or fam.help is None:
        raise ParseError('%s: HELP or TYPE missing' % fam.name)
    if fam.type == 'counter':
        if not fam.name.endswith('_total'):
            raise ParseError('counter %s does not end in _total' % fam.name)
        for name, labels, value in fam.samples:
            if value < 0 or math.isnan(value):
                raise ParseError('counter %s%s is %r' % (name, labels, value))
    if fam.type == 'histogram':
        check_histogram(fam)


def check_histogram(fam):
    groups = {}
    for name, labels, value in fam.samples:
        suffix = name[len(fam.name):]
        rest = tuple(sorted((k, v) for k, v in labels.items() if k != 'le'))
        g = groups.setdefault(rest, {'buckets': [], '_sum': None, '_count': None})
        if suffix == '_bucket':
            if 'le' not in labels:
                raise ParseError('%s: bucket without le' % fam.name)
            g['buckets'].append((labels['le'], value))
        else:
            if 'le' in labels:
                raise ParseError('%s%s has an le label' % (fam.name, suffix))
            g[suffix] = value
    for rest, g in groups.items():
        where = '%s%s' % (fam.name, dict(rest))
        if g['_sum'] is None or g['_count'] is None:
            raise ParseError('%s: _sum or _count missing' % where)
        if not g['buckets'] or g['buckets'][-1][0] != '+Inf':
            raise ParseError('%s: no le="+Inf" bucket last' % where)
        prev_le, prev_v = -math.inf, 0
        for le, v in g['buckets']:
            bound = parse_value(le, 0) if le != '+Inf' else math.inf
            if not bound > prev_le:
                raise ParseError('%s: le %s not ascending' % (where, le))
            if v < prev_v:
                raise ParseError('%s: bucket le=%s decreases (%r < %r)' % (where, le, v, prev_v))
            prev_le, prev_v = bound, v
        if g['buckets'][-1][1] != g['_count']:
            raise ParseError('%s: +Inf bucket %r != _count %r'
                             % (where, g['buckets'][-1][1], g['_count']))
