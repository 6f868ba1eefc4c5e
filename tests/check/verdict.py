#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn a guest's serial log into checks.

The guest prints ``RS-CHECK PASS|FAIL <name> <detail>`` lines, KTAP
documents between ``RS-KTAP-BEGIN <suite>`` and ``RS-KTAP-END``, its
kernel log between ``RS-DMESG-BEGIN`` and ``RS-DMESG-END``, and
``RS-DONE`` last.  Besides the guest's own checks this adds:

* ``completed``: the guest reached RS-DONE (no hang, panic or timeout);
* ``clean_log``: no kernel splat in the log once the kernel has started
  /init (the module cannot run before that; a splat during the kernel's
  own boot is printed as ``boot_splat`` and does not fail the run).
  Between the kernel log lines ``rs-fault-window begin`` and
  ``rs-fault-window end`` (the guest injects allocation failures there)
  a stack dump that follows the kernel's own report of a failed
  allocation is expected and counted as ``injected_alloc_report``; any
  other splat there still fails;
* ``script_errors``: no shell error from the guest's scripts (a helper
  that is not defined, a command not found, a syntax error);
* one check per KUnit case, and ``kunit_plan`` (every planned case ran).

Prints one line per check and appends ``<label> <passed> <failed>`` to
the results file.
"""
import argparse
import re
import subprocess
import sys

SPLATS = re.compile(
    r"BUG:|WARNING:|Oops|general protection fault|kernel BUG|"
    r"Kernel panic|possible recursive locking|possible circular locking|"
    r"inconsistent lock state|suspicious RCU usage|KASAN:|UBSAN:|"
    r"sleeping function called from invalid context|Call Trace:|"
    r"INFO: task .* blocked|rcu.*detected stalls|self-detected stall|"
    r"unreferenced object|kmemleak: [0-9]+ new suspected memory leak")

# What the kernel prints when an allocation fails (warn_alloc() and the
# slab allocator), followed by a stack dump: expected where the guest
# injects failures.
ALLOC_FAILURE = re.compile(r"page allocation failure:|vmalloc error:|"
                           r"SLUB: Unable to allocate memory")
FAULT_WINDOW = re.compile(r"rs-fault-window (begin|end)")

# busybox sh reports its errors as "/init: <script>: line N: ...".
SCRIPT_ERROR = re.compile(r"^/init: .*(not found|syntax error|unexpected|bad number|"
                          r"can't open|Illegal number|parameter not set)")

# "Oops: int3" and, a few lines on, the bytes around the trapping RIP
# (the int3 trap reports the address after the int3).
INT3_OOPS = re.compile(r"Oops: int3")
CODE_LINE = re.compile(r"Code: (.*)<([0-9a-f]{2})>")


def stale_int3(lines, i):
    """An int3 trap whose address holds something else in memory: the CPU
    ran bytes from before a text patch had finished.  After text_poke_bp()
    has synchronised every CPU that cannot happen on hardware; it is the
    sign of multi-threaded TCG running a stale translation."""
    for line in lines[i:i + 12]:
        m = CODE_LINE.search(line)
        if m:
            before = m.group(1).split()
            if before and before[-1] != "cc":
                return "%s <%s>" % (" ".join(before[-4:]), m.group(2))
            return None
    return None


# A jump to 0 with interrupts off, as kprobe_int3_handler() leaves it.
NULL_RIP = re.compile(r"RIP: 0010:0x0$")
EFLAGS = re.compile(r"EFLAGS: ([0-9a-f]+)")


def kprobe_null_step(lines, i):
    """A jump to address 0 with interrupts off: do_int3() gave an int3
    that no text patch claimed to kprobe_int3_handler(), which found a
    kprobe armed through ftrace at that address and single-stepped its
    instruction copy, which such a kprobe does not have (NULL; the
    handler clears IF first).  The int3 is the stale one of stale_int3(),
    met at a kprobed function's ftrace site instead of a tracepoint's."""
    for line in lines[i:i + 6]:
        m = EFLAGS.search(line)
        if m:
            return not int(m.group(1), 16) & 0x200
    return False


KTAP_RESULT = re.compile(r"^(\s*)(ok|not ok) (\d+) (\S+)(.*)$")
KTAP_PLAN = re.compile(r"^(\s*)1\.\.(\d+)")


def parse_ktap(suite, lines):
    """Return [(name, ok, detail)] for the test cases of one suite."""
    results, planned = [], None
    for line in lines:
        m = KTAP_PLAN.match(line)
        if m and len(m.group(1)) == 4 and planned is None:
            planned = int(m.group(2))
        m = KTAP_RESULT.match(line)
        if m and len(m.group(1)) == 4:
            skip = "# SKIP" in m.group(5)
            results.append(("kunit:%s.%s" % (suite, m.group(4)),
                            m.group(2) == "ok" and not skip,
                            m.group(5).strip()))
    ran = len(results)
    results.append(("kunit_plan:%s" % suite, planned is not None and planned == ran,
                    "planned %s, ran %d" % (planned, ran)))
    return results


def kunit_tool(ktap_docs, kunit_py):
    """Cross-check with the kernel's own kunit.py parser."""
    if not kunit_py:
        return []
    out = []
    for suite, lines in ktap_docs:
        p = subprocess.run([sys.executable, kunit_py, "parse"],
                           input="\n".join(lines) + "\n", text=True,
                           capture_output=True)
        out.append(("kunit.py:%s" % suite, p.returncode == 0,
                    (p.stdout.strip().splitlines() or [""])[-1]))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("log")
    ap.add_argument("--label", required=True)
    ap.add_argument("--results")
    ap.add_argument("--kunit-py")
    ap.add_argument("--expect-suites", default="",
                    help="comma-separated KUnit suites that must appear")
    args = ap.parse_args()

    with open(args.log, errors="replace") as f:
        text = f.read().replace("\r", "")
    lines = text.split("\n")

    checks, ktap_docs, splats, script_errors = [], [], [], []
    boot_splats = []
    suite, doc, done = None, None, False
    # The serial log, and the kernel log the guest dumps at its end,
    # each start with the kernel's boot, before any module can load.
    booting, saw_init = True, False
    in_window, alloc_report_at, injected_reports = False, None, 0
    stale, null_steps = [], 0
    for i, line in enumerate(lines):
        m = FAULT_WINDOW.search(line)
        if m:
            in_window = m.group(1) == "begin"
        if in_window and ALLOC_FAILURE.search(line):
            alloc_report_at = i
        if line.startswith("RS-DMESG-BEGIN"):
            booting = True
        elif "Run /init as init process" in line:
            booting, saw_init = False, True
        if line.startswith("RS-KTAP-BEGIN "):
            suite, doc = line.split(None, 1)[1].strip(), []
            continue
        if line.startswith("RS-KTAP-END"):
            ktap_docs.append((suite, doc))
            suite, doc = None, None
            continue
        if doc is not None:
            doc.append(line)
            continue
        m = re.match(r"^RS-CHECK (PASS|FAIL) (\S+) ?(.*)$", line)
        if m:
            checks.append((m.group(2), m.group(1) == "PASS", m.group(3)))
            continue
        if line.startswith("RS-DONE"):
            done = True
        if NULL_RIP.search(line) and kprobe_null_step(lines, i):
            null_steps += 1
        if SCRIPT_ERROR.search(line):
            script_errors.append(line.strip())
        if SPLATS.search(line) and not line.startswith("RS-"):
            if (in_window and "Call Trace:" in line and
                    not SPLATS.search(line.replace("Call Trace:", "")) and
                    alloc_report_at is not None and i - alloc_report_at <= 15):
                injected_reports += 1
                continue
            if INT3_OOPS.search(line):
                code = stale_int3(lines, i)
                if code:
                    stale.append(code)
            # A stack dump after this belongs to this splat.
            alloc_report_at = None
            (boot_splats if booting else splats).append(line.strip())

    for suite, doc in ktap_docs:
        checks.extend(parse_ktap(suite, doc))
    checks.extend(kunit_tool(ktap_docs, args.kunit_py))
    seen = {s for s, _ in ktap_docs}
    for s in filter(None, args.expect_suites.split(",")):
        if s not in seen:
            checks.append(("kunit_suite:%s" % s, False, "suite did not run"))

    if not saw_init:
        # No sign of /init: nothing tells the boot apart, all counts.
        splats, boot_splats = boot_splats + splats, []
    if boot_splats:
        print("  INFO %s/boot_splat %s" % (args.label, "; ".join(boot_splats[:5])))
    for code in stale:
        print("  INFO %s/stale_int3 the trapping address holds %s, not int3: "
              "the vCPU ran code translated before a text patch finished "
              "(multi-threaded TCG; see tests/guest/lib.sh rs_quiesced)"
              % (args.label, code))
    if null_steps:
        print("  INFO %s/kprobe_null_step a CPU jumped to 0 with interrupts off: "
              "kprobe_int3_handler() single-stepped a kprobe armed through "
              "ftrace after an int3 no text patch claimed, the stale int3 of "
              "multi-threaded TCG at a kprobed function (Documentation/"
              "reclaimscope.rst, Testing)" % args.label)
    if injected_reports:
        print("  INFO %s/injected_alloc_report %d stack dumps after injected "
              "allocation failures" % (args.label, injected_reports))

    checks.append(("completed", done, "" if done else "no RS-DONE: hang, panic or timeout"))
    checks.append(("clean_log", not splats, "; ".join(splats[:5])))
    checks.append(("script_errors", not script_errors, "; ".join(script_errors[:5])))

    passed = sum(1 for _, ok, _ in checks if ok)
    failed = len(checks) - passed
    for name, ok, detail in checks:
        print("  %s %s/%s %s" % ("PASS" if ok else "FAIL", args.label, name, detail))
    if not done or splats:
        print("  --- last lines of %s ---" % args.log)
        for line in lines[-40:]:
            print("  | " + line)
    print("%s: %d passed, %d failed" % (args.label, passed, failed))
    if args.results:
        with open(args.results, "a") as f:
            f.write("%s %d %d\n" % (args.label, passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
