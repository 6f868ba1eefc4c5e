# SPDX-License-Identifier: GPL-2.0
"""The layout (issue 16): the tool's source is the package reclaimscope/,
make cli joins it into scripts/reclaimscope, the single file users copy
and every other test runs.  Here: the built file is what the package
builds, and the package run as python3 -m reclaimscope prints what the
built file prints."""
import os
import subprocess
import sys
import unittest

from common import REPO, SCRIPT, all_trees, fixture, rs

BUILD = os.path.join(REPO, 'reclaimscope', 'build.py')


def run(argv, package):
    cmd = [sys.executable] + (['-m', 'reclaimscope'] if package else [SCRIPT]) + argv
    env = dict(os.environ, COLUMNS='80', PYTHONPATH=REPO)
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True, cwd=REPO, env=env)


@unittest.skipUnless(sys.version_info >= (3, 8), 'build.py needs 3.8 (ast end_lineno)')
class Built(unittest.TestCase):
    def test_built_file_is_up_to_date(self):
        if os.environ.get('RECLAIMSCOPE_CLI'):
            self.skipTest('testing another build of the tool')
        proc = subprocess.run([sys.executable, BUILD, '--check', SCRIPT],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              universal_newlines=True)
        self.assertEqual(proc.returncode, 0, proc.stderr)

    def test_banner_per_module(self):
        with open(SCRIPT) as f:
            text = f.read()
        for mod in ('errors', 'tree', 'text', 'analysis', 'rules', 'snapshot', 'top', 'render',
                    'prometheus', 'record', 'plot', 'doctor', 'commands', 'cli'):
            self.assertIn('# reclaimscope/%s.py: ' % mod, text)
        self.assertNotIn('from .', text)


class PackageEqualsBuilt(unittest.TestCase):
    def test_same_output(self):
        trees = [p for n, p in all_trees() if '/series/' not in n][:6]
        trees.append(fixture('6.1', 'hopeless'))
        for root in trees:
            for argv in (['snapshot'], ['snapshot', '--json'], ['diagnose'],
                         ['diagnose', '--json'], ['export', '--prometheus'],
                         ['doctor'], ['doctor', '--json']):
                with self.subTest(root=root, argv=argv):
                    a = run(argv + ['--root', root], package=True)
                    b = run(argv + ['--root', root], package=False)
                    self.assertEqual((a.returncode, a.stdout, a.stderr),
                                     (b.returncode, b.stdout, b.stderr))

    def test_errors_and_version(self):
        for argv in (['--version'], ['snapshot', '--root', '/nonexistent'], ['frobnicate']):
            a, b = run(argv, True), run(argv, False)
            self.assertEqual(a.returncode, b.returncode, argv)
            self.assertEqual(a.stdout, b.stdout, argv)
        self.assertEqual(run(['snapshot', '--root', '/nonexistent'], True).returncode,
                         rs.EXIT_NOT_LOADED)


if __name__ == '__main__':
    unittest.main()
