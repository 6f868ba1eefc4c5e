# SPDX-License-Identifier: GPL-2.0
"""Shared helpers of the CLI unit tests: the CLI loaded as a module, the
captured fixtures, and a deliberately naive reader of raw files so that
tests compare the CLI with the files, not with itself."""
import contextlib
import importlib.machinery
import importlib.util
import io
import os
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
# RECLAIMSCOPE_CLI=FILE runs the tests against another build of the tool
# (the single file make builds, or an older version to show a test fails).
SCRIPT = os.environ.get('RECLAIMSCOPE_CLI') or os.path.join(REPO, 'scripts', 'reclaimscope')
FIXTURES = os.path.join(HERE, 'fixtures')
DERIVED = os.path.join(FIXTURES, 'derived')
KERNELS = ('6.1', '6.12')
LABELS = ('idle', 'pressure', 'compaction', 'hopeless', 'fragment', 'dirty', 'demo')


def load_cli():
    loader = importlib.machinery.SourceFileLoader('reclaimscope', SCRIPT)
    spec = importlib.util.spec_from_loader('reclaimscope', loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


rs = load_cli()


def fixture(kernel, label):
    """The path of a captured tree; the test is skipped when it is absent."""
    path = os.path.join(FIXTURES, kernel, label)
    if not os.path.isdir(path):
        raise unittest.SkipTest('fixture %s/%s is not captured yet' % (kernel, label))
    return path


def derived(name):
    path = os.path.join(DERIVED, name)
    if not os.path.isdir(path):
        raise unittest.SkipTest('derived fixture %s missing: run tests/cli/derive.py' % name)
    return path


def series(kernel):
    """The series/NNN trees of a kernel, in order."""
    base = os.path.join(FIXTURES, kernel, 'series')
    if not os.path.isdir(base):
        raise unittest.SkipTest('fixture %s/series is not captured yet' % kernel)
    return [os.path.join(base, d) for d in sorted(os.listdir(base))]


def all_trees():
    """Every captured tree (labels, series, derived): (name, path)."""
    out = []
    for kernel in KERNELS:
        for label in LABELS:
            path = os.path.join(FIXTURES, kernel, label)
            if os.path.isdir(path):
                out.append(('%s/%s' % (kernel, label), path))
        base = os.path.join(FIXTURES, kernel, 'series')
        if os.path.isdir(base):
            out += [('%s/series/%s' % (kernel, d), os.path.join(base, d))
                    for d in sorted(os.listdir(base))]
    if os.path.isdir(DERIVED):
        out += [('derived/' + d, os.path.join(DERIVED, d)) for d in sorted(os.listdir(DERIVED))]
    return out


def captured_trees():
    """all_trees(), or skip the test when nothing is captured yet."""
    trees = all_trees()
    if not trees:
        raise unittest.SkipTest('no fixtures captured yet')
    return trees


def raw(root, rel):
    """A "key value" file as {key: int}, read naively."""
    out = {}
    with open(os.path.join(root, rel)) as f:
        for line in f:
            key, value = line.split()
            out[key] = int(value)
    return out


def raw_table(root, rel):
    with open(os.path.join(root, rel)) as f:
        lines = f.read().splitlines()
    header = lines[0].split()
    return [dict(zip(header, line.split())) for line in lines[1:]]


def node_dirs(root):
    return sorted(int(d[4:]) for d in os.listdir(root) if d.startswith('node'))


def zones_of(kv, field):
    """{zone: value} of the <Zone>.<field> keys of a raw file."""
    return {k.split('.')[0]: v for k, v in kv.items() if k.endswith('.' + field)}


def run_cli(*argv):
    """rs.main(argv) with stdout and stderr captured: (status, out, err)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            status = rs.main(list(argv))
        except SystemExit as e:
            status = e.code
    return status, out.getvalue(), err.getvalue()
