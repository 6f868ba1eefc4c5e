# SPDX-License-Identifier: GPL-2.0
"""The preflight (doctor): can the module build, load and be read on this
machine, and if not, why and what to do."""

import os
import re
import shutil
import struct
import subprocess

from .errors import EXIT_ABI, EXIT_PERMISSION, RSError
from .tree import (
    COPY_LOCKDOWN, DEBUGFS_DIR, DEFAULT_ROOT, HOOK_COLUMNS, LOCKDOWN,
    Source, debugfs_mountpoints, parse_lockdown, parse_table, read_version, validate_rows)
from .text import plural, text_width, wrap
from .analysis import COUNTING, HOOK_FEEDS


def dkms_conf(name):
    """The value of the variable @name of dkms.conf at the top of the
    source tree, for the package run from the tree (python3 -m
    reclaimscope).  make cli (build.py) writes the value itself in place
    of each call below, so that the built file, copied anywhere, needs no
    dkms.conf (and nothing calls this there): the supported kernels and
    options are written in dkms.conf only."""
    path = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                        'dkms.conf')
    with open(path, encoding='utf-8') as f:
        m = re.search(r'^%s="([^"]*)"' % re.escape(name), f.read(), re.M)
    if m is None:
        raise ValueError('%s: no %s' % (path, name))
    return m.group(1)


# What DKMS builds the module for (dkms.conf BUILD_EXCLUSIVE_*).
KERNEL_MIN = dkms_conf('BUILD_EXCLUSIVE_KERNEL_MIN')

KERNEL_CONFIG = tuple(dkms_conf('BUILD_EXCLUSIVE_CONFIG').split())

MODULE = 'reclaimscope'

STATUSES = ('OK', 'WARN', 'FAIL')

SECURE_BOOT_VAR = 'SecureBoot-8be4df61-93ca-11d2-aa0d-e3a8a5a8a0f4'

DKMS_KEY = '/var/lib/dkms/mok.pub'      # what DKMS on Debian signs with

SIG_MARKER = b'~Module signature appended~\n'

PKEY_ID_PKCS7 = 2

MODULE_MAX_BYTES = 256 << 20    # a module file larger than this is not read

PROGRAM_TIMEOUT = 20            # seconds an external program may take

RELOAD = 'rmmod %s && modprobe %s' % (MODULE, MODULE)

# The kernel's taint flags (Documentation/admin-guide/tainted-kernels.rst):
# bit: (letter, meaning).
TAINTS = {
    0: ('P', 'a proprietary module was loaded'),
    1: ('F', 'a module was force-loaded'),
    2: ('S', 'the kernel runs on an out-of-spec system'),
    3: ('R', 'a module was force-unloaded'),
    4: ('M', 'a machine check exception occurred'),
    5: ('B', 'a bad page was referenced, or a page had unexpected flags'),
    6: ('U', 'user space asked for a taint'),
    7: ('D', 'the kernel died recently (an oops or BUG)'),
    8: ('A', 'an ACPI table was overridden'),
    9: ('W', 'the kernel issued a warning'),
    10: ('C', 'a staging driver was loaded'),
    11: ('I', 'a workaround for a platform firmware bug was applied'),
    12: ('O', 'an out-of-tree module was loaded'),
    13: ('E', 'a module without a valid signature was loaded'),
    14: ('L', 'a soft lockup occurred'),
    15: ('K', 'the kernel has been live-patched'),
    16: ('X', 'an auxiliary (distribution-defined) taint'),
    17: ('T', 'the kernel was built with the struct randomization plugin'),
    18: ('N', 'an in-kernel test (KUnit) has been run'),
    19: ('J', 'user space used a mutating firmware debug operation (fwctl)'),
}

# Taints the module itself causes: expected, and said so.
OWN_TAINTS = {
    'O': 'expected, it is built outside the kernel',
    'E': 'see the signature line',
}


# Where doctor reads: the live machine, or a copy of its files.


def resolve_under(root, path):
    """@path (absolute, as on the machine) inside the copy @root, following
    symbolic links as the machine would: an absolute link target is taken
    inside @root too, and ".." never leaves it."""
    todo = [p for p in path.split('/') if p]
    done = []
    hops = 0
    while todo:
        part = todo.pop(0)
        if part == '.':
            continue
        if part == '..':
            if done:
                done.pop()
            continue
        here = os.path.join(root, *(done + [part]))
        if os.path.islink(here) and hops < 40:
            hops += 1
            try:
                target = os.readlink(here)
            except OSError:
                done.append(part)
                continue
            if target.startswith('/'):
                done = []
            todo = [p for p in target.split('/') if p] + todo
        else:
            done.append(part)
    return os.path.join(root, *done)


def os_reason(e):
    """A few words for the OSError @e."""
    if isinstance(e, PermissionError):
        return 'permission denied'
    if isinstance(e, FileNotFoundError):
        return 'no such file'
    return e.strerror or str(e)


class Host:
    """The machine's files: @prefix '/' for the live machine, or a
    directory holding a copy of them (--root DIR: @copy).  In a copy the
    module's debugfs files are DIR itself and the lockdown file is
    DIR/security/lockdown, where the other commands read them; every
    other path /P is DIR/P.  @programs: external programs (dkms,
    modinfo, mokutil) may be run; never for a copy."""

    def __init__(self, prefix='/', copy=False, programs=True):
        self.prefix = prefix
        self.copy = copy
        self.programs = programs and not copy

    def mapped(self, live):
        """In a copy, where the module's files and the lockdown file are
        (not under their live paths); else None."""
        if self.copy:
            if live == DEFAULT_ROOT or live.startswith(DEFAULT_ROOT + '/'):
                return os.path.normpath(os.path.join(self.prefix,
                                                     os.path.relpath(live, DEFAULT_ROOT)))
            if live == LOCKDOWN:
                return os.path.join(self.prefix, COPY_LOCKDOWN)
        return None

    def path(self, live):
        """Where the machine's file @live is read."""
        if self.prefix == '/':
            return live
        return self.mapped(live) or resolve_under(self.prefix, live)

    def link(self, live):
        """Where @live itself is read, a symbolic link not followed (its
        directories are)."""
        head, tail = os.path.split(live.rstrip('/'))
        if self.prefix == '/' or self.mapped(live) or not tail:
            return self.path(live)
        return os.path.join(self.path(head), tail)

    def shown(self, live):
        """@live as messages name it: itself live, its place in a copy
        (no link followed)."""
        if not self.copy:
            return live
        return self.mapped(live) or os.path.normpath(
            os.path.join(self.prefix, live.lstrip('/')))

    def read_bytes(self, live, limit=MODULE_MAX_BYTES):
        """(bytes, None), or (None, reason)."""
        try:
            with open(self.path(live), 'rb') as f:
                data = f.read(limit + 1)
        except OSError as e:
            return None, os_reason(e)
        if len(data) > limit:
            return None, 'larger than %d MiB' % (limit >> 20)
        return data, None

    def read(self, live):
        """(text, None), or (None, reason)."""
        data, why = self.read_bytes(live, 16 << 20)
        if data is None:
            return None, why
        try:
            return data.decode('utf-8'), None
        except UnicodeDecodeError:
            return None, 'not text (bytes that are not UTF-8)'

    def exists(self, live):
        return os.path.exists(self.path(live))

    def lexists(self, live):
        return os.path.lexists(self.link(live))

    def isdir(self, live):
        return os.path.isdir(self.path(live))

    def listdir(self, live):
        try:
            return sorted(os.listdir(self.path(live)))
        except OSError:
            return []

    def missing_in_copy(self, *tops):
        """In a copy: the first of the top directories @tops ('/boot', ...)
        that the copy does not have at all, so that what is under it is
        unknown rather than absent.  None live, or when all are there."""
        if not self.copy:
            return None
        for top in tops:
            if not os.path.lexists(os.path.join(self.prefix, top.lstrip('/'))):
                return top
        return None

    def run(self, *argv):
        """Run an external program: (status, output), or None when it may
        not run (a copy) or is not installed; (None, reason) when it could
        not be started or did not finish."""
        if not self.programs:
            return None
        exe = shutil.which(argv[0])
        if exe is None:
            return None
        env = dict(os.environ, LC_ALL='C', LANG='C')
        try:
            proc = subprocess.run([exe] + list(argv[1:]), stdin=subprocess.DEVNULL,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  env=env, timeout=PROGRAM_TIMEOUT)
        except subprocess.TimeoutExpired:
            return None, 'did not finish in %d s' % PROGRAM_TIMEOUT
        except (OSError, subprocess.SubprocessError) as e:
            return None, os_reason(e) if isinstance(e, OSError) else str(e)
        out = (proc.stdout + proc.stderr).decode('utf-8', 'replace')
        return proc.returncode, out


# Parsers of the machine's files and programs: each takes text or bytes
# and never fails on what it is given.


def release_version(release):
    """(major, minor) of a kernel release '6.1.0-56-amd64', or None."""
    m = re.match(r'\s*([0-9]{1,9})\.([0-9]{1,9})', release or '')
    return (int(m.group(1)), int(m.group(2))) if m else None


def parse_config(text):
    """A kernel .config as {option: value}; '# CONFIG_X is not set' is 'n'."""
    out = {}
    for line in text.splitlines():
        m = re.match(r'^(CONFIG_\w+)=(.*)$', line)
        if m:
            out[m.group(1)] = m.group(2).strip()
            continue
        m = re.match(r'^# (CONFIG_\w+) is not set', line)
        if m:
            out[m.group(1)] = 'n'
    return out


def parse_modules(text):
    """/proc/modules as {name: {'state', 'taint'}} ('taint' the letters
    in its last column, '' without)."""
    out = {}
    for line in text.splitlines():
        fields = line.split()
        if not fields:
            continue
        taint = fields[-1][1:-1] if len(fields) > 6 and fields[-1].startswith('(') and \
            fields[-1].endswith(')') else ''
        out[fields[0]] = {'state': fields[4] if len(fields) > 4 else None,
                          'taint': taint}
    return out


def taint_letters(value):
    """[(bit, letter, meaning)] of a /proc/sys/kernel/tainted value."""
    out = []
    bit = 0
    while value >> bit:
        if value >> bit & 1:
            letter, meaning = TAINTS.get(bit, ('?', 'taint bit %d (not known to this '
                                                     'tool)' % bit))
            out.append((bit, letter, meaning))
        bit += 1
    return out


def der_common_name(blob):
    """The first commonName (OID 2.5.4.3) of DER bytes, as text, or None.
    A module's PKCS#7 signature names its signer's certificate by issuer
    and serial number, and that issuer's commonName is the signer that
    modinfo prints (for DKMS's key: "DKMS module signing key")."""
    i = blob.find(b'\x06\x03\x55\x04\x03')
    if i < 0 or i + 7 > len(blob):
        return None
    tag, n, j = blob[i + 5], blob[i + 6], i + 7
    if tag not in (0x0c, 0x13, 0x14, 0x16):     # UTF8, Printable, T61, IA5 strings
        return None
    if n & 0x80:
        k = n & 0x7f
        if k not in (1, 2) or j + k > len(blob):
            return None
        n, j = int.from_bytes(blob[j:j + k], 'big'), j + k
    value = blob[j:j + n]
    if len(value) != n or not n:
        return None
    return value.decode('utf-8', 'replace')


def module_signature(data):
    """Whether the module bytes @data carry an appended signature, and its
    signer: (signed, signer or None)."""
    if not data.endswith(SIG_MARKER):
        return False, None
    end = len(data) - len(SIG_MARKER) - 12       # struct module_signature
    if end < 0:
        return True, None
    algo, hash_, id_type, signer_len, key_id_len, sig_len = \
        struct.unpack('>BBBBB3xI', data[end:end + 12])
    start = end - sig_len
    if start < 0:
        return True, None
    if id_type == PKEY_ID_PKCS7:
        return True, der_common_name(data[start:end])
    first = start - key_id_len - signer_len     # the old format names its signer
    if first < 0 or not signer_len:
        return True, None
    return True, data[first:first + signer_len].decode('utf-8', 'replace') or None


def decompress(data, name):
    """The bytes of a module file named @name, uncompressed: (bytes, None)
    or (None, reason)."""
    try:
        if name.endswith('.xz'):
            import lzma
            return lzma.decompress(data), None
        if name.endswith('.gz'):
            import gzip
            return gzip.decompress(data), None
    except ImportError as e:
        return None, 'this Python cannot uncompress it (%s)' % e
    except (EOFError, OSError, ValueError, LookupError) as e:
        return None, 'cannot uncompress it: %s' % e
    except Exception as e:      # zlib.error, lzma.LZMAError: both Exception
        return None, 'cannot uncompress it: %s' % e
    if name.endswith('.zst'):
        return None, 'zstd-compressed, which Python\'s standard library cannot read'
    return data, None


def parse_modinfo(text):
    """modinfo's "field: value" lines as {field: value} (the first of each;
    continuation lines of a signature are skipped)."""
    out = {}
    for line in text.splitlines():
        m = re.match(r'^([a-z_]+):\s*(.*)$', line)
        if m:
            out.setdefault(m.group(1), m.group(2).strip())
    return out


def parse_dkms_status(text, name=MODULE):
    """dkms status lines of module @name as [(version, state)], for
    "name/1.0, 6.1.0-9-amd64, x86_64: installed" (dkms 3) and
    "name, 1.0, 6.1.0-9-amd64, x86_64: installed" (dkms 2)."""
    out = []
    for line in text.splitlines():
        head, sep, state = line.strip().rpartition(': ')
        if not sep:
            continue
        parts = [p.strip() for p in head.split(',')]
        first = parts[0].split('/', 1)
        if first[0] != name:
            continue
        version = first[1] if len(first) == 2 else (parts[1] if len(parts) > 1 else '?')
        out.append((version, state.strip()))
    return out


def proc_keys_names(text):
    """The descriptions of the asymmetric keys /proc/keys shows, each
    "<certificate name>: <key id>"."""
    out = []
    for line in text.splitlines():
        fields = line.split(None, 7)
        if len(fields) == 8 and fields[7].startswith('asymmetri'):
            out.append(fields[7][len('asymmetri'):].strip())
    return out


# The checks.


def check(name, status, message, fix=None, **extra):
    assert status in STATUSES
    return dict(name=name, status=status, message=message, fix=fix, **extra)


class Doctor:
    """The checks of one machine (@host), in order; each fact is read once."""

    def __init__(self, host):
        self.host = host
        self.memo = {}

    def once(self, key, fn):
        if key not in self.memo:
            self.memo[key] = fn()
        return self.memo[key]

    # Facts.

    def release(self):
        """(release, where it came from) or (None, why not)."""
        def get():
            text, why = self.host.read('/proc/sys/kernel/osrelease')
            if text and text.strip():
                return text.strip(), self.host.shown('/proc/sys/kernel/osrelease')
            if not self.host.copy:
                return os.uname().release, 'uname'
            version = self.version()[0]
            if version and version.get('kernel'):
                return str(version['kernel']), self.host.shown(DEFAULT_ROOT + '/version')
            return None, '%s: %s' % (self.host.shown('/proc/sys/kernel/osrelease'), why)
        return self.once('release', get)

    def source(self):
        return Source(self.host.path(DEFAULT_ROOT), None, self.host.copy)

    def version(self):
        """(the module's version file as a dict, None) or (None, RSError)."""
        def get():
            try:
                return read_version(self.source()), None
            except RSError as e:
                return None, e
        return self.once('version', get)

    def config(self):
        """({option: value}, the file) or (None, why not)."""
        def get():
            rel = self.release()[0]
            tried = []
            names = (['/boot/config-%s' % rel] if rel else []) + ['/proc/config.gz'] + \
                (['/lib/modules/%s/build/.config' % rel] if rel else [])
            for live in names:
                data, why = self.host.read_bytes(live, 64 << 20)
                if data is None:
                    if why != 'no such file':
                        tried.append('%s: %s' % (self.host.shown(live), why))
                    continue
                if live.endswith('.gz'):
                    data, why = decompress(data, live)
                    if data is None:
                        tried.append('%s: %s' % (self.host.shown(live), why))
                        continue
                options = parse_config(data.decode('utf-8', 'replace'))
                if options:
                    return options, self.host.shown(live)
                tried.append('%s: no CONFIG_ lines' % self.host.shown(live))
            return None, '; '.join(tried) or 'none of %s' % ', '.join(
                self.host.shown(n) for n in names)
        return self.once('config', get)

    def modules(self):
        """/proc/modules parsed, or None when it cannot be read."""
        def get():
            text, _ = self.host.read('/proc/modules')
            return parse_modules(text) if text is not None else None
        return self.once('modules', get)

    def loaded(self):
        """(True, state, taint letters) / (False, None, '') / (None, ...)
        when there is no telling (a copy without proc/modules)."""
        def get():
            mods = self.modules()
            if mods is not None:
                m = mods.get(MODULE)
                return (True, m['state'], m['taint']) if m else (False, None, '')
            if self.host.isdir('/sys/module/%s' % MODULE):
                taint, _ = self.host.read('/sys/module/%s/taint' % MODULE)
                return True, None, (taint or '').strip()
            if self.host.copy and self.host.exists(DEFAULT_ROOT + '/version'):
                return True, None, ''
            return (None if self.host.copy else False), None, ''
        return self.once('loaded', get)

    def module_files(self):
        """The module files installed for this kernel, the one modprobe
        loads first (modules.dep), as live paths."""
        def get():
            rel = self.release()[0]
            if not rel:
                return []
            base = '/lib/modules/%s' % rel
            found = []
            text, _ = self.host.read(base + '/modules.dep')
            for line in (text or '').splitlines():
                path = line.split(':', 1)[0].strip()
                if re.search(r'(^|/)%s\.ko(\.\w+)?$' % MODULE, path):
                    found.append(path if path.startswith('/') else base + '/' + path)
            for sub in ('updates/dkms', 'updates', 'extra', 'kernel/extra'):
                for name in self.host.listdir(base + '/' + sub):
                    if re.match(r'^%s\.ko(\.\w+)?$' % MODULE, name):
                        path = '%s/%s/%s' % (base, sub, name)
                        if path not in found:
                            found.append(path)
            return [p for p in found if self.host.exists(p)]
        return self.once('module_files', get)

    def dkms(self):
        """DKMS's state of the module for this kernel: {'state':
        'installed' | 'built' | 'added' | None (not in DKMS), 'version',
        'how'}, or {'state': 'unknown', 'why'}.  Live: dkms status when
        dkms is installed; else (and in a copy) DKMS's directory."""
        def get():
            rel = self.release()[0]
            ran = self.host.run('dkms', 'status', '-m', MODULE, '-k', rel)
            if ran is not None and ran[0] == 0:
                rows = parse_dkms_status(ran[1])
                for want in ('installed', 'built', 'added'):
                    for version, state in rows:
                        if state.startswith(want):
                            return {'state': want, 'version': version, 'how': 'dkms status'}
                return {'state': None, 'version': None, 'how': 'dkms status'}
            if ran is not None:
                last = ran[1].strip().splitlines()
                tool = 'dkms status failed (%s)' % (last[-1] if last else 'status %s' % ran[0])
            else:
                tool = None if self.host.copy else 'dkms is not installed'
            top = '/var/lib/dkms/%s' % MODULE
            if not self.host.isdir(top):
                gone = self.host.missing_in_copy('/var')
                if gone:
                    return {'state': 'unknown',
                            'why': 'not in the copy (%s)' % self.host.shown(gone)}
                return {'state': None, 'version': None,
                        'how': tool or 'no %s' % self.host.shown(top)}
            names = self.host.listdir(top)
            links = [n for n in names if n.startswith('kernel-%s-' % rel)]
            if links:
                try:
                    target = os.readlink(self.host.link('%s/%s' % (top, links[0])))
                except OSError:
                    target = ''
                return {'state': 'installed', 'version': target.split('/')[0] or '?',
                        'how': self.host.shown(top)}
            versions = [n for n in names if not n.startswith('kernel-') and
                        self.host.isdir('%s/%s' % (top, n))]
            for version in versions:
                if self.host.isdir('%s/%s/%s' % (top, version, rel)):
                    return {'state': 'built', 'version': version, 'how': self.host.shown(top)}
            if versions:
                return {'state': 'added', 'version': versions[-1], 'how': self.host.shown(top)}
            return {'state': None, 'version': None, 'how': self.host.shown(top)}
        return self.once('dkms', get)

    def available(self):
        """Whether a module this kernel can load is there: installed for
        it, or loaded."""
        return bool(self.module_files()) or self.loaded()[0] is True or \
            self.dkms().get('state') == 'installed'

    def secure_boot(self):
        """(True | False | None, how it is known)."""
        def get():
            efi = '/sys/firmware/efi'
            if not self.host.isdir(efi):
                gone = self.host.missing_in_copy('/sys/firmware')
                if gone:
                    return None, 'not in the copy (%s)' % self.host.shown(gone)
                return False, 'not booted through EFI: no %s' % self.host.shown(efi)
            var = efi + '/efivars/' + SECURE_BOOT_VAR
            data, why = self.host.read_bytes(var, 4096)
            if data is not None and len(data) >= 5:
                return data[4] == 1, self.host.shown(var)
            old = efi + '/vars/' + SECURE_BOOT_VAR + '/data'     # the old sysfs efivars
            odata, _ = self.host.read_bytes(old, 4096)
            if odata:
                return odata[0] == 1, self.host.shown(old)
            ran = self.host.run('mokutil', '--sb-state')
            if ran is not None and ran[0] is not None:
                if re.search(r'SecureBoot enabled', ran[1]):
                    return True, 'mokutil --sb-state'
                if re.search(r'SecureBoot disabled|doesn\'t support Secure Boot', ran[1]):
                    return False, 'mokutil --sb-state'
            if data is None and why == 'no such file' and self.host.listdir(efi + '/efivars'):
                return False, 'the firmware has no SecureBoot variable'
            return None, '%s: %s%s' % (
                self.host.shown(var), why or 'too short',
                '' if self.host.copy else
                '; mokutil is not installed' if ran is None else
                '; mokutil --sb-state: %s' % ' '.join(str(ran[1]).split()))
        return self.once('secure_boot', get)

    def lockdown(self):
        """(mode or None, why not)."""
        def get():
            live = LOCKDOWN
            text, why = self.host.read(live)
            if text is not None:
                mode = parse_lockdown(text)
                return mode, None if mode else '%s: no [mode] in %r' % (
                    self.host.shown(live), text.strip()[:60])
            if why == 'no such file' and not self.host.copy and \
                    self.host.listdir(os.path.dirname(live)):
                return 'none', 'securityfs has no lockdown file: the kernel has no ' \
                    'lockdown LSM'
            where = 'not in the copy (%s)' % self.host.shown(live) \
                if self.host.copy and why == 'no such file' else \
                '%s: %s' % (self.host.shown(live), why)
            return None, where
        return self.once('lockdown', get)

    def sig_enforce(self):
        """Whether the kernel refuses modules without a valid signature
        (module.sig_enforce), or None when unknown."""
        text, _ = self.host.read('/sys/module/module/parameters/sig_enforce')
        return None if text is None else text.strip().upper().startswith('Y')

    def signature_required(self):
        """(True | False | None, [the reasons]): whether a module must be
        signed with a key the kernel trusts to load."""
        reasons = []
        sb = self.secure_boot()[0]
        if sb:
            reasons.append('Secure Boot is on')
        mode = self.lockdown()[0]
        if mode not in (None, 'none'):
            reasons.append('lockdown is %s' % mode)
        if self.sig_enforce():
            reasons.append('module.sig_enforce is set')
        options = self.config()[0] or {}
        if options.get('CONFIG_MODULE_SIG_FORCE') == 'y':
            reasons.append('the kernel is built with CONFIG_MODULE_SIG_FORCE')
        if reasons:
            return True, reasons
        return (None if sb is None else False), reasons

    def debugfs_mounts(self):
        """(the debugfs mount points, None) or (None, why not)."""
        text, why = self.host.read('/proc/mounts')
        if text is None:
            return None, '%s: %s' % (self.host.shown('/proc/mounts'), why)
        return debugfs_mountpoints(text), None

    # The checks, in the order they are printed.

    def check_kernel(self):
        rel, where = self.release()
        if rel is None:
            return check('kernel', 'WARN', 'the running kernel is unknown: %s' % where)
        have, need = release_version(rel), release_version(KERNEL_MIN)
        if have is None:
            return check('kernel', 'WARN', '%s: not a release this tool can read, so '
                         'whether it is %s or newer is unknown' % (rel, KERNEL_MIN))
        if have < need:
            return check('kernel', 'FAIL', '%s is older than %s, the oldest kernel the '
                         'module supports: DKMS skips it (BUILD_EXCLUSIVE)'
                         % (rel, KERNEL_MIN),
                         'boot a kernel %s or newer (Debian 11 and later have one)'
                         % KERNEL_MIN)
        return check('kernel', 'OK', '%s (the module supports %s and newer)'
                     % (rel, KERNEL_MIN))

    def check_config(self):
        options, where = self.config()
        if options is None:
            return check('config', 'WARN', 'the kernel\'s configuration is unknown, so '
                         'are %s: %s' % (', '.join(KERNEL_CONFIG), where),
                         'install the kernel\'s config file (/boot/config-<release>, '
                         'shipped with Debian\'s kernel images) or load configs '
                         '(/proc/config.gz)' if not self.host.copy else None)
        lacking = [o for o in KERNEL_CONFIG if options.get(o) not in ('y', 'm')]
        if lacking:
            return check('config', 'FAIL', 'the kernel is built without %s (%s): the '
                         'module needs %s to hook reclaim and show its files, and DKMS '
                         'skips this kernel' % (', '.join(lacking), where,
                                                'it' if len(lacking) == 1 else 'them'),
                         'boot a kernel built with %s (Debian\'s stock kernels are)'
                         % ', '.join('%s=y' % o for o in lacking))
        return check('config', 'OK', '%s set (%s)' % (', '.join(KERNEL_CONFIG), where))

    def check_headers(self):
        rel = self.release()[0]
        if rel is None:
            return check('headers', 'WARN', 'unknown: the running kernel is unknown')
        build = '/lib/modules/%s/build' % rel
        gone = self.host.missing_in_copy('/lib/modules')
        if gone:
            return check('headers', 'WARN', 'unknown: not in the copy (%s)'
                         % self.host.shown(gone))
        fix = 'apt install linux-headers-%s (or your distribution\'s headers package ' \
            'for this kernel)' % rel
        if self.host.exists(build + '/Makefile'):
            return check('headers', 'OK', 'installed (%s)' % self.host.shown(build))
        what = 'a broken link' if self.host.lexists(build) else 'missing'
        if self.available():
            return check('headers', 'WARN', '%s is %s: the module is already there for '
                         'this kernel, but DKMS needs the headers to build a new version '
                         'of it' % (self.host.shown(build), what), fix)
        return check('headers', 'FAIL', '%s is %s: without the kernel\'s headers the '
                     'module cannot be built for it' % (self.host.shown(build), what), fix)

    def check_dkms(self):
        rel = self.release()[0]
        if rel is None:
            return check('dkms', 'WARN', 'unknown: the running kernel is unknown')
        d = self.dkms()
        files = self.module_files()
        install = 'apt install reclaimscope-dkms (the package of make deb), or make ' \
            'dkms-install in the source tree'
        if d['state'] == 'installed':
            return check('dkms', 'OK', '%s %s installed for %s (%s)'
                         % (MODULE, d['version'], rel, d['how']))
        where = d.get('why') or 'not in DKMS (%s)' % d['how'] if d['state'] in (
            None, 'unknown') else '%s %s is %s in DKMS but not installed for %s (%s)' % (
                MODULE, d['version'], d['state'], rel, d['how'])
        if files and d['state'] in (None, 'unknown'):
            return check('dkms', 'OK', '%s; installed without it: %s (make install; not '
                         'rebuilt for new kernels)' % (where, self.host.shown(files[0])))
        if files:
            return check('dkms', 'WARN', '%s; %s is there' % (where,
                                                             self.host.shown(files[0])),
                         'dkms install %s/%s -k %s' % (MODULE, d['version'], rel))
        skip = []
        if release_version(rel) and release_version(rel) < release_version(KERNEL_MIN):
            skip.append('older than %s' % KERNEL_MIN)
        options = self.config()[0]
        if options:
            skip += ['no %s' % o for o in KERNEL_CONFIG if options.get(o) not in ('y', 'm')]
        if skip:
            return check('dkms', 'FAIL', 'no %s module for %s: %s; DKMS skips this kernel '
                         '(%s: the kernel and config lines)' % (MODULE, rel, where,
                                                                ', '.join(skip)))
        if d['state'] in ('built', 'added'):
            return check('dkms', 'WARN', where,
                         'dkms install %s/%s -k %s' % (MODULE, d['version'], rel))
        gone = self.host.missing_in_copy('/lib/modules')
        if gone:
            return check('dkms', 'WARN', 'unknown: %s; %s is not in the copy either'
                         % (where, self.host.shown(gone)))
        if self.loaded()[0]:
            return check('dkms', 'WARN', '%s, and no module file in %s: the loaded module '
                         'came from elsewhere (insmod), and modprobe will not find it'
                         % (where, self.host.shown('/lib/modules/%s' % rel)), install)
        if d['state'] == 'unknown':
            return check('dkms', 'WARN', 'unknown: %s' % where)
        return check('dkms', 'FAIL', 'no %s module for %s: %s, none in %s'
                     % (MODULE, rel, where, self.host.shown('/lib/modules/%s' % rel)),
                     install)

    def check_secure_boot(self):
        sb, how = self.secure_boot()
        if sb is None:
            return check('secure-boot', 'WARN', 'unknown: %s' % how,
                         None if self.host.copy else 'mokutil --sb-state (apt install '
                         'mokutil) tells')
        if sb:
            return check('secure-boot', 'OK', 'on: the kernel loads only modules signed '
                         'with a key it trusts (%s)' % how)
        return check('secure-boot', 'OK', 'off (%s)' % how)

    def module_signature_info(self):
        """{'file', 'signed': True | False | None, 'signer', 'why'} of the
        module modprobe would load for this kernel, or None without one."""
        info = None
        ran = self.host.run('modinfo', MODULE)
        if ran is not None and ran[0] == 0:
            mi = parse_modinfo(ran[1])
            if mi.get('filename'):
                info = {'file': mi['filename'], 'signed': bool(mi.get('sig_id')),
                        'signer': mi.get('signer') or None, 'why': None, 'how': 'modinfo'}
                if info['signed'] and info['signer']:
                    return info
        files = self.module_files()
        if not files:
            return info
        live = files[0]
        data, why = self.host.read_bytes(live)
        if data is not None:
            data, why = decompress(data, live)
        if data is None:
            return info or {'file': live, 'signed': None, 'signer': None, 'why': why,
                            'how': 'the file'}
        signed, signer = module_signature(data)
        if info and info['file'] == live and info['signed'] and not signer:
            return info
        return {'file': live, 'signed': signed, 'signer': signer, 'why': None,
                'how': 'the file'}

    def key_known(self, signer):
        """Whether the kernel has the key of @signer: (True | False | None,
        how it is known)."""
        text, why = self.host.read('/proc/keys')
        if text is not None:
            names = proc_keys_names(text)
            if any(n == signer or n.startswith(signer + ': ') for n in names):
                return True, 'its certificate is among the kernel\'s keys (%s)' % \
                    self.host.shown('/proc/keys')
            if names:
                return False, 'no certificate named "%s" among the kernel\'s keys ' \
                    '(%s lists %s)' % (signer, self.host.shown('/proc/keys'),
                                       plural(len(names), 'asymmetric key'))
        if signer == 'DKMS module signing key' and self.host.exists(DKMS_KEY):
            ran = self.host.run('mokutil', '--test-key', DKMS_KEY)
            if ran is not None and ran[0] is not None:
                if 'already enrolled' in ran[1]:
                    return True, '%s is enrolled (mokutil --test-key)' % DKMS_KEY
                if 'not enrolled' in ran[1]:
                    return False, '%s is not enrolled (mokutil --test-key)' % DKMS_KEY
        return None, 'whether the kernel has its key is unknown (%s)' % (
            'no asymmetric key in %s' % self.host.shown('/proc/keys') if text is not None else
            '%s: %s' % (self.host.shown('/proc/keys'), why))

    def check_signature(self):
        required, reasons = self.signature_required()
        need = ' (%s)' % ', '.join(reasons) if reasons else ''
        enrol = 'mokutil --import %s, reboot and confirm in the MOK manager' % DKMS_KEY
        by_dkms = 'install the module through DKMS, which signs it: apt install ' \
            'reclaimscope-dkms, or make dkms-install; then enrol DKMS\'s key: %s' % enrol
        loaded, _, taint = self.loaded()
        info = self.module_signature_info()
        if info is None:
            gone = self.host.missing_in_copy('/lib/modules')
            if gone:
                return check('signature', 'WARN', 'unknown: the module file is not in the '
                             'copy (%s)' % self.host.shown(gone))
            if loaded:
                return check('signature', 'OK', 'the loaded module has no file in %s to '
                             'check (insmod), and the kernel accepted it%s' % (
                                 self.host.shown('/lib/modules/%s' % self.release()[0]),
                                 ' unsigned or signed with a key it lacks (taint E)'
                                 if 'E' in taint else ''))
            return check('signature', 'WARN', 'not checked: no %s module file for this '
                         'kernel (the dkms line says why)' % MODULE)
        shown = info['file'] if info['how'] == 'modinfo' else self.host.shown(info['file'])
        if info['signed'] is None:
            return check('signature', 'WARN', 'unknown for %s: %s' % (shown, info['why']),
                         None if self.host.copy else 'modinfo -F signer %s (apt install '
                         'kmod) tells' % MODULE)
        if not info['signed']:
            if required:
                return check('signature', 'FAIL', '%s is not signed, and the kernel loads '
                             'only signed modules%s: modprobe says "Key was rejected by '
                             'service"' % (shown, need), by_dkms)
            if required is None:
                return check('signature', 'WARN', '%s is not signed; whether the kernel '
                             'requires signatures is unknown (Secure Boot state unknown)'
                             % shown, by_dkms)
            return check('signature', 'OK', '%s is not signed: allowed here (Secure Boot '
                         'off, signatures not enforced); loading it taints the kernel (E)'
                         % shown)
        signer = info['signer']
        who = 'signed by "%s"' % signer if signer else 'signed'
        if loaded and taint and 'E' not in taint:
            return check('signature', 'OK', '%s %s; the loaded module was verified '
                         '(no taint E)' % (shown, who))
        if loaded and 'E' in taint:
            return check('signature', 'WARN', '%s %s, but the loaded module carries taint '
                         'E: the kernel did not verify it (another file was loaded, or the '
                         'key is not one the kernel trusts for modules)' % (shown, who),
                         '%s, then reload the module (%s)' % (
                             enrol if signer == 'DKMS module signing key' else
                             'enrol the certificate that signed it (mokutil --import)',
                             RELOAD))
        if not signer:
            return check('signature', 'WARN' if required is not False else 'OK',
                         '%s %s; its signer is unknown, so whether the kernel has its key '
                         'is too' % (shown, who),
                         'modinfo -F signer %s names it' % MODULE if required is not False
                         else None)
        known, how = self.key_known(signer)
        if known:
            return check('signature', 'OK', '%s %s; %s' % (shown, who, how))
        fix = enrol if signer == 'DKMS module signing key' else \
            'enrol the certificate that signed it: mokutil --import <its DER file>, ' \
            'reboot and confirm in the MOK manager'
        if known is False and required:
            return check('signature', 'FAIL', '%s %s, but %s: the kernel refuses it%s'
                         % (shown, who, how, need), fix)
        if known is False:
            return check('signature', 'WARN', '%s %s, but %s: it loads, tainting the '
                         'kernel (E)' % (shown, who, how), fix)
        return check('signature', 'WARN' if required is not False else 'OK',
                     '%s %s; %s' % (shown, who, how),
                     'mokutil --test-key %s says whether DKMS\'s key is enrolled' % DKMS_KEY
                     if required is not False and signer == 'DKMS module signing key'
                     else None)

    def check_lockdown(self):
        mode, why = self.lockdown()
        if mode is None:
            return check('lockdown', 'WARN', 'unknown: %s' % why,
                         None if self.host.copy else
                         'mount -t securityfs none /sys/kernel/security')
        if mode == 'none':
            return check('lockdown', 'OK', 'none%s: debugfs can be read and written'
                         % (' (%s)' % why if why else ''))
        why = 'set by Secure Boot or lockdown= on the kernel command line'
        writes = 'the kernel refuses writes to debugfs, so reset (and the demo pool\'s ' \
            'grow and drain) is unavailable'
        fix = 'to zero the counters, reload the module: %s' % RELOAD
        if mode == 'integrity':
            return check('lockdown', 'WARN', 'integrity (%s): %s; the module\'s read-only '
                         'files still read' % (why, writes), fix)
        if mode == 'confidentiality':
            return check('lockdown', 'WARN', 'confidentiality (%s): %s, and it may refuse '
                         'reads of debugfs too (the files line says whether the module\'s '
                         'read)' % (why, writes), fix)
        return check('lockdown', 'WARN', '%s: a mode this tool does not know; %s'
                     % (mode, writes), fix)

    def check_debugfs(self):
        points, why = self.debugfs_mounts()
        fix = 'mount -t debugfs none %s' % DEBUGFS_DIR
        if points is None:
            return check('debugfs', 'WARN', 'unknown: %s' % why)
        if DEBUGFS_DIR in points:
            return check('debugfs', 'OK', 'mounted on %s' % DEBUGFS_DIR)
        cmdline, _ = self.host.read('/proc/cmdline')
        m = re.search(r'(?:^|\s)(debugfs=(?:off|no-mount))(?:\s|$)', cmdline or '')
        if m:
            return check('debugfs', 'FAIL', 'not mounted: the kernel command line says %s, '
                         'which keeps debugfs from being mounted' % m.group(1),
                         'remove %s from the kernel command line (GRUB_CMDLINE_LINUX in '
                         '/etc/default/grub, then update-grub) and reboot' % m.group(1))
        options = self.config()[0]
        if options and options.get('CONFIG_DEBUG_FS') not in ('y', 'm'):
            return check('debugfs', 'FAIL', 'not mounted: the kernel has no debugfs '
                         '(CONFIG_DEBUG_FS)', 'boot a kernel built with CONFIG_DEBUG_FS=y')
        if points:
            return check('debugfs', 'FAIL', 'mounted on %s, not on %s where the module\'s '
                         'files are read' % (', '.join(points), DEBUGFS_DIR), fix)
        return check('debugfs', 'FAIL', 'not mounted on %s' % DEBUGFS_DIR, fix)

    def check_module(self):
        loaded, state, taint = self.loaded()
        flags = ', taint %s' % taint if taint else ''
        if loaded is None:
            return check('module', 'WARN', 'unknown: the copy has neither proc/modules nor '
                         'sys/module/%s nor the module\'s files' % MODULE)
        if not loaded:
            first = '' if self.available() else ' (once it is installed: the dkms line)'
            return check('module', 'FAIL', '%s is not loaded' % MODULE,
                         'modprobe %s%s' % (MODULE, first))
        if state not in (None, 'Live'):
            return check('module', 'WARN', 'loaded but %s (%s)%s' % (
                state, self.host.shown('/proc/modules'), flags),
                'wait for the load or unload to finish, then run doctor again')
        how = self.host.shown('/proc/modules') if self.modules() is not None else \
            self.host.shown('/sys/module/%s' % MODULE) \
            if self.host.isdir('/sys/module/%s' % MODULE) else 'its files are there'
        return check('module', 'OK', 'loaded (%s%s)' % (how, flags))

    def not_readable(self):
        """Why the module's files cannot be checked (a check with the
        name left to fill), or None when they can."""
        loaded = self.loaded()[0]
        if not loaded:
            return 'WARN', 'not checked: the module is %s' % (
                'not loaded' if loaded is False else 'not known to be loaded'), None
        points = self.debugfs_mounts()[0]
        if points is not None and DEBUGFS_DIR not in points:
            return 'WARN', 'not checked: debugfs is not mounted on %s' % DEBUGFS_DIR, None
        root = self.host.path(DEFAULT_ROOT)
        try:
            os.stat(root)
        except PermissionError:
            return 'WARN', 'not checked: %s cannot be read (permission denied)' % \
                (DEBUGFS_DIR if not self.host.copy else root), \
                'run as root: sudo reclaimscope doctor'
        except OSError:
            return 'FAIL', 'the module is loaded but %s does not exist: it made no ' \
                'files' % self.host.shown(DEFAULT_ROOT), \
                'reload it (%s); the kernel log says why (dmesg | grep %s)' % (
                    RELOAD, MODULE)
        return None

    def check_files(self):
        problem = self.not_readable()
        if problem:
            return check('files', *problem)
        version, err = self.version()
        if version is None:
            if err.status == EXIT_ABI:
                return check('files', 'FAIL', str(err), 'use the reclaimscope tool that came '
                             'with the module (the reclaimscope package of the same '
                             'version, or scripts/reclaimscope of its source)')
            if err.status == EXIT_PERMISSION:
                mode = self.lockdown()[0]
                if not self.host.copy and mode not in (None, 'none') and \
                        hasattr(os, 'geteuid') and os.geteuid() == 0:
                    return check('files', 'FAIL', 'lockdown (%s) refuses reading the '
                                 'module\'s files: %s' % (mode, err),
                                 'boot without lockdown=%s on the kernel command line'
                                 % mode)
                return check('files', 'WARN', 'not checked: %s' % err,
                             'run as root: sudo reclaimscope doctor')
            return check('files', 'FAIL', str(err), 'reload the module (%s)' % RELOAD)
        rel = self.release()[0]
        kernel = str(version.get('kernel', '?'))
        text = '%s %s, abi %s, kernel %s (%s)' % (
            MODULE, version.get('version', '?'), version['abi'], kernel,
            self.host.shown(DEFAULT_ROOT))
        if rel and kernel != rel:
            return check('files', 'WARN', '%s: not the running kernel %s' % (text, rel))
        return check('files', 'OK', text)

    def check_hooks(self):
        problem = self.not_readable()
        if problem:
            return [check('hooks', *problem)]
        if self.version()[0] is None:
            return [check('hooks', 'WARN', 'not checked: the module\'s files cannot be '
                          'read (the files line)')]
        source = self.source()
        try:
            rows = parse_table(source.read('hooks'), source.path('hooks'))
            validate_rows(rows, 'hooks', HOOK_COLUMNS, source.path)
        except RSError as e:
            return [check('hooks', 'WARN' if e.status == EXIT_PERMISSION else 'FAIL', str(e),
                          'run as root: sudo reclaimscope doctor'
                          if e.status == EXIT_PERMISSION else 'reload the module (%s)'
                          % RELOAD)]
        disable, _ = self.host.read('/sys/module/%s/parameters/disable' % MODULE)
        disable = (disable or '').strip()
        out = []
        for h in rows:
            name, kind, state = h['name'], h['kind'], h['state']
            if state in COUNTING:
                continue
            feeds = HOOK_FEEDS.get(name)
            lost = '; what it feeds reads n/a, not 0 (%s)' % ', '.join(feeds) if feeds \
                else ''
            if state == 'disabled':
                given = ' (disable=%s)' % disable if disable and disable != '(null)' else ''
                out.append(check('hooks', 'FAIL', '%s (%s) is disabled: the module was '
                                 'loaded with the disable= parameter naming it%s%s'
                                 % (name, kind, given, lost),
                                 'reload the module without disable= (%s, with no '
                                 'disable= in /etc/modprobe.d/)' % RELOAD,
                                 hook=name))
            elif state == 'missing':
                out.append(check('hooks', 'WARN', '%s (%s) is missing: this kernel has no %s '
                                 'of that name%s; the kernel log says which (dmesg | grep '
                                 '%s)%s' % (name, kind, kind if kind == 'tracepoint'
                                            else 'symbol', ', or it is inlined'
                                            if kind != 'tracepoint' else '', MODULE, lost),
                                 hook=name))
            elif state.startswith('failed'):
                code = state.partition(':')[2] or '?'
                out.append(check('hooks', 'FAIL', '%s (%s) failed: the kernel refused the '
                                 'probe (%s)%s' % (name, kind, code, lost),
                                 'the kernel log says why (dmesg | grep %s); then reload '
                                 'the module (%s)' % (MODULE, RELOAD), hook=name))
            else:
                out.append(check('hooks', 'WARN', '%s (%s) is %s, a state this tool does '
                                 'not know%s' % (name, kind, state, lost), hook=name))
        if not out:
            standby = sum(1 for h in rows if h['state'] == 'standby')
            out.append(check('hooks', 'OK', 'all %d attached%s' % (
                len(rows) - standby,
                ', and %d on standby (others do their job)' % standby if standby else '')))
        return out

    def check_taint(self):
        live = '/proc/sys/kernel/tainted'
        text, why = self.host.read(live)
        if text is None or not re.match(r'^[0-9]{1,20}$', text.strip()):
            return check('taint', 'WARN', 'unknown: %s' % (
                '%s: %s' % (self.host.shown(live), why) if text is None else
                '%s: not a number: %r' % (self.host.shown(live), text.strip()[:40])))
        value = int(text.strip())
        if not value:
            return check('taint', 'OK', 'not tainted')
        mods = self.modules() or {}
        parts = []
        for bit, letter, meaning in taint_letters(value):
            who = sorted(n for n, m in mods.items() if letter in m['taint'])
            if MODULE in who and letter in OWN_TAINTS:
                who[who.index(MODULE)] = '%s: %s' % (MODULE, OWN_TAINTS[letter])
            elif letter in OWN_TAINTS and not who:
                who = ['no loaded module has it now: one loaded earlier set it']
            parts.append('%s: %s%s' % (letter, meaning,
                                       ' (%s)' % '; '.join(who) if who else ''))
        return check('taint', 'WARN', '%s (%d): %s; a taint stays until reboot' % (
            ''.join(p[0] for p in parts), value, '; '.join(parts)))

    def checks(self):
        out = []
        for fn in (self.check_kernel, self.check_config, self.check_headers,
                   self.check_dkms, self.check_secure_boot, self.check_signature,
                   self.check_lockdown, self.check_debugfs, self.check_module,
                   self.check_files, self.check_hooks, self.check_taint):
            name = fn.__name__[len('check_'):].replace('_', '-')
            try:
                got = fn()
            except Exception as e:      # a bug: this check says so, the others run
                tb = e.__traceback__
                while tb.tb_next is not None:
                    tb = tb.tb_next
                got = check(name, 'WARN', 'internal error, a bug in this tool (please '
                            'report it with this line): %s: %s at line %d'
                            % (type(e).__name__, e, tb.tb_lineno))
            out += got if isinstance(got, list) else [got]
        return out


def doctor_report(host):
    """The doctor's JSON: every check, and how many of each status."""
    checks = Doctor(host).checks()
    counts = {s: sum(1 for c in checks if c['status'] == s) for s in STATUSES}
    return {'schema': 'reclaimscope.doctor', 'schema_version': 1,
            'root': host.prefix if host.copy else None,
            'checks': checks, 'ok': counts['OK'], 'warnings': counts['WARN'],
            'failed': counts['FAIL']}


def render_doctor(rep, width=None):
    """One line per check, "STATUS name: message", the fix below it; lines
    wrapped at the width with the status column kept clear."""
    width = width or text_width()
    lines = []
    for c in rep['checks']:
        lines += wrap('%s: %s' % (c['name'], c['message']), width, ' ' * 5,
                      first='%-4s ' % c['status'])
        if c['fix']:
            lines += wrap('fix: %s' % c['fix'], width, ' ' * 10, first=' ' * 5)
    lines.append('doctor: %s: %d OK, %d WARN, %d FAIL' % (
        plural(len(rep['checks']), 'check'), rep['ok'], rep['warnings'], rep['failed']))
    return '\n'.join(lines)
