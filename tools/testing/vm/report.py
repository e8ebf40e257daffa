#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Turn one VM run's results share into PASS/FAIL/SKIP lines.

Reads what guest.sh left in the results directory, prints one line per test
(``PASS <kernel>/<scenario>: <desc>``), explains each failure (failing TAP
lines with their comments, stderr tail, offending kernel log lines) and
appends one word per test (PASS/FAIL/SKIP) to the tally file so that
bench.sh can print the final count.
"""

import argparse
import json
import os
import re
import subprocess
import sys

# Kernel log lines that mean a scenario broke the kernel, whatever its TAP says.
BAD = re.compile(
    r"WARNING:|BUG[: ]|Oops|KASAN|UBSAN|kmemleak|general protection|"
    r"Call Trace|Kernel panic|possible recursive locking|"
    r"inconsistent lock state|suspicious RCU usage|possible circular locking|"
    r"circular locking dependency|lock held when returning|"
    r"bad unlock balance|sleeping function called from invalid context|"
    r"scheduling while atomic|refcount_t:|list_add corruption|"
    r"list_del corruption|rcu_.*detected stalls|blocked for more than|"
    r"stack-protector|double fault|page allocation failure|"
    r"unreferenced object|BUG kmalloc")
# Boot-time lines that contain a BAD word but are harmless.
BENIGN = re.compile(
    r"kmemleak: Kernel memory leak detector initialized|"
    r"kmemleak: Automatic memory scanning thread (started|ended)|"
    r"KASAN.*(init|initialized)|UBSAN.*enabled|"
    r"nipsec-bench: (begin|end)")
# Whole warning reports ("cut here" .. "end trace") that are known and not
# ours: QEMU 7.2's builtin virtio-crypto backend fails the RSA self-test.
KNOWN_NOISE = re.compile(r"self-tests for rsa using virtio-crypto-rsa failed")
KMSG = re.compile(r"^(\d+),(\d+),(\d+),[^;]*;(.*)$")
PRIVATE_COPY = re.compile(r"/\.build/(?:run-\d+/)?[a-z0-9]+/src/")
TAP = re.compile(r"^(not ok|ok)\b(?:\s+\d+)?(?:\s*-)?\s*(.*)$")
DIRECTIVE = re.compile(r"\s+#\s*(SKIP|TODO)\b\s*(.*)$", re.I)


class Report:
    def __init__(self, kernel, tally):
        self.kernel = kernel
        self.tally = tally
        self.counts = {"PASS": 0, "FAIL": 0, "SKIP": 0}
        self.vm_died = False

    def line(self, verdict, name, desc, detail=None):
        print(f"{verdict} {self.kernel}/{name}: {desc}", flush=True)
        self.counts[verdict] += 1
        if self.tally:
            with open(self.tally, "a") as f:
                f.write(verdict + "\n")
        if detail:
            for d in detail:
                # Sources are compiled from a private copy: name the originals.
                d = PRIVATE_COPY.sub("/", d)
                print(f"    {d}")


def read(path, default=None):
    try:
        with open(path, errors="replace") as f:
            return f.read()
    except OSError:
        return default


def tail(text, n):
    lines = (text or "").rstrip("\n").splitlines()
    return lines[-n:]


def kmsg_to_text(text):
    """/dev/kmsg records ("level,seq,usec,flags;msg") as dmesg prints them."""
    out = []
    for l in (text or "").splitlines():
        m = KMSG.match(l)
        if m:
            out.append(f"[{int(m.group(3)) / 1e6:12.6f}] {m.group(4)}")
        else:
            out.append(l)
    return "\n".join(out) + "\n"


def known_noise(lines):
    """Indices of lines inside warning reports that match KNOWN_NOISE."""
    skip, start = set(), None
    for i, l in enumerate(lines + ["---[ end trace"]):
        if "cut here" in l or "---[ end trace" in l:
            if start is not None:
                block = range(start, min(i + 1, len(lines)))
                if any(KNOWN_NOISE.search(lines[j]) for j in block):
                    skip.update(block)
            start = i if "cut here" in l else None
    # The message printed just before the report repeats it.
    skip.update(i for i, l in enumerate(lines) if KNOWN_NOISE.search(l))
    return skip


def bad_lines(text):
    """Offending kernel log lines with a little context."""
    lines = (text or "").splitlines()
    noise = known_noise(lines)
    hits = [i for i, l in enumerate(lines)
            if i not in noise and BAD.search(l) and not BENIGN.search(l)]
    if not hits:
        return []
    keep = set()
    for i in hits:
        keep.update(range(max(0, i - 2), min(len(lines), i + 25)))
    out = [lines[i] for i in sorted(keep)]
    return out[:120]


def first_report(text):
    """The first kernel report of a console, from its first line on.

    A VM that died printed it; the console's tail holds only its end (the
    task's stack), and CI shows the start of a long failure best.
    """
    lines = (text or "").splitlines()
    noise = known_noise(lines)
    for i, l in enumerate(lines):
        if BAD.search(l) and not BENIGN.search(l) and i not in noise:
            return ["first kernel report on the console:"] + \
                ["  " + x for x in lines[max(0, i - 2):i + 30]]
    return []


def parse_tap(text):
    """[(verdict, desc, [comment lines])], skip_all reason or None."""
    tests, skip_all = [], None
    cur = None
    for raw in (text or "").splitlines():
        line = raw.rstrip()
        m = re.match(r"^1\.\.0\s*#\s*SKIP\s*(.*)$", line, re.I)
        if m:
            skip_all = m.group(1) or "skipped"
            continue
        if line.startswith("Bail out!"):
            cur = ["FAIL", line, []]
            tests.append(cur)
            continue
        m = TAP.match(line)
        if m:
            desc = m.group(2)
            verdict = "PASS" if m.group(1) == "ok" else "FAIL"
            d = DIRECTIVE.search(desc)
            if d:
                desc = desc[:d.start()]
                if d.group(1).upper() == "SKIP":
                    verdict = "SKIP"
                    desc = f"{desc} (skipped: {d.group(2)})"
                elif verdict == "FAIL":
                    verdict = "PASS"	# TODO: expected failure
            cur = [verdict, desc or "(no description)", []]
            tests.append(cur)
        elif line.lstrip().startswith("#") and cur is not None:
            cur[2].append(line)
    return tests, skip_all


def klog_check(rep, name, path):
    text = read(path)
    if text is None:
        rep.line("FAIL", name, "kernel log clean", ["no kernel log captured"])
        return
    bad = bad_lines(text)
    if bad:
        rep.line("FAIL", name, "kernel log clean",
                 ["kernel log:"] + ["  " + l for l in bad])
    else:
        rep.line("PASS", name, "kernel log clean")


def scenario(rep, res, name):
    d = os.path.join(res, name)
    rc = read(os.path.join(d, "rc"))
    if rc is None and rep.vm_died:
        rep.line("FAIL", name, "scenario ran", ["not reached: the VM ended earlier"])
        return
    if rc is None:
        rep.vm_died = True
        started = os.path.isdir(d)
        rep.line("FAIL", name, "scenario ran",
                 [f"TAP so far ({d}/tap.txt):" if started else "never started"] +
                 ["  " + l for l in tail(read(os.path.join(d, "tap.txt"), ""), 10)] +
                 ["no result: the VM died or overran its timeout before the "
                  f"scenario finished (QEMU's exit status {rep.vm_rc}: 124 "
                  "is the VM timeout, 0 a guest panic or reset)"] +
                 first_report(read(os.path.join(res, "console.log"), "")) +
                 ["QEMU's messages (qemu.log):"] +
                 ["  " + l for l in tail(read(os.path.join(res, "qemu.log"), ""), 5)] +
                 ["console tail:"] +
                 ["  " + l for l in tail(read(os.path.join(res, "console.log"), ""), 40)] +
                 ["kernel log tail:"] +
                 ["  " + l for l in tail(kmsg_to_text(read(os.path.join(res, "kmsg.log"), "")), 40)])
        return
    rc = int(rc.strip() or 1)
    tap = read(os.path.join(d, "tap.txt"), "")
    stderr = read(os.path.join(d, "stderr.txt"), "")
    tests, skip_all = parse_tap(tap)
    load = read(os.path.join(d, "load.txt"), "").strip()
    if load:
        rep.line("FAIL", name, "load nipsec.ko", ["  " + l for l in load.splitlines()])
    hint = [f"stderr tail ({d}/stderr.txt):"] + ["  " + l for l in tail(stderr, 15)] \
        if stderr.strip() else []
    for verdict, desc, comments in tests:
        rep.line(verdict, name, desc,
                 (comments + hint) if verdict == "FAIL" else None)
    if skip_all is not None:
        rep.line("SKIP", name, f"all (skipped: {skip_all})")
    if rc == 124 or rc == 137:
        rep.line("FAIL", name, "finished in time",
                 ["killed by the per-scenario timeout"] + hint)
    elif rc != 0 and not any(t[0] == "FAIL" for t in tests):
        rep.line("FAIL", name, f"exit status 0 (was {rc})", hint)
    elif not tests and skip_all is None:
        rep.line("FAIL", name, "printed TAP results", ["no ok/not ok lines"] + hint)
    klog_check(rep, name, os.path.join(d, "dmesg.txt"))


def walk_kunit(group, prefix, out):
    name = group.get("name", "")
    path = f"{prefix}.{name}" if prefix and name else (name or prefix)
    for case in group.get("test_cases", []):
        out.append((f"{path}.{case['name']}" if path else case["name"], case["status"]))
    for sub in group.get("sub_groups", []):
        walk_kunit(sub, path, out)


def kunit_failure_blocks(human):
    """{case name: lines kunit.py printed for it} for failed cases."""
    blocks, buf = {}, []
    for l in human.splitlines():
        text = re.sub(r"^\[[0-9:]+\] ", "", l)
        m = re.match(r"^\[(PASSED|FAILED|SKIPPED|CRASHED)\] (.*)$", text)
        if m:
            if m.group(1) in ("FAILED", "CRASHED"):
                blocks[m.group(2).strip()] = buf
            buf = []
        elif text.startswith("=") or not text.strip():
            buf = []
        else:
            buf.append(text)
    return blocks


def kunit(rep, res, ksrc):
    d = os.path.join(res, "kunit")
    ktap = os.path.join(d, "ktap.txt")
    if not os.path.exists(ktap):
        rep.line("FAIL", "kunit", "KUnit ran", ["no KTAP captured (VM died?)"] +
                 ["  " + l for l in tail(read(os.path.join(res, "console.log"), ""), 40)])
        return
    insmod = read(os.path.join(d, "insmod.txt"), "").strip()
    kunit_py = os.path.join(ksrc, "tools/testing/kunit/kunit.py")
    jpath = os.path.join(d, "kunit.json")
    # kunit.py wants --json=FILE in one word and an absolute input path.
    p = subprocess.run([sys.executable, kunit_py, "parse", "--json=" + os.path.abspath(jpath),
                        os.path.abspath(ktap)],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    human = p.stdout
    with open(os.path.join(d, "kunit-parse.txt"), "w") as f:
        f.write(human)
    cases = []
    try:
        with open(jpath) as f:
            data = json.load(f)
        # The top group is kunit.py's own wrapper: start names at the suites.
        for sub in data.get("sub_groups", []):
            walk_kunit(sub, "", cases)
        for case in data.get("test_cases", []):
            cases.append((case["name"], case["status"]))
    except (OSError, ValueError):
        pass
    if not cases:
        rep.line("FAIL", "kunit", "KUnit test cases found",
                 (["insmod: " + insmod] if insmod else []) +
                 ["kunit.py parse:"] + ["  " + l for l in tail(human, 20)])
        return
    blocks = kunit_failure_blocks(human)
    for cname, status in cases:
        if status == "PASS":
            rep.line("PASS", "kunit", cname)
        elif status == "SKIP":
            rep.line("SKIP", "kunit", cname)
        else:
            leaf = cname.split(".")[-1]
            rep.line("FAIL", "kunit", cname,
                     [f"status {status}; full parse in {d}/kunit-parse.txt"] +
                     blocks.get(leaf, [])[-30:])
    klog_check(rep, "kunit", ktap)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--kernel", required=True)
    ap.add_argument("--results", required=True)
    ap.add_argument("--scenarios", default="")
    ap.add_argument("--kunit", action="store_true")
    ap.add_argument("--ksrc", default="/var/cache/nipsec/linux-source-6.12")
    ap.add_argument("--tally")
    ap.add_argument("--vm-rc", type=int, default=0)
    a = ap.parse_args()

    res = a.results
    rep = Report(a.kernel, a.tally)
    rep.vm_rc = a.vm_rc
    if a.vm_rc == 124:
        print(f"# {a.kernel}: the VM overran its overall timeout")
    done = os.path.exists(os.path.join(res, "done"))

    # Noise before the first scenario is the kernel's or the bench's fault,
    # not a scenario's; count it once so it is not silently ignored.
    full = kmsg_to_text(read(os.path.join(res, "kmsg.log"), ""))
    boot = full.split("nipsec-bench: begin", 1)[0]
    bad = bad_lines(boot)
    if bad:
        rep.line("FAIL", "boot", "kernel log clean", ["  " + l for l in bad])
    elif full:
        rep.line("PASS", "boot", "kernel log clean")
    else:
        rep.line("FAIL", "boot", "VM booted",
                 ["no kernel log in results; console tail:"] +
                 ["  " + l for l in tail(read(os.path.join(res, "console.log"), ""), 40)])

    if a.kunit:
        kunit(rep, res, a.ksrc)
    for name in a.scenarios.split():
        scenario(rep, res, name)

    td = read(os.path.join(res, "teardown.tap"))
    if td is None or not done:
        rep.line("FAIL", "teardown", "VM finished all work",
                 ["guest did not finish (VM died or timed out); console tail:"] +
                 ["  " + l for l in tail(read(os.path.join(res, "console.log"), ""), 40)])
    else:
        tests, _ = parse_tap(td)
        for verdict, desc, comments in tests:
            rep.line(verdict, "teardown", desc, comments if verdict == "FAIL" else None)
        klog_check(rep, "teardown", os.path.join(res, "teardown.dmesg"))
    return 1 if rep.counts["FAIL"] else 0


if __name__ == "__main__":
    sys.exit(main())
