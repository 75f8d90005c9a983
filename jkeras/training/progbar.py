"""Keras 3 progress bar (`keras.utils.Progbar`), reproduced character for character.

The text written is byte-identical to Keras 3.15's for the same updates and the same clock: the
parity test patches `time.time` and compares the two outputs whole.
"""

import math
import os
import sys
import time

import numpy as np

from jkeras.core.io_utils import print_msg  # noqa: F401  (callbacks import it from here)


def clock():
    """The bar's clock (tests replace `time` in this module)."""
    return time.time()


def _dynamic_display():
    # Keras 3.15's test, kept verbatim: "posix" is in sys.modules on every POSIX system, so in
    # practice the bar always redraws in place with "\b...\r", tty or not (pipes and log files
    # included). Matching it keeps our output identical to tf.keras's.
    return (
        (hasattr(sys.stdout, "isatty") and sys.stdout.isatty())
        or "ipykernel" in sys.modules
        or "posix" in sys.modules
        or "PYCHARM_HOSTED" in os.environ
    )


def _format_value(avg, verbose2=False):
    # Keras prints 4 decimals, or scientific for small values. verbose=2 compares the signed value
    # (not its magnitude), so negative numbers show in scientific form there: a Keras quirk we keep.
    large = avg > 1e-3 if verbose2 else abs(avg) > 1e-3
    return f" {avg:.4f}" if large else f" {avg:.4e}"


class Progbar:
    """Displays a progress bar.

    Args:
        target: Total number of steps expected, None if unknown.
        width: Progress bar width on screen.
        verbose: 0 (silent), 1 (bar redrawn in place), 2 (one line when finished).
        interval: Minimum visual progress update interval (in seconds), verbose=1 only.
        stateful_metrics: names displayed as given; every other metric is averaged over the steps.
        stateless_metrics: names that are averaged; every other metric is displayed as given.
            At most one of the two may be passed; with neither, all metrics are averaged.
        unit_name: display name for step counts (usually "step" or "sample").
    """

    def __init__(
        self,
        target,
        width=20,
        verbose=1,
        interval=0.05,
        stateful_metrics=None,
        stateless_metrics=None,
        unit_name="step",
    ):
        if stateful_metrics is not None and stateless_metrics is not None:
            raise ValueError(
                "Only one of `stateful_metrics` or `stateless_metrics` can be provided. "
                "`stateful_metrics` is used to make metrics stateless by default (with an "
                "exclusion list), while `stateless_metrics` is used to make metrics stateful by "
                "default (with an exclusion list)."
            )
        self.target = target
        self.width = width
        self.verbose = verbose
        self.interval = interval
        self.unit_name = unit_name
        if stateless_metrics is not None:
            self.stateful_metrics = None
            self.stateless_metrics = set(stateless_metrics)
        else:
            self.stateful_metrics = set(stateful_metrics or ())
            self.stateless_metrics = None
        self._dynamic_display = _dynamic_display()
        self._seen_so_far = 0
        self._values = {}  # name -> [weighted sum, weight]
        self._values_order = []  # display order: first-seen order
        self._start = time.time()
        self._last_update = 0
        self._time_at_epoch_start = self._start
        self._time_after_first_step = None
        self._prev_total_width = 0

    def _is_averaged(self, name):
        if self.stateful_metrics is not None:
            return name not in self.stateful_metrics
        return name in self.stateless_metrics

    def _accumulate(self, current, values, finalize):
        for k, v in values:
            if k not in self._values_order:
                self._values_order.append(k)
            if self._is_averaged(k) and not finalize:
                # Weight by the steps since the last update, so a chunk of K steps counts K times.
                base = max(current - self._seen_so_far, 1)
                if k in self._values:
                    self._values[k][0] += v * base
                    self._values[k][1] += base
                else:
                    self._values[k] = [v * base, base]
            else:
                # Stateful values, and every value given at finalize, replace the running mean.
                self._values[k] = [v, 1]
        self._seen_so_far = current

    def _mean(self, k):
        total, count = self._values[k]
        if not isinstance(total, float):
            total = np.mean(total)
        return total / max(1, count)

    def update(self, current, values=None, finalize=None):
        """Updates the progress bar.

        Args:
            current: Index of current step (1-based count of steps done).
            values: List of `(name, value_for_last_step)` tuples.
            finalize: Whether this is the last update; defaults to `current >= self.target`.
        """
        if finalize is None:
            finalize = False if self.target is None else current >= self.target
        self._accumulate(current, values or [], finalize)

        now = time.time()
        time_per_unit = self._estimate_step_duration(current, now)
        if self.verbose == 1:
            if now - self._last_update < self.interval and not finalize:
                return
            self._print_bar(current, now, time_per_unit, finalize)
        elif self.verbose == 2 and finalize and self.target is not None and self.target > 0:
            numdigits = int(math.log10(self.target)) + 1
            info = f"%{numdigits}d/%d" % (current, self.target)
            info += f" - {now - self._start:.0f}s"
            info += f" -{self._format_time(time_per_unit, self.unit_name)}"
            for k in self._values_order:
                info += f" - {k}:" + _format_value(self._mean(k), verbose2=True)
            print_msg(info + "\n", line_break=False)
        self._last_update = now

    def note(self, text):
        """Show `text` where the ETA goes (e.g. "compiling…"); the next update overwrites it."""
        if self.verbose == 1:
            self._print_bar(self._seen_so_far, time.time(), 0, False, note=text)

    def exclude(self, seconds):
        """Leave `seconds` (compilation) out of the elapsed time, the rate and the ETA."""
        self._start += seconds

    def _print_bar(self, current, now, time_per_unit, finalize, note=None):
        # ANSI codes (bold, green, grey) do not take screen room: count them apart so the
        # padding that erases a longer previous line is right.
        special = 0
        message = ("\b" * self._prev_total_width + "\r") if self._dynamic_display else "\n"
        known = self.target is not None and self.target > 0
        if known:
            numdigits = int(math.log10(self.target)) + 1
            bar = f"\x1b[1m{f'%{numdigits}d/%d' % (current, self.target)}\x1b[0m "
            special += 8
            prog_width = int(self.width * float(current) / self.target)
            if prog_width > 0:
                bar += f"\33[32m{'━' * prog_width}\x1b[0m"
                special += 9
            bar += f"\33[37m{'━' * (self.width - prog_width)}\x1b[0m"
            special += 9
        else:
            bar = "%7d/Unknown" % current
        message += bar

        if note is not None:
            message += f" {note}"
            total_width = len(bar) + len(note) + 1 - special
            if self._prev_total_width > total_width:
                message += " " * (self._prev_total_width - total_width)
            print_msg(message, line_break=False)
            self._prev_total_width = total_width
            return
        if known and not finalize:
            eta = time_per_unit * (self.target - current)
            if eta > 3600:
                eta_format = "%d:%02d:%02d" % (eta // 3600, (eta % 3600) // 60, eta % 60)
            elif eta > 60:
                eta_format = "%d:%02d" % (eta // 60, eta % 60)
            else:
                eta_format = "%ds" % eta
            info = f" \x1b[1m{eta_format}\x1b[0m"
        else:
            info = f" \x1b[1m{now - self._start:.0f}s\x1b[0m"  # elapsed
        special += 8
        info += self._format_time(time_per_unit, self.unit_name)
        for k in self._values_order:
            info += f" - {k}:" + _format_value(self._mean(k))
        message += info

        total_width = len(bar) + len(info) - special
        if self._prev_total_width > total_width:
            message += " " * (self._prev_total_width - total_width)
        if finalize:
            message += "\n"
        print_msg(message, line_break=False)
        self._prev_total_width = total_width

    def add(self, n, values=None):
        self.update(self._seen_so_far + n, values)

    @staticmethod
    def _format_time(time_per_unit, unit_name):
        """' 2s/step', ' 37ms/step' or ' 850us/step' (0 shows as ' 0s/step')."""
        if time_per_unit >= 1 or time_per_unit == 0:
            return f" {time_per_unit:.0f}s/{unit_name}"
        if time_per_unit >= 1e-3:
            return f" {time_per_unit * 1000.0:.0f}ms/{unit_name}"
        return f" {time_per_unit * 1000000.0:.0f}us/{unit_name}"

    def _estimate_step_duration(self, current, now):
        """Seconds per step; ignores the (compile-heavy) first step once step 1 was reported."""
        if not current:
            return 0
        if self._time_after_first_step is not None and current > 1:
            time_per_unit = (now - self._time_after_first_step) / (current - 1)
        else:
            time_per_unit = (now - self._start) / current
        if current == 1:
            self._time_after_first_step = now
        return time_per_unit
