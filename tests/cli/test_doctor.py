# SPDX-License-Identifier: GPL-2.0
"""reclaimscope doctor, the preflight: each check on a small copy of a
machine's files built here (--root), one problem at a time; --json; the
exit status; no program run for a copy; the live code paths with the
machine's programs faked."""
import gzip
import json
import lzma
import os
import re
import shutil
import struct
import subprocess
import tempfile
import unittest
from unittest import mock

from common import REPO, SCRIPT, fixture, rs, run_cli

REL = '6.1.0-56-amd64'
SIGNER = 'DKMS module signing key'
EFI_GUID = '8be4df61-93ca-11d2-aa0d-e3a8a5a8a0f4'
MOUNTS = ('sysfs /sys sysfs rw,nosuid,nodev,noexec,relatime 0 0\n'
          'proc /proc proc rw,nosuid,nodev,noexec,relatime 0 0\n'
          'securityfs /sys/kernel/security securityfs rw,nosuid,nodev,noexec,relatime 0 0\n'
          'debugfs /sys/kernel/debug debugfs rw,nosuid,nodev,noexec,relatime 0 0\n')
CONFIG = ('CONFIG_TRACEPOINTS=y\nCONFIG_KPROBES=y\nCONFIG_DEBUG_FS=y\nCONFIG_MODULE_SIG=y\n'
          '# CONFIG_MODULE_SIG_FORCE is not set\n')
KEYS = ('0b7a5c3e I------     1 perm 1f030000     0     0 asymmetri %s: 5e3bc1a0d2f8e5a7: '
        'X509.rsa 5e3bc1a0 []\n'
        '2c1d0f4a I------     1 perm 1f030000     0     0 asymmetri Debian Secure Boot CA: '
        '6ccece7e4c6c0d1f: X509.rsa 4c6c0d1f []\n'
        '3a1b2c3d I------     1 perm 1f0b0000     0     0 keyring   .builtin_trusted_keys: 1\n'
        % SIGNER)


def signed_module(signer=SIGNER):
    """Module bytes with an appended PKCS#7 signature naming @signer, laid
    out as the kernel's sign-file appends it."""
    name = signer.encode()
    pkcs7 = (b'\x30\x80\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x07\x02' +
             b'\x31' + bytes([len(name) + 9]) + b'\x30' + bytes([len(name) + 7]) +
             b'\x06\x03\x55\x04\x03\x0c' + bytes([len(name)]) + name + b'\x02\x01\x01')
    return (b'\x7fELF' + b'\0' * 60 + pkcs7 +
            struct.pack('>BBBBB3xI', 0, 0, 2, 0, 0, len(pkcs7)) +
            b'~Module signature appended~\n')


UNSIGNED_MODULE = b'\x7fELF' + b'\0' * 200


def write(root, rel, content, mode=None):
    path = os.path.join(root, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if os.path.lexists(path):
        os.unlink(path)
    with open(path, 'wb' if isinstance(content, bytes) else 'w') as f:
        f.write(content)
    return path


def machine(tmp, live=False):
    """A copy of a healthy machine with the module loaded, as doctor
    --root reads it (live=True: laid out as the live machine is, for a
    Host whose prefix is the directory): every check OK."""
    root = os.path.join(tmp, 'live' if live else 'copy')
    tree = os.path.join(root, 'sys/kernel/debug/reclaimscope') if live else root
    shutil.copytree(fixture('6.1', 'pressure'), tree)
    write(root, 'proc/sys/kernel/osrelease', REL + '\n')
    write(root, 'proc/sys/kernel/tainted', '0\n')
    write(root, 'proc/mounts', MOUNTS)
    write(root, 'proc/modules', 'ext4 1003520 1 - Live 0x0000000000000000\n'
          'reclaimscope 151552 0 - Live 0x0000000000000000\n')
    write(root, 'proc/keys', KEYS)
    write(root, 'proc/cmdline', 'BOOT_IMAGE=/boot/vmlinuz-%s root=/dev/vda1 ro quiet\n' % REL)
    write(root, 'boot/config-%s' % REL, CONFIG)
    write(root, 'usr/src/linux-headers-%s/Makefile' % REL, 'include foo\n')
    os.makedirs(os.path.join(root, 'lib/modules', REL))
    # An absolute link, as Debian's: it must resolve inside the copy.
    os.symlink('/usr/src/linux-headers-%s' % REL, os.path.join(root, 'lib/modules', REL,
                                                                 'build'))
    write(root, 'lib/modules/%s/modules.dep' % REL,
          'kernel/fs/ext4/ext4.ko:\nupdates/dkms/reclaimscope.ko:\n')
    write(root, 'lib/modules/%s/updates/dkms/reclaimscope.ko' % REL, signed_module())
    write(root, 'var/lib/dkms/reclaimscope/0.1.0/%s/x86_64/module/reclaimscope.ko' % REL,
          signed_module())
    os.symlink('0.1.0/%s/x86_64' % REL,
               os.path.join(root, 'var/lib/dkms/reclaimscope/kernel-%s-x86_64' % REL))
    write(root, 'sys/firmware/efi/efivars/SecureBoot-' + EFI_GUID, b'\x06\x00\x00\x00\x00')
    write(root, 'sys/module/reclaimscope/taint', '\n')
    write(root, 'sys/module/reclaimscope/parameters/disable', '(null)\n')
    write(root, 'sys/module/module/parameters/sig_enforce', 'N\n')
    write(root, 'sys/kernel/security/lockdown' if live else 'security/lockdown',
          '[none] integrity confidentiality\n')
    return root


def doctor(root):
    """(status, the JSON report, text output) of doctor --root @root."""
    status, out, err = run_cli('doctor', '--root', root, '--json')
    assert err == '', err
    status2, text, err = run_cli('doctor', '--root', root)
    assert (status2, err) == (status, ''), (status2, err)
    return status, json.loads(out), text


def by_name(rep, name):
    return [c for c in rep['checks'] if c['name'] == name]


def one(rep, name):
    found = by_name(rep, name)
    assert len(found) == 1, found
    return found[0]


def set_hook(root, name, state):
    path = os.path.join(root, 'hooks')
    with open(path) as f:
        lines = f.read().splitlines()
    for i, line in enumerate(lines):
        cols = line.split()
        if cols[0] == name:
            cols[2] = state
            if state != 'attached':
                cols[3:] = ['0', '0', '-']
            lines[i] = ' '.join(cols)
    with open(path, 'w') as f:
        f.write('\n'.join(lines) + '\n')


class Copy(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix='rs-test.')
        self.addCleanup(shutil.rmtree, self.tmp)
        self.root = machine(self.tmp)

    def status(self, rep, name):
        return one(rep, name)['status']

    def assertOnly(self, rep, bad):
        """Every check OK but those of @bad ({name: status})."""
        for c in rep['checks']:
            self.assertEqual(c['status'], bad.get(c['name'], 'OK'), c)

    def test_all_ok(self):
        status, rep, text = doctor(self.root)
        self.assertEqual(status, rs.EXIT_OK, text)
        self.assertOnly(rep, {})
        self.assertEqual([c['name'] for c in rep['checks']],
                         ['kernel', 'config', 'headers', 'dkms', 'secure-boot', 'signature',
                          'lockdown', 'debugfs', 'module', 'files', 'hooks', 'taint'])
        self.assertEqual((rep['ok'], rep['warnings'], rep['failed']), (12, 0, 0))
        self.assertIn('5.10 and newer', one(rep, 'kernel')['message'])
        self.assertIn('0.1.0 installed for %s' % REL, one(rep, 'dkms')['message'])
        self.assertIn('signed by "%s"' % SIGNER, one(rep, 'signature')['message'])
        self.assertIn('/proc/keys', one(rep, 'signature')['message'])
        self.assertIn('all 23 attached', one(rep, 'hooks')['message'])
        self.assertEqual(text.splitlines()[-1], 'doctor: 12 checks: 12 OK, 0 WARN, 0 FAIL')

    def test_text_layout(self):
        """"STATUS name: message", the fix on its own line, 80 columns,
        the status column kept clear."""
        write(self.root, 'proc/modules', 'ext4 1003520 1 - Live 0x0000000000000000\n')
        with mock.patch.dict(os.environ, {'COLUMNS': '80'}):
            status, rep, text = doctor(self.root)
        lines = text.splitlines()
        for line in lines:       # a longer line is one word: a path of the copy
            self.assertTrue(len(line) <= 80 or ' ' not in line.strip(), line)
            self.assertRegex(line, r'^(OK   |WARN |FAIL |     \S|doctor: )')
        self.assertIn('FAIL module: reclaimscope is not loaded', lines)
        i = lines.index('FAIL module: reclaimscope is not loaded')
        self.assertTrue(lines[i + 1].startswith('     fix: modprobe reclaimscope'), lines)
        self.assertEqual(sum(1 for l in lines if re.match(r'^(OK|WARN|FAIL) ', l)),
                         len(rep['checks']))

    def test_module_not_loaded(self):
        with open(os.path.join(self.root, 'proc/modules'), 'w') as f:
            f.write('ext4 1003520 1 - Live 0x0000000000000000\n')
        shutil.rmtree(os.path.join(self.root, 'sys/module/reclaimscope'))
        for name in os.listdir(self.root):
            if name in ('version', 'hooks', 'shrinkers', 'summary', 'direct_reclaim') or \
                    name.startswith('node') or name == 'demo_shrinker':
                path = os.path.join(self.root, name)
                (shutil.rmtree if os.path.isdir(path) else os.unlink)(path)
        status, rep, text = doctor(self.root)
        self.assertEqual(status, rs.EXIT_FINDINGS)
        m = one(rep, 'module')
        self.assertEqual(m['status'], 'FAIL')
        self.assertEqual(m['message'], 'reclaimscope is not loaded')
        self.assertEqual(m['fix'], 'modprobe reclaimscope')
        self.assertOnly(rep, {'module': 'FAIL', 'files': 'WARN', 'hooks': 'WARN'})
        self.assertIn('not checked: the module is not loaded', one(rep, 'hooks')['message'])

    def test_debugfs_not_mounted(self):
        with open(os.path.join(self.root, 'proc/mounts'), 'w') as f:
            f.write(MOUNTS.replace('debugfs /sys/kernel/debug debugfs', 'tmpfs /run tmpfs'))
        status, rep, text = doctor(self.root)
        self.assertEqual(status, rs.EXIT_FINDINGS)
        d = one(rep, 'debugfs')
        self.assertEqual(d['status'], 'FAIL')
        self.assertEqual(d['fix'], 'mount -t debugfs none /sys/kernel/debug')
        self.assertOnly(rep, {'debugfs': 'FAIL', 'files': 'WARN', 'hooks': 'WARN'})
        self.assertIn('FAIL debugfs: not mounted on /sys/kernel/debug', text)
        self.assertIn('     fix: mount -t debugfs none /sys/kernel/debug', text)

    def test_debugfs_off_on_the_command_line(self):
        with open(os.path.join(self.root, 'proc/mounts'), 'w') as f:
            f.write(MOUNTS.replace('debugfs /sys/kernel/debug debugfs', 'tmpfs /run tmpfs'))
        with open(os.path.join(self.root, 'proc/cmdline'), 'w') as f:
            f.write('root=/dev/vda1 ro debugfs=off quiet\n')
        status, rep, _ = doctor(self.root)
        d = one(rep, 'debugfs')
        self.assertEqual((status, d['status']), (rs.EXIT_FINDINGS, 'FAIL'))
        self.assertIn('debugfs=off', d['message'])
        self.assertIn('remove debugfs=off', d['fix'])

    def test_debugfs_elsewhere(self):
        with open(os.path.join(self.root, 'proc/mounts'), 'w') as f:
            f.write(MOUNTS.replace('debugfs /sys/kernel/debug debugfs', 'debugfs /debug debugfs'))
        status, rep, _ = doctor(self.root)
        self.assertIn('mounted on /debug, not on /sys/kernel/debug',
                      one(rep, 'debugfs')['message'])

    def test_hook_disabled(self):
        set_hook(self.root, 'balance_pgdat', 'disabled')
        write(self.root, 'sys/module/reclaimscope/parameters/disable', 'balance_pgdat\n')
        status, rep, text = doctor(self.root)
        self.assertEqual(status, rs.EXIT_FINDINGS)
        h = one(rep, 'hooks')
        self.assertEqual((h['status'], h['hook']), ('FAIL', 'balance_pgdat'))
        self.assertIn('balance_pgdat (kretprobe) is disabled', h['message'])
        self.assertIn('disable=balance_pgdat', h['message'])
        self.assertIn('balance_pgdat', h['message'].split('n/a')[1])   # what it feeds
        self.assertIn('without disable=', h['fix'])
        self.assertIn('rmmod reclaimscope && modprobe reclaimscope', h['fix'])
        self.assertOnly(rep, {'hooks': 'FAIL'})
        self.assertIn('FAIL hooks: balance_pgdat (kretprobe) is disabled', text)

    def test_hook_missing(self):
        set_hook(self.root, 'mm_vmscan_throttled', 'missing')
        status, rep, text = doctor(self.root)
        self.assertEqual(status, rs.EXIT_OK)
        h = one(rep, 'hooks')
        self.assertEqual((h['status'], h['hook']), ('WARN', 'mm_vmscan_throttled'))
        self.assertIn('this kernel has no tracepoint of that name', h['message'])
        self.assertIn('direct_reclaim.throttled', h['message'])
        self.assertOnly(rep, {'hooks': 'WARN'})

    def test_hooks_failed_and_missing_each_a_line(self):
        set_hook(self.root, 'shrink_folio_list', 'failed:EINVAL')
        set_hook(self.root, 'mm_vmscan_throttled', 'missing')
        set_hook(self.root, 'mm_vmscan_kswapd_wake', 'standby')
        status, rep, _ = doctor(self.root)
        self.assertEqual(status, rs.EXIT_FINDINGS)
        hooks = by_name(rep, 'hooks')
        self.assertEqual([(h['hook'], h['status']) for h in hooks],
                         [('shrink_folio_list', 'FAIL'), ('mm_vmscan_throttled', 'WARN')])
        self.assertIn('refused the probe (EINVAL)', hooks[0]['message'])
        self.assertIn('dmesg', hooks[0]['fix'])

    def test_standby_is_ok(self):
        set_hook(self.root, 'balance_pgdat', 'standby')
        status, rep, _ = doctor(self.root)
        self.assertEqual(status, rs.EXIT_OK)
        self.assertIn('22 attached, and 1 on standby', one(rep, 'hooks')['message'])

    def test_hooks_file_damaged(self):
        with open(os.path.join(self.root, 'hooks'), 'a') as f:
            f.write('balance_pgdat kretprobe\n')
        status, rep, _ = doctor(self.root)
        h = one(rep, 'hooks')
        self.assertEqual((status, h['status']), (rs.EXIT_FINDINGS, 'FAIL'))
        self.assertIn('hooks', h['message'])
        self.assertIn('columns', h['message'])

    def test_lockdown_integrity(self):
        write(self.root, 'security/lockdown', 'none [integrity] confidentiality\n')
        status, rep, _ = doctor(self.root)
        self.assertEqual(status, rs.EXIT_OK)
        lk = one(rep, 'lockdown')
        self.assertEqual(lk['status'], 'WARN')
        self.assertTrue(lk['message'].startswith('integrity (set by Secure Boot'),
                        lk['message'])
        self.assertIn('the kernel refuses writes to debugfs', lk['message'])
        self.assertIn('reset', lk['message'])
        self.assertIn('still read', lk['message'])
        self.assertIn('rmmod reclaimscope && modprobe reclaimscope', lk['fix'])
        # Lockdown makes signatures required: the signed module with an
        # enrolled key stays OK, and says why signatures matter.
        self.assertOnly(rep, {'lockdown': 'WARN'})
        # The other commands read the same copy and say reset is unavailable.
        status, out, _ = run_cli('snapshot', '--root', self.root)
        self.assertIn('kernel lockdown (integrity)', out)

    def test_lockdown_confidentiality(self):
        write(self.root, 'security/lockdown', 'none integrity [confidentiality]\n')
        status, rep, _ = doctor(self.root)
        lk = one(rep, 'lockdown')
        self.assertEqual(lk['status'], 'WARN')
        self.assertIn('may refuse reads of debugfs too', lk['message'])

    def test_tainted_out_of_tree_and_unsigned(self):
        write(self.root, 'proc/sys/kernel/tainted', '%d\n' % (1 << 12 | 1 << 13))
        write(self.root, 'proc/modules', 'ext4 1003520 1 - Live 0x0000000000000000\n'
              'reclaimscope 151552 0 - Live 0x0000000000000000 (OE)\n')
        status, rep, text = doctor(self.root)
        self.assertEqual(status, rs.EXIT_OK)
        t = one(rep, 'taint')
        self.assertEqual(t['status'], 'WARN')
        self.assertTrue(t['message'].startswith('OE (12288): '), t['message'])
        self.assertIn('O: an out-of-tree module was loaded (reclaimscope: expected, it is '
                      'built outside the kernel)', t['message'])
        self.assertIn('E: a module without a valid signature was loaded (reclaimscope: '
                      'see the signature line)', t['message'])
        # The loaded module carries E: the kernel did not verify it.
        self.assertOnly(rep, {'taint': 'WARN', 'signature': 'WARN'})
        self.assertIn('carries taint E', one(rep, 'signature')['message'])
        self.assertIn('WARN taint: OE (12288)', text)
        # Only O, as a module DKMS signed and the kernel verified: OK.
        write(self.root, 'proc/sys/kernel/tainted', '4096\n')
        write(self.root, 'proc/modules', 'reclaimscope 151552 0 - Live 0x0 (O)\n')
        status, rep, text = doctor(self.root)
        self.assertOnly(rep, {'taint': 'WARN'})
        self.assertIn('the loaded module was verified', one(rep, 'signature')['message'])

    def test_taint_of_another_module_and_a_warning(self):
        write(self.root, 'proc/sys/kernel/tainted', '%d\n' % (1 << 0 | 1 << 9 | 1 << 12))
        write(self.root, 'proc/modules', 'nvidia 1003520 1 - Live 0x0000000000000000 (POE)\n'
              'reclaimscope 151552 0 - Live 0x0000000000000000 (O)\n')
        status, rep, _ = doctor(self.root)
        t = one(rep, 'taint')
        self.assertEqual((status, t['status']), (rs.EXIT_OK, 'WARN'))
        self.assertTrue(t['message'].startswith('PWO (4609): '), t['message'])
        self.assertIn('P: a proprietary module was loaded (nvidia)', t['message'])
        self.assertIn('W: the kernel issued a warning;', t['message'])
        self.assertIn('O: an out-of-tree module was loaded (nvidia; reclaimscope: '
                      'expected', t['message'])

    def test_kernel_below_minimum(self):
        write(self.root, 'proc/sys/kernel/osrelease', '4.19.0-99-amd64\n')
        status, rep, _ = doctor(self.root)
        self.assertEqual(status, rs.EXIT_FINDINGS)
        k = one(rep, 'kernel')
        self.assertEqual(k['status'], 'FAIL')
        self.assertIn('4.19.0-99-amd64 is older than 5.10', k['message'])
        self.assertIn('5.10 or newer', k['fix'])
        # Nothing of 6.1 is used for 4.19: no config, headers, module there.
        self.assertEqual(one(rep, 'dkms')['status'], 'FAIL')
        self.assertIn('DKMS skips this kernel (older than 5.10', one(rep, 'dkms')['message'])

    def test_kernel_from_the_version_file(self):
        os.unlink(os.path.join(self.root, 'proc/sys/kernel/osrelease'))
        status, rep, _ = doctor(self.root)
        self.assertEqual(status, rs.EXIT_OK)
        self.assertTrue(one(rep, 'kernel')['message'].startswith(REL))

    def test_config_lacks_an_option(self):
        write(self.root, 'boot/config-%s' % REL,
              CONFIG.replace('CONFIG_KPROBES=y', '# CONFIG_KPROBES is not set'))
        status, rep, _ = doctor(self.root)
        c = one(rep, 'config')
        self.assertEqual((status, c['status']), (rs.EXIT_FINDINGS, 'FAIL'))
        self.assertIn('without CONFIG_KPROBES', c['message'])
        self.assertIn('CONFIG_KPROBES=y', c['fix'])

    def test_config_from_proc_config_gz(self):
        os.unlink(os.path.join(self.root, 'boot/config-%s' % REL))
        write(self.root, 'proc/config.gz', gzip.compress(CONFIG.encode()))
        status, rep, _ = doctor(self.root)
        self.assertEqual(status, rs.EXIT_OK)
        self.assertIn('config.gz', one(rep, 'config')['message'])
        write(self.root, 'proc/config.gz', b'not gzip at all')
        status, rep, _ = doctor(self.root)
        c = one(rep, 'config')
        self.assertEqual((status, c['status']), (rs.EXIT_OK, 'WARN'))
        self.assertIn('config.gz: cannot uncompress it', c['message'])

    def test_headers(self):
        shutil.rmtree(os.path.join(self.root, 'usr/src'))    # the link now dangles
        status, rep, _ = doctor(self.root)
        h = one(rep, 'headers')
        self.assertEqual((status, h['status']), (rs.EXIT_OK, 'WARN'))
        self.assertIn('a broken link', h['message'])
        self.assertIn('apt install linux-headers-%s' % REL, h['fix'])
        # No module for the kernel either: then the headers are needed.
        shutil.rmtree(os.path.join(self.root, 'var/lib/dkms'))
        shutil.rmtree(os.path.join(self.root, 'lib/modules/%s/updates' % REL))
        write(self.root, 'proc/modules', '')
        status, rep, _ = doctor(self.root)
        self.assertEqual(one(rep, 'headers')['status'], 'FAIL')
        d = one(rep, 'dkms')
        self.assertEqual(d['status'], 'FAIL')
        self.assertIn('no reclaimscope module for %s' % REL, d['message'])
        self.assertIn('reclaimscope-dkms', d['fix'])
        self.assertIn('once it is installed', one(rep, 'module')['fix'])

    def test_dkms_built_not_installed(self):
        os.unlink(os.path.join(self.root, 'var/lib/dkms/reclaimscope/kernel-%s-x86_64' % REL))
        status, rep, _ = doctor(self.root)
        d = one(rep, 'dkms')
        self.assertEqual((status, d['status']), (rs.EXIT_OK, 'WARN'))
        self.assertIn('0.1.0 is built in DKMS but not installed', d['message'])
        self.assertEqual(d['fix'], 'dkms install reclaimscope/0.1.0 -k %s' % REL)

    def test_installed_without_dkms(self):
        shutil.rmtree(os.path.join(self.root, 'var/lib/dkms'))
        status, rep, _ = doctor(self.root)
        d = one(rep, 'dkms')
        self.assertEqual((status, d['status']), (rs.EXIT_OK, 'OK'))
        self.assertIn('not in DKMS', d['message'])
        self.assertIn('updates/dkms/reclaimscope.ko', d['message'])

    def test_secure_boot_and_unsigned_module(self):
        write(self.root, 'sys/firmware/efi/efivars/SecureBoot-' + EFI_GUID,
              b'\x06\x00\x00\x00\x01')
        write(self.root, 'lib/modules/%s/updates/dkms/reclaimscope.ko' % REL, UNSIGNED_MODULE)
        write(self.root, 'proc/modules', '')
        status, rep, _ = doctor(self.root)
        self.assertEqual(status, rs.EXIT_FINDINGS)
        self.assertEqual(one(rep, 'secure-boot')['status'], 'OK')
        self.assertTrue(one(rep, 'secure-boot')['message'].startswith('on: '))
        s = one(rep, 'signature')
        self.assertEqual(s['status'], 'FAIL')
        self.assertIn('is not signed', s['message'])
        self.assertIn('Secure Boot is on', s['message'])
        self.assertIn('mokutil --import /var/lib/dkms/mok.pub', s['fix'])

    def test_unsigned_without_secure_boot_is_ok(self):
        write(self.root, 'lib/modules/%s/updates/dkms/reclaimscope.ko' % REL, UNSIGNED_MODULE)
        status, rep, _ = doctor(self.root)
        s = one(rep, 'signature')
        self.assertEqual((status, s['status']), (rs.EXIT_OK, 'OK'))
        self.assertIn('allowed here', s['message'])

    def test_secure_boot_key_not_enrolled(self):
        write(self.root, 'sys/firmware/efi/efivars/SecureBoot-' + EFI_GUID,
              b'\x06\x00\x00\x00\x01')
        write(self.root, 'proc/keys', KEYS.replace(SIGNER, 'Some other key'))
        write(self.root, 'proc/modules', '')
        status, rep, _ = doctor(self.root)
        s = one(rep, 'signature')
        self.assertEqual((status, s['status']), (rs.EXIT_FINDINGS, 'FAIL'))
        self.assertIn('no certificate named "%s"' % SIGNER, s['message'])
        self.assertTrue(s['fix'].startswith('mokutil --import /var/lib/dkms/mok.pub'))

    def test_compressed_module(self):
        os.unlink(os.path.join(self.root, 'lib/modules/%s/updates/dkms/reclaimscope.ko' % REL))
        write(self.root, 'lib/modules/%s/updates/dkms/reclaimscope.ko.xz' % REL,
              lzma.compress(signed_module('Secure Boot Signer 2024')))
        write(self.root, 'lib/modules/%s/modules.dep' % REL,
              'updates/dkms/reclaimscope.ko.xz:\n')
        status, rep, _ = doctor(self.root)
        s = one(rep, 'signature')
        self.assertIn('signed by "Secure Boot Signer 2024"', s['message'])
        # Not required here (Secure Boot off), but the kernel lacks the key.
        self.assertEqual(s['status'], 'WARN')
        self.assertIn('tainting the kernel (E)', s['message'])
        os.rename(os.path.join(self.root, 'lib/modules/%s/updates/dkms/reclaimscope.ko.xz'
                               % REL),
                  os.path.join(self.root, 'lib/modules/%s/updates/dkms/reclaimscope.ko.zst'
                               % REL))
        status, rep, _ = doctor(self.root)
        s = one(rep, 'signature')
        self.assertEqual(s['status'], 'WARN')
        self.assertIn('zstd', s['message'])

    def test_parts_missing_from_the_copy_are_unknown(self):
        """A copy without sys/firmware, security/lockdown, var, boot and
        lib/modules (the guests' captures today): WARN unknown, no FAIL."""
        for d in ('sys/firmware', 'security', 'var', 'boot', 'lib', 'proc/keys',
                  'proc/sys/kernel/tainted'):
            path = os.path.join(self.root, d)
            (shutil.rmtree if os.path.isdir(path) else os.unlink)(path)
        status, rep, _ = doctor(self.root)
        self.assertEqual(status, rs.EXIT_OK)
        for name in ('config', 'headers', 'dkms', 'secure-boot', 'signature', 'lockdown',
                     'taint'):
            self.assertEqual(one(rep, name)['status'], 'WARN', name)
            self.assertIn('unknown', one(rep, name)['message'], name)

    def test_the_captured_trees(self):
        """doctor reads the copies the other commands read."""
        for label in ('idle', 'hopeless'):
            status, rep, text = doctor(fixture('6.1', label))
            self.assertEqual(status, rs.EXIT_OK, text)
            self.assertEqual(one(rep, 'files')['status'], 'OK')
            self.assertEqual(one(rep, 'hooks')['status'], 'OK')

    def test_json(self):
        set_hook(self.root, 'balance_pgdat', 'disabled')
        for failing in (False, True):
            if failing:
                write(self.root, 'proc/sys/kernel/osrelease', '5.4.0-1-amd64\n')
            status, out, err = run_cli('doctor', '--json', '--root', self.root)
            rep = json.loads(out)
            self.assertEqual(rep['schema'], 'reclaimscope.doctor')
            self.assertEqual(rep['schema_version'], 1)
            self.assertEqual(rep['root'], self.root)
            for c in rep['checks']:
                self.assertLessEqual({'name', 'status', 'message', 'fix'}, set(c))
                self.assertIn(c['status'], ('OK', 'WARN', 'FAIL'))
                self.assertIsInstance(c['message'], str)
                self.assertTrue(c['fix'] is None or isinstance(c['fix'], str))
            failed = sum(1 for c in rep['checks'] if c['status'] == 'FAIL')
            self.assertEqual(rep['failed'], failed)
            self.assertEqual(status, rs.EXIT_FINDINGS if failed else rs.EXIT_OK)
            self.assertTrue(failed)             # the disabled hook
        self.assertEqual(one(rep, 'kernel')['status'], 'FAIL')

    def test_runs_no_program_for_a_copy(self):
        def refuse(*args, **kwargs):
            raise AssertionError('a program was run for a copy: %r' % (args,))
        with mock.patch.object(rs.subprocess, 'run', refuse), \
                mock.patch.object(rs.subprocess, 'Popen', refuse), \
                mock.patch.object(rs.shutil, 'which', refuse):
            status, rep, _ = doctor(self.root)
        self.assertEqual(status, rs.EXIT_OK)

    def test_root_missing(self):
        status, out, err = run_cli('doctor', '--root', os.path.join(self.tmp, 'nothing'))
        self.assertEqual(status, rs.EXIT_NOT_LOADED)
        self.assertIn('no such directory', err)

    def test_as_a_process(self):
        set_hook(self.root, 'balance_pgdat', 'disabled')
        proc = subprocess.run([SCRIPT, 'doctor', '--root', self.root], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, universal_newlines=True,
                              env=dict(os.environ, LC_ALL='C', LANG='C'))
        self.assertEqual(proc.returncode, rs.EXIT_FINDINGS)
        self.assertEqual(proc.stderr, '')
        self.assertIn('FAIL hooks: balance_pgdat', proc.stdout)


class Live(unittest.TestCase):
    """The live code paths (programs may run), on a directory laid out as
    the live machine, with the programs faked."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix='rs-test.')
        self.addCleanup(shutil.rmtree, self.tmp)
        self.root = machine(self.tmp, live=True)
        self.ran = []

    def run_doctor(self, programs):
        """The checks with @programs ({name: (status, output)}) installed."""
        def which(name, *args, **kwargs):
            return '/usr/bin/' + name if name in programs else None

        def run(argv, **kwargs):
            name = os.path.basename(argv[0])
            self.ran.append([name] + list(argv[1:]))
            status, out = programs[name](argv[1:]) if callable(programs[name]) \
                else programs[name]
            return subprocess.CompletedProcess(argv, status, out.encode(), b'')
        with mock.patch.object(rs.shutil, 'which', which), \
                mock.patch.object(rs.subprocess, 'run', run):
            rep = rs.doctor_report(rs.Host(self.root))
        return {c['name']: c for c in rep['checks']}, rep

    def test_no_programs(self):
        checks, rep = self.run_doctor({})
        self.assertEqual(rep['failed'], 0, rep)
        self.assertEqual(checks['files']['status'], 'OK')
        self.assertIn('reclaimscope 0.1.0, abi 1', checks['files']['message'])
        self.assertEqual(checks['lockdown']['status'], 'OK')
        # No dkms: DKMS's directory tells.
        self.assertIn('installed for %s' % REL, checks['dkms']['message'])

    def test_no_programs_nothing_to_read(self):
        """The programs and the files they stand for absent: unknown (WARN)."""
        os.unlink(os.path.join(self.root, 'sys/firmware/efi/efivars/SecureBoot-' + EFI_GUID))
        os.unlink(os.path.join(self.root, 'lib/modules/%s/updates/dkms/reclaimscope.ko' % REL))
        write(self.root, 'lib/modules/%s/updates/dkms/reclaimscope.ko.zst' % REL, b'(zstd)')
        write(self.root, 'lib/modules/%s/modules.dep' % REL,
              'updates/dkms/reclaimscope.ko.zst:\n')
        checks, rep = self.run_doctor({})
        self.assertEqual(self.ran, [])
        self.assertEqual(checks['secure-boot']['status'], 'WARN')
        self.assertIn('unknown', checks['secure-boot']['message'])
        self.assertIn('mokutil is not installed', checks['secure-boot']['message'])
        self.assertEqual(checks['signature']['status'], 'WARN')
        self.assertIn('zstd', checks['signature']['message'])
        self.assertIn('modinfo', checks['signature']['fix'])

    def test_programs(self):
        os.unlink(os.path.join(self.root, 'sys/firmware/efi/efivars/SecureBoot-' + EFI_GUID))
        shutil.rmtree(os.path.join(self.root, 'var/lib/dkms'))
        os.unlink(os.path.join(self.root, 'proc/keys'))
        write(self.root, 'var/lib/dkms/mok.pub', b'cert')
        modinfo = ('filename:       /lib/modules/%s/updates/dkms/reclaimscope.ko\n'
                   'license:        GPL\nvermagic:       %s SMP preempt mod_unload\n'
                   'sig_id:         PKCS#7\nsigner:         %s\n'
                   'sig_key:        5E:3B:C1\nsig_hashalgo:   sha256\n'
                   'signature:      30:45:02:21:00\n\t\t5F:BB\n' % (REL, REL, SIGNER))
        programs = {
            'dkms': (0, 'reclaimscope/0.1.0, %s, x86_64: installed\n' % REL),
            'modinfo': (0, modinfo),
            'mokutil': lambda argv: (0, 'SecureBoot enabled\n') if argv == ['--sb-state']
            else (0, '/var/lib/dkms/mok.pub is already enrolled\n'),
        }
        checks, rep = self.run_doctor(programs)
        self.assertIn(['dkms', 'status', '-m', 'reclaimscope', '-k', REL], self.ran)
        self.assertIn(['modinfo', 'reclaimscope'], self.ran)
        self.assertIn(['mokutil', '--sb-state'], self.ran)
        self.assertIn(['mokutil', '--test-key', '/var/lib/dkms/mok.pub'], self.ran)
        self.assertEqual(checks['dkms']['status'], 'OK')
        self.assertIn('(dkms status)', checks['dkms']['message'])
        self.assertEqual(checks['secure-boot']['status'], 'OK')
        self.assertIn('(mokutil --sb-state)', checks['secure-boot']['message'])
        self.assertEqual(checks['signature']['status'], 'OK', checks['signature'])
        self.assertIn('signed by "%s"' % SIGNER, checks['signature']['message'])
        self.assertIn('is enrolled (mokutil --test-key)', checks['signature']['message'])
        # Not enrolled, with Secure Boot on: FAIL.
        programs['mokutil'] = lambda argv: (0, 'SecureBoot enabled\n') \
            if argv == ['--sb-state'] else (0, '/var/lib/dkms/mok.pub is not enrolled\n')
        rs_checks, rep = self.run_doctor(programs)
        self.assertEqual(rs_checks['signature']['status'], 'FAIL')

    def test_dkms_states(self):
        for out, status, words in (
                ('reclaimscope, 0.1.0, %s, x86_64: installed\n' % REL, 'OK', 'installed'),
                ('reclaimscope/0.1.0, %s, x86_64: built\n' % REL, 'WARN', 'built in DKMS'),
                ('reclaimscope/0.1.0: added\n', 'WARN', 'added in DKMS'),
                ('', 'OK', 'not in DKMS (dkms status)')):
            with self.subTest(out=out):
                checks, _ = self.run_doctor({'dkms': (0, out)})
                self.assertEqual(checks['dkms']['status'], status, checks['dkms'])
                self.assertIn(words, checks['dkms']['message'])
        self.assertEqual(rs.parse_dkms_status(
            'reclaimscope/0.1.0, 6.1.0-9-amd64, x86_64: installed (Original modules exist)\n'
            'other/1.0, 6.1.0-9-amd64, x86_64: installed\n'),
            [('0.1.0', 'installed (Original modules exist)')])

    def test_program_fails_or_hangs(self):
        def hang(argv, **kwargs):
            raise subprocess.TimeoutExpired(argv, 20)
        with mock.patch.object(rs.shutil, 'which', lambda n, *a, **k: '/usr/bin/' + n), \
                mock.patch.object(rs.subprocess, 'run', hang):
            rep = rs.doctor_report(rs.Host(self.root))
        self.assertEqual(rep['failed'], 0, rep)
        checks, rep = self.run_doctor({'dkms': (3, 'Error! permission denied\n'),
                                       'modinfo': (1, 'modinfo: ERROR: Module reclaimscope '
                                                      'not found.\n'),
                                       'mokutil': (1, 'EFI variables are not supported\n')})
        self.assertEqual(rep['failed'], 0, rep)
        self.assertEqual(checks['signature']['status'], 'OK')       # from the file

    def test_not_root(self):
        """debugfs readable by root only: the files and hooks say so."""
        real = os.stat
        tree = os.path.join(self.root, 'sys/kernel/debug/reclaimscope')

        def stat(path, *args, **kwargs):
            if path == tree:
                raise PermissionError(13, 'Permission denied', path)
            return real(path, *args, **kwargs)
        with mock.patch.object(rs.os, 'stat', stat):
            checks, rep = self.run_doctor({})
        for name in ('files', 'hooks'):
            self.assertEqual(checks[name]['status'], 'WARN')
            self.assertIn('permission denied', checks[name]['message'])
            self.assertIn('sudo reclaimscope doctor', checks[name]['fix'])

    def test_securityfs_without_lockdown(self):
        os.unlink(os.path.join(self.root, 'sys/kernel/security/lockdown'))
        write(self.root, 'sys/kernel/security/apparmor/profiles', '')
        checks, _ = self.run_doctor({})
        self.assertEqual(checks['lockdown']['status'], 'OK')
        self.assertIn('no lockdown LSM', checks['lockdown']['message'])

    def test_bios_boot(self):
        shutil.rmtree(os.path.join(self.root, 'sys/firmware/efi'))
        checks, _ = self.run_doctor({})
        self.assertEqual(checks['secure-boot']['status'], 'OK')
        self.assertIn('not booted through EFI', checks['secure-boot']['message'])


class Parts(unittest.TestCase):
    def test_limits_come_from_dkms_conf(self):
        """The minimum kernel and the options are dkms.conf's, written in
        the built file by make cli: one place."""
        with open(os.path.join(REPO, 'dkms.conf')) as f:
            conf = f.read()
        self.assertIn('BUILD_EXCLUSIVE_KERNEL_MIN="%s"' % rs.KERNEL_MIN, conf)
        self.assertIn('BUILD_EXCLUSIVE_CONFIG="%s"' % ' '.join(rs.KERNEL_CONFIG), conf)
        with open(SCRIPT) as f:
            self.assertNotRegex(f.read(), r"dkms_conf\('")

    def test_resolve_under(self):
        with tempfile.TemporaryDirectory() as tmp:
            os.makedirs(os.path.join(tmp, 'usr/src/h'))
            os.makedirs(os.path.join(tmp, 'lib/modules/r'))
            os.symlink('/usr/src/h', os.path.join(tmp, 'lib/modules/r/build'))
            os.symlink('../../../../../../etc', os.path.join(tmp, 'lib/modules/r/up'))
            os.symlink('loop', os.path.join(tmp, 'loop'))
            self.assertEqual(rs.resolve_under(tmp, '/lib/modules/r/build/Makefile'),
                             os.path.join(tmp, 'usr/src/h/Makefile'))
            self.assertEqual(rs.resolve_under(tmp, '/lib/modules/r/up/passwd'),
                             os.path.join(tmp, 'etc/passwd'))
            self.assertTrue(rs.resolve_under(tmp, '/loop/x').startswith(tmp))

    def test_module_signature(self):
        self.assertEqual(rs.module_signature(signed_module()), (True, SIGNER))
        self.assertEqual(rs.module_signature(UNSIGNED_MODULE), (False, None))
        marker = b'~Module signature appended~\n'
        for data in (marker, b'\0' * 12 + marker, b'\xff' * 40 + marker,
                     signed_module()[:-60] + marker):
            signed, signer = rs.module_signature(data)
            self.assertTrue(signed)

    def test_taint_letters(self):
        self.assertEqual(''.join(l for _, l, _ in rs.taint_letters(12288)), 'OE')
        self.assertEqual([b for b, _, _ in rs.taint_letters(1 << 25)], [25])
        self.assertEqual(rs.taint_letters(0), [])

    def test_parse_modules(self):
        mods = rs.parse_modules('reclaimscope 151552 0 - Live 0xffffffffc0a00000 (OE)\n'
                                'ext4 1003520 1 - Live 0x0000000000000000\n'
                                'x 1 0 - Unloading 0x0\n\n')
        self.assertEqual(mods['reclaimscope'], {'state': 'Live', 'taint': 'OE'})
        self.assertEqual(mods['ext4']['taint'], '')
        self.assertEqual(mods['x']['state'], 'Unloading')


if __name__ == '__main__':
    unittest.main()
