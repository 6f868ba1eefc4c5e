# SPDX-License-Identifier: GPL-2.0
"""No input gives a traceback (issue 16, defect 1): every file of a tree
damaged in the ways a copy or a racing unload damages it, and every
command: the tool ends with 0, 1 (diagnose found something, doctor
failed a check), 6 (the version file names another abi) or 7 (bad data,
naming the file and the key), never with an exception.  doctor reads
the machine's files too: each of them damaged, it still ends with 0 or
1 and a line per check."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

from common import SCRIPT, derived, fixture, rs, run_cli
from test_doctor import machine

COMMANDS = (('snapshot',), ('diagnose',), ('export', '--prometheus'), ('export', '--json'),
            ('snapshot', '--json'), ('diagnose', '--json'), ('doctor',), ('doctor', '--json'))
OK = (0, 1, 6, 7)     # 6: a version file whose abi is not 1


def files(root):
    return sorted(os.path.relpath(os.path.join(top, n), root)
                  for top, _, names in os.walk(root) for n in names)


class Damaged(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix='rs-test.')
        self.addCleanup(shutil.rmtree, self.tmp)
        self.source = fixture('6.1', 'pressure')

    def copy(self):
        root = os.path.join(self.tmp, 'tree')
        shutil.rmtree(root, ignore_errors=True)
        shutil.copytree(self.source, root)
        return root

    def check(self, root, what, commands=COMMANDS):
        for cmd in commands:
            status, out, err = run_cli(*(cmd + ('--root', root)))
            self.assertIn(status, OK, '%s, %s: status %s: %s' % (what, ' '.join(cmd),
                                                                 status, err))
            self.assertNotIn('internal error', err, what)
            if status == rs.EXIT_BAD_DATA:
                self.assertTrue(err.startswith('reclaimscope: ') and root in err,
                                '%s: %s' % (what, err))

    def test_the_issue_example(self):
        """Delete the wakes line of node0/kswapd: exit 7 naming both."""
        root = self.copy()
        path = os.path.join(root, 'node0', 'kswapd')
        with open(path) as f:
            lines = [l for l in f if not l.startswith('wakes ')]
        with open(path, 'w') as f:
            f.writelines(lines)
        for cmd in COMMANDS[:3]:
            status, out, err = run_cli(*(cmd + ('--root', root)))
            self.assertEqual(status, rs.EXIT_BAD_DATA, err)
            self.assertIn('node0/kswapd', err)
            self.assertIn('wakes', err)
            self.assertEqual(out, '')

    def test_each_line_deleted(self):
        """Every line of every module file (and the first lines of the proc
        files) deleted in turn."""
        root = self.copy()
        for rel in files(self.source):
            with open(os.path.join(self.source, rel)) as f:
                lines = f.readlines()
            limit = 12 if rel.startswith('proc/') else len(lines)
            for i in range(min(limit, len(lines))):
                with open(os.path.join(root, rel), 'w') as f:
                    f.writelines(lines[:i] + lines[i + 1:])
                self.check(root, '%s without line %d' % (rel, i + 1), COMMANDS[:3])
            shutil.copy(os.path.join(self.source, rel), os.path.join(root, rel))

    def test_each_file_empty_truncated_or_garbled(self):
        for rel in files(self.source):
            with open(os.path.join(self.source, rel)) as f:
                text = f.read()
            for how, damaged in (('empty', ''),
                                 ('cut mid-line', text[:len(text) // 2]),
                                 ('one word', 'x\n'),
                                 ('a value not a number', text.replace(' 0\n', ' zero\n', 1)),
                                 ('negative values', text.replace(' 1', ' -1')),
                                 ('binary', '\x00\xff\n' * 3),
                                 ('not UTF-8', b'\xff\xfe\x80 1\n'),
                                 ('header only', text.split('\n', 1)[0] + '\n')):
                root = self.copy()
                with open(os.path.join(root, rel), 'wb' if isinstance(damaged, bytes)
                          else 'w') as f:
                    f.write(damaged)
                self.check(root, '%s %s' % (rel, how))

    def test_psi_and_node_vmstat_damaged(self):
        """The host files only some trees have: PSI and node vmstat."""
        for name, rel in (('memory-stall', 'proc/pressure/memory'),
                          ('thrashing', 'sys/devices/system/node/node1/vmstat')):
            self.source = derived(name)
            with open(os.path.join(self.source, rel)) as f:
                text = f.read()
            for how, damaged in (('empty', ''), ('cut mid-line', text[:len(text) // 2]),
                                 ('garbage', 'some avg10=x\nfull\n'),
                                 ('huge', text.replace('=', '=9e999', 1)),
                                 ('binary', '\x00\xff\n'), ('not UTF-8', b'\xff\xfe\n')):
                root = self.copy()
                with open(os.path.join(root, rel), 'wb' if isinstance(damaged, bytes)
                          else 'w') as f:
                    f.write(damaged)
                self.check(root, '%s %s' % (rel, how))

    def test_each_file_missing(self):
        for rel in files(self.source):
            root = self.copy()
            os.unlink(os.path.join(root, rel))
            self.check(root, '%s missing' % rel)

    def test_zone_field_missing(self):
        root = self.copy()
        path = os.path.join(root, 'node0', 'watermarks')
        with open(path) as f:
            lines = [l for l in f if not l.startswith('DMA32.low ')]
        with open(path, 'w') as f:
            f.writelines(lines)
        status, _, err = run_cli('snapshot', '--root', root)
        self.assertEqual(status, rs.EXIT_BAD_DATA)
        self.assertIn('node0/watermarks', err)
        self.assertIn('DMA32.low', err)

    def test_record_lines_damaged(self):
        """plot reads record files: a line without a key it needs is bad
        data (7) naming the line, not a traceback."""
        good = rs.record_line(rs.sample(rs.open_source(self.source)))
        rec = os.path.join(self.tmp, 'r.jsonl')
        for how, line in (('no nodes', good.replace('"nodes"', '"nodez"')),
                          ('no t', good.replace('"t"', '"tt"')),
                          ('no free', good.replace('"free"', '"frei"')),
                          ('a list', '[1, 2]'),
                          ('wrong type', good.replace('"wakes":', '"wakes":"x","w":')),
                          ('not UTF-8', b'{"t": \xff}')):
            with open(rec, 'wb') as f:
                line = line if isinstance(line, bytes) else line.encode()
                f.write(good.encode() + b'\n' + line + b'\n' + good.encode() + b'\n')
            status, _, err = run_cli('plot', rec, '-o', os.path.join(self.tmp, 'x.svg'))
            self.assertEqual(status, rs.EXIT_BAD_DATA, '%s: %s' % (how, err))
            self.assertIn('r.jsonl:2', err, how)

    def test_as_a_process(self):
        root = self.copy()
        with open(os.path.join(root, 'node0', 'kswapd'), 'w') as f:
            f.write('')
        proc = subprocess.run([sys.executable, SCRIPT, 'diagnose', '--root', root],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              universal_newlines=True)
        self.assertEqual(proc.returncode, rs.EXIT_BAD_DATA)
        self.assertNotIn('Traceback', proc.stderr)
        self.assertIn('node0/kswapd: empty', proc.stderr)


class DoctorDamaged(unittest.TestCase):
    """Every file doctor reads of a machine (test_doctor's copy), damaged
    in turn: doctor still prints every check and ends with 0 or 1."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix='rs-test.')
        self.addCleanup(shutil.rmtree, self.tmp)
        self.good = machine(self.tmp)
        tree = set(files(fixture('6.1', 'pressure')))
        self.host_files = [f for f in files(self.good) if f not in tree] + ['hooks', 'version']

    def check(self, root, what):
        for argv in (('doctor', '--root', root), ('doctor', '--json', '--root', root)):
            status, out, err = run_cli(*argv)
            self.assertIn(status, (rs.EXIT_OK, rs.EXIT_FINDINGS), '%s: %s' % (what, err))
            self.assertEqual(err, '', what)
            self.assertNotIn('internal error', out, what)
            if '--json' in argv:
                rep = json.loads(out)
                self.assertGreaterEqual(len(rep['checks']), 12, what)
                self.assertEqual(status, rs.EXIT_FINDINGS if rep['failed'] else rs.EXIT_OK)

    def test_each_machine_file_damaged(self):
        self.assertIn('proc/sys/kernel/tainted', self.host_files)
        for rel in self.host_files:
            for how, damaged in (('empty', b''), ('a word', b'x\n'),
                                 ('binary', b'\x00\xff\n' * 3), ('not UTF-8', b'\xff\xfe 1\n'),
                                 ('huge', b'9' * 5000 + b'\n'), ('spaces', b'   \n\t\n'),
                                 ('missing', None), ('a directory', 'dir'),
                                 ('a link loop', 'loop')):
                root = os.path.join(self.tmp, 'damaged')
                shutil.rmtree(root, ignore_errors=True)
                shutil.copytree(self.good, root, symlinks=True)
                path = os.path.join(root, rel)
                if os.path.isdir(path) and not os.path.islink(path):
                    shutil.rmtree(path)
                else:
                    os.unlink(path)
                if damaged == 'dir':
                    os.mkdir(path)
                elif damaged == 'loop':
                    os.symlink(os.path.basename(path), path)
                elif damaged is not None:
                    with open(path, 'wb') as f:
                        f.write(damaged)
                self.check(root, '%s %s' % (rel, how))

    def test_machine_directories_missing(self):
        for top in ('proc', 'sys', 'boot', 'lib', 'var', 'usr', 'security'):
            root = os.path.join(self.tmp, 'damaged')
            shutil.rmtree(root, ignore_errors=True)
            shutil.copytree(self.good, root, symlinks=True)
            shutil.rmtree(os.path.join(root, top))
            self.check(root, 'no %s' % top)
        empty = os.path.join(self.tmp, 'empty')
        os.mkdir(empty)
        self.check(empty, 'an empty directory')


if __name__ == '__main__':
    unittest.main()
