# SPDX-License-Identifier: GPL-2.0
"""export --prometheus: accepted by the strict parser, numbers equal to the
raw files, written atomically; and the parser rejects bad input."""
import collections
import os
import shutil
import subprocess
import tempfile
import unittest

import promparse
from common import captured_trees, fixture, raw, raw_table, rs, run_cli


def export(root):
    status, out, err = run_cli('export', '--prometheus', '--root', root)
    if status != rs.EXIT_OK:
        raise AssertionError('export failed: %s' % err)
    return out


def value(families, name, **labels):
    want = {k: str(v) for k, v in labels.items()}
    for fam in families.values():
        for sname, slabels, v in fam.samples:
            if sname == name and slabels == want:
                return v
    raise KeyError('%s%s' % (name, labels))


class Exposition(unittest.TestCase):
    def test_parses_strictly(self):
        for name, root in captured_trees():
            with self.subTest(tree=name):
                families = promparse.parse(export(root))
                types = collections.Counter(f.type for f in families.values())
                self.assertGreater(types['histogram'], 0)
                self.assertGreater(types['counter'], 0)
                self.assertEqual(types['untyped'], 0, 'a key with no known type')

    def test_values_match_raw_files(self):
        for name, root in captured_trees():
            with self.subTest(tree=name):
                fams = promparse.parse(export(root))
                for nid in (int(d[4:]) for d in os.listdir(root) if d.startswith('node')):
                    k = raw(root, 'node%d/kswapd' % nid)
                    self.assertEqual(value(fams, 'reclaimscope_kswapd_wakes_total', node=nid),
                                     k['wakes'])
                    self.assertEqual(value(fams, 'reclaimscope_kswapd_hopeless', node=nid),
                                     k['hopeless'])
                    self.assertAlmostEqual(
                        value(fams, 'reclaimscope_kswapd_awake_seconds_total', node=nid),
                        k['awake_ns_total'] / 1e9)
                    for fname in ('balance_pgdat', 'direct_reclaim', 'shrink_list', 'compaction'):
                        kv = raw(root, 'node%d/%s' % (nid, fname))
                        hist = [v for key, v in kv.items() if key.startswith('latency_us_')]
                        base = 'reclaimscope_%s_duration_seconds' % fname
                        self.assertEqual(value(fams, base + '_count', node=nid), sum(hist))
                        self.assertAlmostEqual(value(fams, base + '_sum', node=nid),
                                               kv['total_ns'] / 1e9)
                        self.assertEqual(value(fams, base + '_bucket', node=nid, le='1e-06'),
                                         kv['latency_us_le_1'])
                        self.assertEqual(value(fams, base + '_bucket', node=nid, le='1.048576'),
                                         sum(hist) - kv['latency_us_gt_1048576'])
                    w = raw(root, 'node%d/watermarks' % nid)
                    for key, v in w.items():
                        zone, field = key.split('.')
                        name = 'reclaimscope_zone_' + field + (
                            '' if field.startswith('ok_') or field == 'boosted' else '_pages')
                        self.assertEqual(value(fams, name, node=nid, zone=zone), v)
                    c = raw(root, 'node%d/compaction' % nid)
                    self.assertEqual(value(fams, 'reclaimscope_compaction_results_total',
                                           node=nid, status='complete'), c['result_complete'])

    def test_shrinker_rows_sharing_a_name_are_summed(self):
        """Per name: gauges; over all rows: counters."""
        for name, root in captured_trees():
            with self.subTest(tree=name):
                fams = promparse.parse(export(root))
                freed, calls = collections.Counter(), collections.Counter()
                for row in raw_table(root, 'shrinkers'):
                    freed[row['name']] += int(row['freed_total'])
                    calls[row['name']] += int(row['calls'])
                for shrinker in freed:
                    self.assertEqual(value(fams, 'reclaimscope_shrinker_freed_objects',
                                           shrinker=shrinker), freed[shrinker])
                    self.assertEqual(value(fams, 'reclaimscope_shrinker_calls',
                                           shrinker=shrinker), calls[shrinker])
                self.assertEqual(value(fams, 'reclaimscope_shrinkers_freed_objects_total'),
                                 sum(freed.values()))
                self.assertEqual(value(fams, 'reclaimscope_shrinkers_calls_total'),
                                 sum(calls.values()))

    def test_atomic_write(self):
        root = captured_trees()[0][1]
        tmp = tempfile.mkdtemp(prefix='rs-test.')
        self.addCleanup(shutil.rmtree, tmp)
        path = os.path.join(tmp, 'reclaimscope.prom')
        with open(path, 'w') as f:
            f.write('old\n')
        status, out, _ = run_cli('export', '--prometheus', '--root', root, path)
        self.assertEqual((status, out), (rs.EXIT_OK, ''))
        with open(path) as f:
            self.assertEqual(f.read(), export(root))
        self.assertEqual(os.listdir(tmp), ['reclaimscope.prom'], 'temporary file left')
        self.assertEqual(os.stat(path).st_mode & 0o777, 0o644)
        status, _, err = run_cli('export', '--prometheus', '--root', root,
                                 os.path.join(tmp, 'missing', 'x.prom'))
        self.assertEqual(status, rs.EXIT_BAD_DATA)
        self.assertEqual(os.listdir(tmp), ['reclaimscope.prom'])

    def test_label_escaping(self):
        exp = rs.Exposition()
        exp.add('x_total', 'counter', 'help with \\ and\nnewline',
                {'shrinker': 'a"b\\c\nd'}, 3)
        fams = promparse.parse(exp.render())
        self.assertEqual(fams['x_total'].samples, [('x_total', {'shrinker': 'a"b\\c\nd'}, 3.0)])
        self.assertEqual(fams['x_total'].help, 'help with \\ and\nnewline')


GOOD = '''# HELP a_total A.
# TYPE a_total counter
a_total{node="0"} 1
a_total{node="1"} 2
# HELP h Hist.
# TYPE h histogram
h_bucket{le="0.5"} 1
h_bucket{le="1"} 3
h_bucket{le="+Inf"} 3
h_sum 1.5
h_count 3
'''


def families_of(tree_dir):
    return promparse.parse(export(tree_dir))


class Naming(unittest.TestCase):
    """Issue 16, defect 8: units in names, no doubled words, HELP that
    says something, *_ns to seconds by rule, shrinker sums that never
    fall, the demo shrinker only when asked."""

    def test_no_doubled_words_and_units(self):
        for name, root in captured_trees():
            with self.subTest(tree=name):
                for fam in families_of(root).values():
                    words = fam.name.split('_')
                    self.assertEqual([w for i, w in enumerate(words) if w in words[:i]], [],
                                     fam.name)
                    self.assertNotIn('_ns', fam.name)
                    if fam.name.startswith(('reclaimscope_zone_', 'reclaimscope_dirty_')) \
                            and fam.type == 'gauge':
                        self.assertTrue(fam.name.endswith('_pages') or fam.help.startswith('1 ')
                                        or 'now' in fam.help, fam.name)

    def test_help_means_something(self):
        fams = families_of(captured_trees()[0][1])
        for fam in fams.values():
            self.assertGreaterEqual(len(fam.help.split()), 3, fam.name)
            self.assertNotIn('Documentation/reclaimscope.rst', fam.help, fam.name)
            if 'seconds' in fam.name:
                self.assertIn('second', fam.help, fam.name)

    def test_unknown_keys_by_rule(self):
        tmp = tempfile.mkdtemp(prefix='rs-test.')
        self.addCleanup(shutil.rmtree, tmp)
        root = os.path.join(tmp, 'tree')
        shutil.copytree(captured_trees()[0][1], root)
        with open(os.path.join(root, 'node0', 'kswapd'), 'a') as f:
            f.write('cpu_ns 2500000000\nnew_thing_ns 7\nlast_new_ns 9\n'
                    'widgets_total 4\nwidget_level 3\n')
        fams = families_of(root)
        want = {'reclaimscope_kswapd_cpu_seconds_total': ('counter', 2.5),
                'reclaimscope_kswapd_new_thing_seconds_total': ('counter', 7e-9),
                'reclaimscope_kswapd_last_new_seconds': ('gauge', 9e-9),
                'reclaimscope_kswapd_widgets_total': ('counter', 4),
                'reclaimscope_kswapd_widget_level': ('gauge', 3)}
        for name, (kind, v) in want.items():
            self.assertEqual(fams[name].type, kind, name)
            self.assertAlmostEqual(value(fams, name, node=0), v)
        self.assertNotIn('untyped', {f.type for f in fams.values()})

    def test_shrinker_sums_never_fall(self):
        """A row that takes another name (a shrinker freed, another at its
        address) must not make a counter fall."""
        tmp = tempfile.mkdtemp(prefix='rs-test.')
        self.addCleanup(shutil.rmtree, tmp)
        a = os.path.join(tmp, 'a')
        shutil.copytree(captured_trees()[1][1], a)
        b = os.path.join(tmp, 'b')
        shutil.copytree(a, b)
        path = os.path.join(b, 'shrinkers')
        with open(path) as f:
            lines = f.read().splitlines()
        self.assertGreater(len(lines), 1)
        lines[1] = 'renamed_scan ' + lines[1].split(' ', 1)[1]
        with open(path, 'w') as f:
            f.write('\n'.join(lines) + '\n')
        fa, fb = families_of(a), families_of(b)
        for fam in fa.values():
            if fam.type != 'counter':
                continue
            self.assertNotIn('shrinker', {k for _, labels, _ in fam.samples for k in labels},
                             '%s: per-name shrinker values must not be counters' % fam.name)
            if fam.name.startswith('reclaimscope_shrinkers_'):
                self.assertGreaterEqual(fb[fam.name].samples[0][2], fam.samples[0][2])

    def test_demo_shrinker_only_when_asked(self):
        root = fixture('6.12', 'demo')
        self.assertNotIn('reclaimscope_demo_shrinker', export(root))
        status, out, _ = run_cli('export', '--prometheus', '--demo', '--root', root)
        self.assertIn('reclaimscope_demo_shrinker_objects', out)
        promparse.parse(out)

    @unittest.skipUnless(shutil.which('promtool'), 'promtool is not installed (Debian: '
                         'apt install prometheus)')
    def test_promtool_is_clean(self):
        for name, root in captured_trees():
            with self.subTest(tree=name):
                proc = subprocess.run(['promtool', 'check', 'metrics'], input=export(root),
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                      universal_newlines=True)
                self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
                self.assertEqual(proc.stdout + proc.stderr, '')


class ParserRejects(unittest.TestCase):
    def test_accepts_good(self):
        fams = promparse.parse(GOOD)
        self.assertEqual(sorted(fams), ['a_total', 'h'])
        self.assertEqual(len(fams['h'].samples), 5)

    def reject(self, text, why):
        with self.assertRaises(promparse.ParseError, msg=why):
            promparse.parse(text)

    def test_rejects(self):
        cases = {
            'bad metric name': GOOD.replace('a_total{node="1"}', '1a_total{node="1"}'),
            'bad label name': GOOD.replace('{node="1"}', '{no-de="1"}'),
            'bad escape': GOOD.replace('{node="1"}', '{node="\\t"}'),
            'unterminated value': GOOD.replace('{node="1"}', '{node="1}'),
            'bad value': GOOD.replace('a_total{node="1"} 2', 'a_total{node="1"} two'),
            'second HELP': GOOD.replace('# TYPE a_total', '# HELP a_total again\n# TYPE a_total'),
            'second TYPE': GOOD.replace('# TYPE h histogram', '# TYPE h histogram\n# TYPE h histogram'),
            'TYPE after samples': GOOD + '# TYPE a_total counter\n',
            'no TYPE': GOOD.replace('# TYPE a_total counter\n', ''),
            'duplicate series': GOOD.replace('{node="1"}', '{node="0"}'),
            'counter without _total': GOOD.replace('a_total', 'a'),
            'negative counter': GOOD.replace('a_total{node="1"} 2', 'a_total{node="1"} -2'),
            'not cumulative': GOOD.replace('h_bucket{le="1"} 3', 'h_bucket{le="1"} 0'),
            '+Inf != count': GOOD.replace('h_count 3', 'h_count 4'),
            'le not ascending': GOOD.replace('le="1"', 'le="0.25"'),
            'no +Inf': GOOD.replace('h_bucket{le="+Inf"} 3\n', ''),
            'no _sum': GOOD.replace('h_sum 1.5\n', ''),
            'interleaved family': GOOD + 'a_total{node="2"} 1\n',
            'no final newline': GOOD.rstrip('\n'),
            'unknown type': GOOD.replace('counter', 'countr'),
        }
        for why, text in cases.items():
            with self.subTest(why):
                self.reject(text, why)


if __name__ == '__main__':
    unittest.main()
