# SPDX-License-Identifier: GPL-2.0
"""watch behaves like top (issue 16, defect 5): the first screen at once,
q quits, the alternate screen, the interval as given, an 80x24 screen,
and a tree removed file by file is "module unloaded" (exit 4)."""
import errno
import io
import os
import pty
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest
from unittest import mock

from common import SCRIPT, fixture, rs, run_cli


def read_until(fd, want, timeout):
    """Bytes from @fd until @want is among them or @timeout passes."""
    got, end = b'', time.monotonic() + timeout
    while want not in got and time.monotonic() < end:
        ready, _, _ = select.select([fd], [], [], max(0, end - time.monotonic()))
        if not ready:
            break
        try:
            chunk = os.read(fd, 4096)
        except OSError as e:
            if e.errno == errno.EIO:
                break
            raise
        if not chunk:
            break
        got += chunk
    return got


class OnATerminal(unittest.TestCase):
    """The tool on a pseudo-terminal, as a person runs it."""

    def start(self, *argv):
        master, slave = pty.openpty()
        env = dict(os.environ, COLUMNS='80', LINES='24', TERM='xterm')
        proc = subprocess.Popen([sys.executable, SCRIPT, 'watch'] + list(argv),
                                stdin=slave, stdout=slave, stderr=slave, env=env,
                                preexec_fn=lambda: signal.signal(signal.SIGINT,
                                                                 signal.SIG_DFL))
        os.close(slave)
        self.addCleanup(os.close, master)
        self.addCleanup(proc.wait)      # cleanups run last first: kill, then wait
        self.addCleanup(lambda: proc.poll() is None and proc.kill())
        return proc, master

    def test_first_screen_at_once_and_q_quits(self):
        root = fixture('6.1', 'pressure')
        proc, master = self.start('-i', '30', '--root', root)
        t0 = time.monotonic()
        screen = read_until(master, b'free MiB', 10)
        self.assertIn(b'free MiB', screen, 'no first screen within 10 s of a 30 s interval')
        self.assertLess(time.monotonic() - t0, 10)
        self.assertIn(b'\x1b[?1049h', screen, 'no alternate screen')
        self.assertIn(b'rates in 30s', screen)
        os.write(master, b'q')
        self.assertEqual(proc.wait(10), rs.EXIT_OK)
        rest = read_until(master, b'\x1b[?1049l', 5)
        self.assertIn(b'\x1b[?1049l', rest, 'the alternate screen was not left')
        self.assertNotIn(b'Traceback', screen + rest)

    def test_kill_restores_the_terminal(self):
        proc, master = self.start('-i', '30', '--root', fixture('6.1', 'idle'))
        self.assertIn(b'free MiB', read_until(master, b'free MiB', 10))
        proc.send_signal(signal.SIGTERM)
        self.assertEqual(proc.wait(10), rs.EXIT_OK)
        self.assertIn(b'\x1b[?1049l', read_until(master, b'\x1b[?1049l', 5))

    def test_screen_fits_80x24(self):
        root = fixture('6.12', 'pressure')
        proc, master = self.start('-i', '0.2', '-n', '2', '--root', root)
        out = read_until(master, b'\x1b[?1049l', 20)
        proc.wait(10)
        frames = out.split(b'\x1b[H')[1:]
        self.assertGreaterEqual(len(frames), 2)
        for frame in frames:
            lines = frame.split(b'\x1b[?1049l')[0].split(b'\n')
            lines = [l.replace(b'\x1b[K', b'').replace(b'\x1b[J', b'').rstrip(b'\r')
                     for l in lines]
            self.assertLessEqual(len(lines), 24)
            self.assertLessEqual(max(map(len, lines)), 80, lines)


class ScreenWakeup(unittest.TestCase):
    """Python raises KeyboardInterrupt only between bytecodes: a Ctrl-C
    that lands after the last check and before select() starts left top
    and watch asleep for the whole interval (1 run in about 150 under
    load).  Python's own signal handler writes a byte to the wakeup fd
    at once, so the screen's select() must watch that fd."""

    def setUp(self):
        master, slave = pty.openpty()
        self.addCleanup(os.close, master)
        self.keys = os.fdopen(slave)
        self.addCleanup(self.keys.close)

    def test_wait_watches_the_signal_wakeup(self):
        screen = rs.Screen(io.StringIO(), self.keys)
        self.addCleanup(screen.close)
        wake = signal.set_wakeup_fd(-1)
        signal.set_wakeup_fd(wake)
        self.assertNotEqual(wake, -1, 'no signal wakeup fd while the screen is up')
        seen = []

        def fake_select(rlist, wlist, xlist, timeout):
            seen.append(list(rlist))
            return [], [], []
        with mock.patch('select.select', fake_select):
            self.assertIsNone(screen.wait(0.01))
        self.assertTrue(seen)
        self.assertIn(self.keys, seen[0])
        self.assertEqual(len(seen[0]), 2, 'select() watches the keys and the wakeup pipe')
        other = [f for f in seen[0] if f is not self.keys][0]
        os.write(wake, b'\x02')        # what the C handler writes
        ready, _, _ = select.select([other], [], [], 0)
        self.assertEqual(ready, [other], 'the fd select() watches is the wakeup pipe')

    def test_close_gives_the_wakeup_back(self):
        before = signal.set_wakeup_fd(-1)
        signal.set_wakeup_fd(before)
        screen = rs.Screen(io.StringIO(), self.keys)
        screen.close()
        now = signal.set_wakeup_fd(-1)
        signal.set_wakeup_fd(now)
        self.assertEqual(now, before)


class Loop(unittest.TestCase):
    def setUp(self):
        self.root = fixture('6.1', 'pressure')

    def test_interval_shown_as_given(self):
        status, out, _ = run_cli('watch', '-i', '0.25', '-n', '1', '--root', self.root)
        self.assertIn('every 0.25s', out)

    def test_first_screen_before_the_first_sleep(self):
        """On a terminal the first screen comes before any waiting."""
        out = io.StringIO()
        out.isatty = lambda: True
        with mock.patch.object(rs.sys, 'stdout', out), \
                mock.patch.object(rs.sys, 'stdin', io.StringIO()), \
                mock.patch.object(rs.Screen, 'wait', side_effect=KeyboardInterrupt):
            status = rs.main(['watch', '-i', '5', '--root', self.root])
        self.assertEqual(status, rs.EXIT_OK)
        self.assertIn('node', out.getvalue())
        self.assertIn('\x1b[?1049h', out.getvalue())
        self.assertTrue(out.getvalue().endswith('\x1b[?1049l'))

    def test_removed_file_by_file_is_unloaded(self):
        """rmmod removes the debugfs tree file by file: a reading that
        finds one file gone, the directory still there, is exit 4."""
        tmp = tempfile.mkdtemp(prefix='rs-test.')
        self.addCleanup(shutil.rmtree, tmp)
        root = os.path.join(tmp, 'reclaimscope')
        shutil.copytree(self.root, root)
        for victim in ('node1/kswapd', 'version', 'shrinkers'):
            with self.subTest(removed=victim):
                shutil.rmtree(root)
                shutil.copytree(self.root, root)
                with mock.patch.object(rs.time, 'sleep',
                                       lambda s: os.unlink(os.path.join(root, victim))):
                    status, _, err = run_cli('watch', '-i', '1', '--root', root)
                self.assertEqual(status, rs.EXIT_NOT_LOADED, err)
                self.assertIn('unloaded', err)

    def test_missing_file_at_the_first_reading_is_bad_data(self):
        tmp = tempfile.mkdtemp(prefix='rs-test.')
        self.addCleanup(shutil.rmtree, tmp)
        root = os.path.join(tmp, 'reclaimscope')
        shutil.copytree(self.root, root)
        os.unlink(os.path.join(root, 'node1', 'kswapd'))
        status, _, err = run_cli('watch', '-i', '1', '--root', root)
        self.assertEqual(status, rs.EXIT_BAD_DATA, err)

    def test_many_nodes_fit_24_rows(self):
        tmp = tempfile.mkdtemp(prefix='rs-test.')
        self.addCleanup(shutil.rmtree, tmp)
        root = os.path.join(tmp, 'tree')
        shutil.copytree(self.root, root)
        for n in range(2, 40):
            shutil.copytree(os.path.join(root, 'node1'), os.path.join(root, 'node%d' % n))
        s = rs.sample(rs.open_source(root))
        lines = rs.render_watch(s, rs.rates(s, s, 1.0), 1.0, width=80, height=24)
        self.assertLessEqual(len(lines), 24)
        self.assertIn('more (a taller terminal shows them)', '\n'.join(lines))


if __name__ == '__main__':
    unittest.main()
