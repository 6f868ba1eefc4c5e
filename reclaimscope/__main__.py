# SPDX-License-Identifier: GPL-2.0
"""python3 -m reclaimscope: the tool from the source tree, the same as the
built scripts/reclaimscope."""
import sys

# Before importing the rest, as the built file does (build.py HEADER).
if sys.version_info < (3, 6):
    sys.stderr.write('reclaimscope: needs Python 3.6 or later; this is Python %s '
                     '(%s)\n' % (sys.version.split()[0], sys.executable))
    sys.exit(9)

import signal  # noqa: E402

from reclaimscope.cli import main  # noqa: E402

if __name__ == '__main__':
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)   # quiet end of "| head"
    sys.exit(main())
