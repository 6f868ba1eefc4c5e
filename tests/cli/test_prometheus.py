# SPDX-License-Identifier: GPL-2.0
"""export --prometheus: accepted by the strict parser, numbers equal to the
raw files, written atomically; and the parser rejects bad input."""
import collections
import os
import shutil
import tempfile
import unittest

import promparse
from common import captured_trees, raw, raw_table, rs, run_cli


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
                        self.assertEqual(value(fams, 'reclaimscope_watermarks_' + field,
                                               node=nid, zone=zone), v)
                    c = raw(root, 'node%d/compaction' % nid)
                    self.assertEqual(value(fams, 'reclaimscope_compaction_results_total',
                                           node=nid, status='complete'), c['result_complete'])

    def test_shrinker_rows_sharing_a_name_are_summed(self):
        for name, root in captured_trees():
            with self.subTest(tree=name):
                fams = promparse.parse(export(root))
                freed, calls = collections.Counter(), collections.Counter()
                for row in raw_table(root, 'shrinkers'):
                    freed[row['name']] += int(row['freed_total'])
                    calls[row['name']] += int(row['calls'])
                for shrinker in freed:
                    self.assertEqual(value(fams, 'reclaimscope_shrinker_freed_total',
                                           shrinker=shrinker), freed[shrinker])
                    self.assertEqual(value(fams, 'reclaimscope_shrinker_calls_total',
                                           shrinker=shrinker), calls[shrinker])
                got = {s[1]['shrinker'] for s in
                       fams['reclaimscope_shrinker_calls_total'].samples} if freed else set()
                self.assertEqual(got, set(freed))

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
