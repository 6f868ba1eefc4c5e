# SPDX-License-Identifier: GPL-2.0
"""Python 3.6 (RHEL 8, Ubuntu 18.04) runs the tool; an older Python is
refused with a clear message (issue 16, defect 9).  The 3.6 run needs a
python3.6: PYTHON36=path, python3.6 on PATH, or a pyenv build; without
one that test is skipped, saying so, and the static checks still run."""
import ast
import glob
import os
import re
import shutil
import subprocess
import sys
import unittest

from common import SCRIPT, fixture, rs

# APIs newer than 3.6 that a tool like this one is tempted to use.
NEWER_APIS = (
    (r'add_subparsers\([^)]*required\s*=', 'add_subparsers(required=) is 3.7'),
    (r'capture_output\s*=', 'subprocess capture_output= is 3.7'),
    (r'\btext\s*=\s*True', 'subprocess text= is 3.7'),
    (r'\bfromisoformat\(', 'datetime.fromisoformat is 3.7'),
    (r'\btime_ns\(|\bmonotonic_ns\(', 'time.*_ns is 3.7'),
    (r'\bbreakpoint\(', 'breakpoint() is 3.7'),
    (r'from __future__ import annotations', 'PEP 563 is 3.7'),
    (r'\bdataclass', 'dataclasses are 3.7'),
    (r'\.removeprefix\(|\.removesuffix\(', 'str.removeprefix is 3.9'),
    (r'\bmath\.(prod|dist|isqrt|comb|perm)\(', 'math.prod and friends are 3.8'),
    (r'shlex\.join\(', 'shlex.join is 3.8'),
    (r'\bcached_property\b', 'functools.cached_property is 3.8'),
    (r'\bsubprocess\.run\([^)]*\bcheck_output\b', ''),
)


def sources():
    """The tool's source files: the script, or the package it is built from."""
    out = [SCRIPT]
    pkg = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
        os.path.abspath(__file__)))), 'reclaimscope')
    out += sorted(glob.glob(os.path.join(pkg, '*.py')))
    return [p for p in out if os.path.isfile(p)]


def works(path, want):
    """Whether @path runs and is Python @want ('2.', '3.6.')."""
    try:
        proc = run(path, '-c', 'import sys; print(sys.version)')
    except OSError:
        return False
    return proc.returncode == 0 and proc.stdout.startswith(want)


def interpreter(want, names, pyenv):
    for path in ([os.environ.get('PYTHON36')] if want == '3.6.' else []) + \
            [shutil.which(n) for n in names] + \
            sorted(glob.glob(os.path.expanduser('~/.pyenv/versions/%s/bin/python' % pyenv))):
        if path and works(path, want):
            return path
    return None


def python36():
    return interpreter('3.6.', ('python3.6',), '3.6*')


def run(python, *argv):
    return subprocess.run([python] + list(argv), stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, universal_newlines=True)


class Python36(unittest.TestCase):
    def test_no_newer_api(self):
        for path in sources():
            with open(path) as f:
                text = f.read()
            for pattern, why in NEWER_APIS:
                if why:
                    m = re.search(pattern, text)
                    self.assertIsNone(m, '%s: %s (%s)' % (path, why, m and m.group(0)))

    @unittest.skipUnless(sys.version_info >= (3, 8), 'ast feature_version needs 3.8')
    def test_syntax_is_36(self):
        for path in sources():
            with open(path) as f:
                ast.parse(f.read(), path, feature_version=(3, 6))

    def test_refuses_older_python(self):
        """The check at the top runs before anything 3.6 needs."""
        proc = run(sys.executable, '-c', 'import runpy, sys; sys.version_info = (3, 5, 2); '
                   'sys.argv = ["reclaimscope", "--help"]; '
                   'runpy.run_path(%r, run_name="__main__")' % SCRIPT)
        self.assertEqual(proc.returncode, rs.EXIT_OLD_PYTHON, proc.stderr)
        self.assertIn('needs Python 3.6 or later', proc.stderr)
        self.assertNotIn('Traceback', proc.stderr)
        self.assertEqual(proc.stdout, '')

    def test_python2_is_refused(self):
        py2 = interpreter('2.', ('python2', 'python2.7'), '2.7*')
        if py2 is None:
            self.skipTest('no python2 here')
        proc = run(py2, SCRIPT, 'snapshot')
        self.assertEqual(proc.returncode, rs.EXIT_OLD_PYTHON, proc.stderr)
        self.assertIn('needs Python 3.6 or later; this is Python 2.', proc.stderr)
        top = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        proc = subprocess.run([py2, '-m', 'reclaimscope', 'snapshot'], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, universal_newlines=True, cwd=top)
        self.assertEqual(proc.returncode, rs.EXIT_OLD_PYTHON, proc.stderr)

    def test_runs_on_36(self):
        py36 = python36()
        if py36 is None:
            self.skipTest('no python3.6 found (PYTHON36=, python3.6, pyenv): only the '
                          'static checks ran')
        root = fixture('6.1', 'pressure')
        for argv in (('snapshot',), ('snapshot', '--json'), ('diagnose',),
                     ('export', '--prometheus'), ('watch', '-n', '1', '-i', '0.01')):
            with self.subTest(argv=argv):
                proc = run(py36, SCRIPT, *(argv + ('--root', root)))
                self.assertIn(proc.returncode, (rs.EXIT_OK, rs.EXIT_FINDINGS), proc.stderr)
                self.assertNotIn('Traceback', proc.stderr)
                self.assertTrue(proc.stdout)
        # The package too, as python3.6 -m reclaimscope from the source tree.
        top = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        proc = subprocess.run([py36, '-m', 'reclaimscope', 'diagnose', '--root', root],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              universal_newlines=True, cwd=top)
        self.assertEqual(proc.returncode, rs.EXIT_FINDINGS, proc.stderr)


if __name__ == '__main__':
    unittest.main()
