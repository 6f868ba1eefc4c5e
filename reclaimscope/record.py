# SPDX-License-Identifier: GPL-2.0
"""Record files: JSON lines of slim samples, written with a cap, read a line at
a time; and writing a file atomically."""

import json
import math
import os
import re
import sys
import tempfile
import time

from .errors import EXIT_BAD_DATA, RSError
from .tree import HISTOGRAM_FILES, NODE_FILES, REQUIRED, validate_tree
from .analysis import ORDER_KEY, shrinkers_by_name


def write_atomic(path, text):
    """Write @path via a temporary file in its directory and rename()."""
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix='.%s.' % os.path.basename(path), dir=directory)
    try:
        with os.fdopen(fd, 'w') as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise

# What a record line keeps of a sample: what plot draws and the diagnose
# rules read (diagnose --record), nothing else.  Per node file: its keys
# (zone keys in <file>.zone); the latency histogram of direct_reclaim only.
RECORD_KEEP = {
    'kswapd': ('wakeup_requests', 'wakes', 'sleeps', 'awake', 'awake_ns_total',
               'cpu_ns', 'failures', 'hopeless'),
    'balance_pgdat': ('calls', 'total_ns', 'max_ns', 'order_fallbacks', 'last_order',
                      'last_return_order'),
    'shrink_list': ('calls', 'total_ns', 'max_ns', 'nr_reclaimed', 'nr_dirty',
                    'nr_writeback', 'nr_congested', 'nr_activate_anon',
                    'nr_activate_file', 'nr_ref_keep', 'inactive_scanned_anon',
                    'inactive_scanned_file'),
    'direct_reclaim': ('stalls', 'completed', 'nr_reclaimed', 'total_ns', 'max_ns'),
    'compaction': ('runs', 'kcompactd_wakes', 'total_ns', 'max_ns'),
    'compaction.zone': ('deferred_events', 'defer_shift', 'order_failed', 'considered'),
    'watermarks': (),
    'watermarks.zone': ('free', 'min', 'low', 'high', 'boost'),
    'boost': ('boosted_zones',),
    'dirty': ('file_dirty', 'writeback', 'dirty_limit'),
    'memcg_reclaim': ('stalls', 'completed', 'nr_reclaimed', 'total_ns', 'max_ns'),
    'direct_compaction': ('stalls', 'completed', 'skipped', 'total_ns', 'max_ns'),
}

RECORD_HISTOGRAMS = ('direct_reclaim',)

RECORD_MAX_MB = 64.0            # record --max-mb default

VMSTAT_KEEP = re.compile(r'^(allocstall_|kswapd_(low|high)_wmark_hit_quickly$|pageoutrun$|'
                         r'workingset_(refault|activate)_)')

RECORD_REQUIRED = dict(REQUIRED, balance_pgdat=('calls', 'order_fallbacks'),
                       shrink_list=('calls', 'nr_reclaimed'),
                       compaction=('runs', 'kcompactd_wakes', 'total_ns'))


def slim_file(f, fname):
    keep = RECORD_KEEP[fname]
    out = {k: f[k] for k in keep if k in f}
    out.update({k: v for k, v in f.items() if k.startswith('result_') and v})
    zkeep = RECORD_KEEP.get(fname + '.zone', ())
    out['zones'] = {zone: {k: z[k] for k in zkeep if k in z}
                    for zone, z in f['zones'].items()} if zkeep else {}
    out['latency_us'] = f['latency_us'] if fname in RECORD_HISTOGRAMS else None
    return out


def slim_top(f, fname):
    """A top-level file a module may lack (None stays None): its
    RECORD_KEEP keys and direct_compaction's order<K>_* keys, no
    histogram."""
    if f is None:
        return None
    out = {k: f[k] for k in RECORD_KEEP[fname] if k in f}
    out.update({k: v for k, v in f.items() if ORDER_KEY.match(k)})
    out['zones'], out['latency_us'] = {}, None
    return out


def slim_sample(s):
    """A sample with only what plot and diagnose use: about 2 KB a line
    for two nodes instead of 14 KB (all of /proc/vmstat every time)."""
    vm = s['proc'].get('vmstat')
    nodes = []
    for n in s['nodes']:
        node = {'node': n['node']}
        for fname in NODE_FILES:
            node[fname] = slim_file(n[fname], fname)
        nv = n.get('vmstat')
        node['vmstat'] = None if nv is None else {
            k: v for k, v in nv.items() if VMSTAT_KEEP.match(k)}
        nodes.append(node)
    return {
        'version': s['version'],
        'hooks': [h for h in s['hooks'] if h['state'] != 'attached'],
        'shrinkers': [dict(name=name, **{k: v for k, v in row.items() if k != 'rows'})
                      for name, row in shrinkers_by_name(s['shrinkers']).items()],
        'direct_reclaim': slim_file(s['direct_reclaim'], 'direct_reclaim'),
        'memcg_reclaim': slim_top(s.get('memcg_reclaim'), 'memcg_reclaim'),
        'direct_compaction': slim_top(s.get('direct_compaction'), 'direct_compaction'),
        'demo_shrinker': None,
        'nodes': nodes,
        'proc': {'vmstat': None if vm is None else
                 {k: v for k, v in vm.items() if VMSTAT_KEEP.match(k)},
                 'zoneinfo': None, 'uptime': s['proc'].get('uptime'),
                 'pressure': s['proc'].get('pressure')},
        'since_load': s.get('since_load'),
        'lockdown': s.get('lockdown'),
        't': s['t'], 'clock': s['clock'], 'wall': s.get('wall'),
    }


def record_line(s):
    """One JSON line of a record file from a sample()."""
    if s.get('wall') is None:
        s = dict(s, wall=time.time())
    return json.dumps(dict(slim_sample(s), schema='reclaimscope.record', schema_version=2),
                      separators=(',', ':'))


class Recorder:
    """Appends lines to @path; past @max_bytes (0: no cap) the file is
    renamed to @path.1 (replacing an older one) and a new one begun, so
    the two never hold more than twice the cap."""

    def __init__(self, path, max_bytes):
        self.path, self.max_bytes = path, max_bytes
        self.rotations = 0
        self.f = self.open()

    def open(self):
        try:
            return open(self.path, 'w')
        except OSError as e:
            raise RSError('%s: %s' % (self.path, e.strerror or e), EXIT_BAD_DATA)

    def write(self, line):
        try:
            if self.max_bytes and self.f.tell() and \
                    self.f.tell() + len(line) + 1 > self.max_bytes:
                self.f.close()
                os.replace(self.path, self.path + '.1')
                self.rotations += 1
                self.f = self.open()
            self.f.write(line + '\n')
            self.f.flush()
        except OSError as e:
            raise RSError('%s: %s' % (self.path, e.strerror or e), EXIT_BAD_DATA)

    def close(self):
        self.f.close()


def check_record_sample(s, where):
    """A record line is a tree (validate_tree: version 2 keeps fewer keys)
    with a time."""
    t = s.get('t')
    if not isinstance(t, (int, float)) or isinstance(t, bool) or not math.isfinite(t):
        raise RSError('%s: no time "t"' % where, EXIT_BAD_DATA)
    wall = s.get('wall')
    if wall is not None and (not isinstance(wall, (int, float)) or isinstance(wall, bool)
                             or not math.isfinite(wall)):
        raise RSError('%s: "wall" is not a time' % where, EXIT_BAD_DATA)
    v2 = s.get('schema_version') == 2
    validate_tree(s, lambda rel: '%s: %s' % (where, rel or 'the tree'),
                  required=RECORD_REQUIRED if v2 else REQUIRED,
                  histograms=RECORD_HISTOGRAMS if v2 else HISTOGRAM_FILES)


def read_records(paths):
    """Yield the samples of record files @paths in order, one line at a
    time (a file is never held in memory).  A last line cut short (the
    recorder stopped mid-write) is skipped with a warning; any other bad
    line is an RSError."""
    for path in paths:
        try:
            f = open(path, 'rb')
        except OSError as e:
            raise RSError('%s: %s' % (path, e.strerror or e), EXIT_BAD_DATA)
        with f:
            lineno, pending = 0, None
            for raw in f:
                lineno += 1
                if pending is not None:
                    raise pending
                try:
                    line = raw.decode('utf-8')
                except UnicodeDecodeError:
                    raise RSError('%s:%d: not text (bytes that are not UTF-8)'
                                  % (path, lineno), EXIT_BAD_DATA)
                if not line.strip():
                    continue
                try:
                    s = json.loads(line)
                except ValueError as e:
                    pending = RSError('%s:%d: not JSON: %s' % (path, lineno, e),
                                      EXIT_BAD_DATA)
                    if not line.endswith('\n'):
                        break
                    continue
                if not isinstance(s, dict) or s.get('schema') != 'reclaimscope.record' \
                        or s.get('schema_version') not in (1, 2):
                    raise RSError('%s:%d: not a reclaimscope record (version 1 or 2)'
                                  % (path, lineno), EXIT_BAD_DATA)
                check_record_sample(s, '%s:%d' % (path, lineno))
                yield s
            if pending is not None:
                sys.stderr.write('reclaimscope: %s:%d: the last line is cut short (the '
                                 'recorder stopped while writing it): skipped\n'
                                 % (path, lineno))


def load_record(path):
    """Every sample of a record file, in time order."""
    samples = list(read_records([path]))
    if not samples:
        raise RSError('%s: no samples' % path, EXIT_BAD_DATA)
    return sorted(samples, key=lambda s: s['t'])
