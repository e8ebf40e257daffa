#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""make mutate: prove that the test suite can fail.

Each mutant below is one deliberate defect in module/ (one exact text
replacement, found exactly once). For each, a copy of the checkout gets the
defect, the module (and KUnit) is built from it, and the scenarios that
should notice it run in one VM boot (the debug boot runs KUnit as well).
The mutant is killed when any test of that boot fails; it survives when all
pass, which means a missing test.  A mutant whose copy does not build, or
whose text is not found, is reported as such: it proves nothing.

  mutate.py [--only ID,...] [--list] [--table FILE]

The table (reStructuredText) goes to stdout and to .build/mutate/table.rst.
Not part of make check: about two to four minutes per mutant under TCG.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import time

SRC = os.path.abspath(os.path.join(os.path.dirname(__file__), '../../..'))
BUILD = os.environ.get('NIPSEC_BUILD', os.path.join(SRC, '.build'))

# id, what the defect is, file, text, replacement, kernel, scenarios
MUTANTS = [
    ('icv-ignored', 'ESP: a bad ICV is accepted', 'module/esp.c',
     '\tif (unlikely(err)) {\n\t\treason = err == -EBADMSG ? NIPSEC_DROP_AUTH : NIPSEC_DROP_CRYPTO;',
     '\tif (unlikely(err && err != -EBADMSG)) {\n\t\treason = err == -EBADMSG ? NIPSEC_DROP_AUTH : NIPSEC_DROP_CRYPTO;',
     'stock', 'esp_bad'),
    ('ah-icv-ignored', 'AH: a bad ICV is accepted', 'module/ah.c',
     'if (unlikely(crypto_memneq(ctx->icv, ctx->auth, sa->icvlen)))',
     'if (0 && crypto_memneq(ctx->icv, ctx->auth, sa->icvlen))',
     'stock', 'ah_async'),
    ('replay-precheck', 'replay check before the ICV always passes',
     'module/replay.c',
     '\tif (r->top - seq >= r->window)\n\t\treturn -ERANGE;\n\tif (test_bit(seq & (r->bits - 1), r->bitmap))\n\t\treturn -EEXIST;\n\treturn 0;\n}\nEXPORT_SYMBOL_IF_KUNIT(nipsec_replay_recheck);',
     '\treturn 0;\n}\nEXPORT_SYMBOL_IF_KUNIT(nipsec_replay_recheck);',
     'debug', 'esp_bad'),
    ('replay-no-recheck', 'the window moves without the check under the lock',
     'module/replay.c',
     '\terr = nipsec_replay_recheck(r, seq);\n\tif (newest)',
     '\terr = 0;\n\tif (newest)',
     'debug', 'smoke'),
    ('replay-off-by-one', 'the window accepts one number too old',
     'module/replay.c',
     '\tif (r->top - seq >= r->window)\n\t\treturn -ERANGE;',
     '\tif (r->top - seq > r->window)\n\t\treturn -ERANGE;',
     'debug', 'smoke'),
    ('no-sa-cleartext', 'protect policy without SA: sent in clear',
     'module/output.c',
     '\t\tnipsec_acquire(nn, pol, key_fl);\n\t\treturn nipsec_hook_drop(nn, NULL, skb, NIPSEC_DROP_OUT_NO_SA);',
     '\t\tnipsec_acquire(nn, pol, key_fl);\n\t\treturn NF_ACCEPT;',
     'stock', 'esp_bad'),
    ('cleartext-in', 'cleartext accepted where an in policy protects',
     'module/hooks.c',
     '\tcase NIPSEC_ACTION_PROTECT:\n\t\treturn nipsec_hook_drop(nn, NULL, skb, fl.fragment ?',
     '\tcase NIPSEC_ACTION_PROTECT:\n\t\treturn NF_ACCEPT;\n\t\treturn nipsec_hook_drop(nn, NULL, skb, fl.fragment ?',
     'stock', 'hardening'),
    ('no-selector-check', 'a decrypted packet outside its SA is delivered',
     'module/input.c',
     '\tif (!nipsec_policy_in_allowed(nn, sa, skb, &fl)) {',
     '\tif (0 && !nipsec_policy_in_allowed(nn, sa, skb, &fl)) {',
     'stock', 'esp_bad hardening'),
    ('no-padding-check', 'ESP padding bytes are not checked',
     'module/esp.c',
     '\t\t\tif (p[i] != (u8)(done + i + 1))\n\t\t\t\treturn -EINVAL;',
     '\t\t\tif (0 && p[i] != (u8)(done + i + 1))\n\t\t\t\treturn -EINVAL;',
     'debug', 'smoke'),
    ('icmp-code-ignored', 'a selector naming an ICMP code matches any code',
     'module/policy.c',
     '(sel->icmp_code < 0 || sel->icmp_code == fl->dport)',
     '(sel->icmp_code < 0 || sel->icmp_code >= 0)',
     'debug', 'smoke'),
    ('esp-aad-esn', 'ESN: the high sequence bits left out of the AAD',
     'module/esp.c',
     '\tif (ctx->sa->esn) {\n\t\ta[1] = htonl(upper_32_bits(seq));',
     '\tif (0 && ctx->sa->esn) {\n\t\ta[1] = htonl(upper_32_bits(seq));',
     'debug', 'smoke'),
    ('iv-reuse', 'counter IV: every packet gets the same IV',
     'module/esp.c',
     'nipsec_esp_counter_iv(ctx->iv, seq, sa->iv_salt);',
     'nipsec_esp_counter_iv(ctx->iv, 1, sa->iv_salt);',
     'stock', 'esp_xfrm'),
    ('seq-no-limit', 'the sequence number may wrap (no exhaustion)',
     'module/sa.c',
     '\t\tif ((u64)old >= limit)\n\t\t\treturn -ENOSPC;',
     '\t\tif (0 && (u64)old >= limit)\n\t\t\treturn -ENOSPC;',
     'debug', 'smoke'),
    ('hard-bytes-ignored', 'the hard byte and packet limits are ignored',
     'module/sa.c',
     '\t\tif ((l->hard_packets && pk > l->hard_packets) ||',
     '\t\tif (0 && (l->hard_packets && pk > l->hard_packets) ||',
     'stock', 'netlink_events'),
    ('depth-unlimited', 'no limit on nested transforms',
     'module/hooks.c',
     '\t    nipsec_depth(skb, family) >= NIPSEC_MAX_DEPTH)',
     '\t    nipsec_depth(skb, family) >= 100)',
     'stock', 'hardening'),
    ('encap-mismatch', 'plain ESP accepted for a UDP-encapsulated SA',
     'module/input.c',
     '\tif (!src != !sa->encap_type)',
     '\tif (0)',
     'stock', 'natt'),
    ('transport-addrs', 'transport mode: any source address is accepted',
     'module/policy.c',
     '\treturn sa->encap_type || ipv6_addr_any(&sa->tkey.saddr.a6) ||\n\t       !memcmp(&fl->saddr, &sa->tkey.saddr, alen);',
     '\treturn true;',
     'stock', 'esp_bad hardening'),
    ('portless-open', 'fragments pass port-selective protect policies',
     'module/policy.c',
     '\tif (!nipsec_flow_portless(fl))\n\t\treturn 0;',
     '\treturn 0;\n\tif (!nipsec_flow_portless(fl))\n\t\treturn 0;',
     'stock', 'hardening'),
    ('inner-csum', 'tunnel mode: a bad inner IPv4 checksum is accepted',
     'module/input.c',
     'if (len < hl || len > skb->len || ip_fast_csum(iph, iph->ihl))',
     'if (len < hl || len > skb->len)',
     'stock', 'esp_bad'),
    ('ah-ttl', 'AH: the TTL is covered by the ICV',
     'module/ah.c',
     '\tiph->ttl = 0;\n',
     '',
     'stock', 'ah_async'),
    ('pmtu-wrong', 'tunnel MTU: ICMP announces one byte too many',
     'module/output.c',
     'icmp_send(skb, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, htonl(max));',
     'icmp_send(skb, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, htonl(max + 1));',
     'stock', 'esp_frag'),
    ('no-admin-perm', 'sa-new needs no privilege',
     'module/netlink-gen.c',
     '\t\t.doit\t\t= nipsec_nl_sa_new_doit,\n\t\t.post_doit\t= nipsec_nl_post_doit,\n\t\t.policy\t\t= nipsec_sa_new_nl_policy,\n\t\t.maxattr\t= NIPSEC_A_SA_SEQ,\n\t\t.flags\t\t= GENL_UNS_ADMIN_PERM | GENL_CMD_CAP_DO,',
     '\t\t.doit\t\t= nipsec_nl_sa_new_doit,\n\t\t.post_doit\t= nipsec_nl_post_doit,\n\t\t.policy\t\t= nipsec_sa_new_nl_policy,\n\t\t.maxattr\t= NIPSEC_A_SA_SEQ,\n\t\t.flags\t\t= GENL_CMD_CAP_DO,',
     'stock', 'netlink_priv'),
    ('transformed-passes', 'outbound: the loopback exemption covers every device',
     'module/hooks.c',
     'if (nipsec_transformed(skb, family) || nipsec_is_loopback(state->out))',
     'if (nipsec_transformed(skb, family) || state->out)',
     'stock', 'esp_bad'),
    ('ah-double-free', 'AH input frees a refused request twice (FINDINGS 8)',
     'module/ah.c',
     "\tkfree(ctx);\ndrop:\n\tnipsec_sa_drop(skb, sa, reason);\n}\n\n/* AH's header",
     "\tkfree(ctx);\n\tkfree(ctx);\ndrop:\n\tnipsec_sa_drop(skb, sa, reason);\n}\n\n/* AH's header",
     'stock', 'ah_xfrm'),
]


def sh(cmd, **kw):
    return subprocess.run(cmd, shell=isinstance(cmd, str), text=True,
                          capture_output=True, **kw)


def copy_tree(dst):
    """The checkout's tracked and untracked files, no build output."""
    if os.path.exists(dst):
        shutil.rmtree(dst)
    os.makedirs(dst)
    files = sh(['git', '-C', SRC, 'ls-files', '-co', '--exclude-standard',
                '-z']).stdout
    p = subprocess.Popen(['tar', '-C', SRC, '--null', '-T', '-', '-cf', '-'],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    q = subprocess.Popen(['tar', '-C', dst, '-xf', '-'], stdin=p.stdout)
    p.stdin.write(files.encode())
    p.stdin.close()
    q.wait()
    p.wait()


def apply(dst, path, old, new):
    f = os.path.join(dst, path)
    with open(f) as fh:
        text = fh.read()
    n = text.count(old)
    if n != 1:
        return f'text found {n} times in {path}'
    with open(f, 'w') as fh:
        fh.write(text.replace(old, new))
    return None


def run_one(m):
    mid, desc, path, old, new, kernel, scen = m
    base = os.path.join(BUILD, 'mutate', mid)
    src = os.path.join(base, 'src')
    copy_tree(src)
    err = apply(src, path, old, new)
    if err:
        return 'not applied', err, 0
    # the build inside the copy: the guest sees the copy through its own
    # share even when the checkout is under /tmp, which the guest hides
    env = dict(os.environ, NIPSEC_BUILD=os.path.join(src, '.build'),
               NIPSEC_SKIP_DEPS='1')
    env.pop('NIPSEC_BENCH_OWNER', None)
    t0 = time.time()
    b = sh(['make', '-C', src, '-s', 'module', 'tool'], env=env)
    if b.returncode:
        return 'build broke', b.stderr.strip().splitlines()[-1:] or [''], 0
    r = sh(['bash', os.path.join(src, 'tools/testing/bench.sh'), 'vmtest',
            scen, kernel], env=env)
    secs = int(time.time() - t0)
    with open(os.path.join(base, 'vmtest.log'), 'w') as fh:
        fh.write(r.stdout + r.stderr)
    fails = [l[5:] for l in r.stdout.splitlines() if l.startswith('FAIL ')]
    # a module that is not there or a guest that does not boot kills
    # every mutant alike: that is the bench failing, not a test
    if fails and re.search(r'/(build|boot): |: load nipsec\.ko$', fails[0]):
        return 'not run', fails[0], secs
    if fails:
        return 'killed', fails[0], secs
    if r.returncode:
        return 'killed', f'vmtest exit {r.returncode}', secs
    return 'SURVIVED', 'every test passed', secs


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--only', default='')
    ap.add_argument('--list', action='store_true')
    ap.add_argument('--table', default=os.path.join(BUILD, 'mutate', 'table.rst'))
    a = ap.parse_args()
    sel = [m for m in MUTANTS if not a.only or m[0] in a.only.split(',')]
    if a.list:
        for m in sel:
            print(f'{m[0]:20} {m[5]:6} {m[6]:24} {m[1]}')
        return 0
    os.makedirs(os.path.dirname(a.table), exist_ok=True)
    rows = []
    for m in sel:
        print(f'mutate: {m[0]}: {m[1]} ({m[5]}: {m[6]})', file=sys.stderr,
              flush=True)
        verdict, why, secs = run_one(m)
        print(f'mutate: {m[0]}: {verdict}: {why} ({secs}s)', file=sys.stderr,
              flush=True)
        rows.append((m[0], m[1], f'{m[5]}: {m[6]}', verdict,
                     re.sub(r'\s+', ' ', str(why))[:70]))
    w = [max(len(r[i]) for r in rows + [('mutant', 'defect', 'tests',
                                         'result', 'first failing test')])
         for i in range(5)]
    sep = '  '.join('=' * x for x in w)
    out = [sep, '  '.join(h.ljust(x) for h, x in
                          zip(('mutant', 'defect', 'tests', 'result',
                               'first failing test'), w)), sep]
    out += ['  '.join(c.ljust(x) for c, x in zip(r, w)) for r in rows]
    out.append(sep)
    table = '\n'.join(out) + '\n'
    with open(a.table, 'w') as fh:
        fh.write(table)
    print(table)
    alive = [r[0] for r in rows if r[3] != 'killed']
    print(f'{len(rows) - len(alive)} killed, {len(alive)} not'
          + (f': {", ".join(alive)}' if alive else ''))
    return 1 if alive else 0


if __name__ == '__main__':
    sys.exit(main())
