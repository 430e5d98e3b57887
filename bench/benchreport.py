"""bench/benchreport.py - the figures of bench/run and its report.

What bench/run measured (RES, ERRS, NOTES, filled by record() and
note()), the figures and peers it knows (FIGS, PEERS), and what it
writes from them: the table of medians, spread and ratios, the chart
(gnuplot, SVG) and doc/PERFORMANCE.md with the machine and the method.
Imported by bench/run only; not a program.
"""

import datetime
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys

SRCDIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NOTES = []          # what was skipped or failed, for the report


def note(msg):
    print("bench: " + msg, file=sys.stderr, flush=True)
    NOTES.append(msg)


# Figures: key, title, unit, higher is better, base peer for "vs base".
FIGS = [
    ("bulk1", "bulk, 1 stream", "MB/s", True, "direct"),
    ("bulk4", "bulk, 4 streams", "MB/s", True, "direct"),
    ("conn1", "conn/s, 1 worker, no login", "conn/s", True, "direct"),
    ("conn8", "conn/s, 8 workers, no login", "conn/s", True, "direct"),
    ("p50", "latency p50, 1 worker, no login", "µs", False, "direct"),
    ("p99", "latency p99, 1 worker, no login", "µs", False, "direct"),
    ("pam1", "conn/s, 1 worker, login", "conn/s", True, "pam"),
    ("pam8", "conn/s, 8 workers, login", "conn/s", True, "pam"),
    ("x64", "conn/s, client ::1 -> 127.0.0.1", "conn/s", True, "direct"),
    ("x46", "conn/s, client 127.0.0.1 -> ::1", "conn/s", True, "direct"),
    ("xname", "conn/s, DOMAINNAME localhost", "conn/s", True, "direct"),
    ("cpugb", "CPU per GB (bulk, 4 streams)", "s/GB", False, "sixgated"),
    ("cpuconn", "CPU per connection (8 workers)", "µs", False, "sixgated"),
    ("cpuuser", "user CPU per connection (8 workers)", "µs", False, "sixgated"),
    ("cpusys", "system CPU per connection (8 workers)", "µs", False, "sixgated"),
    ("rss1000", "RSS per idle relay, 1,000 relays", "KiB", False, "sixgated"),
    ("rss8000", "RSS per idle relay, 8,000 relays", "KiB", False, "sixgated"),
]
PEERS = ["direct", "sixgated", "cache", "microsocks", "dante", "pam"]
PEER_TITLE = {"direct": "direct", "sixgated": "sixgated", "cache": "sixgated+cache",
              "microsocks": "microsocks", "dante": "dante", "pam": "PAM alone"}
RES = {}      # (fig, peer) -> [values]
ERRS = {}     # (fig, peer) -> last error


def record(fig, peer, value, err=None):
    if value is None:
        ERRS[(fig, peer)] = err
        print("  %-8s %-11s failed: %s" % (fig, peer, err), flush=True)
        return
    RES.setdefault((fig, peer), []).append(value)
    print("  %-8s %-11s %.4g" % (fig, peer, value), flush=True)


# ------------------------------------------------------------ report

def fmt(v):
    if v is None:
        return "—"
    if v >= 100:
        return "%.0f" % v
    if v >= 10:
        return "%.1f" % v
    return "%.3g" % v


def ratio(fig, peer, base):
    a, b = med(fig, peer), med(fig, base)
    if a is None or b is None or b == 0 or peer == base:
        return None
    return a / b


def med(fig, peer):
    v = RES.get((fig, peer))
    return statistics.median(v) if v else None


def table():
    rows = ["| figure | unit | peer | median | min–max | n | vs direct | vs sixgated |",
            "|---|---|---|---:|---:|---:|---:|---:|"]
    for key, title, unit, _, base in FIGS:
        for peer in PEERS:
            v = RES.get((key, peer))
            if not v and (key, peer) not in ERRS:
                continue
            if not v:
                rows.append("| %s | %s | %s | failed: %s | | 0 | | |" % (
                    title, unit, PEER_TITLE[peer], ERRS[(key, peer)].replace("|", "/")[:80]))
                continue
            vd = ratio(key, peer, "direct")
            vs = ratio(key, peer, "sixgated")
            if key.startswith("pam") and peer != "sixgated":
                vd = None
            rows.append("| %s | %s | %s | %s | %s–%s | %d | %s | %s |" % (
                title, unit, PEER_TITLE[peer], fmt(statistics.median(v)),
                fmt(min(v)), fmt(max(v)), len(v),
                "%.2f" % vd if vd else "", "%.2f" % vs if vs else ""))
    return "\n".join(rows)


def chart(out, tmpdir):
    """out (doc/performance.svg): each peer against sixgated, above 1 =
    better; the data file for gnuplot goes to tmpdir."""
    gp = shutil.which("gnuplot")
    if gp is None:
        note("gnuplot not found: no chart")
        return False
    peers = [p for p in PEERS if p != "sixgated" and any((f[0], p) in RES for f in FIGS)]
    dat = os.path.join(tmpdir, "ratios.dat")
    with open(dat, "w") as f:
        f.write("figure " + " ".join('"%s"' % PEER_TITLE[p] for p in peers) + "\n")
        for key, title, unit, higher, base in FIGS:
            vals = []
            for p in peers:
                r = ratio(key, p, "sixgated")
                ok = r is not None and r > 0
                vals.append("%.4f" % (r if higher else 1 / r) if ok else "NaN")
            if any(v != "NaN" for v in vals):
                f.write('"%s" %s\n' % (title.replace('"', "'"), " ".join(vals)))
    plot = ", ".join("'%s' using %d%s title col" % (dat, i + 2, ":xtic(1)" if i == 0 else "")
                     for i in range(len(peers)))
    script = """set terminal svg size 1400,620 dynamic font "sans,11" background "white"
set output '%s'
set datafile missing "NaN"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set logscale y 2
set yrange [0.03125:512]
set grid ytics
set xtics rotate by 30 right scale 0 font ",10"
set key outside right top
set bmargin 11
set title "Each peer against sixgated (1 = as good as sixgated, above 1 = better; log scale)"
set ylabel "× sixgated"
set arrow from graph 0, first 1 to graph 1, first 1 nohead lw 2 lc rgb "black"
plot %s
""" % (out, plot)
    r = subprocess.run([gp], input=script, capture_output=True, text=True)
    if r.returncode != 0:
        note("gnuplot failed: " + r.stderr.strip()[-300:])
        return False
    return True


def machine(sixgated):
    """The machine and the versions run, for the report."""
    cpu = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    try:
        with open("/etc/debian_version") as f:
            deb = f.read().strip()
    except OSError:
        deb = "?"
    def ver(pkg):
        return subprocess.run(["dpkg-query", "-W", "-f=${Version}", pkg],
                              capture_output=True, text=True).stdout or "not installed"
    sgv = subprocess.run([sixgated, "-V"], capture_output=True, text=True)
    git = subprocess.run(["git", "-C", SRCDIR, "describe", "--always", "--dirty"],
                         capture_output=True, text=True).stdout.strip()
    return [("CPU", "%s, %d cores online" % (cpu, os.cpu_count() or 0)),
            ("kernel", platform.release()),
            ("Debian", deb),
            ("date", datetime.datetime.now().strftime("%Y-%m-%d %H:%M %Z").strip()),
            ("sixgated", "%s (git %s)" % ((sgv.stdout or sgv.stderr).strip(), git or "?")),
            ("microsocks", ver("microsocks")),
            ("Dante (danted)", ver("dante-server")),
            ("open files", "%d (hard limit)" % resource.getrlimit(resource.RLIMIT_NOFILE)[1])]


def report(args, cmdline, pamdesc, svg_ok, secs_total):
    """The table printed; doc/PERFORMANCE.md (in args.out) written."""
    tbl = table()
    for n in NOTES:
        print("note: " + n)
    if args.no_doc:
        return
    os.makedirs(args.out, exist_ok=True)
    md = ["# sixgate performance", "",
          "Written by `bench/run` (do not edit by hand: run it again).  "
          "Figures of one run on the machine below, with peers measured "
          "in the same run; read them as ratios, not as absolutes: the "
          "machine is shared and noisy.", "",
          "## Machine", ""]
    md += ["- %s: %s" % kv for kv in machine(args.sixgated)]
    md += ["- run: `%s`, %d repeats, %g s per measurement, %.0f s in all" % (
        cmdline, args.repeats, args.secs, secs_total),
        "- PAM: " + pamdesc, "", "## Chart", "",
        "![each peer against sixgated](performance.svg)" if svg_ok else
        "(no chart: gnuplot missing)", "",
        "Each bar is a peer's median divided by sixgated's in the same figure "
        "(inverted where lower is better), so above 1 is better than "
        "sixgated and below 1 worse.  In the login figures \"sixgated\" "
        "is sixgated through PAM.", "",
        "## Figures", "",
        "Median of the repeats, spread (min–max), number of repeats that "
        "succeeded, and the median's ratio to direct loopback and to "
        "sixgated (in the login figures, to sixgated through PAM; "
        "\"vs direct\" there is left out, as direct has no login).", "",
        tbl, ""]
    if NOTES:
        md += ["Notes of this run:", ""] + ["- " + n for n in NOTES] + [""]
    md += ["## Method", "", METHOD.strip(), ""]
    changes = os.path.join(SRCDIR, "bench", "CHANGES.md")
    if os.path.exists(changes):
        with open(changes) as f:
            md += ["## Changes, measured before and after", "", f.read().strip(), ""]
    path = os.path.join(args.out, "PERFORMANCE.md")
    with open(path, "w") as f:
        f.write("\n".join(md))
    print("bench: wrote " + path + (" and performance.svg" if svg_ok else ""))


METHOD = """
- Everything runs on loopback on one machine: the load generator
  (`bench/sgload`, C, one thread per stream or worker, blocking sockets,
  SOCKS5 and RFC 1929 written by hand), its sink and echo servers (epoll,
  two threads, on 127.0.0.1 and ::1 at one port) and the proxy under
  test.  On 2 cores the client, the proxy and the server share them, so
  a figure is what the whole chain reaches, and the ratio to "direct"
  (the same client and server without a proxy) is what the proxy costs.
- Peers: sixgated from this build; Debian's microsocks (one thread per
  client) and Dante's danted (processes), each started by the script on
  loopback ports, as root with Dante's privileged user root and
  unprivileged nobody.  sixgated writes its access line per connection
  (to a file); Dante logs errors only; microsocks logs nothing.
- Interleaving: each repeat runs every figure and, within a figure,
  every peer one after the other (A B C D A B C D ...), so slow phases of
  a shared machine fall on all peers alike.  The tables show the median
  of the repeats and their spread.
- bulk: N streams through the proxy to the sink, each writing 128 KiB
  blocks for the given time, then half-closing; MB/s is the bytes the
  sink acknowledges over the time until its answer.  CPU per GB is the
  proxy's (and for Dante its processes') utime+stime from /proc/PID/stat
  during the 4-stream run, over the bytes moved.
- conn/s: W workers, each in a loop: TCP connect, greeting (method 0x00,
  or 0x02 and an RFC 1929 login), CONNECT by IPv4 or IPv6 address or by
  name, one byte echoed, close, each step waiting for its answer (no
  pipelining: not every peer supports it).  Latency p50/p99 is the time
  of the whole loop with 1 worker.  CPU per connection: as above, over
  the connections of the 8-worker run, in µs, and split from the same
  run into its user part (utime: the proxy's own code and its libraries)
  and its system part (stime: the kernel working for it, above all TCP
  on loopback: accepting, connecting to the destination, the
  handshake's small reads and writes, closing).  On loopback the kernel
  delivers a segment within the sender's system call, so the system
  part also carries some of the receiving side's TCP work.  /proc counts
  in ticks of 10 ms, so in a short run (`--quick`) the small user part
  is coarse.
- Logins: sixgated and Dante check through PAM (`socksmethod:
  pam.username` for Dante) with the same service file; microsocks checks
  its `-u`/`-P` pair itself (no PAM, so it is not comparable with the
  others there); "sixgated+cache" is sixgated with `auth.cache_ttl =
  300`; "PAM alone" is a bare pam_start/pam_authenticate/pam_acct_mgmt
  loop with the same service, user and workers: the bound any proxy that
  asks PAM for each login stays under.  In the login figures each
  worker connects from its own loopback address (`sgload --spread`:
  worker k from 127.0.0.2 + k), for every peer alike: sixgated gives
  one client address at most half of its PAM workers
  (`auth.max_concurrent`, by default twice the cores), so that one
  client's slow logins cannot starve the others, and from a single
  address the 8-worker figure would measure that share instead of PAM.
  No other per-client limit applies: the script's sixgated has
  `limits.max_per_client = 0`, `limits.max_handshakes_per_client = 0`
  and `auth.fail_limit = 0`.
- Cross-family: the client reaches the proxy over ::1 and asks for
  127.0.0.1, or over 127.0.0.1 and asks for ::1, or asks for the name
  "localhost" (ATYP DOMAINNAME, resolved by the proxy; the echo server
  answers on both families).
- RSS per idle relay: a proxy started afresh for each measurement (so
  memory left resident by an earlier, larger run hides nothing), N
  relays opened through it (method none, 8 openers) to a separate echo
  server, each echoing once; the proxy's VmRSS (for Dante the sum over
  its processes) after they are open less before, over N; all relays are then checked to echo again, and a run
  where one does not counts as failed.  With 8,000 relays the load
  generator holds 8,000 sockets, the echo server 8,000 and the proxy
  16,000, each under the 20,000 open files a process may have here.
  "login": each relay logs in first (RFC 1929) — "sixgated" through PAM
  for every relay (1,000 relays, first repeat only: about 30 s of PAM
  work), "sixgated+cache" with `auth.cache_ttl = 300` (the first login
  goes to PAM, the rest come from the cache), microsocks with its
  `-u`/`-P` pair.
"""
