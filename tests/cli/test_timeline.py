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
import time
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
        before = time.time()
        status, stdout, _ = run_cli('record', '--json', '-i', '0.01', '-n', '3', '-o', out,
                                    '--root', root)
        self.assertEqual(status, rs.EXIT_OK)
        info = json.loads(stdout)
        self.assertEqual((info['output'], info['samples'], info['rotations']), (out, 3, 0))
        with open(out) as f:
            samples = [json.loads(l) for l in f]
        self.assertEqual(len(samples), 3)
        for s in samples:
            self.assertEqual((s['schema'], s['schema_version']), ('reclaimscope.record', 2))
            self.assertEqual(s['clock'], 'uptime')
            self.assertEqual(s['t'], uptime(root))
            self.assertEqual([n['node'] for n in s['nodes']], node_dirs(root))
            self.assertTrue(before <= s['wall'] <= time.time(), 'wall-clock time')

    def test_small_samples(self):
        """Issue 16, defect 7: 14 KB a sample (all of /proc/vmstat)."""
        for kernel in KERNELS:
            rec = os.path.join(self.tmp, kernel + '.jsonl')
            trees = build_record(kernel, rec)
            per = os.path.getsize(rec) / len(trees)
            self.assertLess(per, 5000, '%d bytes a sample' % per)
            with open(rec) as f:
                s = json.loads(f.readline())
            self.assertNotIn('nr_free_pages', s['proc']['vmstat'])
            self.assertIn('allocstall_normal', s['proc']['vmstat'])

    def test_max_mb_rotates(self):
        root = fixture('6.1', 'pressure')
        out = os.path.join(self.tmp, 'rec.jsonl')
        status, stdout, _ = run_cli('record', '--json', '-i', '0.001', '-n', '12',
                                    '--max-mb', '0.01', '-o', out, '--root', root)
        self.assertEqual(status, rs.EXIT_OK)
        self.assertGreater(json.loads(stdout)['rotations'], 0)
        for path in (out, out + '.1'):
            self.assertLessEqual(os.path.getsize(path), 0.01 * (1 << 20))
            with open(path) as f:
                self.assertTrue(all(json.loads(l)['schema'] == 'reclaimscope.record'
                                    for l in f))
        status, stdout, _ = run_cli('plot', out + '.1', out, '-o',
                                    os.path.join(self.tmp, 'x.svg'), '--json')
        self.assertEqual(status, rs.EXIT_OK)

    def test_truncated_last_line_is_skipped(self):
        rec = os.path.join(self.tmp, 'r.jsonl')
        trees = build_record('6.1', rec)
        with open(rec) as f:
            text = f.read()
        last = text.splitlines()[-1]
        with open(rec, 'a') as f:
            f.write(last[:len(last) // 2])
        status, out, err = run_cli('plot', rec, '-o', os.path.join(self.tmp, 'x.svg'),
                                   '--json')
        self.assertEqual(status, rs.EXIT_OK, err)
        self.assertEqual(json.loads(out)['samples'], len(trees))
        self.assertIn('r.jsonl:%d: the last line is cut short' % (len(trees) + 1), err)
        # In the middle it is bad data.
        with open(rec, 'w') as f:
            f.write(text.replace('\n', '\n' + last[:40] + '\n', 1))
        status, out, err = run_cli('plot', rec, '-o', os.path.join(self.tmp, 'x.svg'))
        self.assertEqual(status, rs.EXIT_BAD_DATA)
        self.assertIn('r.jsonl:2', err)

    def test_plot_streams(self):
        """plot holds series, not samples: 2000 samples in little memory."""
        import tracemalloc
        root = fixture('6.1', 'pressure')
        line = rs.record_line(rs.sample(rs.open_source(root)))
        rec = os.path.join(self.tmp, 'big.jsonl')
        with open(rec, 'w') as f:
            for i in range(2000):
                s = json.loads(line)
                s['t'] += i
                s['wall'] += i
                f.write(json.dumps(s) + '\n')
        tracemalloc.start()
        try:
            data = rs.plot_data(rs.read_records([rec]))
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        self.assertEqual(len(data['t']), 2000)
        self.assertLess(peak, 8 << 20, '%d bytes at the peak' % peak)

    def test_diagnose_a_record(self):
        rec = os.path.join(self.tmp, 'r.jsonl')
        trees = build_record('6.1', rec)
        status, out, _ = run_cli('diagnose', '--json', '--record', rec)
        rep = json.loads(out)
        self.assertEqual(rep['window']['kind'], 'interval')
        self.assertAlmostEqual(rep['window']['seconds'], uptime(trees[-1]) - uptime(trees[0]))
        self.assertIn('allocstall', [f['rule'] for f in rep['findings']])

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
                    expected |= {(str(nid), None, r[0]) for r in rs.NODE_RATES}
                got = [(l.get('data-node'), l.get('data-zone'), l.get('data-series'))
                       for l in lines]
                self.assertEqual(len(got), len(set(got)), 'a series drawn twice')
                self.assertEqual(set(got), expected)
                for l in lines:
                    n = len(trees) if l.get('data-kind') == 'level' else len(trees) - 1
                    self.assertEqual(int(l.get('data-points')), n)
                    self.assertEqual(len(l.get('points').split()), n)
                self.assertIn('%d series' % len(expected), out)

    def test_watermarks_readable_not_flat_at_the_bottom(self):
        """Issue 16, defect 6: on a 0..max scale the watermarks lay flat at
        the bottom; on the log scale they stand clear of it."""
        rec = os.path.join(self.tmp, 'r.jsonl')
        build_record('6.1', rec)
        svg = os.path.join(self.tmp, 'r.svg')
        run_cli('plot', rec, '-o', svg)
        root = ET.parse(svg).getroot()
        checked = 0
        for panel in root.iter(SVG + 'g'):
            rect = panel.find(SVG + 'rect')
            bottom = float(rect.get('y')) + float(rect.get('height'))
            for l in panel.iter(SVG + 'polyline'):
                if l.get('data-series') == 'high' and l.get('data-zone') == 'DMA32':
                    ys = [float(p.split(',')[1]) for p in l.get('points').split()]
                    self.assertGreater(bottom - max(ys), 0.1 * float(rect.get('height')))
                    checked += 1
        self.assertEqual(checked, 2)

    def test_rates_per_second_and_wall_clock(self):
        rec = os.path.join(self.tmp, 'r.jsonl')
        trees = build_record('6.1', rec)
        data = rs.plot_data(rs.read_records([rec]))
        self.assertEqual(data['t'], [uptime(r) - uptime(trees[0]) for r in trees])
        for node in data['nodes']:
            wakes = [raw(r, 'node%d/kswapd' % node['node'])['wakes'] for r in trees]
            want = [(b - a) / (uptime(tb) - uptime(ta)) for a, b, ta, tb in
                    zip(wakes, wakes[1:], trees, trees[1:])]
            for got, w in zip(node['rates']['kswapd_wakes'], want):
                self.assertAlmostEqual(got, w)
            for zone, s in node['zones'].items():
                free = [raw(r, 'node%d/watermarks' % node['node'])[zone + '.free']
                        for r in trees]
                self.assertEqual([round(v * (1 << 20) / rs.PAGE_SIZE) for v in s['free']],
                                 free)
        svg = os.path.join(self.tmp, 'r.svg')
        run_cli('plot', rec, '-o', svg)
        labels = [t.text for t in ET.parse(svg).getroot().iter(SVG + 'text')
                  if t.text and len(t.text) == 8 and t.text[2] == ':' and t.text[5] == ':']
        self.assertTrue(labels, 'no HH:MM:SS tick')

    def test_unwritable_output(self):
        rec = os.path.join(self.tmp, 'r.jsonl')
        build_record('6.1', rec)
        for out in (os.path.join(self.tmp, 'no', 'x.svg'), os.path.join(self.tmp, 'no', 'x.png')):
            with self.subTest(out=out):
                status, _, err = run_cli('plot', rec, '-o', out)
                self.assertEqual(status, rs.EXIT_BAD_DATA, err)
                self.assertIn(out, err)
                self.assertNotIn('internal error', err)

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
        width, height, raw_bytes = png_header_and_data(png)
        self.assertEqual(width, 1040)
        self.assertGreater(height, 1000, 'a panel per zone and per rate')
        self.assertGreater(len(set(raw_bytes)), 16, 'blank image')


def png_header_and_data(path):
    """(width, height, decompressed image data) of a PNG: enough to see
    that gnuplot drew something (decode_png below reads every pixel and
    is slow on a big image)."""
    with open(path, 'rb') as f:
        data = f.read()
    assert data[:8] == b'\x89PNG\r\n\x1a\n', 'not a PNG'
    pos, idat = 8, b''
    while pos < len(data):
        length, kind = struct.unpack('>I4s', data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b'IHDR':
            width, height = struct.unpack('>II', body[:8])
        elif kind == b'IDAT':
            idat += body
        pos += 12 + length
    return width, height, zlib.decompress(idat)


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
