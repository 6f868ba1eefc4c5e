# SPDX-License-Identifier: GPL-2.0
"""Who pays for reclaim: the module's tasks, cgroups, memcg_reclaim and
direct_compaction files, kswapd's cpu_ns and the per-context keys, in
every command; top's frames (deltas, ranking, a reset, fitting the
terminal) and its terminal loop; snapshot's new sections; the three
diagnose rules; the Prometheus series.  derived/containers has the files
(tests/cli/derive.py); every older tree lacks them, and so may a module:
then the part is left out, never a traceback."""
import copy
import errno
import fcntl
import json
import os
import pty
import select
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import termios
import time
import unittest
from unittest import mock

import promparse
from common import SCRIPT, derived, fixture, raw, raw_table, rs, run_cli

COMMANDS = (('snapshot',), ('snapshot', '--json'), ('diagnose',), ('diagnose', '--json'),
            ('export', '--prometheus'), ('export', '--json'),
            ('top', '-n', '1', '-i', '0.01'), ('top', '--json', '-n', '1', '-i', '0.01'))


def unescape(name):
    """The module's \\ooo escapes undone, naively."""
    out, i = '', 0
    while i < len(name):
        if name[i] == '\\' and name[i + 1:i + 4].isdigit():
            out += chr(int(name[i + 1:i + 4], 8))
            i += 4
        else:
            out += name[i]
            i += 1
    return out


def stall(row):
    return sum(int(row.get(k, 0)) for k in ('direct_ns', 'memcg_ns', 'compact_ns'))


class Tmp(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix='rs-test.')
        self.addCleanup(shutil.rmtree, self.tmp)
        self.source = derived('containers')

    def copy(self, name='tree'):
        root = os.path.join(self.tmp, name)
        shutil.rmtree(root, ignore_errors=True)
        shutil.copytree(self.source, root)
        return root

    def write(self, root, rel, text):
        path = os.path.join(root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, 'wb' if isinstance(text, bytes) else 'w') as f:
            f.write(text)

    def edit(self, root, rel, change):
        with open(os.path.join(root, rel)) as f:
            text = f.read()
        self.write(root, rel, change(text))

    def run_ok(self, *argv):
        status, out, err = run_cli(*argv)
        self.assertIn(status, (rs.EXIT_OK, rs.EXIT_FINDINGS), err)
        self.assertNotIn('internal error', err)
        return out

    def json(self, *argv):
        return json.loads(self.run_ok(*(argv + ('--json',))))


class Parse(Tmp):
    def test_tables_match_the_raw_files(self):
        tree = rs.read_tree(rs.open_source(self.source))
        for name in ('tasks', 'cgroups'):
            raw_rows = raw_table(self.source, name)
            self.assertEqual(len(tree[name]), len(raw_rows))
            for got, want in zip(tree[name], raw_rows):
                for col, v in want.items():
                    want_v = unescape(v) if col in ('comm', 'cgroup') else \
                        (v if v == '-' else int(v))
                    self.assertEqual(got[col], want_v, (name, col))
        names = {r['comm'] for r in tree['tasks']}
        self.assertIn('nightly job', names)
        self.assertIn('C2 CompilerThre', names)
        self.assertIn('/system.slice/system-backup.slice/backup@srv\\x2ddata.service',
                      {r['cgroup'] for r in tree['cgroups']})
        self.assertEqual(tree['tasks'][-1]['pid'], '-')
        self.assertEqual(tree['cgroups'][-1]['cgroup'], 'other')

    def test_rows_and_other_add_up_to_the_files(self):
        """The fixture is consistent: each column of each table, summed
        over its rows and "other", is the total of its file."""
        memcg, dc, dr = (raw(self.source, f) for f in
                         ('memcg_reclaim', 'direct_compaction', 'direct_reclaim'))
        for name in ('tasks', 'cgroups'):
            rows = raw_table(self.source, name)

            def total(col):
                return sum(int(r[col]) for r in rows)
            self.assertEqual(total('memcg_stalls'), memcg['stalls'])
            self.assertEqual(total('memcg_ns'), memcg['total_ns'])
            self.assertEqual(total('direct_stalls'), dr['stalls'])
            self.assertEqual(total('direct_ns'), dr['total_ns'])
            self.assertEqual(total('compact_stalls'), dc['stalls'])
            self.assertEqual(total('compact_ns'), dc['total_ns'])
        self.assertEqual(sum(int(r['memcg_reclaimed']) for r in raw_table(self.source,
                                                                          'cgroups')),
                         memcg['nr_reclaimed'])
        self.assertEqual(sum(int(r['nr_reclaimed']) for r in raw_table(self.source, 'tasks')),
                         memcg['nr_reclaimed'] + dr['nr_reclaimed'])
        hist = [v for k, v in memcg.items() if k.startswith('latency_us_')]
        self.assertEqual(sum(hist), memcg['completed'])
        self.assertEqual(sum(v for k, v in dc.items() if k.endswith('_stalls')), dc['stalls'])

    def test_columns_by_header_name(self):
        """Columns in another order, an unknown column, a known one missing:
        read by name; the missing one counts as absent (0)."""
        root = self.copy()
        rows = raw_table(self.source, 'tasks')
        cols = ['future_col', 'memcg_ns', 'cgroup', 'comm', 'pid', 'direct_ns']
        lines = [' '.join(cols)]
        for r in rows:
            r = dict(r, future_col='xyz')
            lines.append('\t'.join(r[c] for c in cols))
        self.write(root, 'tasks', '\n'.join(lines) + '\n')
        tree = rs.read_tree(rs.open_source(root))
        self.assertEqual([(t['pid'], t['comm'], t['memcg_ns']) for t in tree['tasks']],
                         [(r['pid'] if r['pid'] == '-' else int(r['pid']), unescape(r['comm']),
                           int(r['memcg_ns'])) for r in rows])
        self.assertNotIn('future_col', tree['tasks'][0])
        self.assertNotIn('compact_ns', tree['tasks'][0])
        for cmd in COMMANDS:
            self.run_ok(*(cmd + ('--root', root)))
        rep = self.json('snapshot', '--root', root)
        self.assertEqual(rep['who_pays']['tasks']['rows'][0]['comm'], 'postgres')

    def test_escapes(self):
        self.assertEqual(rs.unescape_name('a\\040b\\011c\\012d\\134e'), 'a b\tc\nd\\e')
        self.assertEqual(rs.unescape_name('\\134040'), '\\040')
        self.assertEqual(rs.unescape_name('x\udcffy'), 'x\\xffy')     # a byte not UTF-8
        shown = rs.display_name('a\tb\nc\x1b[31md')
        self.assertEqual(shown, 'a\\011b\\012c\\033[31md')
        self.assertTrue(shown.isprintable())

    def test_fields_split_at_space_and_tab_only(self):
        """A comm may hold any byte the module does not escape: a carriage
        return, a non-breaking space, a file separator, a byte that is not
        UTF-8.  None splits a row or a line; none reaches the terminal."""
        root = self.copy()
        comm = b'we\rird\xc2\xa0na\x1cme\xff\x1b[2J'
        with open(os.path.join(self.source, 'tasks'), 'rb') as f:
            lines = f.read().split(b'\n')
        lines[1] = lines[1].replace(b'postgres', comm, 1)
        self.write(root, 'tasks', b'\n'.join(lines))
        tree = rs.read_tree(rs.open_source(root))
        self.assertEqual(tree['tasks'][0]['comm'], 'we\rird\xa0na\x1cme\\xff\x1b[2J')
        self.assertEqual(len(tree['tasks']), len(raw_table(self.source, 'tasks')))
        for argv in (('snapshot',), ('top', '-n', '1', '-i', '0.01')):
            out = self.run_ok(*(argv + ('--root', root)))
            self.assertNotIn('\x1b', out)
            self.assertNotIn('\r', out)
        self.assertIn('we\\015ird', self.run_ok('snapshot', '--root', root))
        f = rs.top_frame(None, tree, None)
        text = '\n'.join(rs.render_top(f, 200, None))
        self.assertIn('we\\015ird\\240na\\034me\\xff\\033[2J', text)
        json.loads(self.run_ok('export', '--json', '--root', root))

    def test_damaged_tables_are_bad_data(self):
        for name in ('tasks', 'cgroups'):
            with open(os.path.join(self.source, name)) as f:
                text = f.read()
            head, first = text.split('\n')[:2]
            for how, damaged in (('a column short', text.replace(first, first.rsplit(' ', 1)[0])),
                                 ('a word for a count', text.replace(' 0 ', ' zero ', 1)),
                                 ('a negative count', text.replace(' 0 ', ' -1 ', 1)),
                                 ('no cgroup column', text.replace('cgroup ', 'cgrp ', 1)),
                                 ('empty', ''), ('not UTF-8 in a count', text.replace(
                                     ' 0 ', ' \udcff ', 1).encode('utf-8', 'surrogateescape'))):
                with self.subTest(table=name, how=how):
                    root = self.copy()
                    self.write(root, name, damaged)
                    for cmd in COMMANDS:
                        status, out, err = run_cli(*(cmd + ('--root', root)))
                        self.assertEqual(status, rs.EXIT_BAD_DATA, '%s: %s' % (cmd, err))
                        self.assertIn(os.path.join(root, name), err)
            with self.subTest(table=name, how='header only'):
                root = self.copy()
                self.write(root, name, head + '\n')
                for cmd in COMMANDS:
                    self.run_ok(*(cmd + ('--root', root)))

    def test_damaged_new_files_never_a_traceback(self):
        """Every new file (and host file) deleted, emptied, cut or garbled:
        0, 1 or 7, never a traceback."""
        rels = ['memcg_reclaim', 'direct_compaction', 'tasks', 'cgroups', 'node0/kswapd',
                'shrinkers', 'node1/shrink_list', 'proc/pressure/memory',
                'sys/kernel/mm/transparent_hugepage/defrag',
                'sys/kernel/mm/transparent_hugepage/hpage_pmd_size',
                'sys/fs/cgroup/system.slice/postgresql.service/memory.events',
                'sys/fs/cgroup/system.slice/postgresql.service/memory.pressure',
                'sys/fs/cgroup/system.slice/postgresql.service/memory.max']
        for rel in rels:
            with open(os.path.join(self.source, rel)) as f:
                text = f.read()
            for how, damaged in (('missing', None), ('empty', ''),
                                 ('cut', text[:len(text) // 2]), ('garbage', 'x\n\x00\n'),
                                 ('not UTF-8', b'\xff\xfe 1\n')):
                root = self.copy()
                if damaged is None:
                    os.unlink(os.path.join(root, rel))
                else:
                    self.write(root, rel, damaged)
                for cmd in COMMANDS:
                    with self.subTest(rel=rel, how=how, cmd=cmd):
                        status, out, err = run_cli(*(cmd + ('--root', root)))
                        self.assertIn(status, (0, 1, 7), err)
                        self.assertNotIn('internal error', err)
                        if status == rs.EXIT_BAD_DATA:
                            self.assertIn(root, err)
                            self.assertFalse(rel.startswith(('sys/', 'proc/pressure')) and
                                             damaged is None, 'a host file absent is fine')


class Absent(Tmp):
    """A module without the new files, a kernel without the lookup: the
    part is left out."""

    def test_each_file_absent(self):
        for rel in ('memcg_reclaim', 'direct_compaction', 'tasks', 'cgroups', 'sys', 'proc'):
            with self.subTest(absent=rel):
                root = self.copy()
                path = os.path.join(root, rel)
                shutil.rmtree(path) if os.path.isdir(path) else os.unlink(path)
                for cmd in COMMANDS:
                    self.run_ok(*(cmd + ('--root', root)))
                rep = self.json('snapshot', '--root', root)
                text = self.run_ok('snapshot', '--root', root)
                prom = self.run_ok('export', '--prometheus', '--root', root)
                frame = json.loads(self.run_ok('top', '--json', '-n', '1', '-i', '0.01',
                                               '--root', root))
                if rel == 'memcg_reclaim':
                    self.assertIsNone(rep['memcg_reclaim'])
                    self.assertNotIn('memcg reclaim:', text)
                    self.assertNotIn('reclaimscope_memcg_reclaim_', prom)
                    self.assertIsNone(frame['stalled_ns']['memcg'])
                if rel == 'direct_compaction':
                    self.assertIsNone(rep['direct_compaction'])
                    self.assertNotIn('direct compaction:', text)
                    self.assertNotIn('reclaimscope_direct_compaction_', prom)
                if rel in ('tasks', 'cgroups'):
                    self.assertIsNone(rep['who_pays'][rel])
                    self.assertIsNone(frame[rel])
                    self.assertNotIn('who pays: the %s' % rel, text)
                if rel == 'cgroups':
                    self.assertNotIn('reclaimscope_cgroup_', prom)
                if rel == 'sys':
                    self.assertEqual(rep['thp'], {'defrag': None, 'hpage_pmd_size': None})
                    pg = rep['who_pays']['cgroups']['rows'][0]
                    self.assertIsNone(pg['events'])
                    self.assertIsNone(pg['pressure'])

    def test_captured_trees_have_none_of_it(self):
        for kernel in ('6.1', '6.12'):
            root = fixture(kernel, 'pressure')
            rep = self.json('snapshot', '--root', root)
            self.assertEqual(rep['who_pays'], {'tasks': None, 'cgroups': None})
            self.assertIsNone(rep['memcg_reclaim'])
            for n in rep['nodes']:
                self.assertNotIn('cpu_ns', n['kswapd'])
            text = self.run_ok('snapshot', '--root', root)
            for word in ('who pays', 'memcg reclaim:', 'on a CPU'):
                self.assertNotIn(word, text)
            rules = {f['rule'] for f in self.json('diagnose', '--root', root)['findings']}
            self.assertFalse(rules & {'cgroup-memcg-stall', 'direct-compaction-stall',
                                      'kswapd-shrinker-cpu'})
            out = self.run_ok('top', '-n', '1', '-i', '0.01', '--root', root)
            self.assertIn('the module has no tasks file', out)

    def test_no_cpu_ns(self):
        root = self.copy()
        for n in (0, 1):
            self.edit(root, 'node%d/kswapd' % n,
                      lambda t: ''.join(l + '\n' for l in t.splitlines()
                                        if not l.startswith('cpu_ns ')))
        rep = self.json('diagnose', '--root', root)
        self.assertNotIn('kswapd-shrinker-cpu', {f['rule'] for f in rep['findings']})
        self.assertTrue(any(n.startswith('kswapd-shrinker-cpu: not checked: no cpu_ns')
                            for n in rep['notes']), rep['notes'])
        self.assertNotIn('kswapd_cpu_seconds', self.run_ok('export', '--prometheus',
                                                           '--root', root))
        frame = json.loads(self.run_ok('top', '--json', '-n', '1', '-i', '0.01', '--root', root))
        self.assertEqual({k['cpu_s'] for k in frame['kswapd']}, {None})


def containers_tree():
    return rs.sample(rs.open_source(derived('containers')), t=100.0)


def grow(tree, dt=2.0, **by_pid):
    """A later reading of @tree: each task of @by_pid ({pid: {column:
    growth}}) grew, its cgroup's row and the files' totals with it."""
    cur = copy.deepcopy(tree)
    cur['t'] += dt
    files = {'direct': 'direct_reclaim', 'memcg': 'memcg_reclaim',
             'compact': 'direct_compaction'}
    for pid, growth in by_pid.items():
        pid = int(pid[1:]) if isinstance(pid, str) and pid.startswith('p') else pid
        task = next(r for r in cur['tasks'] if r['pid'] == pid)
        cg = next(r for r in cur['cgroups'] if r['cgroup'] == task['cgroup'])
        for col, v in growth.items():
            task[col] += v
            if col in cg:
                cg[col] += v
            kind, _, what = col.partition('_')
            if kind in files and what in ('ns', 'stalls'):
                f = cur[files[kind]]
                f['total_ns' if what == 'ns' else 'stalls'] += v
    return cur


class Frames(unittest.TestCase):
    """top's core: pure functions of two readings."""

    def test_deltas_and_ranking(self):
        a = containers_tree()
        b = grow(a, p2107={'memcg_ns': 900000000, 'memcg_stalls': 80},
                 p2950={'direct_ns': 300000000, 'direct_stalls': 12, 'nr_reclaimed': 512},
                 p3301={'compact_ns': 50000000, 'compact_stalls': 3})
        f = rs.top_frame(a, b, 2.0)
        self.assertFalse(f['reset'])
        self.assertEqual([(r['pid'], r['stall_ns']) for r in f['tasks']],
                         [(2107, 900000000), (2950, 300000000), (3301, 50000000)])
        t = f['tasks'][1]
        self.assertEqual((t['direct_stalls'], t['nr_reclaimed'], t['memcg_ns']), (12, 512, 0))
        self.assertAlmostEqual(t['stall_share'], 0.15)
        self.assertEqual(t['max_ns'], 30624980, 'max_ns is since load')
        self.assertEqual([r['cgroup'] for r in f['cgroups']],
                         ['/system.slice/postgresql.service',
                          '/user.slice/user-1000.slice/session-2.scope', '/batch/nightly job'])
        self.assertIsNone(f['tasks_other'])
        self.assertEqual(f['stalled_ns'], {'direct': 300000000, 'memcg': 900000000,
                                           'compact': 50000000})
        self.assertEqual(f['cgroups'][0]['pressure'], {'some': 0.0, 'full': 0.0,
                                                       'basis': 'interval'})
        self.assertEqual(rs.top_frame(None, a, None)['cgroups'][0]['pressure']['basis'],
                         'avg10')
        json.dumps(f)

    def test_since_load_frame(self):
        a = containers_tree()
        f = rs.top_frame(None, a, None)
        self.assertEqual(f['window'], 'since-load')
        self.assertEqual([r['pid'] for r in f['tasks']][:3], [2101, 2107, 3301])
        self.assertEqual(f['tasks_other']['comm'], 'other')
        total = sum(stall(r) for r in a['tasks'])
        self.assertAlmostEqual(f['tasks'][0]['share'], stall(a['tasks'][0]) / total)
        self.assertEqual(f['cgroups_other']['cgroup'], 'other')
        self.assertAlmostEqual(f['kswapd'][0]['cpu_share'],
                               a['nodes'][0]['kswapd']['cpu_ns'] / 1e9 / a['proc']['uptime'])

    def test_reset_between_reads(self):
        """reset: every counter to 0, then a little more; rows vanish.  The
        frame says so and counts from the reset: no negative number, no
        row from before."""
        a = containers_tree()
        b = copy.deepcopy(a)
        b['t'] += 2
        b['tasks'] = [dict(r, **{c: 0 for c in rs.TASK_COUNTS}) for r in a['tasks']
                      if r['pid'] in (2101, '-')]
        b['cgroups'] = [dict(r, **{c: 0 for c in rs.CGROUP_COUNTS}) for r in a['cgroups']
                        if r['cgroup'] in ('/system.slice/postgresql.service', 'other')]
        for fname in ('direct_reclaim', 'memcg_reclaim', 'direct_compaction'):
            b[fname] = dict(b[fname], stalls=0, total_ns=0)
        b = grow(b, p2101={'memcg_ns': 40000000, 'memcg_stalls': 3})
        f = rs.top_frame(a, b, 2.0)
        self.assertTrue(f['reset'])
        self.assertEqual([(r['pid'], r['memcg_ns'], r['memcg_stalls']) for r in f['tasks']],
                         [(2101, 40000000, 3)])
        self.assertEqual(f['stalled_ns']['memcg'], 40000000)
        for r in f['tasks'] + f['cgroups']:
            self.assertTrue(all(v >= 0 for k, v in r.items() if isinstance(v, int)), r)
        out = '\n'.join(rs.render_top(f, 80, 24, 2.0))
        self.assertIn('reset during the interval', out)
        self.assertIn('2101', out)

    def test_reset_seen_from_the_tables_alone(self):
        """Without the files (an older module's tables only), the sums of a
        table going back mean a reset."""
        a = containers_tree()
        for fname in ('direct_reclaim', 'memcg_reclaim', 'direct_compaction'):
            a[fname] = None
        b = copy.deepcopy(a)
        b['tasks'] = [dict(r, memcg_ns=r['memcg_ns'] // 10) for r in b['tasks']]
        self.assertTrue(rs.top_frame(a, b, 2.0)['reset'])
        self.assertFalse(rs.top_frame(a, a, 2.0)['reset'])

    def test_row_gone_without_reset(self):
        """A task that left the table (its counts now in "other") is no
        reset; the growth of "other" shows as the other row."""
        a = containers_tree()
        b = copy.deepcopy(a)
        b['t'] += 2
        gone = next(r for r in b['tasks'] if r['pid'] == 1544)
        other = b['tasks'][-1]
        for c in ('direct_ns', 'direct_stalls', 'nr_reclaimed'):
            other[c] += gone[c]
        b['tasks'].remove(gone)
        f = rs.top_frame(a, b, 2.0)
        self.assertFalse(f['reset'])
        self.assertEqual(f['tasks'], [])
        self.assertEqual(f['tasks_other']['direct_ns'], gone['direct_ns'])

    def test_pid_used_again(self):
        """A row whose counts went back while the totals grew: the same pid
        and comm for another task; that row counts from zero."""
        a = containers_tree()
        b = grow(a, p2107={'memcg_ns': 1000})
        row = next(r for r in b['tasks'] if r['pid'] == 1544)
        row.update(direct_ns=5000000, direct_stalls=1)
        b['tasks'][-1]['direct_ns'] += 200000000
        b['tasks'][-1]['direct_stalls'] += 20
        f = rs.top_frame(a, b, 2.0)
        self.assertFalse(f['reset'])
        self.assertEqual({r['pid']: r['direct_ns'] for r in f['tasks']}[1544], 5000000)

    def test_cgroup_pressure_and_events_over_the_interval(self):
        a = containers_tree()
        b = grow(a, p2101={'memcg_ns': 1000000000, 'memcg_stalls': 70})
        pg = '/system.slice/postgresql.service'
        files = b['cgroup_files'][pg] = copy.deepcopy(a['cgroup_files'][pg])
        files['pressure']['some']['total_us'] += 600000
        files['pressure']['full']['total_us'] += 200000
        files['events']['max'] += 40
        f = rs.top_frame(a, b, 2.0)
        row = f['cgroups'][0]
        self.assertEqual(row['pressure']['basis'], 'interval')
        self.assertAlmostEqual(row['pressure']['some'], 0.3)
        self.assertAlmostEqual(row['pressure']['full'], 0.1)
        self.assertEqual(row['events'], {'high': 0, 'max': 40, 'oom': 0, 'oom_kill': 0,
                                         'basis': 'interval'})
        self.assertIn('0/40/0', '\n'.join(rs.render_top(f, 132, None, 2.0)))

    def test_psi_over_the_interval(self):
        a = containers_tree()
        b = grow(a)
        b['proc']['pressure'] = copy.deepcopy(a['proc']['pressure'])
        b['proc']['pressure']['some']['total_us'] += 500000
        f = rs.top_frame(a, b, 2.0)
        self.assertAlmostEqual(f['psi']['some'], 0.25)
        self.assertAlmostEqual(f['psi']['some_avg10'], 0.184)
        self.assertIn('PSI memory some 25%', '\n'.join(rs.render_top(f, 80, None, 2.0)))


class CgroupIds(Tmp):
    def test_id_resolved_by_inode_live_only(self):
        """cgroup id:<N> is the directory whose inode number is N; only on
        the live system (a copy's inode numbers mean nothing)."""
        top = os.path.join(self.tmp, 'cgroup')
        os.makedirs(os.path.join(top, 'system.slice', 'gone.service'))
        os.makedirs(os.path.join(top, 'user.slice', 'x y'))
        ino = os.stat(os.path.join(top, 'user.slice', 'x y')).st_ino
        live = rs.Source(self.source, None, False, None, top, None)
        self.assertEqual(live.resolve_cgroup_id('id:%d' % ino), '/user.slice/x y')
        self.assertEqual(live.resolve_cgroup_id('id:%d' % os.stat(top).st_ino), '/')
        self.assertIsNone(live.resolve_cgroup_id('id:1'))
        self.assertIsNone(live.resolve_cgroup_id('id:x'))
        copy_ = rs.Source(self.source, None, True, None, top, None)
        self.assertIsNone(copy_.resolve_cgroup_id('id:%d' % ino))
        self.assertIsNone(live.cgroup_path('/../../etc'))

    def test_resolved_name_shown_and_its_files_read(self):
        top = os.path.join(self.tmp, 'cgroup')
        shutil.copytree(os.path.join(self.source, 'sys', 'fs', 'cgroup'), top)
        os.makedirs(os.path.join(top, 'machine.slice', 'vm 1'))
        self.write(top, 'machine.slice/vm 1/memory.events', 'low 0\nhigh 7\nmax 0\noom 0\n'
                   'oom_kill 0\n')
        ino = os.stat(os.path.join(top, 'machine.slice', 'vm 1')).st_ino
        root = self.copy()
        for name in ('tasks', 'cgroups'):
            self.edit(root, name, lambda t: t.replace('id:4242', 'id:%d' % ino))
        src = rs.Source(root, os.path.join(root, 'proc'), False, None, top, None)
        tree = rs.read_tree(src)
        label = 'id:%d' % ino
        self.assertEqual(tree['cgroup_paths'], {label: '/machine.slice/vm 1'})
        self.assertEqual(tree['cgroup_files'][label]['events']['high'], 7)
        f = rs.top_frame(None, tree, None)
        self.assertIn('/machine.slice/vm 1', [r['cgroup_path'] for r in f['tasks']])
        self.assertIn('/machine.slice/vm 1', '\n'.join(rs.render_top(f, 132, None)))
        rep = rs.snapshot_report(tree)
        self.assertIn('/machine.slice/vm 1', [r['path'] for r in
                                               rep['who_pays']['cgroups']['rows']])

    def test_unresolved_id_shown_as_is(self):
        rep = self.json('snapshot', '--root', self.source)
        row = next(r for r in rep['who_pays']['cgroups']['rows'] if r['cgroup'] == 'id:4242')
        self.assertEqual(row['path'], 'id:4242')
        self.assertIsNone(row['events'])
        self.assertIn('id:4242', self.run_ok('snapshot', '--root', self.source))


class Fit(unittest.TestCase):
    """Columns sized to the terminal: every line fits, columns go in
    order, names are cut (marked ~), numbers never."""

    def frames(self):
        a = containers_tree()
        return rs.top_frame(None, a, None), rs.top_frame(a, grow(
            a, p2101={'memcg_ns': 2000000000, 'memcg_stalls': 200},
            p2950={'direct_ns': 30000000, 'direct_stalls': 2}), 2.0)

    def test_every_width(self):
        for f in self.frames():
            for width in (20, 40, 60, 80, 100, 132, 200, 300):
                for height in (None, 10, 24, 60):
                    with self.subTest(width=width, height=height, window=f['window']):
                        lines = rs.render_top(f, width, height, 2.0)
                        self.assertTrue(all(rs.cell_width(l) <= width for l in lines),
                                        [l for l in lines if len(l) > width])
                        if height:
                            self.assertLessEqual(len(lines), height)

    def test_columns_go_in_order(self):
        f = self.frames()[0]
        heads = {}
        for width in (40, 80, 200):
            lines = rs.render_top(f, width, None, 2.0)
            heads[width] = next(l for l in lines if l.lstrip().startswith('PID')).split()
        self.assertEqual(heads[200], ['PID', 'COMM', 'STALL', 'SHARE', 'DIRECT', 'MEMCG',
                                      'COMPACT', 'THROTTLED', 'STALLS', 'RECL_MiB', 'CGROUP'])
        self.assertEqual(heads[40], ['PID', 'COMM', 'STALL', 'CGROUP'])
        self.assertLess(set(heads[80]), set(heads[200]))
        self.assertLess(set(heads[40]), set(heads[80]))
        wide = '\n'.join(rs.render_top(f, 200, None, 2.0))
        self.assertIn('/system.slice/system-backup.slice/backup@srv\\x2ddata.service', wide)
        narrow = '\n'.join(rs.render_top(f, 80, None, 2.0))
        self.assertIn('~', narrow)
        for stall_text in ('6.16s', '3.30s', '2.01s'):
            self.assertIn(stall_text, narrow)

    def test_rows_fit_the_height(self):
        a = containers_tree()
        many = copy.deepcopy(a)
        template = a['tasks'][0]
        many['tasks'] = [dict(template, pid=10000 + i, comm='worker-%d' % i,
                              memcg_ns=template['memcg_ns'] + i * 1000)
                         for i in range(200)] + [a['tasks'][-1]]
        f = rs.top_frame(None, many, None)
        lines = rs.render_top(f, 80, 24, 2.0)
        self.assertEqual(len(lines), 24)
        text = '\n'.join(lines)
        self.assertIn('(195 more rows)', text)
        self.assertIn('worker-199', text, 'the slowest first')
        self.assertIn('cgroups stalled', text, 'the cgroups get their share')
        self.assertIn('q quits', lines[-1])

    def test_wide_characters(self):
        cols = [rs.Column('COMM', right=False, flex=4, soft=10), rs.Column('N')]
        lines, _ = rs.fit_table(cols, [['数据库服务进程名字', '1'], ['ascii', '22']], 12)
        for l in lines:
            self.assertLessEqual(rs.cell_width(l), 12, l)
        self.assertEqual(rs.cell_width('数据'), 4)
        self.assertEqual(rs.clip('/a/b/c.service', 8, 'tail'), '~service')
        self.assertEqual(rs.clip('postgres-worker', 8), 'postgre~')

    def test_human_units(self):
        for ns, text in ((0, '0'), (350000, '0.35ms'), (4200000, '4.2ms'),
                         (412000000, '412ms'), (4210000000, '4.21s'), (42100000000, '42.1s'),
                         (421000000000, '421s'), (5400000000000, '1.5h'),
                         (432000000000000, '120h')):
            self.assertEqual(rs.fmt_ns(ns), text)
            self.assertLessEqual(len(rs.fmt_ns(ns)), 6)


class TopCommand(Tmp):
    def test_json_lines(self):
        out = self.run_ok('top', '--json', '-n', '3', '-i', '0.01', '--root', self.source)
        frames = [json.loads(l) for l in out.splitlines()]
        self.assertEqual(len(frames), 3)
        for f in frames:
            self.assertEqual((f['schema'], f['schema_version']), ('reclaimscope.top', 1))
            self.assertEqual(f['window'], 'interval')
            self.assertEqual(f['tasks'], [], 'a copy does not change: nothing stalled')

    def test_pipe_gets_frames_without_colour(self):
        out = self.run_ok('top', '-n', '2', '-i', '0.01', '--root', self.source)
        self.assertEqual(out.count('reclaimscope top, every 0.01s'), 2)
        self.assertNotIn('\x1b', out)
        self.assertTrue(all(len(l) <= 80 for l in out.splitlines()))

    def test_frames_follow_the_tree(self):
        """Two readings of a tree that changes between them (as the live
        one does): the second frame shows the growth."""
        root = self.copy()
        calls = []

        def later(seconds):
            if not calls:
                self.edit(root, 'tasks', lambda t: t.replace(
                    '2107 postgres /system.slice/postgresql.service 0 0 620 3300000000',
                    '2107 postgres /system.slice/postgresql.service 0 0 700 3700000000'))
                self.edit(root, 'cgroups', lambda t: t.replace(
                    '/system.slice/postgresql.service 2020 9400000000',
                    '/system.slice/postgresql.service 2100 9800000000'))
                self.edit(root, 'memcg_reclaim', lambda t: t.replace(
                    'total_ns 11750000000', 'total_ns 12150000000'))
                self.edit(root, 'proc/uptime', lambda t: '65.60 18.00\n')
            calls.append(seconds)

        with mock.patch.object(rs.time, 'sleep', later):
            out = self.run_ok('top', '--json', '-n', '1', '-i', '2', '--root', root)
        f = json.loads(out)
        self.assertAlmostEqual(f['interval_s'], 2.0)
        self.assertEqual([(r['pid'], r['memcg_ns'], r['memcg_stalls']) for r in f['tasks']],
                         [(2107, 400000000, 80)])
        self.assertAlmostEqual(f['tasks'][0]['stall_share'], 0.2)
        self.assertEqual(f['stalled_ns']['memcg'], 400000000)

    def test_options(self):
        status, _, err = run_cli('top', '-n', '0', '--root', self.source)
        self.assertEqual(status, rs.EXIT_USAGE)
        status, _, err = run_cli('top', '-i', '0', '--root', self.source)
        self.assertEqual(status, rs.EXIT_USAGE)
        status, _, err = run_cli('top', '--root', os.path.join(self.tmp, 'nothing'))
        self.assertEqual(status, rs.EXIT_NOT_LOADED)


def read_until(fd, want, timeout):
    got, end = b'', time.monotonic() + timeout
    while want not in got and time.monotonic() < end:
        ready, _, _ = select.select([fd], [], [], max(0, end - time.monotonic()))
        if not ready:
            break
        try:
            chunk = os.read(fd, 65536)
        except OSError as e:
            if e.errno == errno.EIO:
                break
            raise
        if not chunk:
            break
        got += chunk
    return got


class OnATerminal(unittest.TestCase):
    """top on a pseudo-terminal, as a person runs it: the first screen at
    once, q quits, Ctrl-C is clean, the terminal's modes come back."""

    def start(self, *argv, env=None, cols=100, lines=30):
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack('HHHH', lines, cols, 0, 0))
        self.before = termios.tcgetattr(slave)
        environ = dict(os.environ, TERM='xterm')
        environ.pop('COLUMNS', None)
        environ.pop('LINES', None)
        environ.update(env or {})
        proc = subprocess.Popen([sys.executable, SCRIPT, 'top'] + list(argv),
                                stdin=slave, stdout=slave, stderr=slave, env=environ,
                                start_new_session=True)
        self.slave = slave
        self.addCleanup(os.close, master)
        self.addCleanup(os.close, slave)
        self.addCleanup(proc.wait)
        self.addCleanup(lambda: proc.poll() is None and proc.kill())
        return proc, master

    def screen_of(self, out):
        frame = out.split(b'\x1b[H')[-1].split(b'\x1b[?1049l')[0]
        for seq in (b'\x1b[K', b'\x1b[J', b'\x1b[7m', b'\x1b[0m', b'\x1b[?25h', b'\x1b[?25l'):
            frame = frame.replace(seq, b'')
        return [l.rstrip(b'\r') for l in frame.split(b'\n')]

    def test_first_screen_at_once_q_quits_modes_restored(self):
        proc, master = self.start('-i', '30', '--root', derived('containers'))
        out = read_until(master, b'q quits', 10)
        self.assertIn(b'\x1b[?1049h', out)
        self.assertIn(b'postgres', out)
        self.assertIn(b'\x1b[7m', out, 'headings in reverse video on a terminal')
        lines = self.screen_of(out)
        self.assertLessEqual(len(lines), 30)
        self.assertLessEqual(max(map(len, lines)), 100, lines)
        self.assertIn(b'THROTTLED', out, 'a 100-column terminal shows more columns')
        self.assertNotEqual(termios.tcgetattr(self.slave)[3] & termios.ICANON,
                            self.before[3] & termios.ICANON, 'keys without Enter')
        os.write(master, b'q')
        self.assertEqual(proc.wait(10), rs.EXIT_OK)
        rest = read_until(master, b'\x1b[?1049l', 5)
        self.assertIn(b'\x1b[?1049l', out + rest)
        self.assertNotIn(b'Traceback', out + rest)
        self.assertEqual(termios.tcgetattr(self.slave), self.before, 'terminal modes restored')

    def test_ctrl_c_is_clean(self):
        proc, master = self.start('-i', '30', '--root', derived('containers'))
        self.assertIn(b'q quits', read_until(master, b'q quits', 10))
        os.killpg(proc.pid, signal.SIGINT)
        self.assertEqual(proc.wait(10), rs.EXIT_OK)
        rest = read_until(master, b'\x1b[?1049l', 5)
        self.assertNotIn(b'Traceback', rest)
        self.assertEqual(termios.tcgetattr(self.slave), self.before)

    def test_no_color_and_narrow(self):
        proc, master = self.start('-i', '0.2', '-n', '2', '--root', derived('containers'),
                                  env={'NO_COLOR': '1'}, cols=50, lines=20)
        out = read_until(master, b'\x1b[?1049l', 20)
        self.assertEqual(proc.wait(10), rs.EXIT_OK)
        self.assertNotIn(b'\x1b[7m', out)
        for frame in out.split(b'\x1b[H')[1:]:
            lines = self.screen_of(frame)
            self.assertLessEqual(len(lines), 20)
            self.assertLessEqual(max(len(l.decode()) for l in lines), 50, lines)


class Snapshot(Tmp):
    def test_json(self):
        rep = self.json('snapshot', '--root', self.source)
        with open(os.path.join(self.source, 'proc', 'uptime')) as f:
            uptime = float(f.read().split()[0])
        for n in rep['nodes']:
            cpu = raw(self.source, 'node%d/kswapd' % n['node'])['cpu_ns']
            self.assertEqual(n['kswapd']['cpu_ns'], cpu)
            self.assertAlmostEqual(n['kswapd']['cpu_s'], cpu / 1e9)
            self.assertAlmostEqual(n['kswapd']['cpu_share'], cpu / 1e9 / uptime)
            self.assertEqual(n['kswapd']['cpu_share_basis'], 'uptime')
        who = rep['who_pays']
        tasks = raw_table(self.source, 'tasks')
        want = sorted((r for r in tasks if r['pid'] != '-'), key=lambda r: -stall(r))[:5]
        self.assertEqual([r['pid'] for r in who['tasks']['rows']],
                         [int(r['pid']) for r in want])
        self.assertEqual(who['tasks']['stall_ns'], sum(stall(r) for r in tasks))
        self.assertEqual(who['tasks']['more_rows'], len(tasks) - 1 - 5)
        self.assertEqual(who['tasks']['other']['comm'], 'other')
        self.assertAlmostEqual(sum(r['share'] for r in who['tasks']['rows'])
                               + who['tasks']['other']['share'],
                               1 - who['tasks']['more_stall_ns'] / who['tasks']['stall_ns'])
        pg = who['cgroups']['rows'][0]
        self.assertEqual(pg['cgroup'], '/system.slice/postgresql.service')
        self.assertEqual(pg['events'], {'high': 0, 'max': 2087, 'oom': 3, 'oom_kill': 1,
                                        'basis': 'total'})
        self.assertAlmostEqual(pg['pressure']['some'], 0.3102)
        for fname in ('memcg_reclaim', 'direct_compaction'):
            kv = raw(self.source, fname)
            hist = [kv[k] for k in rs.HIST_KEYS]
            lat = rep[fname]['latency']
            self.assertEqual(lat['count'], sum(hist))
            for name, p in rs.PERCENTILES:
                self.assertEqual(lat[name], rs.percentile(hist, p, kv['max_ns']))
            self.assertEqual(lat['max'], {'le_us': kv['max_ns'] / 1000, 'exact': True})
        self.assertEqual(rep['direct_compaction']['orders'],
                         [{'order': 3, 'calls': 3, 'stalls': 2},
                          {'order': 9, 'calls': 52, 'stalls': 40}])
        self.assertEqual(rep['thp'], {'defrag': 'always', 'hpage_pmd_size': 2097152})

    def test_text(self):
        out = self.run_ok('snapshot', '--root', self.source)
        self.assertIn('4.21 s on a CPU since boot, 7% of the uptime', ' '.join(out.split()))
        self.assertIn('memcg reclaim: 2214 stalls, 656 MiB reclaimed', ' '.join(out.split()))
        self.assertIn('max 212.3ms', out)
        self.assertIn('order 9: 40 of 52 calls stalled', ' '.join(out.split()))
        self.assertIn('who pays: the tasks stalled longest', out)
        self.assertIn('who pays: the cgroups stalled longest', out)
        self.assertIn('0/2087/3', out)
        self.assertIn('nightly job', out)
        self.assertTrue(all(len(l) <= 80 for l in out.splitlines()))
        with mock.patch.dict(os.environ, {'COLUMNS': '200'}):
            wide = self.run_ok('snapshot', '--root', self.source)
        self.assertIn('/system.slice/system-backup.slice/backup@srv\\x2ddata.service', wide)

    def test_top_option_and_rows(self):
        rep = self.json('snapshot', '--root', self.source)
        self.assertEqual(len(rep['who_pays']['tasks']['rows']), 5)
        self.assertEqual(len(rep['who_pays']['cgroups']['rows']), 5)


class Rules(Tmp):
    def findings(self, root, rule, *options):
        rep = self.json('diagnose', '--root', root, *options)
        return [f for f in rep['findings'] if f['rule'] == rule], rep

    def test_cgroup_memcg_stall(self):
        got, _ = self.findings(self.source, 'cgroup-memcg-stall')
        self.assertEqual([f['cgroup'] for f in got], ['/system.slice/postgresql.service'])
        ev = ' '.join(got[0]['evidence'])
        self.assertIn('memory.events high 0 max 2087 oom 3 oom_kill 1', ev)
        self.assertIn('memcg_ns 9400000000', ev)
        self.assertIn('memory.max 1024 MiB', ev)
        self.assertIn('memory.max is reached', got[0]['advice'])
        self.assertIn('MemoryMax=', got[0]['advice'])
        # 1.6 s of 63.6 s is 2.5%: a lower threshold names the nightly job too
        got, rep = self.findings(self.source, 'cgroup-memcg-stall', '--memcg-stall-pct', '2')
        self.assertEqual([f['cgroup'] for f in got],
                         ['/system.slice/postgresql.service', '/batch/nightly job'])
        self.assertIn('memory.high throttles it (high 1544)', got[1]['advice'])
        self.assertEqual(rep['thresholds']['memcg_stall_pct'], 2.0)
        got, _ = self.findings(self.source, 'cgroup-memcg-stall', '--memcg-stall-pct', '0.5')
        removed = [f for f in got if f['cgroup'] == 'id:4242']
        self.assertEqual(len(removed), 1)
        self.assertIn('the kernel gave the cgroup\'s id', ' '.join(removed[0]['evidence']))
        got, _ = self.findings(self.source, 'cgroup-memcg-stall', '--memcg-stall-ms', '10000')
        self.assertEqual(got, [])
        text = self.run_ok('diagnose', '--root', self.source)
        self.assertIn('[warning] cgroup /system.slice/postgresql.service: its tasks stalled',
                      ' '.join(text.split()))

    def test_cgroup_memcg_stall_over_a_window(self):
        """--before: the cgroup's growth and its memory.events' growth."""
        before = self.copy('before')
        after = self.copy('after')
        self.edit(after, 'cgroups', lambda t: t.replace(
            '/batch/nightly\\040job 150 1600000000', '/batch/nightly\\040job 250 2600000000'))
        self.edit(after, 'memcg_reclaim', lambda t: t.replace(
            'total_ns 11750000000', 'total_ns 12750000000'))
        self.edit(after, 'sys/fs/cgroup/batch/nightly job/memory.events',
                  lambda t: t.replace('high 1544', 'high 1600'))
        self.edit(after, 'proc/uptime', lambda t: '73.60 20.00\n')
        got, rep = self.findings(after, 'cgroup-memcg-stall', '--before', before)
        self.assertAlmostEqual(rep['window']['seconds'], 10.0)
        self.assertEqual([f['cgroup'] for f in got], ['/batch/nightly job'])
        self.assertIn('in the window high +56 max +0', ' '.join(got[0]['evidence']))
        self.assertIn('(10%', got[0]['summary'])

    def test_cgroup_files_unreadable(self):
        root = self.copy()
        shutil.rmtree(os.path.join(root, 'sys', 'fs', 'cgroup'))
        got, _ = self.findings(root, 'cgroup-memcg-stall')
        self.assertIn('memory.events: not readable', ' '.join(got[0]['evidence']))

    def test_direct_compaction_stall(self):
        got, _ = self.findings(self.source, 'direct-compaction-stall')
        self.assertEqual(len(got), 1)
        ev = ' '.join(got[0]['evidence'])
        self.assertIn('order 9 40 stalls of 52 calls', ev)
        self.assertIn('transparent_hugepage/defrag [always] (a huge page is order 9)', ev)
        self.assertIn('defrag to defer', got[0]['advice'])
        self.assertIn('order 3 is the kernel\'s own', got[0]['advice'])
        for defrag, says in (('madvise', 'madvise already'), ('never', 'does not compact')):
            root = self.copy()
            self.write(root, 'sys/kernel/mm/transparent_hugepage/defrag',
                       'always defer defer+madvise madvise never\n'.replace(
                           ' %s' % defrag, ' [%s]' % defrag))
            got, _ = self.findings(root, 'direct-compaction-stall')
            self.assertIn('[%s]' % defrag, ' '.join(got[0]['evidence']))
            self.assertIn(says, got[0]['advice'])
        root = self.copy()
        shutil.rmtree(os.path.join(root, 'sys', 'kernel'))
        got, _ = self.findings(root, 'direct-compaction-stall')
        self.assertIn('defrag not readable here', ' '.join(got[0]['evidence']))
        got, _ = self.findings(self.source, 'direct-compaction-stall',
                               '--compact-stalls-min', '43')
        self.assertEqual(got, [])

    def test_kswapd_shrinker_cpu(self):
        got, _ = self.findings(self.source, 'kswapd-shrinker-cpu')
        self.assertEqual(len(got), 1)
        self.assertIn('shrinker super_cache_scan took 5.01s of kswapd\'s 9.32s', got[0]['summary'])
        self.assertIn('kswapd_ns 5015000000', got[0]['evidence'][0])
        self.assertIn('vfs_cache_pressure', got[0]['advice'])
        got, _ = self.findings(self.source, 'kswapd-shrinker-cpu',
                               '--shrinker-kswapd-pct', '60')
        self.assertEqual(got, [])

    def test_kswapd_shrinker_cpu_without_context_columns(self):
        """An older shrinkers table: total_ns (every context) stands in,
        and the evidence says so."""
        root = self.copy()
        rows = raw_table(self.source, 'shrinkers')
        cols = rs.SHRINKER_COLUMNS
        self.write(root, 'shrinkers', '\n'.join([' '.join(cols)] + [
            ' '.join(r[c] for c in cols) for r in rows]) + '\n')
        got, _ = self.findings(root, 'kswapd-shrinker-cpu')
        self.assertEqual(len(got), 1)
        self.assertIn('total_ns 5537596800', got[0]['evidence'][0])
        self.assertIn('no kswapd_ns column', got[0]['evidence'][0])

    def test_memory_stall_blames_memcg(self):
        got, _ = self.findings(self.source, 'memory-stall')
        self.assertIn('mostly memcg reclaim', got[0]['summary'])
        self.assertIn('memcg reclaim 0.18', ' '.join(got[0]['evidence']))

    def test_order(self):
        rep = self.json('diagnose', '--root', self.source)
        rules = [f['rule'] for f in rep['findings']]
        self.assertLess(rules.index('cgroup-memcg-stall'), rules.index('direct-reclaim-stall'))
        self.assertLess(rules.index('direct-compaction-stall'), rules.index('allocstall'))

    def test_record_keeps_what_the_rules_read(self):
        line = rs.record_line(rs.sample(rs.open_source(self.source), cgroup_files=False))
        s = json.loads(line)
        self.assertEqual(s['memcg_reclaim']['total_ns'], 11750000000)
        self.assertEqual(s['direct_compaction']['order9_stalls'], 40)
        self.assertIsNone(s['direct_compaction']['latency_us'])
        self.assertNotIn('tasks', s)
        self.assertIn('kswapd_ns', s['shrinkers'][0])
        path = os.path.join(self.tmp, 'r.jsonl')
        later = json.loads(line)
        later['t'] += 10
        for k in ('stalls', 'completed', 'total_ns'):
            later['direct_compaction'][k] += {'stalls': 9, 'completed': 9,
                                              'total_ns': 90000000}[k]
        later['direct_compaction']['order9_stalls'] += 9
        later['direct_compaction']['order9_calls'] += 9
        with open(path, 'w') as f:
            f.write(line + '\n' + json.dumps(later) + '\n')
        status, out, err = run_cli('diagnose', '--json', '--record', path)
        rep = json.loads(out)
        got = [f for f in rep['findings'] if f['rule'] == 'direct-compaction-stall']
        self.assertEqual(len(got), 1, err)
        self.assertIn('order 9 9 stalls of 9 calls', got[0]['evidence'][0])
        self.assertTrue(any(n.startswith('cgroup-memcg-stall: not checked')
                            for n in rep['notes']))


class Prometheus(Tmp):
    def families(self, root):
        return promparse.parse(self.run_ok('export', '--prometheus', '--root', root))

    def value(self, fams, name, **labels):
        want = {k: str(v) for k, v in labels.items()}
        for fam in fams.values():
            for sname, slabels, v in fam.samples:
                if sname == name and slabels == want:
                    return v
        raise KeyError('%s%s' % (name, labels))

    def test_series(self):
        fams = self.families(self.source)
        for row in raw_table(self.source, 'cgroups'):
            label = unescape(row['cgroup'])
            self.assertEqual(self.value(fams, 'reclaimscope_cgroup_memcg_stalls_total',
                                        cgroup=label), int(row['memcg_stalls']))
            self.assertAlmostEqual(self.value(fams, 'reclaimscope_cgroup_memcg_seconds_total',
                                              cgroup=label), int(row['memcg_ns']) / 1e9)
            self.assertAlmostEqual(self.value(fams, 'reclaimscope_cgroup_max_seconds',
                                              cgroup=label), int(row['max_ns']) / 1e9)
        self.assertEqual(fams['reclaimscope_cgroup_memcg_seconds_total'].type, 'counter')
        self.assertEqual(len(fams['reclaimscope_cgroup_memcg_stalls_total'].samples),
                         len(raw_table(self.source, 'cgroups')))
        for nid in (0, 1):
            self.assertAlmostEqual(
                self.value(fams, 'reclaimscope_kswapd_cpu_seconds_total', node=nid),
                raw(self.source, 'node%d/kswapd' % nid)['cpu_ns'] / 1e9)
        for fname in ('memcg_reclaim', 'direct_compaction'):
            kv = raw(self.source, fname)
            base = 'reclaimscope_%s_duration_seconds' % fname
            self.assertEqual(self.value(fams, base + '_count'), kv['completed'])
            self.assertAlmostEqual(self.value(fams, base + '_sum'), kv['total_ns'] / 1e9)
            self.assertEqual(self.value(fams, 'reclaimscope_%s_stalls_total' % fname),
                             kv['stalls'])
            self.assertAlmostEqual(self.value(fams, 'reclaimscope_%s_max_seconds' % fname),
                                   kv['max_ns'] / 1e9)
        self.assertEqual(self.value(fams, 'reclaimscope_direct_compaction_order_stalls_total',
                                    order=9), 40)
        self.assertEqual(self.value(fams, 'reclaimscope_shrink_list_context_calls_total',
                                    node=0, context='kswapd'), 1690)
        self.assertAlmostEqual(self.value(fams, 'reclaimscope_shrinkers_context_seconds_total',
                                          context='kswapd'), 5.0319)
        self.assertAlmostEqual(self.value(fams, 'reclaimscope_shrinker_context_seconds',
                                          shrinker='super_cache_scan', context='kswapd'), 5.015)

    def test_no_series_per_task(self):
        text = self.run_ok('export', '--prometheus', '--root', self.source)
        for word in ('pid=', 'comm=', 'postgres"', 'reclaimscope_task'):
            self.assertNotIn(word, text)

    def test_label_values_escaped(self):
        """A cgroup name may hold any character but '/' and NUL: a quote, a
        backslash, a newline (escaped \\012 by the module) come back
        from the strict parser as they were."""
        root = self.copy()
        weird = '/odd "name"\\with\nnewline'
        escaped = weird.replace('\\', '\\134').replace('\n', '\\012').replace(' ', '\\040')
        self.edit(root, 'cgroups', lambda t: t.replace('/batch/nightly\\040job', escaped))
        fams = self.families(root)
        self.assertEqual(self.value(fams, 'reclaimscope_cgroup_memcg_stalls_total',
                                    cgroup=weird), 150)
        if shutil.which('promtool'):
            proc = subprocess.run(['promtool', 'check', 'metrics'],
                                  input=self.run_ok('export', '--prometheus', '--root', root),
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  universal_newlines=True)
            self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)

    def test_rows_of_one_cgroup_summed(self):
        root = self.copy()
        self.edit(root, 'cgroups', lambda t: t.replace('\nother ', '\n/ 1 2 3 4 5 6 7 8 9 '
                                                       '99999999\nother ', 1))
        fams = self.families(root)
        self.assertEqual(self.value(fams, 'reclaimscope_cgroup_memcg_stalls_total',
                                    cgroup='/'), 1)
        self.assertEqual(self.value(fams, 'reclaimscope_cgroup_direct_stalls_total',
                                    cgroup='/'), 10 + 4)
        self.assertAlmostEqual(self.value(fams, 'reclaimscope_cgroup_max_seconds', cgroup='/'),
                               0.099999999)


if __name__ == '__main__':
    unittest.main()
