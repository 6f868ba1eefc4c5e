# SPDX-License-Identifier: GPL-2.0
"""Exit statuses and the error that carries one."""


# Exit statuses (Documentation/reclaimscope-cli.rst, "Exit status").
EXIT_OK = 0

EXIT_FINDINGS = 1       # diagnose found something; doctor: a check FAILed

EXIT_USAGE = 2          # bad command line (argparse's own status)

EXIT_NO_DEBUGFS = 3     # debugfs is not mounted

EXIT_NOT_LOADED = 4     # no reclaimscope directory (or --root DIR missing)

EXIT_PERMISSION = 5     # a file could not be read: not root

EXIT_ABI = 6            # the module's abi is not one this tool knows

EXIT_BAD_DATA = 7       # a file is missing, malformed or unreadable

EXIT_NO_GNUPLOT = 8     # PNG asked for, gnuplot not installed

EXIT_OLD_PYTHON = 9     # Python older than 3.6 (checked at the top)

EXIT_INTERNAL = 70      # a bug in this tool (EX_SOFTWARE): never for any input

EXIT_INTERRUPTED = 130  # Ctrl-C during a one-shot command


class RSError(Exception):
    """A failure with a message for the user and an exit status."""

    def __init__(self, message, status):
        super().__init__(message)
        self.status = status
