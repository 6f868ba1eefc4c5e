# SPDX-License-Identifier: GPL-2.0
"""Plots of record files: SVG, and PNG through gnuplot."""

import math
import os
import subprocess
import tempfile
import time
from xml.sax.saxutils import escape as xml_escape

from .errors import EXIT_BAD_DATA, RSError
from .text import PAGE_SIZE, plural
from .analysis import node_refaults


# plot: per node, free memory of each zone against its watermarks (MiB,
# log scale, so that both show), and rates a second between samples, all
# panels on one wall-clock x axis.

WMARK_SERIES = ('free', 'min', 'low', 'high')

# Rate series of each node: (series, panel, file, counter, scale, legend).
NODE_RATES = (
    ('kswapd_wakes', 'events', 'kswapd', 'wakes', 1.0, 'kswapd wakes/s'),
    ('direct_stalls', 'events', 'direct_reclaim', 'stalls', 1.0, 'direct reclaim stalls/s'),
    ('compaction_runs', 'events', 'compaction', 'runs', 1.0, 'compaction runs/s'),
    ('reclaimed', 'mib', 'shrink_list', 'nr_reclaimed', None, 'reclaimed MiB/s'),
    ('kswapd_busy', 'busy', 'kswapd', 'awake_ns_total', 1e-7, 'kswapd awake %'),
)

ACTIVITY = tuple(r[:1] for r in NODE_RATES if r[1] == 'events')

PANELS = {'events': 'events a second', 'mib': 'MiB a second',
          'busy': '% of the time'}


def rate_series(t, values, scale):
    """(v[i] - v[i-1]) / (t[i] - t[i-1]) * scale for i >= 1; None where a
    counter went back (reset), a value is missing or time did not pass."""
    out = []
    for i in range(1, len(values)):
        a, b, dt = values[i - 1], values[i], t[i] - t[i - 1]
        out.append(None if a is None or b is None or b < a or dt <= 0
                   else (b - a) / dt * scale)
    return out


def plot_data(samples):
    """Series from record samples (any iterable, read once, in time
    order): {'t': seconds since the first sample, 'wall': epoch seconds or
    None, 'nodes': [{'node', 'zones': {zone: {free, min, low, high}} (MiB;
    watermarks + boost, as the allocator compares them), 'rates': {series:
    [n - 1 values]}}], 'psi': {'some', 'full': [% of each interval]} or
    None}."""
    t, wall, per_node, psi, node_ids = [], [], {}, [], None
    mib_per_page = PAGE_SIZE / (1 << 20)
    for s in samples:
        t.append(s['t'])
        wall.append(s.get('wall'))
        ids = [n['node'] for n in s['nodes']]
        if node_ids is None:
            node_ids = ids
        elif ids != node_ids:
            raise RSError('the record\'s nodes change from %s to %s at t=%s'
                          % (node_ids, ids, s['t']), EXIT_BAD_DATA)
        for n in s['nodes']:
            acc = per_node.setdefault(n['node'], {'zones': {}, 'counters': {}})
            for zone, z in n['watermarks']['zones'].items():
                zs = acc['zones'].setdefault(zone, {k: [None] * (len(t) - 1)
                                                    for k in WMARK_SERIES})
                boost = z.get('boost', 0)
                zs['free'].append(z['free'] * mib_per_page)
                for mark in WMARK_SERIES[1:]:
                    zs[mark].append((z[mark] + boost) * mib_per_page)
            for name, _, fname, key, _, _ in NODE_RATES:
                acc['counters'].setdefault(name, []).append(n[fname].get(key))
            rf = node_refaults(n)
            acc['counters'].setdefault('refaulted', []).append(rf and rf[0])
        p = s['proc'].get('pressure')
        psi.append(p and (p['some']['total_us'], (p.get('full') or {}).get('total_us')))
    if not t:
        raise RSError('no samples', EXIT_BAD_DATA)
    t0 = t[0]
    nodes = []
    for nid in node_ids:
        acc = per_node[nid]
        rates = {}
        for name, _, _, _, scale, _ in NODE_RATES:
            rates[name] = rate_series(t, acc['counters'][name],
                                      mib_per_page if scale is None else scale)
        if any(v is not None for v in acc['counters']['refaulted']):
            rates['refaulted'] = rate_series(t, acc['counters']['refaulted'], mib_per_page)
        for zs in acc['zones'].values():
            for k in zs:
                zs[k] += [None] * (len(t) - len(zs[k]))
        nodes.append({'node': nid, 'zones': acc['zones'], 'rates': rates})
    psi_out = None
    if any(p is not None for p in psi):
        psi_out = {'some': rate_series(t, [p and p[0] for p in psi], 1e-4),
                   'full': rate_series(t, [p and p[1] for p in psi], 1e-4)}
    return {'t': [x - t0 for x in t],
            'wall': wall if all(w is not None for w in wall) else None,
            'nodes': nodes, 'psi': psi_out}


def panels(data):
    """[(title, kind, [(series, legend, xs (indexes of t), values)], attrs)]."""
    out = []
    n = len(data['t'])
    legends = {r[0]: r[5] for r in NODE_RATES}
    legends['refaulted'] = 'refaulted MiB/s'
    if data['psi']:
        out.append(('memory pressure (PSI): share of each interval tasks stalled', 'pct',
                    [('psi_some', 'some %', list(range(1, n)), data['psi']['some']),
                     ('psi_full', 'full %', list(range(1, n)), data['psi']['full'])], {}))
    for node in data['nodes']:
        for zone, zs in node['zones'].items():
            out.append(('node %d %s: free memory against the watermarks (+ boost), MiB, '
                        'log scale' % (node['node'], zone), 'log',
                        [(k, k if k == 'free' else k + ' + boost', list(range(n)), zs[k])
                         for k in WMARK_SERIES], {'node': node['node'], 'zone': zone}))
        for panel, title in (('events', 'events a second'), ('mib', 'MiB a second'),
                             ('busy', 'kswapd awake, % of each interval')):
            series = [(name, legends[name], list(range(1, n)), node['rates'][name])
                      for name, p, _, _, _, _ in NODE_RATES if p == panel]
            if panel == 'mib' and 'refaulted' in node['rates']:
                series.append(('refaulted', legends['refaulted'], list(range(1, n)),
                               node['rates']['refaulted']))
            out.append(('node %d: %s' % (node['node'], title),
                        'pct' if panel == 'busy' else 'linear', series,
                        {'node': node['node']}))
    return out


def nice_ceiling(v):
    """The least of 1, 2, 5 x 10^k that is >= v (v > 0)."""
    k = math.floor(math.log10(v))
    for m in (1, 2, 5, 10):
        if m * 10 ** k >= v * (1 - 1e-9):
            return m * 10 ** k
    return 10 ** (k + 1)


def linear_ticks(top):
    step = nice_ceiling(top / 5)
    return [i * step for i in range(int(round(top / step)) + 1)]


def log_range(values):
    pos = [v for v in values if v is not None and v > 0]
    if not pos:
        return 0.01, 1.0
    lo = 10 ** math.floor(math.log10(min(pos)))
    hi = 10 ** math.ceil(math.log10(max(pos)))
    return max(lo, 0.001), hi if hi > lo else lo * 10


def log_ticks(lo, hi):
    """1, 2, 5 x 10^k between @lo and @hi; only 10^k when that spans more
    than two decades (the labels would touch)."""
    out, k = [], math.floor(math.log10(lo))
    steps = (1, 2, 5) if math.log10(hi / lo) <= 2.01 else (1,)
    while 10 ** k <= hi * 1.0001:
        for m in steps:
            v = m * 10 ** k
            if lo * 0.9999 <= v <= hi * 1.0001:
                out.append(v)
        k += 1
    return out


def fmt_tick(v):
    if v >= 100 or v == int(v):
        return '%d' % v
    return ('%.2f' % v).rstrip('0').rstrip('.') if v < 1 else '%.1f' % v

TIME_STEPS = (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800,
              21600, 43200, 86400)


def time_ticks(data, most=8):
    """[(x seconds since the first sample, label)]: wall-clock HH:MM:SS
    (HH:MM for steps of a minute or more) at round times, or seconds."""
    span = max(data['t'][-1], 1e-9)
    step = next((s for s in TIME_STEPS if span / s <= most), TIME_STEPS[-1])
    if data['wall']:
        w0 = data['wall'][0]
        off = time.localtime(w0).tm_gmtoff or 0
        first = math.ceil((w0 + off) / step) * step - off
        fmt = '%H:%M:%S' if step < 60 else '%H:%M'
        out, w = [], first
        while w <= w0 + span + 1e-6:
            out.append((w - w0, time.strftime(fmt, time.localtime(w))))
            w += step
        return out
    return [(i * step, '%g s' % (i * step)) for i in range(int(span // step) + 1)]

SVG_W, PANEL_H, LEFT, RIGHT, PANEL_GAP = 980, 130, 70, 200, 56

COLORS = {'free': '#1f77b4', 'min': '#d62728', 'low': '#ff7f0e', 'high': '#2ca02c',
          'kswapd_wakes': '#9467bd', 'direct_stalls': '#d62728',
          'compaction_runs': '#8c564b', 'reclaimed': '#2ca02c', 'refaulted': '#e377c2',
          'kswapd_busy': '#9467bd', 'psi_some': '#ff7f0e', 'psi_full': '#d62728'}


def y_scale(kind, series):
    values = [v for _, _, _, vs in series for v in vs if v is not None]
    if kind == 'log':
        lo, hi = log_range(values)
        ticks = log_ticks(lo, hi)

        def to_unit(v):
            v = max(v, lo)
            return (math.log10(v) - math.log10(lo)) / (math.log10(hi) - math.log10(lo))
        return to_unit, ticks
    top = max(values + [0])
    if kind == 'pct':
        top = min(100, nice_ceiling(max(top, 1)))
    else:
        top = nice_ceiling(top) if top > 0 else 1
    return (lambda v: v / top), linear_ticks(top)


def render_svg(data):
    plot_w = SVG_W - LEFT - RIGHT
    tmax = max(data['t'][-1], 1e-9)
    xt = time_ticks(data)
    body, y = [], 34
    when = ''
    if data['wall']:
        when = ', %s to %s' % (time.strftime('%Y-%m-%d %H:%M:%S',
                                             time.localtime(data['wall'][0])),
                               time.strftime('%H:%M:%S', time.localtime(data['wall'][-1])))
    body.append('<text x="%d" y="20" font-size="14" font-weight="bold">reclaimscope: '
                '%s%s</text>' % (LEFT, plural(len(data['t']), 'sample'), xml_escape(when)))
    for title, kind, series, attrs in panels(data):
        y0 = y + 18
        to_unit, ticks = y_scale(kind, series)
        body.append('<g class="panel">')
        body.append('<text x="%d" y="%d" font-size="12">%s</text>'
                    % (LEFT, y0 - 6, xml_escape(title)))
        body.append('<rect x="%d" y="%d" width="%d" height="%d" fill="none" stroke="#888"/>'
                    % (LEFT, y0, plot_w, PANEL_H))
        for v in ticks:
            yy = y0 + PANEL_H - PANEL_H * to_unit(v)
            body.append('<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="#e4e4e4"/>'
                        % (LEFT, LEFT + plot_w, yy, yy))
            body.append('<text x="%d" y="%.1f" font-size="10" text-anchor="end">%s</text>'
                        % (LEFT - 4, yy + 3, fmt_tick(v)))
        for x, label in xt:
            xx = LEFT + plot_w * x / tmax
            body.append('<line x1="%.1f" x2="%.1f" y1="%d" y2="%d" stroke="#e4e4e4"/>'
                        % (xx, xx, y0, y0 + PANEL_H))
            body.append('<text x="%.1f" y="%d" font-size="10" text-anchor="middle">%s'
                        '</text>' % (xx, y0 + PANEL_H + 12, xml_escape(label)))
        for i, (name, legend, xs, values) in enumerate(series):
            pts = ['%.1f,%.1f' % (LEFT + plot_w * data['t'][x] / tmax,
                                  y0 + PANEL_H - PANEL_H * min(1.0, to_unit(v)))
                   for x, v in zip(xs, values) if v is not None]
            extra = ''.join(' data-%s="%s"' % (k, xml_escape(str(v)))
                            for k, v in attrs.items())
            body.append('<polyline class="series"%s data-series="%s" data-kind="%s" '
                        'data-points="%d" fill="none" stroke="%s" stroke-width="1.6" '
                        'points="%s"/>' % (extra, name, 'rate' if xs and xs[0] else 'level',
                                           len(pts), COLORS.get(name, '#000'),
                                           ' '.join(pts)))
            last = next((v for v in reversed(values) if v is not None), None)
            body.append('<text x="%d" y="%d" font-size="11" fill="%s">%s%s</text>'
                        % (SVG_W - RIGHT + 10, y0 + 14 + 15 * i, COLORS.get(name, '#000'),
                           xml_escape(legend), '' if last is None else
                           ' (last %s)' % fmt_tick(round(last, 2))))
        body.append('</g>')
        y = y0 + PANEL_H + PANEL_GAP - 18
    x_label = 'local time' if data['wall'] else 'seconds since the first sample'
    body.append('<text x="%d" y="%d" font-size="10">x: %s</text>' % (LEFT, y + 4, x_label))
    return '\n'.join(['<?xml version="1.0" encoding="UTF-8"?>',
                      '<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" '
                      'font-family="sans-serif">' % (SVG_W, y + 14),
                      '<rect width="100%" height="100%" fill="white"/>']
                     + body + ['</svg>', ''])


def gnuplot_string(text):
    return '"%s"' % text.replace('\\', '\\\\').replace('"', '\\"')


def render_png(data, out_path, gnuplot):
    """Draw with gnuplot: the panels of render_svg, each placed at fixed
    screen margins so every x axis lines up."""
    ps = panels(data)
    width, head, panel_px, gap_px = 1040, 40, 150, 60
    height = head + len(ps) * (panel_px + gap_px) + 30
    xt = time_ticks(data)
    tmax = max(data['t'][-1], 1e-9)
    left, right = 80.0 / width, 1 - 260.0 / width
    with tempfile.TemporaryDirectory(prefix='reclaimscope-plot.') as tmp:
        script = ['set terminal pngcairo noenhanced size %d,%d font ",9"' % (width, height),
                  'set output %s' % gnuplot_string(out_path),
                  'set multiplot', 'set border lc rgb "#888888"', 'set grid lc rgb "#e4e4e4"',
                  'set xrange [0:%r]' % tmax,
                  'set xtics (%s)' % ', '.join('%s %r' % (gnuplot_string(l), x)
                                               for x, l in xt),
                  'set lmargin at screen %r' % left, 'set rmargin at screen %r' % right,
                  'set key at screen %r, screen 0.5 left top' % (right + 0.01)]
        title = 'reclaimscope: %s' % plural(len(data['t']), 'sample')
        if data['wall']:
            title += ', %s to %s (local time)' % (
                time.strftime('%Y-%m-%d %H:%M:%S', time.localtime(data['wall'][0])),
                time.strftime('%H:%M:%S', time.localtime(data['wall'][-1])))
        script.append('set label 1 %s at screen %r, screen %r font ",11"'
                      % (gnuplot_string(title), left, 1 - 18.0 / height))
        for i, (ptitle, kind, series, _) in enumerate(ps):
            top = 1 - (head + i * (panel_px + gap_px) + 22) / height
            bottom = top - panel_px / height
            script += ['set tmargin at screen %r' % top, 'set bmargin at screen %r' % bottom,
                       'set title %s offset 0,-0.6' % gnuplot_string(ptitle),
                       'set key at screen %r, screen %r left top'
                       % (right + 0.01, top)]
            if i:
                script.append('unset label 1')
            lo = None
            if kind == 'log':
                lo, hi = log_range([v for _, _, _, vs in series for v in vs
                                    if v is not None])
                script += ['set logscale y', 'set yrange [%r:%r]' % (lo, hi),
                           'set ytics (%s)' % ', '.join('%s %r' % (gnuplot_string(
                               fmt_tick(v)), v) for v in log_ticks(lo, hi))]
            else:
                _, ticks = y_scale(kind, series)
                script += ['unset logscale y', 'set yrange [0:%r]' % ticks[-1],
                           'set ytics %r' % (ticks[1] - ticks[0])]
            plots = []
            for j, (name, legend, xs, values) in enumerate(series):
                path = os.path.join(tmp, '%d-%d.dat' % (i, j))
                with open(path, 'w') as f:
                    for x, v in zip(xs, values):
                        if v is not None and lo is not None:
                            v = max(v, lo)      # 0 free at the floor, not a gap
                        f.write('%r %s\n' % (data['t'][x], '?' if v is None else repr(v)))
                plots.append('%s using 1:2 with lines lw 1.6 lc rgb "%s" title %s'
                             % (gnuplot_string(path), COLORS.get(name, '#000000'),
                                gnuplot_string(legend)))
            script.append('plot ' + ', '.join(plots))
        script.append('unset multiplot')
        proc = subprocess.run([gnuplot], input='\n'.join(script) + '\n',
                              universal_newlines=True, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE)
        if proc.returncode != 0:
            raise RSError('gnuplot failed: %s' % proc.stderr.strip()[-300:], EXIT_BAD_DATA)
