"""What sd-scripts writes to the console, byte for byte where it matters [ref §4].

- `Log`: Python logging as library/utils.py `setup_logging` configures it: Rich's RichHandler on
  stderr by default (time, level, message wrapped in its column, `file.py:NNN` on the right,
  80 columns when stderr is not a terminal), bare messages on stdout with --console_log_simple,
  bare messages in a file with --console_log_file.
- `Bar`: tqdm's progress bar on stderr: `\\r` + line, no newline until it is closed, the meter of
  tqdm's `format_meter`, its 0.1 s `mininterval` and its `unpause()`.
- `traceback`: a Python traceback on stderr, for the errors the double imitates.

stdout is never flushed here: `print` is block-buffered on a pipe unless PYTHONUNBUFFERED is set,
exactly as in the real trainer; only the logging handler on stdout flushes, as StreamHandler does.
"""
import os
import re
import sys
import time
import unicodedata

LEVELS = {"DEBUG": 10, "INFO": 20, "WARNING": 30, "ERROR": 40, "CRITICAL": 50}


def cell_len(text):
    """Terminal cells, as Rich and tqdm count them: East Asian wide characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def _chop_cells(text, width):
    """Rich's `chop_cells`: cut a word that is wider than the column into column-wide pieces."""
    pieces, line, used = [], "", 0
    for ch in text:
        w = cell_len(ch)
        if used + w > width and line:
            pieces.append(line)
            line, used = "", 0
        line += ch
        used += w
    pieces.append(line)
    return pieces


def _wrap_line(text, width):
    """Rich's `divide_line` with overflow="fold": greedy on `\\s*\\S+\\s*` words, long words folded."""
    breaks, offset = [], 0
    for match in re.finditer(r"\s*\S+\s*", text):
        start, word = match.start(), match.group(0)
        word_len = cell_len(word.rstrip())
        if width - offset >= word_len:
            offset += cell_len(word)
        elif word_len > width:
            folded = _chop_cells(word, width)
            for i, piece in enumerate(folded):
                if start:
                    breaks.append(start)
                if i == len(folded) - 1:
                    offset = cell_len(piece)
                else:
                    start += len(piece)
        else:
            breaks.append(start)
            offset = cell_len(word)
    bounds = [0] + breaks + [len(text)]
    return [text[a:b] for a, b in zip(bounds, bounds[1:])]


def _fit(text, width):
    """Pad to `width` cells; whitespace that overflows the column is dropped (Rich's rstrip_end)."""
    while cell_len(text) > width and text.endswith(" "):
        text = text[:-1]
    return text + " " * max(0, width - cell_len(text))


def console_width(stream):
    """Rich's Console width: $COLUMNS, else the terminal's, else 80 on a pipe."""
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    try:
        if stream.isatty():
            return os.get_terminal_size(stream.fileno()).columns
    except (OSError, ValueError):
        pass
    return 80


class RichHandler:
    """rich.logging.RichHandler(console=Console(stderr=True)) with sd-scripts' datefmt."""

    def __init__(self, stream, datefmt="%Y-%m-%d %H:%M:%S"):
        self.stream = stream
        self.datefmt = datefmt
        self._last_time = None

    def emit(self, level, message, where):
        width = console_width(self.stream)
        stamp = time.strftime(self.datefmt, time.localtime())
        time_cell = " " * len(stamp) if stamp == self._last_time else stamp
        self._last_time = stamp
        message_width = max(10, width - len(stamp) - 8 - len(where) - 3)
        lines = []
        for raw in message.expandtabs(8).split("\n"):
            lines += _wrap_line(raw, message_width) or [""]
        rows = [f"{time_cell} {level:<8} {_fit(lines[0], message_width)} {where}"]
        blank = " " * len(stamp) + " " + " " * 8 + " "
        rows += [f"{blank}{_fit(line, message_width)} {' ' * len(where)}" for line in lines[1:]]
        self.stream.write("\n".join(rows) + "\n")
        self.stream.flush()


class PlainHandler:
    """logging.StreamHandler / FileHandler with the format "%(message)s"; flushes each record."""

    def __init__(self, stream):
        self.stream = stream

    def emit(self, level, message, where):
        self.stream.write(message + "\n")
        self.stream.flush()


class Log:
    """The root logger: one handler and a level, replaced like `setup_logging(args, reset=True)`."""

    def __init__(self):
        self.level = LEVELS["INFO"]
        self.handler = RichHandler(sys.stderr)
        self._file = None

    def setup(self, args):
        """What `setup_logging(args, reset=True)` does at the start of `train()`."""
        self.level = LEVELS[args.console_log_level or "INFO"]
        if args.console_log_file:
            self._file = open(args.console_log_file, "w", encoding="utf-8")
            self.handler = PlainHandler(self._file)
        elif args.console_log_simple:
            self.handler = PlainHandler(sys.stdout)
        else:
            self.handler = RichHandler(sys.stderr)

    def log(self, level, message, where):
        if LEVELS[level] >= self.level:
            self.handler.emit(level, str(message), where)

    def debug(self, message, where):
        self.log("DEBUG", message, where)

    def info(self, message, where):
        self.log("INFO", message, where)

    def warning(self, message, where):
        self.log("WARNING", message, where)

    def error(self, message, where):
        self.log("ERROR", message, where)


log = Log()


# ------------------------------------------------------------------ tqdm [ref §4.2]

def _is_utf(encoding):
    return bool(encoding) and encoding.lower().replace("-", "").replace("_", "") in ("utf8", "u8", "utf")


def _terminal_columns(stream):
    """tqdm's `_screen_shape_linux`: the terminal's width, else $COLUMNS-1 when both COLUMNS and
    LINES are set, else None (a 10-character bar)."""
    try:
        if stream.isatty():
            return os.get_terminal_size(stream.fileno()).columns
    except (OSError, ValueError):
        pass
    try:
        cols, _ = (int(os.environ[k]) - 1 for k in ("COLUMNS", "LINES"))
        return cols
    except (KeyError, ValueError):
        return None


def format_interval(seconds):
    minutes, s = divmod(int(seconds), 60)
    h, m = divmod(minutes, 60)
    return f"{h:d}:{m:02d}:{s:02d}" if h else f"{m:02d}:{s:02d}"


def format_num(n):
    """tqdm's format_num: 3 significant digits unless the plain repr is shorter."""
    f = f"{n:.3g}".replace("e+0", "e+").replace("e-0", "e-")
    n = str(n)
    return f if len(f) < len(n) else n


UTF_BLOCKS = " " + "".join(map(chr, range(0x258F, 0x2587, -1)))
ASCII_BLOCKS = " 123456789#"


class Bar:
    """A tqdm progress bar on stderr (tqdm's defaults unless said: smoothing 0.3, mininterval 0.1 s,
    maxinterval 10 s, dynamic miniters, leave=True)."""

    def __init__(self, total, desc=None, smoothing=0.3, stream=None):
        self.stream = stream or sys.stderr
        self.total = total
        self.desc = desc
        self.smoothing = smoothing
        self.mininterval = 0.1
        self.maxinterval = 10.0
        self.miniters = 0
        self.n = 0
        self.last_print_n = 0
        self.postfix = ""
        self.charset = UTF_BLOCKS if _is_utf(getattr(self.stream, "encoding", "")) else ASCII_BLOCKS
        self.ncols = _terminal_columns(self.stream)
        self._last_len = 0
        self._ema_dn = _Ema(smoothing)
        self._ema_dt = _Ema(smoothing)
        self._average_only = False
        self.start_t = self.last_print_t = time.time()
        self.closed = False
        self.refresh()

    # -- tqdm's public methods, in its terms

    def update(self, n=1):
        self.n += n
        if self.n - self.last_print_n >= self.miniters:
            cur_t = time.time()
            dt = cur_t - self.last_print_t
            if dt >= self.mininterval:
                dn = self.n - self.last_print_n
                if self.smoothing and dt and dn:
                    self._ema_dn(dn)
                    self._ema_dt(dt)
                self.refresh()
                if self.maxinterval and dt >= self.maxinterval:
                    self.miniters = dn * (self.mininterval or self.maxinterval) / dt
                elif self.smoothing:
                    self.miniters = self.smoothing * dn * (self.mininterval / dt if dt else 1) + (1 - self.smoothing) * self.miniters
                else:
                    self.miniters = max(self.miniters, dn)
                self.last_print_n = self.n
                self.last_print_t = cur_t

    def set_postfix(self, **values):
        self.postfix = ", ".join(f"{k}={format_num(v) if isinstance(v, (int, float)) else str(v).strip()}" for k, v in values.items())
        self.refresh()

    def unpause(self):
        cur_t = time.time()
        self.start_t += cur_t - self.last_print_t
        self.last_print_t = cur_t

    def refresh(self):
        line = self._meter()
        width = cell_len(line)
        self.stream.write("\r" + line + " " * max(self._last_len - width, 0))
        self.stream.flush()
        self._last_len = width

    def close(self):
        if self.closed:
            return
        self.closed = True
        self._average_only = True
        self.refresh()
        self.stream.write("\n")
        self.stream.flush()

    def iterate(self, items):
        """`for x in tqdm(items)`: redraws at most every 0.1 s, closes (with a newline) at the end."""
        try:
            for item in items:
                yield item
                self.n += 1
                if self.n - self.last_print_n >= self.miniters and time.time() - self.last_print_t >= self.mininterval:
                    pending = self.n - self.last_print_n
                    self.n -= pending
                    self.update(pending)
        finally:
            self.close()

    # -- format_meter

    def _meter(self):
        elapsed = time.time() - self.start_t
        rate = None
        if not self._average_only and self._ema_dt.value():
            rate = self._ema_dn.value() / self._ema_dt.value()
        total = self.total
        if total and self.n >= total + 0.5:
            total = None
        if rate is None and elapsed:
            rate = self.n / elapsed
        inv_rate = 1 / rate if rate else None
        rate_noinv = (f"{rate:5.2f}" if rate else "?") + "it/s"
        rate_inv = (f"{inv_rate:5.2f}" if inv_rate else "?") + "s/it"
        rate_fmt = rate_inv if inv_rate and inv_rate > 1 else rate_noinv
        postfix = ", " + self.postfix if self.postfix else ""
        remaining = (total - self.n) / rate if rate and total else 0
        remaining_str = format_interval(remaining) if rate else "?"
        prefix = f"{self.desc}: " if self.desc else ""
        if not total:
            return f"{prefix}{self.n}it [{format_interval(elapsed)}, {rate_fmt}{postfix}]"
        frac = self.n / total
        l_bar = f"{prefix}{frac * 100:3.0f}%|"
        r_bar = f"| {self.n}/{total} [{format_interval(elapsed)}<{remaining_str}, {rate_fmt}{postfix}]"
        width = max(1, self.ncols - cell_len(l_bar + r_bar)) if self.ncols else 10
        line = l_bar + self._bar(frac, width) + r_bar
        return line[: self.ncols] if self.ncols else line

    def _bar(self, frac, width):
        frac = max(0.0, min(1.0, frac))
        symbols = len(self.charset) - 1
        full, part = divmod(int(frac * width * symbols), symbols)
        bar = self.charset[-1] * full
        if full < width:
            bar += self.charset[part] + self.charset[0] * (width - full - 1)
        return bar


class _Ema:
    """tqdm's EMA: exponential moving average with bias correction; alpha 0 keeps it empty."""

    def __init__(self, alpha):
        self.alpha = alpha
        self.last = 0
        self.calls = 0

    def __call__(self, x):
        beta = 1 - self.alpha
        self.last = self.alpha * x + beta * self.last
        self.calls += 1

    def value(self):
        beta = 1 - self.alpha
        return self.last / (1 - beta ** self.calls) if self.calls else self.last


def quick_bar(items, desc=None):
    """A bar over a loop that takes no time (reading captions, image sizes): its first redraw,
    then the closing one with the count, the rate and a newline."""
    return Bar(len(items), desc=desc).iterate(items)


# ------------------------------------------------------------------ tracebacks

def traceback(frames, last_line):
    """Prints a Python traceback on stderr. `frames`: (file, line, function, source) tuples,
    outermost first; `last_line`: "module.ExceptionName: message"."""
    out = ["Traceback (most recent call last):"]
    for file, line, function, source in frames:
        out.append(f'  File "{file}", line {line}, in {function}')
        if source:
            out.append(f"    {source}")
    out.append(last_line)
    sys.stderr.write("\n".join(out) + "\n")
    sys.stderr.flush()
