#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Run every scripts/reclaimscope command on trees a guest captured.

    cli_integration.py --label LABEL [--results FILE] [--series DIR] TREE...

Each TREE is a copy of the debugfs directory with proc/ beside the module's
files (tests/guest/lib.sh rs_capture).  The numbers the commands print are
compared with the raw files, read here by a parser of our own, and with
proc/zoneinfo and proc/vmstat.  --series DIR takes the trees DIR/000,
DIR/001, ... captured during a workload: a record file is built from them
through the CLI's own sampler and plotted.  Prints PASS/FAIL lines and
appends "<label> <passed> <failed>" to FILE.
"""
import argparse
import importlib.machinery
import json
import re
import os
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CLI = os.path.join(TOP, 'scripts', 'reclaimscope')
sys.path.insert(0, os.path.join(TOP, 'tests', 'cli'))
import promparse  # noqa: E402  (tests/cli/promparse.py)
from common import node_dirs, raw, zones_of  # noqa: E402  (tests/cli/common.py)


class Checks:
    def __init__(self, label):
        self.label, self.results = label, []

    def ok(self, name, cond, detail=''):
        self.results.append((name, bool(cond), detail))

    def eq(self, name, expected, actual):
        self.ok(name, expected == actual, '%r' % (actual,) if expected == actual
                else 'expected %r, got %r' % (expected, actual))


def zoneinfo(path):
    """{(nid, zone): {key: int}} for min/low/high/boost/free."""
    out, cur = {}, None
    with open(path) as f:
        for line in f:
            w = line.split()
            if len(w) >= 4 and w[0] == 'Node' and w[2] == 'zone':
                cur = out.setdefault((int(w[1].rstrip(',')), w[3]), {})
            elif cur is not None and len(w) == 2 and w[0] in ('min', 'low', 'high', 'boost'):
                cur[w[0]] = int(w[1])
    return out


def kv(path):
    """A "key value" file as {key: int} (tests/cli/common.py's reader)."""
    return raw(os.path.dirname(path), os.path.basename(path))


def hist_count(d):
    return sum(v for k, v in d.items() if k.startswith('latency_us_'))


def run(args, ok_codes=(0,)):
    env = dict(os.environ, COLUMNS='80')
    p = subprocess.run([sys.executable, CLI] + args, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, universal_newlines=True, env=env)
    if p.returncode not in ok_codes:
        raise RuntimeError('%s exited %d: %s' % (' '.join(args), p.returncode,
                                                 p.stderr.strip()[-300:]))
    return p


def check_snapshot(c, tree, tag):
    snap = json.loads(run(['snapshot', '--json', '--root', tree]).stdout)
    nodes = node_dirs(tree)
    c.eq('%s/snapshot_nodes' % tag, nodes, [n['node'] for n in snap['nodes']])
    zi = zoneinfo(os.path.join(tree, 'proc', 'zoneinfo'))
    for n in snap['nodes']:
        nid = n['node']
        nd = os.path.join(tree, 'node%d' % nid)
        wm = kv(os.path.join(nd, 'watermarks'))
        for z in n['zones']:
            name = z['zone']
            for f in ('free', 'min', 'low', 'high', 'boost'):
                c.eq('%s/node%d.%s.%s_eq_raw' % (tag, nid, name, f),
                     zones_of(wm, f)[name], z[f])
            # zoneinfo prints each watermark plus the boost of its own
            # moment (a boost can change between the two reads).  5.10's
            # zoneinfo has no boost line: there the module's own boost
            # is added (the trees are captured on an idle guest).
            zz = zi[(nid, name)]
            if 'boost' in zz:
                c.eq('%s/node%d.%s.wmarks_eq_zoneinfo_minus_boost' % (tag, nid, name),
                     [zz[f] - zz['boost'] for f in ('min', 'low', 'high')],
                     [z[f] for f in ('min', 'low', 'high')])
            else:
                c.eq('%s/node%d.%s.wmarks_plus_boost_eq_zoneinfo' % (tag, nid, name),
                     [zz[f] for f in ('min', 'low', 'high')],
                     [z[f] + z['boost'] for f in ('min', 'low', 'high')])
        ks = kv(os.path.join(nd, 'kswapd'))
        for f in ('wakes', 'sleeps', 'failures', 'hopeless', 'wakeup_requests'):
            c.eq('%s/node%d.kswapd.%s_eq_raw' % (tag, nid, f), ks[f], n['kswapd'][f])
        bp = kv(os.path.join(nd, 'balance_pgdat'))
        c.eq('%s/node%d.balance_pgdat.calls_eq_raw' % (tag, nid), bp['calls'],
             n['balance_pgdat']['calls'])
        c.eq('%s/node%d.balance_pgdat.hist_count_eq_raw' % (tag, nid), hist_count(bp),
             n['balance_pgdat']['latency']['count'])
        dr = kv(os.path.join(nd, 'direct_reclaim'))
        c.eq('%s/node%d.direct.stalls_eq_raw' % (tag, nid), dr['stalls'],
             n['direct_reclaim']['stalls'])
        sl = kv(os.path.join(nd, 'shrink_list'))
        c.eq('%s/node%d.shrink_list.reclaimed_eq_raw' % (tag, nid), sl['nr_reclaimed'],
             n['shrink_list']['counts']['reclaimed'])
        cp = kv(os.path.join(nd, 'compaction'))
        c.eq('%s/node%d.compaction.runs_eq_raw' % (tag, nid), cp['runs'],
             n['compaction']['runs'])
        c.eq('%s/node%d.compaction.kcompactd_wakes_eq_raw' % (tag, nid),
             cp['kcompactd_wakes'], n['compaction']['kcompactd_wakes'])
    text = run(['snapshot', '--root', tree]).stdout
    c.ok('%s/snapshot_text_every_node' % tag,
         all('node %d' % n in text for n in nodes), '%d lines' % text.count('\n'))
    c.ok('%s/snapshot_text_80_columns' % tag, max(map(len, text.splitlines())) <= 80,
         'widest %d' % max(map(len, text.splitlines())))
    c.ok('%s/snapshot_worst_line_first' % tag, text.startswith('worst: '),
         text.splitlines()[0])
    c.eq('%s/snapshot_worst_is_diagnose_first' % tag,
         (snap['worst'] or {}).get('rule'),
         (json.loads(run(['diagnose', '--json', '--since-load', '--root', tree],
                         ok_codes=(0, 1)).stdout)['findings'] or [{}])[0].get('rule'))
    return snap


def check_diagnose(c, tree, tag):
    p = run(['diagnose', '--json', '--root', tree], ok_codes=(0, 1))
    rep = json.loads(p.stdout)
    findings = rep['findings']
    c.eq('%s/diagnose_schema_version' % tag, 2, rep['schema_version'])
    c.eq('%s/diagnose_copy_judges_since_load' % tag, 'since-load', rep['window']['kind'])
    c.eq('%s/diagnose_exit_matches_findings' % tag, 1 if findings else 0, p.returncode)
    c.ok('%s/diagnose_findings_have_evidence' % tag,
         all(f.get('evidence') for f in findings), '%d findings' % len(findings))
    c.ok('%s/diagnose_findings_have_windows' % tag,
         all(f.get('window', {}).get('text') for f in findings), '')
    text = run(['diagnose', '--root', tree], ok_codes=(0, 1)).stdout
    c.ok('%s/diagnose_text_80_columns' % tag, max(map(len, text.splitlines())) <= 80,
         'widest %d' % max(map(len, text.splitlines())))
    # The same copy read twice: an interval in which nothing happened.
    p = run(['diagnose', '--json', '-i', '0.01', '--root', tree], ok_codes=(0, 1))
    events = [f['rule'] for f in json.loads(p.stdout)['findings']
              if f['window']['kind'] != 'now']
    c.eq('%s/diagnose_static_interval_no_event' % tag, [], events)
    # A hopeless node is a finding whenever the raw file says so.
    for d in sorted(os.listdir(tree)):
        if d.startswith('node') and kv(os.path.join(tree, d, 'kswapd'))['hopeless']:
            c.ok('%s/diagnose_reports_hopeless_%s' % (tag, d),
                 any(f['rule'] == 'hopeless-node' and f.get('node') == int(d[4:])
                     for f in findings), '')


def check_watch_text(c, tree, tag):
    text = run(['watch', '-n', '1', '-i', '0.01', '--root', tree]).stdout
    c.ok('%s/watch_text_80_columns' % tag, max(map(len, text.splitlines())) <= 80,
         'widest %d' % max(map(len, text.splitlines())))


def unescape(name):
    """The module's \\ooo escapes in a tasks or cgroups name undone."""
    return re.sub(r'\\([0-7]{3})', lambda m: chr(int(m.group(1), 8)), name)


def check_who(c, tree, tag):
    """Who pays for reclaim, where the module has the files: the tables'
    rows plus "other" add up to the files' totals (the tree is captured
    at rest); snapshot's slowest task and cgroup are the raw files'; top
    runs; cgroup series are the raw rows; kswapd's cpu_ns is shown as
    read.  Where the module lacks them, the parts are left out."""
    snap = json.loads(run(['snapshot', '--json', '--root', tree]).stdout)
    frame = json.loads(run(['top', '--json', '-n', '1', '-i', '0.01', '--root', tree]).stdout)
    c.eq('%s/top_schema' % tag, 'reclaimscope.top', frame['schema'])
    text = run(['top', '-n', '1', '-i', '0.01', '--root', tree]).stdout
    c.ok('%s/top_text_80_columns' % tag, max(map(len, text.splitlines())) <= 80,
         'widest %d' % max(map(len, text.splitlines())))
    for n in snap['nodes']:
        ks = kv(os.path.join(tree, 'node%d' % n['node'], 'kswapd'))
        c.eq('%s/node%d.kswapd.cpu_ns_eq_raw' % (tag, n['node']), ks.get('cpu_ns'),
             n['kswapd'].get('cpu_ns'))
    files = {f: kv(os.path.join(tree, f)) if os.path.exists(os.path.join(tree, f)) else None
             for f in ('direct_reclaim', 'memcg_reclaim', 'direct_compaction')}
    for f in ('memcg_reclaim', 'direct_compaction'):
        if files[f] is None:
            c.eq('%s/%s_absent_left_out' % (tag, f), None, snap[f])
            continue
        c.eq('%s/%s.stalls_eq_raw' % (tag, f), files[f]['stalls'], snap[f]['stalls'])
        c.eq('%s/%s.hist_count_eq_completed' % (tag, f), files[f]['completed'],
             snap[f]['latency']['count'])
    prom = promparse.parse(run(['export', '--prometheus', '--root', tree]).stdout)
    for name, kinds in (('tasks', ('direct', 'memcg', 'compact')),
                        ('cgroups', ('direct', 'memcg', 'compact'))):
        path = os.path.join(tree, name)
        if not os.path.exists(path):
            c.eq('%s/%s_absent_left_out' % (tag, name), None, snap['who_pays'][name])
            continue
        with open(path, encoding='utf-8', errors='surrogateescape', newline='') as f:
            lines = [l.split() for l in f.read().split('\n') if l.strip()]
        rows = [dict(zip(lines[0], l)) for l in lines[1:]]
        c.ok('%s/%s_last_row_other' % (tag, name), rows and
             (rows[-1].get('pid') == '-' if name == 'tasks' else rows[-1]['cgroup'] == 'other'),
             str(rows[-1] if rows else None))
        for kind, fname in zip(kinds, ('direct_reclaim', 'memcg_reclaim', 'direct_compaction')):
            if files[fname] is None or kind + '_ns' not in lines[0]:
                continue
            for col, key in (('_stalls', 'stalls'), ('_ns', 'total_ns')):
                c.eq('%s/%s.%s%s_sum_eq_%s.%s' % (tag, name, kind, col, fname, key),
                     files[fname][key], sum(int(r[kind + col]) for r in rows))

        def stall(r):
            return sum(int(r.get(k + '_ns', 0)) for k in kinds)
        ranked = sorted((r for r in rows if r.get('pid', r['cgroup']) not in ('-', 'other')),
                        key=stall, reverse=True)
        got = snap['who_pays'][name]['rows']
        if ranked and stall(ranked[0]):
            want = int(ranked[0]['pid']) if name == 'tasks' else unescape(ranked[0]['cgroup'])
            c.eq('%s/%s_slowest_first' % (tag, name), stall(ranked[0]),
                 got[0]['stall_ns'] if got else None)
            c.ok('%s/%s_slowest_is_raw' % (tag, name), got and got[0]['stall_ns'] ==
                 stall(ranked[0]) and (got[0]['pid'] if name == 'tasks' else
                                       got[0]['cgroup']) in
                 [int(r['pid']) if name == 'tasks' else unescape(r['cgroup'])
                  for r in ranked if stall(r) == stall(ranked[0])], str(want))
        if name == 'cgroups':
            fam = prom.get('reclaimscope_cgroup_memcg_stalls_total')
            c.eq('%s/prometheus_cgroup_series' % tag, len({r['cgroup'] for r in rows}),
                 len(fam.samples) if fam else 0)
        else:
            c.ok('%s/prometheus_no_task_series' % tag,
                 not any('pid' in labels for fam in prom.values()
                         for _, labels, _ in fam.samples), '')


def check_lockdown(c, tree, tag):
    """Under kernel lockdown (security/lockdown in the tree) snapshot and
    diagnose still work, and both say that reset is unavailable."""
    path = os.path.join(tree, 'security', 'lockdown')
    if not os.path.exists(path):
        return
    with open(path) as f:
        mode = re.search(r'\[(\w+)\]', f.read()).group(1)
    snap = json.loads(run(['snapshot', '--json', '--root', tree]).stdout)
    c.eq('%s/snapshot_lockdown' % tag, mode, snap['lockdown'])
    c.eq('%s/snapshot_reset_available' % tag, mode == 'none', snap['reset_available'])
    if mode == 'none':
        return
    text = run(['snapshot', '--root', tree]).stdout
    c.ok('%s/snapshot_says_reset_unavailable' % tag,
         'reset' in text and 'unavailable' in text and mode in text,
         text.splitlines()[1] if text.count('\n') > 1 else text)
    p = run(['diagnose', '--json', '--root', tree], ok_codes=(0, 1))
    notes = json.loads(p.stdout)['notes']
    c.ok('%s/diagnose_says_reset_unavailable' % tag,
         any('reset' in n and 'unavailable' in n for n in notes), '; '.join(notes))
    text = run(['diagnose', '--root', tree], ok_codes=(0, 1)).stdout
    c.ok('%s/diagnose_text_says_reset_unavailable' % tag,
         'unavailable' in text, '%d lines' % text.count('\n'))


DOC = os.path.join(TOP, 'Documentation', 'reclaimscope.rst')
# Not the module's: what rs_capture copies beside its files.
NOT_MODULE = ('proc', 'sys', 'security', 'boot', 'lib', 'etc', 'tmp')
# Free-text files: their lines are not keys.
FREE_TEXT = ('summary', 'hooks')


def doc_literals():
    """Every ``literal`` of the Documentation, and its words."""
    with open(DOC) as f:
        text = f.read()
    out = set()
    # Section titles name files: "summary", "node<N>/kswapd".
    lines = text.splitlines()
    for title, rule in zip(lines, lines[1:]):
        if title and rule and set(rule) <= set('-=~^') and len(rule) >= len(title):
            out.update(title.replace(' and ', ' ').split())
    for lit in re.findall(r'``([^`]+)``', text):
        out.add(lit)
        out.update(lit.replace(',', ' ').split())
    return out


def documented(key, lits):
    """Whether KEY is in the Documentation, as itself or by its pattern."""
    if key in lits:
        return True
    m = re.match(r'^(?:DMA32|DMA|Normal|Movable|HighMem|Device)\.(\w+)$', key)
    if m and '<Zone>.<field>' in lits and m.group(1) in lits:
        return True
    m = re.match(r'^result_(\w+)$', key)
    if m and 'result_<status>' in lits and m.group(1) in lits:
        return True
    pats = (
        (r'^latency_us_(le|gt)_\d+$', 'latency_us_*'),
        (r'^order\d+_(\w+)$', r'order<K>_\1'),
        (r'^(?:DMA32|DMA|Normal|Movable|HighMem|Device)\.(\w+)$', r'<Zone>.\1'),
        (r'^hopeless_resets_\w+$', 'hopeless_resets_{kswapd,direct,pcp,other}'),
        (r'^objects_node\d+$', 'objects_node<N>'),
    )
    for pat, rep in pats:
        if re.match(pat, key):
            name = re.sub(pat, rep, key)
            if name in lits or rep in lits:
                return True
    return False


def check_documented(c, tree, tag):
    """Every file of the tree, every key of its key-value files and every
    column of its tables is named in Documentation/reclaimscope.rst."""
    lits = doc_literals()
    missing = []
    for dirpath, dirs, files in os.walk(tree):
        rel = os.path.relpath(dirpath, tree)
        if rel != '.' and rel.split(os.sep)[0] in NOT_MODULE:
            dirs[:] = []
            continue
        for name in files:
            path = os.path.join(dirpath, name)
            fname = os.path.normpath(os.path.join(rel, name))
            fname = re.sub(r'^node\d+/', 'node<N>/', fname)
            if not (fname in lits or name in lits or fname.endswith('/' + name) and
                    (fname.split('/')[0] + '/') in lits):
                missing.append('file:' + fname)
            if name in FREE_TEXT:
                continue
            with open(path) as f:
                lines = f.read().splitlines()
            if not lines:
                continue
            first = lines[0].split()
            # A table: its header names the columns.
            if len(first) > 2 and not all(w.lstrip('-').isdigit() for w in first[1:]):
                keys = first
            else:
                keys = [ln.split()[0] for ln in lines if ln.split()]
            for k in keys:
                if not documented(k, lits):
                    missing.append('%s:%s' % (fname, k))
    c.ok('%s/documented' % tag, not missing, ' '.join(sorted(set(missing))[:20]))


def doctor(tree):
    """doctor --json on TREE: (exit status, {check name: [statuses]}, report)."""
    p = run(['doctor', '--json', '--root', tree], ok_codes=(0, 1))
    rep = json.loads(p.stdout)
    out = {}
    for ch in rep['checks']:
        out.setdefault(ch['name'], []).append(ch['status'])
    return p.returncode, out, rep


def check_doctor(c, tree, tag, tmp):
    """doctor on a tree the guest captured with the module loaded: no FAIL
    (unless hooks were disabled: then exactly the hooks FAIL); then on
    copies without the module and without debugfs, which must FAIL."""
    if not os.path.exists(os.path.join(tree, 'proc', 'modules')):
        return      # a tree from before rs_capture copied doctor's files
    st, checks, rep = doctor(tree)
    failed = sorted(k for k, v in checks.items() if 'FAIL' in v)
    with open(os.path.join(tree, 'hooks')) as f:
        disabled = [ln.split()[0] for ln in f if len(ln.split()) > 2 and ln.split()[2] == 'disabled']
    if disabled:
        c.eq('%s/doctor_fails_hooks' % tag, (1, ['hooks']), (st, failed))
        named = ' '.join(ch['message'] for ch in rep['checks'] if ch['name'] == 'hooks')
        c.ok('%s/doctor_names_disabled' % tag, all(h in named for h in disabled),
             '%s in %r' % (disabled, named[:200]))
    else:
        c.eq('%s/doctor_loaded_no_fail' % tag, (0, []), (st, failed))
    for name in ('module', 'debugfs', 'lockdown', 'taint', 'kernel'):
        c.ok('%s/doctor_has_%s' % (tag, name), name in checks, sorted(checks))
    c.eq('%s/doctor_module_ok' % tag, ['OK'], checks.get('module'))
    c.eq('%s/doctor_debugfs_ok' % tag, ['OK'], checks.get('debugfs'))
    # The same machine without the module, and without debugfs.
    for case, drop in (('unloaded', 'modules'), ('no_debugfs', 'mounts')):
        copy = os.path.join(tmp, 'doctor-%s-%s' % (tag, case))
        shutil.rmtree(copy, ignore_errors=True)
        shutil.copytree(tree, copy)
        path = os.path.join(copy, 'proc', drop)
        with open(path) as f:
            lines = f.readlines()
        word = 'reclaimscope' if drop == 'modules' else 'debugfs'
        with open(path, 'w') as f:
            f.writelines(ln for ln in lines if word not in ln.split())
        if drop == 'modules':
            shutil.rmtree(os.path.join(copy, 'sys', 'module', 'reclaimscope'), ignore_errors=True)
        st2, checks2, _ = doctor(copy)
        want = 'module' if drop == 'modules' else 'debugfs'
        c.eq('%s/doctor_%s_fails' % (tag, case), (1, 'FAIL'),
             (st2, (checks2.get(want) or ['absent'])[0]))


def check_prometheus(c, tree, tag, tmp):
    out = os.path.join(tmp, 'rs.prom')
    run(['export', '--prometheus', out, '--root', tree])
    with open(out) as f:
        text = f.read()
    try:
        fams = promparse.parse(text)
        c.ok('%s/prometheus_strict_parse' % tag, True, '%d families' % len(fams))
    except promparse.ParseError as e:
        c.ok('%s/prometheus_strict_parse' % tag, False, str(e))
        return
    if shutil.which('promtool'):
        p = subprocess.run(['promtool', 'check', 'metrics'], input=text,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           universal_newlines=True)
        c.ok('%s/promtool_clean' % tag, p.returncode == 0 and not (p.stdout + p.stderr),
             (p.stdout + p.stderr).strip()[:200])
    c.ok('%s/prometheus_no_untyped' % tag,
         all(f.type != 'untyped' for f in fams.values()), '')
    samples = {}
    for fam in fams.values():
        for name, labels, value in fam.samples:
            samples[(name, tuple(sorted(labels.items())))] = value
    for d in sorted(os.listdir(tree)):
        if not d.startswith('node'):
            continue
        ks = kv(os.path.join(tree, d, 'kswapd'))
        key = ('reclaimscope_kswapd_wakes_total', (('node', d[4:]),))
        c.eq('%s/prometheus_%s_kswapd_wakes_eq_raw' % (tag, d), ks['wakes'],
             samples.get(key))
        bp = kv(os.path.join(tree, d, 'balance_pgdat'))
        key = ('reclaimscope_balance_pgdat_duration_seconds_count', (('node', d[4:]),))
        c.eq('%s/prometheus_%s_balance_pgdat_count_eq_raw' % (tag, d), hist_count(bp),
             samples.get(key))


def check_series(c, series, tmp):
    """record from a real timeline, then plot it."""
    cli = importlib.machinery.SourceFileLoader('reclaimscope_cli', CLI).load_module()
    trees = sorted(os.path.join(series, d) for d in os.listdir(series))
    rec = os.path.join(tmp, 'series.jsonl')
    with open(rec, 'w') as f:
        for t in trees:
            f.write(cli.record_line(cli.sample(cli.open_source(t))) + '\n')
    svg = os.path.join(tmp, 'series.svg')
    p = run(['plot', rec, '-o', svg, '--json'])
    info = json.loads(p.stdout)
    root = ET.parse(svg).getroot()
    lines = [e for e in root.iter() if e.get('data-series')]
    c.ok('series/svg_has_series', lines, '%d series' % len(lines))
    # Levels (free, watermarks) have a point per sample, rates one between
    # each two samples.
    c.ok('series/svg_points_eq_samples',
         lines and all(int(e.get('data-points')) ==
                       (len(trees) if e.get('data-kind') == 'level' else len(trees) - 1)
                       for e in lines),
         '%d samples, %s' % (len(trees), sorted({e.get('data-points') for e in lines})))
    c.eq('series/plot_json_samples', len(trees), info.get('samples'))
    with open(rec) as f:
        sizes = [len(l) for l in f]
    # A record line keeps what plot and diagnose use: well under half of
    # the whole tree (export --json) of the same sample, which carries
    # all of /proc/vmstat.  (The kernel decides how many hook rows there
    # are, so no fixed byte count.)
    whole = len(run(['export', '--json', '--root', trees[-1]]).stdout)
    c.ok('series/record_small_samples', max(sizes) * 2 < whole,
         'largest %d bytes, the whole tree %d' % (max(sizes), whole))
    p = run(['diagnose', '--json', '--record', rec], ok_codes=(0, 1))
    c.eq('series/diagnose_record_window', 'interval', json.loads(p.stdout)['window']['kind'])
    if shutil.which('gnuplot'):
        png = os.path.join(tmp, 'series.png')
        run(['plot', rec, '-o', png])
        with open(png, 'rb') as f:
            c.ok('series/png_written', f.read(8) == b'\x89PNG\r\n\x1a\n', png)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--label', required=True)
    ap.add_argument('--results')
    ap.add_argument('--series')
    ap.add_argument('trees', nargs='+')
    args = ap.parse_args()
    c = Checks(args.label)
    with tempfile.TemporaryDirectory() as tmp:
        for tree in args.trees:
            tag = os.path.basename(os.path.normpath(tree))
            for name, fn in (('snapshot', lambda: check_snapshot(c, tree, tag)),
                             ('diagnose', lambda: check_diagnose(c, tree, tag)),
                             ('lockdown', lambda: check_lockdown(c, tree, tag)),
                             ('documented', lambda: check_documented(c, tree, tag)),
                             ('doctor', lambda: check_doctor(c, tree, tag, tmp)),
                             ('prometheus', lambda: check_prometheus(c, tree, tag, tmp)),
                             ('watch', lambda: run(['watch', '-n', '2', '-i', '0.01',
                                                    '--json', '--root', tree])),
                             ('watch_text', lambda: check_watch_text(c, tree, tag)),
                             ('who', lambda: check_who(c, tree, tag))):
                try:
                    fn()
                    if name == 'watch':
                        c.ok('%s/watch_runs' % tag, True)
                except Exception as e:  # one broken command must not hide the rest
                    c.ok('%s/%s' % (tag, name), False, '%s: %s' % (type(e).__name__, e))
        if args.series:
            try:
                check_series(c, args.series, tmp)
            except Exception as e:
                c.ok('series', False, '%s: %s' % (type(e).__name__, e))
    passed = sum(1 for _, ok, _ in c.results if ok)
    failed = len(c.results) - passed
    for name, ok, detail in c.results:
        print('  %s %s/cli:%s %s' % ('PASS' if ok else 'FAIL', args.label, name, detail))
    print('%s/cli: %d passed, %d failed' % (args.label, passed, failed))
    if args.results:
        with open(args.results, 'a') as f:
            f.write('%s/cli %d %d\n' % (args.label, passed, failed))
    return 1 if failed or not passed else 0


if __name__ == '__main__':
    sys.exit(main())
