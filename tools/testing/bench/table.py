#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The `make bench` table from the guest's samples (tools/testing/bench/guest.sh).

    table.py SAMPLES.jsonl [--json FILE] [--check] [--machine TEXT]

Every figure is the median of its runs, with the spread as +-half the
range in percent of the median.  nipsec/XFRM is the median of the ratios
of runs made in the same round (same boot, back to back).  --check exits 1
unless every figure the run's configuration asks for is there (make check
runs the bench once that way; it asserts no timing).
"""
import argparse
import json
import statistics
import sys

METRIC_ORDER = [
    ("tcp1", "TCP 1 stream", "Mbit/s", "up"),
    ("tcp4", "TCP 4 streams", "Mbit/s", "up"),
    ("tcp1_cpu", "CPU per GB, 1 stream", "cpu-s/GB", "down"),
    ("tcp4_cpu", "CPU per GB, 4 streams", "cpu-s/GB", "down"),
    ("udp64", "UDP 64 B", "pkt/s", "up"),
    ("udp512", "UDP 512 B", "pkt/s", "up"),
    ("udp1400", "UDP 1400 B", "pkt/s", "up"),
    ("ping_p50", "ping RTT p50", "us", "down"),
    ("ping_p99", "ping RTT p99", "us", "down"),
]
METRIC_INFO = {m[0]: m for m in METRIC_ORDER}
STACKS = ("none", "xfrm", "nipsec")


def expected_metrics(metrics):
    out = []
    for m in metrics.split():
        if m.startswith("tcp"):
            out += [m, m + "_cpu"]
        elif m == "ping":
            out += ["ping_p50", "ping_p99"]
        else:
            out.append(m)
    return out


def target(alg, metric):
    """The issue's target for nipsec/XFRM on this row, as (op, value)."""
    if metric in ("tcp1", "tcp4"):
        return (">=", 1.5) if alg == "null" else (">=", 1.0)
    if metric in ("ping_p50", "ping_p99"):
        return ("<=", 1.0)
    return None


def fmt(v):
    if v is None:
        return "-"
    a = abs(v)
    if a >= 1000:
        return f"{v:,.0f}"
    if a >= 100:
        return f"{v:.0f}"
    if a >= 10:
        return f"{v:.1f}"
    return f"{v:.2f}"


def summary(values):
    if not values:
        return None
    med = statistics.median(values)
    spread = (max(values) - min(values)) / 2 / med * 100 if med else 0.0
    return {"median": med, "spread_pct": spread, "n": len(values),
            "min": min(values), "max": max(values)}


def cell(s):
    if not s:
        return "-"
    if s["n"] == 1:
        return fmt(s["median"])
    return f"{fmt(s['median'])} ±{s['spread_pct']:.0f}%"


def paired_ratio(num, den):
    """Median of per-round ratios num/den (rounds present in both)."""
    ratios = [num[r] / den[r] for r in num if r in den and den[r]]
    return summary(ratios)


def render(rows, header):
    widths = [max(len(str(r[i])) for r in rows + [header]) for i in range(len(header))]
    lines = [" | ".join(str(h).ljust(w) for h, w in zip(header, widths))]
    lines.append("-+-".join("-" * w for w in widths))
    for r in rows:
        lines.append(" | ".join(str(c).ljust(w) for c, w in zip(r, widths)))
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("samples")
    ap.add_argument("--json")
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--machine", default="")
    args = ap.parse_args()

    recs = []
    with open(args.samples) as f:
        for line in f:
            line = line.strip()
            if line:
                recs.append(json.loads(line))
    config = next((r for r in recs if r.get("type") == "config"), {})
    done = any(r.get("type") == "done" for r in recs)

    # (topo, alg, stack, metric) -> {rep: value}
    data = {}
    for r in recs:
        if r.get("type") != "sample":
            continue
        key = (r["topo"], str(r["alg"]), r["stack"], r["metric"])
        data.setdefault(key, {})[r.get("rep", 0)] = float(r["value"])
    scale = {}
    for r in recs:
        if r.get("type") != "scale":
            continue
        key = (r["kind"], int(r["n"]), r["stack"], r["metric"])
        scale.setdefault(key, {})[r.get("rep", 0)] = float(r["value"])

    topos = str(config.get("topos", "")).split()
    algs = str(config.get("algs", "")).split()
    metrics = expected_metrics(str(config.get("metrics", "")))
    out = {"config": config, "machine": args.machine, "throughput": [],
           "scale": [], "complete": True, "missing": []}
    missing = out["missing"]

    print(f"nipsec bench: kernel {config.get('kernel', '?')}, "
          f"{config.get('nproc', '?')} vCPU ({config.get('cpu', '?')}), "
          f"{config.get('repeat', '?')} round(s) of {config.get('time', '?')} s"
          + (f"; host: {args.machine}" if args.machine else ""))
    rows = []
    for topo in topos:
        for alg in algs:
            for m in metrics:
                vals = {}
                for st in STACKS:
                    a = "-" if st == "none" else alg
                    vals[st] = data.get((topo, a, st, m), {})
                    if not vals[st]:
                        missing.append(f"{topo}/{a}/{st}/{m}")
                s = {st: summary(list(vals[st].values())) for st in STACKS}
                ratio = paired_ratio(vals["nipsec"], vals["xfrm"])
                t = target(alg, m)
                verdict = ""
                if t and ratio:
                    ok = ratio["median"] >= t[1] if t[0] == ">=" else ratio["median"] <= t[1]
                    verdict = f"{'ok' if ok else 'MISS'} ({t[0]} {t[1]})"
                name, unit = METRIC_INFO.get(m, (m, m, "", ""))[1:3]
                rows.append([topo, alg, f"{name} ({unit})", cell(s["none"]),
                             cell(s["xfrm"]), cell(s["nipsec"]),
                             fmt(ratio["median"]) if ratio else "-", verdict])
                out["throughput"].append({
                    "topo": topo, "alg": alg, "metric": m, "unit": unit,
                    **{st: s[st] for st in STACKS},
                    "nipsec_over_xfrm": ratio, "target": t and f"{t[0]} {t[1]}",
                    "target_met": verdict.startswith("ok") if verdict else None})
    if rows:
        print()
        print(render(rows, ["topology", "alg", "metric", "none", "xfrm",
                            "nipsec", "nipsec/xfrm", "target"]))

    srows = []
    for kind in ("sa", "pol"):
        counts = [int(c) for c in str(config.get(
            "sa_scale" if kind == "sa" else "pol_scale", "")).split()]
        if not counts:
            continue
        base = {}
        for n in counts:
            row = {"kind": kind, "n": n}
            for st in ("xfrm", "nipsec"):
                for m in ("install_rate", "slab_per_obj", "mem_per_obj",
                          "udp64", "ping_p50"):
                    v = scale.get((kind, n, st, m), {})
                    if not v and m in ("install_rate", "slab_per_obj", "udp64"):
                        missing.append(f"scale/{kind}/{n}/{st}/{m}")
                    row[f"{st}_{m}"] = summary(list(v.values()))
                pps = row[f"{st}_udp64"]
                if n == counts[0] and pps:
                    base[st] = pps["median"]
                # per-packet cost relative to the smallest count: 1/pps
                row[f"{st}_cost_vs_min"] = (base[st] / pps["median"]
                                            if pps and base.get(st) and pps["median"] else None)
            xr, nr = row["xfrm_install_rate"], row["nipsec_install_rate"]
            row["install_nipsec_over_xfrm"] = (nr["median"] / xr["median"]
                                               if xr and nr and xr["median"] else None)
            out["scale"].append(row)

            def med(k):
                return row[k]["median"] if row[k] else None
            srows.append([
                "SAs" if kind == "sa" else "policies", n,
                fmt(med("xfrm_install_rate")), fmt(med("nipsec_install_rate")),
                fmt(row["install_nipsec_over_xfrm"]),
                fmt(med("xfrm_slab_per_obj")), fmt(med("nipsec_slab_per_obj")),
                fmt(med("xfrm_mem_per_obj")), fmt(med("nipsec_mem_per_obj")),
                cell(row["xfrm_udp64"]), cell(row["nipsec_udp64"]),
                fmt(row["xfrm_cost_vs_min"]), fmt(row["nipsec_cost_vs_min"]),
                fmt(med("xfrm_ping_p50")), fmt(med("nipsec_ping_p50"))])
    if srows:
        print()
        print("Scale (transport, %s; installed in one namespace by one batch; "
              "cost = pkt/s at the smallest count / pkt/s here):" % config.get("scale_alg", "?"))
        print(render(srows, ["installed", "N", "install/s xfrm", "install/s nipsec",
                             "nipsec/xfrm", "slab B xfrm", "slab B nipsec",
                             "mem B xfrm", "mem B nipsec", "UDP64 pps xfrm",
                             "UDP64 pps nipsec", "cost xfrm", "cost nipsec",
                             "p50 us xfrm", "p50 us nipsec"]))

    if not done:
        missing.append("the guest did not finish (no 'done' record)")
    out["complete"] = not missing
    if missing:
        print(f"\nmissing ({len(missing)}): " + ", ".join(missing[:20])
              + (" ..." if len(missing) > 20 else ""))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(out, f, indent=1)
            f.write("\n")
    if args.check and (missing or not topos or not algs):
        print("bench table incomplete", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
