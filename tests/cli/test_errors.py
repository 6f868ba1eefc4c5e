# SPDX-License-Identifier: GPL-2.0
"""Exit statuses and messages for the ways reading can fail."""
import builtins
import os
import shutil
import subprocess
import sys
import tempfile
import unittest
from unittest import mock

from common import SCRIPT, captured_trees, fixture, rs, run_cli


def some_tree():
    return captured_trees()[0][1]


class CopiedTree(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix='rs-test.')
        self.root = os.path.join(self.tmp, 'tree')
        shutil.copytree(some_tree(), self.root)

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def test_unknown_abi(self):
        path = os.path.join(self.root, 'version')
        with open(path) as f:
            text = f.read()
        self.assertIn('abi 1\n', text)
        with open(path, 'w') as f:
            f.write(text.replace('abi 1\n', 'abi 2\n'))
        for cmd in ('snapshot', 'diagnose', 'export', 'record'):
            extra = {'export': ['--prometheus'],
                     'record': ['-o', os.path.join(self.tmp, 'r'), '-n', '1']}.get(cmd, [])
            status, out, err = run_cli(cmd, '--root', self.root, *extra)
            self.assertEqual(status, rs.EXIT_ABI, cmd)
            self.assertIn('abi 2', err)
            self.assertEqual(out, '')
        self.assertFalse(os.path.exists(os.path.join(self.tmp, 'r')), 'record made a file')

    def test_unreadable_file(self):
        denied = os.path.join(self.root, 'node0', 'kswapd')
        real_open = builtins.open

        def fake_open(path, *args, **kwargs):
            if path == denied:
                raise PermissionError(13, 'Permission denied', path)
            return real_open(path, *args, **kwargs)

        with mock.patch('builtins.open', fake_open):
            status, out, err = run_cli('snapshot', '--root', self.root)
        self.assertEqual(status, rs.EXIT_PERMISSION)
        self.assertIn('node0/kswapd', err)
        self.assertIn('root', err)

    def test_malformed_file(self):
        with open(os.path.join(self.root, 'node0', 'kswapd'), 'a') as f:
            f.write('wakes many\n')
        status, _, err = run_cli('snapshot', '--root', self.root)
        self.assertEqual(status, rs.EXIT_BAD_DATA)
        self.assertIn('wakes', err)

    def test_missing_node_file(self):
        os.unlink(os.path.join(self.root, 'node0', 'compaction'))
        status, _, err = run_cli('diagnose', '--root', self.root)
        self.assertEqual(status, rs.EXIT_BAD_DATA)
        self.assertIn('node0/compaction', err)

    def test_no_proc_says_so(self):
        shutil.rmtree(os.path.join(self.root, 'proc'), ignore_errors=True)
        status, out, _ = run_cli('diagnose', '--root', self.root)
        self.assertIn(status, (rs.EXIT_OK, rs.EXIT_FINDINGS))
        self.assertIn('no vmstat in this tree', out)


class Live(unittest.TestCase):
    """The live-tree checks, with the paths pointed at a scratch directory."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix='rs-test.')
        self.debugfs = os.path.join(self.tmp, 'debug')
        os.mkdir(self.debugfs)
        self.mounts = os.path.join(self.tmp, 'mounts')
        patches = [mock.patch.object(rs, 'DEBUGFS_DIR', self.debugfs),
                   mock.patch.object(rs, 'DEFAULT_ROOT', os.path.join(self.debugfs, 'reclaimscope')),
                   mock.patch.object(rs, 'PROC_MOUNTS', self.mounts)]
        for p in patches:
            p.start()
            self.addCleanup(p.stop)

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def mounted(self, yes):
        with open(self.mounts, 'w') as f:
            f.write('proc /proc proc rw 0 0\n')
            if yes:
                f.write('debugfs %s debugfs rw 0 0\n' % self.debugfs)

    def test_debugfs_not_mounted(self):
        self.mounted(False)
        status, _, err = run_cli('snapshot')
        self.assertEqual(status, rs.EXIT_NO_DEBUGFS)
        self.assertIn('debugfs is not mounted', err)

    def test_module_not_loaded(self):
        self.mounted(True)
        status, _, err = run_cli('diagnose')
        self.assertEqual(status, rs.EXIT_NOT_LOADED)
        self.assertIn('not loaded', err)

    def test_not_root(self):
        self.mounted(True)
        with mock.patch.object(rs.os, 'stat', side_effect=PermissionError(13, 'denied')):
            status, _, err = run_cli('snapshot')
        self.assertEqual(status, rs.EXIT_PERMISSION)
        self.assertIn('root', err)

    def test_loaded(self):
        self.mounted(True)
        shutil.copytree(some_tree(), rs.DEFAULT_ROOT)
        status, out, _ = run_cli('snapshot', '--json')
        self.assertEqual(status, rs.EXIT_OK)
        self.assertIn('"schema": "reclaimscope.snapshot"', out)


class CommandLine(unittest.TestCase):
    def test_missing_root(self):
        status, _, err = run_cli('snapshot', '--root', '/nonexistent/reclaimscope')
        self.assertEqual(status, rs.EXIT_NOT_LOADED)
        self.assertIn('no such directory', err)

    def test_usage(self):
        self.assertEqual(run_cli('frobnicate')[0], rs.EXIT_USAGE)
        self.assertEqual(run_cli('export', '--root', '/x')[0], rs.EXIT_USAGE)
        self.assertEqual(run_cli('watch', '-i', '0')[0], rs.EXIT_USAGE)
        self.assertEqual(run_cli('record', '-o', '/x', '-n', '0')[0], rs.EXIT_USAGE)

    def test_negative_thresholds_refused(self):
        """Issue 16, defect 9: negative thresholds and --top were accepted."""
        root = some_tree()
        for argv in (('snapshot', '--top', '-1'), ('diagnose', '--allocstall-min', '-5'),
                     ('diagnose', '--hit-quickly-min', '-1'), ('diagnose', '--stall-ms', '-1'),
                     ('snapshot', '--top', 'many')):
            with self.subTest(argv=argv):
                status, out, err = run_cli(*(argv + ('--root', root)))
                self.assertEqual(status, rs.EXIT_USAGE, err)
                self.assertEqual(out, '')

    def test_top_zero_tells_the_truth(self):
        """--top 0 said "no shrinker has been called since the module was
        loaded" when the table had rows."""
        root = fixture('6.1', 'pressure')
        with open(os.path.join(root, 'shrinkers')) as f:
            rows = len(f.read().splitlines()) - 1
        self.assertGreater(rows, 0)
        status, out, _ = run_cli('snapshot', '--top', '0', '--root', root)
        self.assertEqual(status, rs.EXIT_OK)
        self.assertNotIn('no shrinker has been called', out)
        self.assertIn('not shown (--top 0)', out)

    def test_no_command(self):
        status, out, err = run_cli()
        self.assertEqual(status, rs.EXIT_USAGE)
        self.assertIn('give a command', err)

    def test_no_traceback_as_a_process(self):
        proc = subprocess.run([sys.executable, SCRIPT, 'diagnose', '--root', '/nonexistent'],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              universal_newlines=True)
        self.assertEqual(proc.returncode, rs.EXIT_NOT_LOADED)
        self.assertNotIn('Traceback', proc.stderr)
        self.assertTrue(proc.stderr.startswith('reclaimscope: '))

    def test_executable_with_shebang(self):
        self.assertTrue(os.access(SCRIPT, os.X_OK))
        with open(SCRIPT) as f:
            self.assertEqual(f.readline(), '#!/usr/bin/env python3\n')
            self.assertEqual(f.readline(), '# SPDX-License-Identifier: GPL-2.0\n')


if __name__ == '__main__':
    unittest.main()
