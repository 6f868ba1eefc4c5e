#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Unit tests of verdict.py's judgement of a serial log.

The two crash excerpts are cut from guests of this harness that died
under bookworm's QEMU 7.2 (multi-threaded TCG), Debian 6.12, during the
module's load/unload loop: the stale int3 at a tracepoint's site and the
jump to 0 at the kretprobed shrink_folio_list() (Documentation/
reclaimscope.rst, "Testing").  Run: python3 tests/check/test_verdict.py
"""
import os
import subprocess
import sys
import tempfile
import unittest

VERDICT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "verdict.py")

BOOT = """[    0.000000] Linux version 6.12.117+deb12-amd64
[    1.000000] Run /init as init process
RS-CHECK PASS torture_pressure_before_cycles 173 > 170
"""

STALE_INT3 = """[   60.478302] Oops: int3: 0000 [#1] PREEMPT SMP NOPTI
[   60.478696] CPU: 0 UID: 0 PID: 57 Comm: kswapd0 Tainted: G           OE      6.12.117+deb12-amd64 #1
[   60.478921] RIP: 0010:evict_folios+0x253/0x610
[   60.479684] Code: 4c 89 fe e8 ef e5 ff ff 44 0f be 4d 34 8b 54 24 7c 48 98 01 55 54 8b 54 24 44 48 01 45 48 41 8b b7 40 9e 02 00 48 89 04 24 0f <1f> 44 00 00
[   60.479684] RSP: 0018:ff7e49c640427a90 EFLAGS: 00000202
[   60.479684] Call Trace:
[   60.479684]  try_to_shrink_lruvec+0x231/0x2c0
"""

NULL_STEP = """[  104.592399] BUG: kernel NULL pointer dereference, address: 0000000000000000
[  104.593791] #PF: supervisor instruction fetch in kernel mode
[  104.593791] Oops: Oops: 0010 [#1] PREEMPT SMP NOPTI
[  104.593791] CPU: 1 UID: 0 PID: 58 Comm: kswapd1 Tainted: G           OE      6.12.117+deb12-amd64 #1
[  104.593791] RIP: 0010:0x0
[  104.593791] Code: Unable to access opcode bytes at 0xffffffffffffffd6.
[  104.593791] RSP: 0018:ff668b754042fa88 EFLAGS: 00000046
[  104.593791] Call Trace:
[  104.593791]  trace_clock_x86_tsc+0x20/0x20
[  104.593791]  try_to_shrink_lruvec+0x231/0x2c0
"""

# A jump to 0 with interrupts on is some other bug: no kprobe diagnosis.
NULL_CALL = NULL_STEP.replace("EFLAGS: 00000046", "EFLAGS: 00000246")


class Verdict(unittest.TestCase):
    def judge(self, body, done=True):
        with tempfile.TemporaryDirectory() as d:
            log = os.path.join(d, "serial.log")
            results = os.path.join(d, "results")
            with open(log, "w") as f:
                f.write(BOOT + body + ("RS-DONE\n" if done else ""))
            p = subprocess.run([sys.executable, VERDICT, log, "--label", "t",
                                "--results", results],
                               capture_output=True, text=True)
            with open(results) as f:
                passed, failed = f.read().split()[1:3]
        return p.stdout, int(passed), int(failed)

    def test_clean(self):
        out, passed, failed = self.judge("")
        self.assertEqual(failed, 0, out)
        self.assertGreater(passed, 0)
        self.assertNotIn("INFO", out)

    def test_stale_int3(self):
        out, _, failed = self.judge(STALE_INT3, done=False)
        self.assertIn("t/stale_int3 the trapping address holds 89 04 24 0f <1f>", out)
        self.assertNotIn("kprobe_null_step", out)
        self.assertIn("FAIL t/clean_log", out)
        self.assertEqual(failed, 2)     # clean_log and completed

    def test_kprobe_null_step(self):
        out, _, failed = self.judge(NULL_STEP, done=False)
        self.assertIn("INFO t/kprobe_null_step", out)
        self.assertNotIn("stale_int3", out)
        self.assertIn("FAIL t/clean_log", out)
        self.assertEqual(failed, 2)

    def test_null_with_interrupts_on(self):
        out, _, failed = self.judge(NULL_CALL)
        self.assertNotIn("kprobe_null_step", out)
        self.assertEqual(failed, 1)     # clean_log only


if __name__ == "__main__":
    unittest.main()
