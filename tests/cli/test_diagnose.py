# SPDX-License-Identifier: GPL-2.0
"""Every diagnose rule fires on a tree that shows its problem and stays
quiet on one that does not; the findings name what the raw files say."""
import filecmp
import json
import os
import shutil
import tempfile
import unittest

import derive
from common import DERIVED, all_trees, derived, fixture, node_dirs, raw, rs, run_cli

# rule: (a tree that shows the problem, a tree that does not).  derived/*
# trees are made by derive.py from derive.SOURCE: no capture shows those
# problems (see the docstrings there).
CASES = {
    'kswapd-wakes-often': ('6.12/pressure', '6.1/pressure'),
    'kswapd-premature-sleep': ('6.1/pressure', '6.1/idle'),
    'allocstall': ('6.1/pressure', '6.1/idle'),
    'hopeless-node': ('6.1/hopeless', '6.1/compaction'),
    'direct-reclaim-stall': ('6.1/pressure', '6.1/idle'),
    'balance-order-fallback': ('6.1/compaction', '6.1/pressure'),
    'compaction-deferred': ('6.1/pressure', '6.1/idle'),
    'compaction-failing': ('6.1/pressure', '6.1/idle'),
    'shrink-list-dirty': ('6.12/dirty', derive.SOURCE),
    'shrinker-slow': ('6.12/demo', derive.SOURCE),
    'shrinker-never-frees': ('derived/shrinker-never-frees', derive.SOURCE),
    'zone-below-min': ('6.1/series/007', '6.1/series/000'),
    'memory-stall': ('derived/memory-stall', derive.SOURCE),
    'thrashing': ('derived/thrashing', derive.SOURCE),
    # The containers tree has the module's files no capture has yet; its
    # source has none of them (quiet on trees with the files: test_who.py).
    'cgroup-memcg-stall': ('derived/containers', '6.12/pressure'),
    'direct-compaction-stall': ('derived/containers', '6.12/pressure'),
    'kswapd-shrinker-cpu': ('derived/containers', '6.12/pressure'),
}
# What derive.py may change in each derived tree, relative to its source.
DERIVED_EDITS = {
    'shrinker-never-frees': {'shrinkers'},
    'memory-stall': {'proc/pressure/memory'},
    'thrashing': {'sys/devices/system/node/node0/vmstat',
                  'sys/devices/system/node/node1/vmstat'},
    'containers': {'memcg_reclaim', 'direct_compaction', 'tasks', 'cgroups', 'hooks',
                   'shrinkers', 'node0/kswapd', 'node1/kswapd', 'node0/shrink_list',
                   'node1/shrink_list', 'proc/pressure/memory'} |
    {'sys/kernel/mm/transparent_hugepage/' + f for f in derive.THP} |
    {('sys/fs/cgroup' + c.rstrip('/') + '/' + f).replace('//', '/')
     for c, files in derive.CGROUP_FILES.items() for f in files},
}


def tree(name):
    kind, label = name.split('/', 1)
    return derived(label) if kind == 'derived' else fixture(kind, label)


def diagnose(root, *options):
    status, out, err = run_cli('diagnose', '--json', '--root', root, *options)
    rep = json.loads(out)
    return status, rep


def fired(rep, rule):
    return [f for f in rep['findings'] if f['rule'] == rule]


class Rules(unittest.TestCase):
    def test_every_rule_has_a_case(self):
        self.assertEqual(set(CASES), {r.name for r in rs.RULES})

    def test_fires_and_stays_quiet(self):
        for rule, (shows, clean) in CASES.items():
            with self.subTest(rule=rule):
                status, rep = diagnose(tree(shows))
                self.assertTrue(fired(rep, rule), '%s did not fire on %s' % (rule, shows))
                self.assertEqual(status, rs.EXIT_FINDINGS)
                status, rep = diagnose(tree(clean))
                self.assertFalse(fired(rep, rule), '%s fired on %s' % (rule, clean))

    def test_exit_status_follows_findings(self):
        for name, root in all_trees():
            with self.subTest(tree=name):
                status, rep = diagnose(root)
                self.assertEqual(status, rs.EXIT_FINDINGS if rep['findings'] else rs.EXIT_OK)
                status, out, _ = run_cli('diagnose', '--root', root)
                self.assertEqual(out.count('next step: '), len(rep['findings']))

    def test_idle_is_clean(self):
        for kernel in ('6.1', '6.12'):
            with self.subTest(kernel=kernel):
                status, rep = diagnose(fixture(kernel, 'idle'))
                self.assertEqual((status, rep['findings']), (rs.EXIT_OK, []))


class Evidence(unittest.TestCase):
    """Findings name exactly the nodes, zones and rows the raw files show."""

    def test_hopeless(self):
        root = tree(CASES['hopeless-node'][0])
        want = {n for n in node_dirs(root) if raw(root, 'node%d/kswapd' % n)['hopeless']}
        got = {f['node'] for f in fired(diagnose(root)[1], 'hopeless-node')}
        self.assertEqual(got, want)

    def test_zone_below_min(self):
        for name, root in all_trees():
            with self.subTest(tree=name):
                want = set()
                for n in node_dirs(root):
                    w = raw(root, 'node%d/watermarks' % n)
                    for key in w:
                        zone, field = key.split('.')
                        if field == 'free' and w[key] < w[zone + '.min'] + w[zone + '.boost']:
                            want.add((n, zone))
                got = {(f['node'], f['zone']) for f in fired(diagnose(root)[1], 'zone-below-min')}
                self.assertEqual(got, want)

    def test_compaction_deferred(self):
        root = tree(CASES['compaction-deferred'][0])
        want = set()
        for n in node_dirs(root):
            c = raw(root, 'node%d/compaction' % n)
            for key, value in c.items():
                zone, _, field = key.partition('.')
                if field in ('defer_shift', 'deferred_events') and value:
                    want.add((n, zone))
        got = {(f['node'], f['zone']) for f in fired(diagnose(root)[1], 'compaction-deferred')}
        self.assertEqual(got, want)

    def test_order_fallback_evidence(self):
        root = tree(CASES['balance-order-fallback'][0])
        for f in fired(diagnose(root)[1], 'balance-order-fallback'):
            b = raw(root, 'node%d/balance_pgdat' % f['node'])
            self.assertIn('calls %d order_fallbacks %d' % (b['calls'], b['order_fallbacks']),
                          f['evidence'][0])

    def test_stall_threshold_option(self):
        root = tree(CASES['direct-reclaim-stall'][0])
        worst = max(raw(root, 'node%d/direct_reclaim' % n)['max_ns'] for n in node_dirs(root))
        _, rep = diagnose(root, '--stall-ms', str(worst / 1e6))
        self.assertTrue(fired(rep, 'direct-reclaim-stall'))
        self.assertEqual(rep['thresholds']['stall_ms'], worst / 1e6)
        _, rep = diagnose(root, '--stall-ms', str(worst / 1e6 * 1.01))
        self.assertFalse(fired(rep, 'direct-reclaim-stall'))

    def test_never_frees_names_the_row(self):
        root = tree(CASES['shrinker-never-frees'][0])
        findings = fired(diagnose(root)[1], 'shrinker-never-frees')
        with open(os.path.join(root, 'shrinkers')) as f:
            header, *rows = [line.split() for line in f]
        rows = [dict(zip(header, r)) for r in rows]
        self.assertEqual(len(findings), sum(1 for r in rows if r['freed_total'] == '0'
                                            and int(r['calls']) >= 10
                                            and int(r['cache_items']) >= 128))
        for f in findings:
            self.assertIn(' freed_total 0 ', f['evidence'][0])

    def test_watermark_scale_factor_quoted(self):
        root = tree(CASES['allocstall'][0])
        findings = fired(diagnose(root)[1], 'allocstall')
        self.assertTrue(findings)
        for f in findings:
            self.assertIn('vm.watermark_scale_factor', f['advice'])
            self.assertIn('kswapd going to sleep prematurely (kswapd_low_wmark_hit_quickly)',
                          f['reference'])
        status, out, _ = run_cli('diagnose', '--root', root)
        self.assertEqual(out.count('reference: Documentation/admin-guide/sysctl/vm.rst'), 1)


class DerivedTrees(unittest.TestCase):
    def test_reproducible_and_minimal(self):
        """Each derived tree is what derive.py makes, and differs from its
        source in the files its docstring says and no others."""
        tmp = tempfile.mkdtemp(prefix='rs-test.')
        self.addCleanup(shutil.rmtree, tmp)
        for name in derive.DERIVED:
            with self.subTest(derived=name):
                source = tree(derive.source_of(name))
                fresh = os.path.join(tmp, name)
                derive.make(name, fresh)
                self.assertEqual(changed_files(fresh, derived(name)), set())
                self.assertEqual(changed_files(source, fresh), DERIVED_EDITS[name])
        self.assertEqual(set(os.listdir(DERIVED)), set(derive.DERIVED))


def files(root):
    return {os.path.relpath(os.path.join(top, name), root)
            for top, _, names in os.walk(root) for name in names}


def changed_files(a, b):
    """Files that differ between trees @a and @b, or are in one only."""
    fa, fb = files(a), files(b)
    return (fa ^ fb) | {rel for rel in fa & fb if not filecmp.cmp(
        os.path.join(a, rel), os.path.join(b, rel), shallow=False)}


if __name__ == '__main__':
    unittest.main()
