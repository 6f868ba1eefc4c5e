# SPDX-License-Identifier: GPL-2.0
"""Rates from two samples, watch, record and plot, on the real timelines
of fixtures/<kernel>/series/."""
import json
import os
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import unittest
import xml.etree.ElementTree as ET
import zlib
from unittest import mock

from common import KERNELS, SCRIPT, fixture, node_dirs, raw, raw_table, rs, run_cli, series

SVG = '{http://www.w3.org/2000/svg}'


def uptime(root):
    with open(os.path.join(root, 'proc', 'uptime')) as f:
        return float(f.read().split()[0])


def shrinker_freed(root):
    return sum(int(r['freed_total']) for r in raw_table(root, 'shrinkers'))


def build_record(kernel, path):
    """A record file from the series/ trees, one sample each: the real
    timeline as 'record' would have written it."""
    trees = series(kernel)
    with open(path, 'w') as f:
        for root in trees:
            f.write(rs.record_line(rs.sample(rs.open_source(root))) + '\n')
    return trees


class Rates(unittest.TestCase):
    def test_two_samples(self):
        for kernel in KERNELS:
            with self.subTest(kernel=kernel):
                a, b = series(kernel)[:2]
                r = rs.rates(rs.sample(rs.open_source(a)), rs.sample(rs.open_source(b)),
                             uptime(b) - uptime(a))
                dt = uptime(b) - uptime(a)
                self.assertGreater(dt, 0)
                self.assertAlmostEqual(r['interval_s'], dt)
                for n in r['nodes']:
                    for key, fname, counter in rs.RATES:
                        before = raw(a, 'node%d/%s' % (n['node'], fname))[counter]
                        after = raw(b, 'node%d/%s' % (n['node'], fname))[counter]
                        self.assertAlmostEqual(n[key + '_per_s'], (after - before) / dt)
                self.assertAlmostEqual(r['shrinker_freed_per_s'],
                                       (shrinker_freed(b) - shrinker_freed(a)) / dt)

    def test_counter_reset(self):
        """Swapped samples: counters that grew now go back, which reads as a
        reset (None), never as a negative rate."""
        for kernel in KERNELS:
            with self.subTest(kernel=kernel):
                trees = series(kernel)
                a, b = trees[0], trees[-1]
                r = rs.rates(rs.sample(rs.open_source(b)), rs.sample(rs.open_source(a)), 1.0)
                for n in r['nodes']:
                    for key, fname, counter in rs.RATES:
                        before = raw(b, 'node%d/%s' % (n['node'], fname))[counter]
                        after = raw(a, 'node%d/%s' % (n['node'], fname))[counter]
                        if after < before:
                            self.assertIsNone(n[key + '_per_s'])
                        else:
                            self.assertEqual(n[key + '_per_s'], after - before)

    def test_sample_clock(self):
        root = series('6.1')[0]
        s = rs.sample(rs.open_source(root))
        self.assertEqual((s['t'], s['clock']), (uptime(root), 'uptime'))
        self.assertEqual(rs.sample(rs.open_source(root), t=5.0)['clock'], 'given')


class Watch(unittest.TestCase):
    def setUp(self):
        self.root = fixture('6.1', 'pressure')

    def test_json_updates(self):
        status, out, _ = run_cli('watch', '--json', '-i', '0.01', '-n', '2', '--root', self.root)
        self.assertEqual(status, rs.EXIT_OK)
        lines = [json.loads(l) for l in out.splitlines()]
        self.assertEqual(len(lines), 2)
        for r in lines:
            self.assertEqual(r['schema'], 'reclaimscope.watch')
            self.assertEqual([n['node'] for n in r['nodes']], node_dirs(self.root))
            # The same static tree twice: every rate is 0.
            self.assertTrue(all(n['wakes_per_s'] == 0 for n in r['nodes']))

    def test_text_has_a_row_per_node(self):
        status, out, _ = run_cli('watch', '-i', '0.01', '-n', '1', '--root', self.root)
        self.assertEqual(status, rs.EXIT_OK)
        self.assertNotIn('\x1b[', out, 'ANSI codes on a pipe')
        rows = [l for l in out.splitlines() if l.split()[:1] and l.split()[0].isdigit()]
        self.assertEqual([int(r.split()[0]) for r in rows], node_dirs(self.root))

    def test_text_fits_80_columns(self):
        """Issue 16, defect 3: watch rows were 86 columns."""
        for kernel in KERNELS:
            trees = series(kernel)
            a, b = (rs.sample(rs.open_source(t)) for t in (trees[2], trees[6]))
            r = rs.rates(a, b, b['t'] - a['t'])
            with mock.patch.dict(os.environ, {'COLUMNS': '80'}):
                lines = rs.render_watch(b, r, 2.0)
            self.assertLessEqual(max(map(len, lines)), 80, '\n'.join(lines))
            self.assertLessEqual(len(lines), 24)

    def test_module_unloaded(self):
        tmp = tempfile.mkdtemp(prefix='rs-test.')
        self.addCleanup(shutil.rmtree, tmp)
        root = os.path.join(tmp, 'reclaimscope')
        shutil.copytree(self.root, root)
        with mock.patch.object(rs.time, 'sleep', lambda s: shutil.rmtree(root)):
            status, _, err = run_cli('watch', '-i', '1', '--root', root)
        self.assertEqual(status, rs.EXIT_NOT_LOADED)
        self.assertIn('unloaded', err)

    def test_ctrl_c(self):
        with mock.patch.object(rs.time, 'sleep', side_effect=KeyboardInterrupt):
            status, _, err = run_cli('watch', '--root', self.root)
        self.assertEqual((status, err), (rs.EXIT_OK, ''))

    def test_sigint_as_a_process(self):
        # A background job of a non-interactive shell (make check under
        # CI, say) inherits SIGINT ignored; Ctrl-C reaches a foreground
        # command with the default disposition, so give it that.
        proc = subprocess.Popen([sys.executable, SCRIPT, 'watch', '-i', '0.1', '--root',
                                 self.root], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                universal_newlines=True, preexec_fn=lambda: signal.signal(
                                    signal.SIGINT, signal.SIG_DFL))
        self.addCleanup(proc.wait)
        self.addCleanup(proc.stdout.close)
        self.addCleanup(proc.stderr.close)
        proc.stdout.readline()      # running
        proc.send_signal(signal.SIGINT)
        self.assertEqual(proc.wait(10), rs.EXIT_OK)
        self.assertNotIn('Traceback', proc.stderr.read())


class RecordAndPlot(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix='rs-test.')
        self.addCleanup(shutil.rmtree, self.tmp)

    def test_record_command(self):
        root = fixture('6.1', 'pressure')
        out = os.path.join(self.tmp, 'rec.jsonl')
        status, stdout, _ = run_cli('record', '--json', '-i', '0.01', '-n', '3', '-o', out,
                                    '--root', root)
        self.assertEqual(status, rs.EXIT_OK)
        self.assertEqual(json.loads(stdout), {'output': out, 'samples': 3})
        with open(out) as f:
            samples = [json.loads(l) for l in f]
        self.assertEqual(len(samples), 3)
        for s in samples:
            self.assertEqual((s['schema'], s['schema_version']), ('reclaimscope.record', 1))
            self.assertEqual(s['clock'], 'uptime')
            self.assertEqual(s['t'], uptime(root))
            self.assertEqual([n['node'] for n in s['nodes']], node_dirs(root))

    def test_svg(self):
        for kernel in KERNELS:
            with self.subTest(kernel=kernel):
                rec = os.path.join(self.tmp, kernel + '.jsonl')
                trees = build_record(kernel, rec)
                svg = os.path.join(self.tmp, kernel + '.svg')
                status, out, err = run_cli('plot', rec, '-o', svg)
                self.assertEqual(status, rs.EXIT_OK, err)
                lines = ET.parse(svg).getroot().iter(SVG + 'polyline')
                lines = [l for l in lines if l.get('class') == 'series']
                expected = set()
                for nid in node_dirs(trees[0]):
                    zones = [k[:-5] for k in raw(trees[0], 'node%d/watermarks' % nid)
                             if k.endswith('.free')]
                    expected |= {(str(nid), z, s) for z in zones for s in rs.WMARK_SERIES}
                    expected |= {(str(nid), None, a[0]) for a in rs.ACTIVITY}
                got = [(l.get('data-node'), l.get('data-zone'), l.get('data-series'))
                       for l in lines]
                self.assertEqual(len(got), len(set(got)), 'a series drawn twice')
                self.assertEqual(set(got), expected)
                for l in lines:
                    self.assertEqual(int(l.get('data-points')), len(trees))
                    self.assertEqual(len(l.get('points').split()), len(trees))
                self.assertIn('%d series' % len(expected), out)

    def test_svg_free_series_follows_the_files(self):
        kernel = '6.1'
        rec = os.path.join(self.tmp, 'r.jsonl')
        trees = build_record(kernel, rec)
        t, nodes = rs.plot_data(rs.load_record(rec))
        self.assertEqual(t, [uptime(r) - uptime(trees[0]) for r in trees])
        for node in nodes:
            for zone, s in node['zones'].items():
                files = [raw(r, 'node%d/watermarks' % node['node']) for r in trees]
                self.assertEqual(s['free'], [w[zone + '.free'] for w in files])
                self.assertEqual(s['low'], [w[zone + '.low'] + w[zone + '.boost'] for w in files])
            wakes = [raw(r, 'node%d/kswapd' % node['node'])['wakes'] for r in trees]
            self.assertEqual(node['activity']['kswapd_wakes'], [w - wakes[0] for w in wakes])

    def test_cumulative_survives_reset(self):
        self.assertEqual(rs.cumulative([5, 7, 2, 4]), [0, 2, 4, 6])

    def test_bad_record(self):
        bad = os.path.join(self.tmp, 'bad.jsonl')
        with open(bad, 'w') as f:
            f.write('{"schema": "something else"}\n')
        status, _, err = run_cli('plot', bad, '-o', os.path.join(self.tmp, 'x.svg'))
        self.assertEqual(status, rs.EXIT_BAD_DATA)
        self.assertIn('not a reclaimscope record', err)

    def test_png_without_gnuplot(self):
        rec = os.path.join(self.tmp, 'r.jsonl')
        build_record('6.1', rec)
        with mock.patch.object(rs.shutil, 'which', return_value=None):
            status, _, err = run_cli('plot', rec, '-o', os.path.join(self.tmp, 'x.png'))
        self.assertEqual(status, rs.EXIT_NO_GNUPLOT)
        self.assertIn('gnuplot', err)

    @unittest.skipUnless(shutil.which('gnuplot'), 'gnuplot is not installed: '
                         'the PNG path is untested (apt install gnuplot-nox)')
    def test_png(self):
        rec = os.path.join(self.tmp, 'r.jsonl')
        build_record('6.1', rec)
        png = os.path.join(self.tmp, 'x.png')
        status, _, err = run_cli('plot', rec, '-o', png)
        self.assertEqual(status, rs.EXIT_OK, err)
        width, height, pixels = decode_png(png)
        self.assertGreater(width * height, 0)
        self.assertGreater(len(set(pixels)), 2, 'blank image')


def decode_png(path):
    """(width, height, set of pixel byte strings) of an 8-bit PNG."""
    with open(path, 'rb') as f:
        data = f.read()
    assert data[:8] == b'\x89PNG\r\n\x1a\n', 'not a PNG'
    pos, idat = 8, b''
    while pos < len(data):
        length, kind = struct.unpack('>I4s', data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b'IHDR':
            width, height, depth, color = struct.unpack('>IIBB', body[:10])
        elif kind == b'IDAT':
            idat += body
        pos += 12 + length
    assert depth == 8, 'bit depth %d' % depth
    bpp = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[color]
    raw_rows = zlib.decompress(idat)
    stride = width * bpp
    prev, pixels = bytearray(stride), set()
    for y in range(height):
        ftype = raw_rows[y * (stride + 1)]
        row = bytearray(raw_rows[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for x in range(stride):
            a = row[x - bpp] if x >= bpp else 0
            b, c = prev[x], prev[x - bpp] if x >= bpp else 0
            pred = {0: 0, 1: a, 2: b, 3: (a + b) // 2,
                    4: min((a, b, c), key=lambda v: (abs(a + b - c - v), (a, b, c).index(v)))}[ftype]
            row[x] = (row[x] + pred) & 0xff
        pixels.update(bytes(row[i:i + bpp]) for i in range(0, stride, bpp))
        prev = row
    return width, height, pixels


if __name__ == '__main__':
    unittest.main()
