# SPDX-License-Identifier: GPL-2.0
"""reclaimscope - read, watch, diagnose and export the reclaimscope module's
debugfs files (Documentation/reclaimscope.rst; the tool is described in
Documentation/reclaimscope-cli.rst).

The source of the tool.  make cli (reclaimscope/build.py) joins these
modules into the single file users copy, scripts/reclaimscope;
python3 -m reclaimscope runs them from the source tree.  Kept parseable
by old Pythons, so that __main__ can refuse them with a message.
"""
