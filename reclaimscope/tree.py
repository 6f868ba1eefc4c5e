# SPDX-License-Identifier: GPL-2.0
"""Reading and validating the tree: the live debugfs directory or a copy, the host's
/proc and node vmstat files, parsed into plain dicts and checked once."""

import errno
import os
import re
import time

from .errors import (
    EXIT_ABI, EXIT_BAD_DATA, EXIT_NOT_LOADED, EXIT_NO_DEBUGFS, EXIT_PERMISSION,
    RSError)


DEFAULT_ROOT = '/sys/kernel/debug/reclaimscope'

PROC_DIR = '/proc'

NODE_SYSFS = '/sys/devices/system/node'     # node<N>/vmstat: per-node counters

DEBUGFS_DIR = '/sys/kernel/debug'

PROC_MOUNTS = '/proc/mounts'

LOCKDOWN = '/sys/kernel/security/lockdown'

COPY_LOCKDOWN = os.path.join('security', 'lockdown')     # in a copy (--root DIR)

KNOWN_ABIS = (1,)

# Latency histograms: 21 buckets "at most 2^i us" and one overflow bucket.
HIST_LAST_US = 1 << 20

HIST_KEYS = (['latency_us_le_%d' % (1 << i) for i in range(21)] +
             ['latency_us_gt_%d' % HIST_LAST_US])

OVERFLOW = len(HIST_KEYS) - 1

NODE_FILES = ('kswapd', 'balance_pgdat', 'shrink_list', 'direct_reclaim',
              'compaction', 'watermarks', 'boost', 'dirty')

TABLE_FILES = ('hooks', 'shrinkers')

# Files a module may lack (older modules and kernels): each is None in the
# tree when absent, and whatever reads it leaves its part out.
TOP_FILES = ('memcg_reclaim', 'direct_compaction')

# The "who pays" tables: a header line, then rows, slowest first, the last
# the overflow row.  Columns are found by the header's names; other
# columns are ignored, and a count column a module does not print counts
# as absent (read as 0).  Names (comm, cgroup) have space, tab, newline and
# backslash escaped as \ooo octal (as /proc/mounts), so fields are split
# at spaces and tabs only, and lines at newlines only.
TASK_IDS = ('pid', 'comm', 'cgroup')

TASK_COUNTS = ('direct_stalls', 'direct_ns', 'memcg_stalls', 'memcg_ns', 'compact_stalls',
               'compact_ns', 'throttled', 'throttled_ns', 'max_ns', 'nr_reclaimed')

CGROUP_IDS = ('cgroup',)

CGROUP_COUNTS = ('memcg_stalls', 'memcg_ns', 'memcg_reclaimed', 'direct_stalls', 'direct_ns',
                 'compact_stalls', 'compact_ns', 'throttled', 'throttled_ns', 'max_ns')

WHO_TABLES = {'tasks': (TASK_IDS, TASK_COUNTS), 'cgroups': (CGROUP_IDS, CGROUP_COUNTS)}

# Reclaim contexts of shrink_list's and shrinkers' optional per-context keys
# (<context>_calls, <context>_ns).
CONTEXTS = ('kswapd', 'direct', 'memcg', 'other')

CGROUP_FS = '/sys/fs/cgroup'

THP_DIR = '/sys/kernel/mm/transparent_hugepage'

CGROUP_WALK_MAX = 20000         # directories looked at to resolve id:<N> names

ZONE_KEY = re.compile(r'^([A-Za-z][A-Za-z0-9]*)\.([a-z0-9_]+)$')

NODE_DIR = re.compile(r'^node(\d+)$')

# Data layer: find the tree, read its files into dicts.


def debugfs_mountpoints(text):
    """Where the /proc/mounts text @text has a debugfs mounted (octal
    escapes such as \\040 left as they are)."""
    return [fields[1] for fields in map(str.split, text.splitlines())
            if len(fields) >= 3 and fields[2] == 'debugfs']


def debugfs_mounted():
    """True when a debugfs is mounted on DEBUGFS_DIR, per PROC_MOUNTS (or,
    when that cannot be read, when DEBUGFS_DIR is not empty)."""
    try:
        with open(PROC_MOUNTS, encoding='utf-8', errors='replace') as f:
            return DEBUGFS_DIR in debugfs_mountpoints(f.read())
    except OSError:
        try:
            return bool(os.listdir(DEBUGFS_DIR))
        except OSError:
            return False


class Source:
    """Where the files come from: the live debugfs directory or a copy.

    proc_dir is the directory holding vmstat, zoneinfo and uptime, or None
    when there is none (a copy without proc/).  uptime_clock says whether
    sample times come from proc_dir/uptime (copies) or time.monotonic().
    """

    def __init__(self, root, proc_dir, uptime_clock, node_dir=None, cgroup_dir=None,
                 thp_dir=None):
        self.root = root
        self.proc_dir = proc_dir
        self.uptime_clock = uptime_clock
        self.node_dir = node_dir        # holds node<N>/vmstat, or None
        self.cgroup_dir = cgroup_dir    # the cgroup v2 hierarchy (or a copy), or None
        self.thp_dir = thp_dir          # transparent_hugepage/ (or a copy), or None
        self.seen = False               # a whole tree has been read from it
        self.cgroup_ids = None          # live: {id: path} of a walk of cgroup_dir
        self.cgroup_gone = set()        # live: ids the last walk did not find

    def path(self, rel):
        return os.path.join(self.root, rel)

    def read(self, rel, errors='strict', newline=None):
        path = os.path.join(self.root, rel)
        try:
            with open(path, encoding='utf-8', errors=errors, newline=newline) as f:
                return f.read()
        except UnicodeDecodeError:
            raise RSError('%s: not text (bytes that are not UTF-8)' % path, EXIT_BAD_DATA)
        except PermissionError:
            raise RSError('%s: permission denied: the reclaimscope files are '
                          'readable by root only (run as root, e.g. with sudo)'
                          % path, EXIT_PERMISSION)
        except OSError as e:
            raise self.error(path, e)

    def error(self, path, e):
        """The RSError for an OSError @e on @path.  The module was unloaded
        (exit 4) when the root is gone; or when a file that was there at
        an earlier reading (or, live, the version file) is gone or refuses
        reads: rmmod removes the tree file by file, and an open file of a
        removed debugfs tree reads ENODEV or EIO.  Else a bad or missing
        file (exit 7)."""
        gone = e.errno in (errno.ENOENT, errno.ENODEV, errno.EIO)
        if not os.path.isdir(self.root) or (gone and (
                self.seen or (not self.uptime_clock and
                              not os.path.exists(os.path.join(self.root, 'version'))))):
            return RSError('%s: gone: the reclaimscope module was unloaded (%s: %s)'
                           % (self.root, path, e.strerror or e), EXIT_NOT_LOADED)
        return RSError('%s: %s' % (path, e.strerror or e), EXIT_BAD_DATA)

    def exists(self, rel):
        return os.path.exists(os.path.join(self.root, rel))

    def since_load(self, uptime):
        """How long ago the module was loaded: {'seconds', 'exact'}.  Live:
        from the modification time of its directory, which debugfs sets
        when the module makes it (a reset is not dated: after one, the
        counters count from the reset).  A copy: its proc/uptime, an upper
        bound (the module was loaded after boot); seconds is None when
        the copy has no proc/uptime."""
        if not self.uptime_clock:
            try:
                ago = time.time() - os.stat(self.root).st_mtime
            except OSError:
                ago = None
            if ago is not None and ago >= 0:
                return {'seconds': ago, 'exact': True}
        return {'seconds': uptime, 'exact': False}

    def lockdown_path(self):
        """Where the kernel's lockdown mode is read: LOCKDOWN live,
        DIR/security/lockdown in a copy."""
        return os.path.join(self.root, COPY_LOCKDOWN) if self.uptime_clock else LOCKDOWN

    def lockdown(self):
        """The kernel's lockdown mode ('none', 'integrity', ...), or None
        when unknown: securityfs not mounted, or a copy without
        security/lockdown."""
        try:
            with open(self.lockdown_path(), encoding='utf-8') as f:
                return parse_lockdown(f.read())
        except (OSError, UnicodeDecodeError):
            return None

    def node_ids(self):
        try:
            names = os.listdir(self.root)
        except OSError as e:
            raise self.error(self.root, e)
        return sorted(int(m.group(1)) for m in map(NODE_DIR.match, names) if m)

    def read_proc(self, name, optional=False):
        """The text of a /proc file, or None when this source has none
        (@optional: nor when it cannot be read, as pressure/memory when
        PSI is disabled: EOPNOTSUPP)."""
        if self.proc_dir is None:
            return None
        try:
            with open(os.path.join(self.proc_dir, name), encoding='utf-8') as f:
                return f.read()
        except UnicodeDecodeError:
            raise RSError('%s/%s: not text (bytes that are not UTF-8)' % (self.proc_dir, name),
                          EXIT_BAD_DATA)
        except FileNotFoundError:
            return None
        except OSError as e:
            if optional:
                return None
            raise RSError('%s/%s: %s' % (self.proc_dir, name, e.strerror or e),
                          EXIT_BAD_DATA)

    def read_node_vmstat(self, nid):
        """The text of node<nid>/vmstat (live: NODE_SYSFS; a copy:
        DIR/sys/devices/system/node), or None when there is none."""
        if self.node_dir is None:
            return None
        try:
            path = os.path.join(self.node_dir, 'node%d' % nid, 'vmstat')
            with open(path, encoding='utf-8') as f:
                return f.read()
        except UnicodeDecodeError:
            raise RSError('%s: not text (bytes that are not UTF-8)' % path, EXIT_BAD_DATA)
        except OSError:
            return None

    def cgroup_path(self, label):
        """The directory of cgroup @label ('/', '/a/b' or, live only,
        'id:<N>' found by its inode number), or None."""
        if self.cgroup_dir is None:
            return None
        if label.startswith('id:'):
            path = self.resolve_cgroup_id(label)
            if path is None:
                return None
            label = path
        parts = [p for p in label.split('/') if p]
        if not label.startswith('/') or any(p in ('.', '..') for p in parts):
            return None
        return os.path.join(self.cgroup_dir, *parts)

    def resolve_cgroup_ids(self, labels):
        """{'id:<N>': '/a/b'} for the labels of @labels the live system
        can name: the directory under the cgroup v2 hierarchy whose inode
        number is N (a cgroup's id is its kernfs inode number on 64-bit
        kernels).  Nothing for a copy (its inode numbers mean nothing).
        The hierarchy is walked (at most CGROUP_WALK_MAX directories) only
        when a label is new to this Source; an id the walk did not find
        is not looked for again (the cgroup was removed: ids are never
        reused)."""
        if self.uptime_clock or self.cgroup_dir is None:
            return {}
        wants = {}
        for label in labels:
            if label.startswith('id:') and DIGITS.fullmatch(label[3:]):
                wants[label] = int(label[3:])
        new = [n for n in wants.values()
               if n not in self.cgroup_gone and n not in (self.cgroup_ids or {})]
        if new:
            self.cgroup_ids = walk_cgroup_ids(self.cgroup_dir)
            self.cgroup_gone.update(n for n in new if n not in self.cgroup_ids)
        return {label: self.cgroup_ids[n] for label, n in wants.items()
                if n in (self.cgroup_ids or {})}

    def resolve_cgroup_id(self, label):
        """The path of cgroup 'id:<N>' (resolve_cgroup_ids), or None."""
        return self.resolve_cgroup_ids([label]).get(label)

    def cgroup_file(self, label, name):
        """The text of file @name of cgroup @label, or None (no such
        cgroup, no such file, unreadable: a cgroup may go at any time)."""
        directory = self.cgroup_path(label)
        if directory is None:
            return None
        try:
            with open(os.path.join(directory, name), encoding='utf-8') as f:
                return f.read()
        except (OSError, UnicodeDecodeError):
            return None

    def thp(self):
        """{'defrag': the selected word of transparent_hugepage/defrag,
        'hpage_pmd_size': bytes}; each None when unknown."""
        out = {'defrag': None, 'hpage_pmd_size': None}
        if self.thp_dir is None:
            return out
        for name in out:
            try:
                with open(os.path.join(self.thp_dir, name), encoding='utf-8') as f:
                    text = f.read()
            except (OSError, UnicodeDecodeError):
                continue
            if name == 'defrag':
                m = re.search(r'\[([a-z+]+)\]', text)
                out[name] = m.group(1) if m else None
            elif text.strip().isdigit():
                out[name] = int(text.strip())
        return out


def walk_cgroup_ids(top, limit=CGROUP_WALK_MAX):
    """{inode number: '/path'} of the directories under @top (itself '/')."""
    out = {}
    try:
        out[os.stat(top).st_ino] = '/'
    except OSError:
        return out
    todo, seen = [(top, '')], 0
    while todo and seen < limit:
        directory, rel = todo.pop()
        try:
            entries = list(os.scandir(directory))
        except OSError:
            continue
        for e in entries:
            try:
                if not e.is_dir(follow_symlinks=False):
                    continue
                out[e.inode()] = rel + '/' + e.name
            except OSError:
                continue
            seen += 1
            todo.append((e.path, rel + '/' + e.name))
    return out


def live_cgroup_dir():
    """The cgroup v2 hierarchy: /sys/fs/cgroup, or its unified/ on a
    hybrid system; None without one."""
    for d in (CGROUP_FS, os.path.join(CGROUP_FS, 'unified')):
        if os.path.exists(os.path.join(d, 'cgroup.controllers')):
            return d
    return None


def parse_lockdown(text):
    """The mode in brackets of a lockdown file ("none [integrity]
    confidentiality"), or None."""
    m = re.search(r'\[(\w+)\]', text)
    return m.group(1) if m else None


def open_source(root=None):
    """A Source for --root @root, or for the live tree, or an RSError."""
    if root is not None:
        if not os.path.isdir(root):
            raise RSError('%s: no such directory' % root, EXIT_NOT_LOADED)
        proc = os.path.join(root, 'proc')
        nodes = os.path.join(root, 'sys', 'devices', 'system', 'node')
        cgroups = os.path.join(root, 'sys', 'fs', 'cgroup')
        thp = os.path.join(root, 'sys', 'kernel', 'mm', 'transparent_hugepage')
        return Source(root, proc if os.path.isdir(proc) else None, True,
                      nodes if os.path.isdir(nodes) else None,
                      cgroups if os.path.isdir(cgroups) else None,
                      thp if os.path.isdir(thp) else None)
    try:
        os.stat(DEFAULT_ROOT)
        return Source(DEFAULT_ROOT, PROC_DIR, False, NODE_SYSFS, live_cgroup_dir(), THP_DIR)
    except PermissionError:
        raise RSError('%s: permission denied: debugfs is readable by root only '
                      '(run as root, e.g. with sudo)' % DEBUGFS_DIR, EXIT_PERMISSION)
    except FileNotFoundError:
        pass
    if not debugfs_mounted():
        raise RSError('debugfs is not mounted on %s (mount -t debugfs none %s)'
                      % (DEBUGFS_DIR, DEBUGFS_DIR), EXIT_NO_DEBUGFS)
    raise RSError('the reclaimscope module is not loaded: %s does not exist '
                  '(insmod reclaimscope.ko)' % DEFAULT_ROOT, EXIT_NOT_LOADED)


def parse_kv(text, name, numeric=True):
    """"key value" lines into a dict; values int (or str when not numeric)."""
    out = {}
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        parts = line.split(None, 1)
        if len(parts) != 2:
            raise RSError('%s:%d: not a "key value" line: %r' % (name, lineno, line),
                          EXIT_BAD_DATA)
        key, value = parts[0], parts[1].strip()
        try:
            out[key] = int(value)
        except ValueError:
            if numeric:
                raise RSError('%s:%d: %s is not a number: %r' % (name, lineno, key, value),
                              EXIT_BAD_DATA)
            out[key] = value
    return out


def parse_table(text, name):
    """A header line and rows of whitespace-separated columns: dicts."""
    lines = [l for l in text.splitlines() if l.strip()]
    if not lines:
        raise RSError('%s: empty, expected a header line' % name, EXIT_BAD_DATA)
    header = lines[0].split()
    rows = []
    for lineno, line in enumerate(lines[1:], 2):
        cols = line.split()
        if len(cols) != len(header):
            raise RSError('%s:%d: %d columns, header has %d' %
                          (name, lineno, len(cols), len(header)), EXIT_BAD_DATA)
        row = {}
        for key, value in zip(header, cols):
            try:
                row[key] = int(value)
            except ValueError:
                row[key] = value
        rows.append(row)
    return rows


OCTAL = re.compile(br'\\([0-7]{3})')

FIELD_SEP = re.compile(r'[ \t]+')

DIGITS = re.compile(r'[0-9]+')


def unescape_name(text):
    """A name as the module prints it (\\ooo octal escapes, bytes that are
    not UTF-8 kept by surrogateescape) as text: escapes undone, bytes
    that are not UTF-8 shown as \\xNN."""
    raw = OCTAL.sub(lambda m: bytes([int(m.group(1), 8) & 0xff]),
                    text.encode('utf-8', 'surrogateescape'))
    return raw.decode('utf-8', 'backslashreplace')


def parse_who_table(text, name, ids, counts):
    """A tasks or cgroups table: rows as dicts of the columns named in
    @ids (text: pid a number or '-') and @counts (whole numbers >= 0)
    that the header has; other columns are ignored."""
    lines = [l for l in text.split('\n') if l.strip(' \t')]
    if not lines:
        raise RSError('%s: empty, expected a header line' % name, EXIT_BAD_DATA)
    header = FIELD_SEP.split(lines[0].strip(' \t'))
    for col in ids:
        if col not in header:
            raise RSError('%s: no column %s in the header' % (name, col), EXIT_BAD_DATA)
    wanted = [(i, col) for i, col in enumerate(header) if col in ids or col in counts]
    rows = []
    for lineno, line in enumerate(lines[1:], 2):
        cols = FIELD_SEP.split(line.strip(' \t'))
        if len(cols) != len(header):
            raise RSError('%s:%d: %d columns, header has %d' %
                          (name, lineno, len(cols), len(header)), EXIT_BAD_DATA)
        row = {}
        for i, col in wanted:
            value = cols[i]
            if col in counts or (col == 'pid' and value != '-'):
                if not DIGITS.fullmatch(value):
                    raise RSError('%s:%d: %s is not a count: %r' % (name, lineno, col, value),
                                  EXIT_BAD_DATA)
                row[col] = int(value)
            else:
                row[col] = unescape_name(value)
        rows.append(row)
    return rows


def split_file(kv, name='file'):
    """Group a node file's keys: scalars stay, <Zone>.<field> keys go to
    'zones' ({zone: {field: value}}, in file order), the 22 latency keys to
    'latency_us' (a list of bucket counts, None when the file has none)."""
    out = {'zones': {}, 'latency_us': None}
    hist = {}
    for key, value in kv.items():
        m = ZONE_KEY.match(key)
        if m:
            out['zones'].setdefault(m.group(1), {})[m.group(2)] = value
        elif key.startswith('latency_us_'):
            hist[key] = value
        else:
            out[key] = value
    if hist:
        missing = [k for k in HIST_KEYS if k not in hist]
        if missing or len(hist) != len(HIST_KEYS):
            raise RSError('%s: histogram keys %s do not match the 22 log2 buckets'
                          % (name, ', '.join(sorted(set(hist) ^ set(HIST_KEYS)))),
                          EXIT_BAD_DATA)
        out['latency_us'] = [hist[k] for k in HIST_KEYS]
    return out


def parse_zoneinfo(text, name='zoneinfo'):
    """/proc/zoneinfo into [{node, zone, free, boost, min, low, high, ...,
    node_unreclaimable}], populated and unpopulated zones alike."""
    zones = []
    cur = None
    head = re.compile(r'^Node\s+(\d+),\s+zone\s+(\S+)')
    for line in text.splitlines():
        m = head.match(line)
        if m:
            cur = {'node': int(m.group(1)), 'zone': m.group(2)}
            zones.append(cur)
            continue
        if cur is None:
            continue
        fields = line.split()
        if fields[:2] == ['pages', 'free'] and len(fields) == 3:
            cur['free'] = int(fields[2])
        elif len(fields) == 2 and fields[0].rstrip(':') in (
                'boost', 'min', 'low', 'high', 'spanned', 'present', 'managed',
                'node_unreclaimable') and fields[1].isdigit():
            key = fields[0].rstrip(':')
            if key == 'node_unreclaimable' or not fields[0].endswith(':'):
                cur.setdefault(key, int(fields[1]))
    return zones


def parse_uptime(text, name='uptime'):
    try:
        value = float(text.split()[0])
    except (IndexError, ValueError):
        value = None
    if value is None or not 0 <= value < float('inf'):
        raise RSError('%s: not a number of seconds: %r' % (name, text[:40]), EXIT_BAD_DATA)
    return value

PSI_KEYS = ('avg10', 'avg60', 'avg300', 'total')


def parse_psi(text, name='pressure/memory'):
    """/proc/pressure/memory: {'some': {'avg10', 'avg60', 'avg300' (percent),
    'total_us'}, 'full': {...}} ('full' None on kernels without it)."""
    out = {'some': None, 'full': None}
    for lineno, line in enumerate(text.splitlines(), 1):
        words = line.split()
        if not words:
            continue
        if words[0] not in out or len(words) != 5:
            raise RSError('%s:%d: not a "some|full avg10=.. avg60=.. avg300=.. total=.." '
                          'line: %r' % (name, lineno, line[:80]), EXIT_BAD_DATA)
        entry = {}
        for word in words[1:]:
            key, _, value = word.partition('=')
            try:
                entry[key] = int(value) if key == 'total' else float(value)
            except ValueError:
                entry[key] = None
            if key not in PSI_KEYS or entry[key] is None or not 0 <= entry[key] < 1e300:
                raise RSError('%s:%d: bad %r' % (name, lineno, word), EXIT_BAD_DATA)
        entry['total_us'] = entry.pop('total')
        out[words[0]] = entry
    if out['some'] is None:
        raise RSError('%s: no "some" line' % name, EXIT_BAD_DATA)
    return out

# The host files of a tree: key in tree['proc'], file under the proc
# directory (live /proc, a copy DIR/proc), parser, optional (unreadable
# is absent).
PROC_FILES = {'vmstat': ('vmstat', lambda text, name='vmstat': parse_kv(text, name), False),
              'zoneinfo': ('zoneinfo', parse_zoneinfo, False),
              'uptime': ('uptime', parse_uptime, False),
              'pressure': ('pressure/memory', parse_psi, True)}

SAMPLE_PROC = ('vmstat', 'uptime', 'pressure')


def read_version(source):
    version = parse_kv(source.read('version'), source.path('version'), numeric=False)
    abi = version.get('abi')
    if abi is None:
        raise RSError('%s: no key abi (every version file has it)' % source.path('version'),
                      EXIT_BAD_DATA)
    if abi not in KNOWN_ABIS:
        raise RSError('%s: module abi %s, this tool knows abi %s only: use the '
                      'reclaimscope tool that came with the module'
                      % (source.root, abi, ', '.join(map(str, KNOWN_ABIS))), EXIT_ABI)
    return version


def read_cgroup_files(source, label):
    """What the cgroup hierarchy (live, or a copy's DIR/sys/fs/cgroup) says
    of cgroup @label: {'events': memory.events, 'pressure': memory.pressure
    (as parse_psi), 'max', 'high' ('max' or bytes), 'current' (bytes)},
    each None when it cannot be read; None when the cgroup's directory is
    not there (removed, a root without the files, not in the copy).  A
    cgroup can go at any moment: nothing here is bad data."""
    directory = source.cgroup_path(label)
    if directory is None or not os.path.isdir(directory):
        return None
    out = {'events': None, 'pressure': None, 'max': None, 'high': None, 'current': None}
    text = source.cgroup_file(label, 'memory.events')
    if text is not None:
        try:
            out['events'] = parse_kv(text, 'memory.events')
        except RSError:
            pass
    text = source.cgroup_file(label, 'memory.pressure')
    if text is not None:
        try:
            out['pressure'] = parse_psi(text, 'memory.pressure')
        except RSError:
            pass
    for key in ('max', 'high', 'current'):
        text = source.cgroup_file(label, 'memory.' + key)
        word = text.strip() if text is not None else ''
        if word == 'max' and key != 'current':
            out[key] = 'max'
        elif DIGITS.fullmatch(word):
            out[key] = int(word)
    return out


def read_tree(source, proc=PROC_FILES, cgroup_files=True):
    """Every file of the tree as dicts (shape in the doc, "export --json");
    of the /proc files, those named in @proc; with @cgroup_files, the
    memory.* files of each cgroup of the cgroups table.  Validated
    (validate_tree)."""
    version = read_version(source)

    def kv_file(rel):
        path = source.path(rel)
        return split_file(parse_kv(source.read(rel), path), path)

    tree = {
        'version': version,
        'hooks': parse_table(source.read('hooks'), source.path('hooks')),
        'shrinkers': parse_table(source.read('shrinkers'), source.path('shrinkers')),
        'direct_reclaim': kv_file('direct_reclaim'),
        'demo_shrinker': None,
        'nodes': [],
        'proc': {'vmstat': None, 'zoneinfo': None, 'uptime': None, 'pressure': None},
    }
    if source.exists('demo_shrinker/stats'):
        tree['demo_shrinker'] = parse_kv(source.read('demo_shrinker/stats'),
                                         source.path('demo_shrinker/stats'))
    for nid in source.node_ids():
        node = {'node': nid}
        for name in NODE_FILES:
            node[name] = kv_file('node%d/%s' % (nid, name))
        text = source.read_node_vmstat(nid)
        node['vmstat'] = None if text is None else parse_kv(
            text, os.path.join(source.node_dir, 'node%d' % nid, 'vmstat'))
        tree['nodes'].append(node)
    if not tree['nodes']:
        raise RSError('%s: no node<N> directories' % source.root, EXIT_BAD_DATA)
    for name in TOP_FILES:
        tree[name] = kv_file(name) if source.exists(name) else None
    for name, (ids, counts) in WHO_TABLES.items():
        tree[name] = parse_who_table(source.read(name, 'surrogateescape', newline=''),
                                     source.path(name), ids, counts) \
            if source.exists(name) else None
    labels = []
    for name in WHO_TABLES:
        for row in tree[name] or ():
            if row['cgroup'] not in labels and row['cgroup'] not in ('other', '-'):
                labels.append(row['cgroup'])
    tree['cgroup_paths'] = source.resolve_cgroup_ids(labels)
    tree['cgroup_files'] = {}
    if cgroup_files:
        for row in tree['cgroups'] or ():
            if row['cgroup'] != 'other' and row['cgroup'] not in tree['cgroup_files']:
                tree['cgroup_files'][row['cgroup']] = read_cgroup_files(source, row['cgroup'])
    tree['thp'] = source.thp()
    tree['lockdown'] = source.lockdown()
    for name in proc:
        rel, parser, optional = PROC_FILES[name]
        text = source.read_proc(rel, optional)
        if text is not None:
            tree['proc'][name] = parser(text, os.path.join(source.proc_dir, rel))
    validate_tree(tree, lambda rel: os.path.join(source.root, rel))
    tree['since_load'] = source.since_load(tree['proc']['uptime'])
    source.seen = True
    return tree

# What the tool needs of each file of abi 1: keys every such file has.
# Other keys are optional (absent on some kernels, or added later).
REQUIRED = {
    'kswapd': ('wakeup_requests', 'wakes', 'sleeps', 'awake', 'failures', 'hopeless'),
    'balance_pgdat': ('calls', 'total_ns', 'max_ns', 'order_fallbacks'),
    'shrink_list': ('calls', 'total_ns', 'max_ns', 'nr_reclaimed'),
    'direct_reclaim': ('stalls', 'completed', 'nr_reclaimed', 'total_ns', 'max_ns'),
    'compaction': ('runs', 'kcompactd_wakes', 'total_ns', 'max_ns'),
    'watermarks': (),
    'boost': (),
    'dirty': (),
}

HISTOGRAM_FILES = ('balance_pgdat', 'shrink_list', 'direct_reclaim', 'compaction',
                   'memcg_reclaim', 'direct_compaction')

ZONE_REQUIRED = {'watermarks': ('free', 'min', 'low', 'high')}

HOOK_COLUMNS = ('name', 'kind', 'state', 'hits', 'missed')

SHRINKER_COLUMNS = ('name', 'calls', 'cache_items', 'delta_total', 'total_scan_total',
                    'freed_total', 'deferred', 'total_ns', 'max_ns')


def is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def validate_rows(rows, name, columns, where):
    """Check the rows of the table file @name (hooks, shrinkers): each has
    @columns, name, kind and state words, the others whole numbers; else
    an RSError (exit 7) naming the file (where(rel)) and the line."""
    def bad(rel, what):
        raise RSError('%s: %s' % (where(rel), what), EXIT_BAD_DATA)

    if not isinstance(rows, list):
        bad(name, 'missing')
    for i, row in enumerate(rows, 2):
        rel = '%s line %d' % (name, i)
        if not isinstance(row, dict):
            bad(rel, 'not a row')
        for col in columns:
            if col not in row:
                bad(name, 'no column %s' % col)
            if col not in ('name', 'kind', 'state') and not is_int(row[col]):
                bad(rel, '%s is not a whole number: %r' % (col, row[col]))
            if col in ('name', 'kind', 'state') and not isinstance(row[col], str):
                bad(rel, '%s is not a word: %r' % (col, row[col]))


def validate_tree(tree, where, required=None, histograms=HISTOGRAM_FILES):
    """Check once, after reading, that the tree has every key the tool
    uses, with a number where one is needed; else an RSError (exit 7)
    naming the file (where(rel) gives its name) and the key.  Trees from
    JSON (record files) are checked by the same rules."""
    def bad(rel, what):
        raise RSError('%s: %s' % (where(rel), what), EXIT_BAD_DATA)

    def need(d, rel, keys, kind='file'):
        if not isinstance(d, dict) or not (set(d) - {'zones', 'latency_us'} or d.get('zones')):
            bad(rel, 'empty: no key value lines')
        for key in keys:
            if key not in d:
                bad(rel, 'no key %s (every abi 1 %s has it)' % (key, kind))
            if not is_int(d[key]):
                bad(rel, '%s is not a whole number: %r' % (key, d[key]))

    def numbers(d, rel):
        for key, v in d.items():
            if key in ('zones', 'latency_us') or is_int(v):
                continue
            bad(rel, '%s is not a whole number: %r' % (key, v))

    if not isinstance(tree, dict):
        bad('', 'not a tree')
    for name, columns in (('hooks', HOOK_COLUMNS), ('shrinkers', SHRINKER_COLUMNS)):
        validate_rows(tree.get(name), name, columns, where)
    required = REQUIRED if required is None else required
    dr = tree.get('direct_reclaim')
    need(dr, 'direct_reclaim', required['direct_reclaim'])
    if dr.get('latency_us') is None:
        bad('direct_reclaim', 'no latency_us_* histogram')
    nodes = tree.get('nodes')
    if not isinstance(nodes, list) or not nodes:
        bad('', 'no node<N> directories')
    for node in nodes:
        if not isinstance(node, dict) or not is_int(node.get('node')):
            bad('', 'a node without a number')
        for fname, keys in required.items():
            rel = 'node%d/%s' % (node['node'], fname)
            f = node.get(fname)
            need(f, rel, keys)
            numbers(f, rel)
            hist = f.get('latency_us')
            if fname in histograms:
                if not isinstance(hist, list) or len(hist) != len(HIST_KEYS) or \
                        not all(is_int(c) and c >= 0 for c in hist):
                    bad(rel, 'no latency_us_* histogram of %d buckets' % len(HIST_KEYS))
            zones = f.get('zones', {})
            if not isinstance(zones, dict):
                bad(rel, 'zones are not a mapping')
            for zone, fields in zones.items():
                if not isinstance(fields, dict):
                    bad(rel, 'zone %s is not a mapping' % zone)
                for key in ZONE_REQUIRED.get(fname, ()):
                    if not is_int(fields.get(key)):
                        bad(rel, 'no key %s.%s (zone %s has other %s keys)'
                            % (zone, key, zone, fname))
                numbers(fields, rel)
        if not node['watermarks'].get('zones'):
            bad('node%d/watermarks' % node['node'], 'no <Zone>.free keys: no zone')
        nv = node.get('vmstat')
        if nv is not None and (not isinstance(nv, dict) or
                               not all(is_int(x) for x in nv.values())):
            bad('node%d/vmstat' % node['node'], 'not key value numbers')
    validate_optional(tree, bad, need, numbers, histograms)
    proc = tree.get('proc')
    if not isinstance(proc, dict):
        bad('proc', 'missing')
    vm = proc.get('vmstat')
    if vm is not None and (not isinstance(vm, dict) or not all(is_int(x) for x in vm.values())):
        bad('proc/vmstat', 'not key value numbers')
    psi = proc.get('pressure')
    if psi is not None:
        ok = isinstance(psi, dict) and isinstance(psi.get('some'), dict)
        for kind in ('some', 'full'):
            e = psi.get(kind) if isinstance(psi, dict) else None
            if e is not None and not (isinstance(e, dict) and all(
                    isinstance(e.get(k), (int, float)) and not isinstance(e.get(k), bool)
                    for k in ('avg10', 'avg60', 'avg300', 'total_us'))):
                ok = False
        if not ok:
            bad('proc/pressure/memory', 'not some/full avg10 avg60 avg300 total')


# Keys every memcg_reclaim and direct_compaction file has (when it is there).
TOP_REQUIRED = {
    'memcg_reclaim': ('stalls', 'completed', 'nr_reclaimed', 'total_ns', 'max_ns'),
    'direct_compaction': ('stalls', 'completed', 'total_ns', 'max_ns'),
}


def validate_optional(tree, bad, need, numbers, histograms):
    """validate_tree for the parts a tree may lack: each None (or, in
    a record line, absent) or complete."""
    for fname, keys in TOP_REQUIRED.items():
        f = tree.get(fname)
        if f is None:
            continue
        need(f, fname, keys)
        numbers(f, fname)
        hist = f.get('latency_us')
        if hist is None and fname in histograms:
            bad(fname, 'no latency_us_* histogram')
        if hist is not None and (not isinstance(hist, list) or len(hist) != len(HIST_KEYS)
                                 or not all(is_int(c) and c >= 0 for c in hist)):
            bad(fname, 'no latency_us_* histogram of %d buckets' % len(HIST_KEYS))
    for name, (ids, counts) in WHO_TABLES.items():
        rows = tree.get(name)
        if rows is None:
            continue
        if not isinstance(rows, list):
            bad(name, 'not a table')
        for i, row in enumerate(rows, 2):
            rel = '%s line %d' % (name, i)
            if not isinstance(row, dict):
                bad(rel, 'not a row')
            for col in ids:
                v = row.get(col)
                if not (isinstance(v, str) or (col == 'pid' and is_int(v))):
                    bad(rel, 'no %s' % col)
            for col in counts:
                if col in row and not (is_int(row[col]) and row[col] >= 0):
                    bad(rel, '%s is not a count: %r' % (col, row[col]))
    for key in ('cgroup_paths', 'cgroup_files', 'thp'):
        if tree.get(key) is not None and not isinstance(tree[key], dict):
            bad(key, 'not a mapping')


def sample(source, t=None, proc=SAMPLE_PROC, cgroup_files=True):
    """One timed reading of @source: its tree (by default without
    zoneinfo) plus 't' and 'clock'.  t: the given time; else proc/uptime
    of a copy that has one ('uptime'); else time.monotonic()
    ('monotonic')."""
    tree = read_tree(source, proc=proc, cgroup_files=cgroup_files)
    tree['wall'] = time.time()
    uptime = tree['proc']['uptime']
    if t is not None:
        tree['t'], tree['clock'] = t, 'given'
    elif source.uptime_clock and uptime is not None:
        tree['t'], tree['clock'] = uptime, 'uptime'
    else:
        tree['t'], tree['clock'] = time.monotonic(), 'monotonic'
    return tree


def locked_down(tree):
    """Whether kernel lockdown refuses writes to debugfs (every mode but
    none), so that reset, grow and drain cannot be used."""
    return tree.get('lockdown') not in (None, 'none')


def lockdown_note(tree):
    return ('kernel lockdown (%s): the kernel refuses writes to debugfs, so reset '
            '(and the demo pool\'s grow and drain) is unavailable; every counter '
            'counts from the load' % tree['lockdown'])
