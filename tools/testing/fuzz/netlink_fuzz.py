#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Netlink fuzzer for the nipsec family, driven by uapi/nipsec.yaml.

  netlink_fuzz.py msgs N [--seed S]      N requests generated from the spec
  netlink_fuzz.py seq SECONDS [--seed S] [--workers W]
                                         random valid operations from W
                                         threads in several namespaces, with
                                         dumps interrupted and resumed and
                                         namespaces created and deleted

msgs: every op (do and dump, and commands that are not requests), every
attribute of the op's set (not only those the op takes), values at and
past the spec's bounds, wrong lengths and types, nested garbage, missing
or spurious NLA_F_NESTED, repeated attributes, truncated and overlong
TLVs, random bytes; 1 in 8 a valid request (SAs and policies get made, so
the deep paths run: a background flush keeps the tables small).
Every request must be answered (ACK, error or DONE) within 10 s.

seq: syzkaller-style: each worker thread picks random valid operations on
a small SPI space in its namespace (collisions, updates, deletes,
larval SAs, flushes, dumps read partially then abandoned or resumed,
dumps on a tiny receive buffer). The family may vanish (`rmmod` run
meanwhile by the caller): workers then wait for it to come back.

Both print one "rate" line: messages, seconds, messages per second, and
a summary of the answers. Exit 1 if the kernel stopped answering.
"""
import argparse
import errno
import os
import random
import socket
import struct
import sys
import threading
import time

import yaml

NETLINK_GENERIC = 16
GENL_ID_CTRL = 0x10
CTRL_CMD_GETFAMILY = 3
CTRL_ATTR_FAMILY_ID = 1
CTRL_ATTR_FAMILY_NAME = 2
NLM_F_REQUEST = 0x1
NLM_F_MULTI = 0x2
NLM_F_ACK = 0x4
NLM_F_ECHO = 0x8
NLM_F_DUMP = 0x300
NLM_F_DUMP_INTR = 0x10
NLMSG_ERROR = 2
NLMSG_DONE = 3
SOL_NETLINK = 270
NETLINK_CAP_ACK = 10
NETLINK_EXT_ACK = 11
NLA_F_NESTED = 0x8000
NLA_F_NET_BYTEORDER = 0x4000

ALGS_AEAD = ['rfc4106(gcm(aes))', 'rfc7539esp(chacha20,poly1305)',
             'rfc4309(ccm(aes))', 'rfc4543(gcm(aes))', 'gcm(aes)',
             'rfc4106(rfc4106(gcm(aes)))', 'authenc(hmac(sha256),cbc(aes))']
ALGS_ENC = ['cbc(aes)', 'ecb(cipher_null)', 'rfc3686(ctr(aes))', 'cbc(des3_ede)',
            'ctr(aes)', 'xts(aes)', 'cbc(cbc(aes))', 'aes']
ALGS_AUTH = ['hmac(sha256)', 'hmac(sha1)', 'digest_null', 'hmac(sha512)',
             'xcbc(aes)', 'cmac(aes)', 'sha256', 'hmac(hmac(sha256))', 'crc32c']
KEYLEN = [0, 1, 4, 16, 20, 24, 28, 32, 36, 40, 64, 127, 128, 129, 255]


def setns(name):
    """Move the calling thread into network namespace NAME (ip netns)."""
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    fd = os.open('/run/netns/' + name, os.O_RDONLY)
    try:
        if libc.setns(fd, 0x40000000) != 0:     # CLONE_NEWNET
            raise OSError(ctypes.get_errno(), 'setns ' + name)
    finally:
        os.close(fd)


def nla(atype, payload):
    ln = 4 + len(payload)
    return struct.pack('HH', ln & 0xffff, atype & 0xffff) + payload + \
        b'\0' * ((4 - ln % 4) % 4)


class Spec:
    def __init__(self, path):
        with open(path) as f:
            y = yaml.load(f, Loader=getattr(yaml, 'CSafeLoader', yaml.SafeLoader))
        self.consts = {}
        self.enums = {}
        for d in y.get('definitions', []):
            if d['type'] == 'const':
                self.consts[d['name']] = d['value']
            elif d['type'] in ('enum', 'flags'):
                vals, v = [], 0
                for e in d['entries']:
                    if isinstance(e, dict):
                        v = e.get('value', v)
                    vals.append(v)
                    v += 1
                self.enums[d['name']] = vals
        self.sets = {}
        for s in y['attribute-sets']:
            if 'subset-of' in s:
                continue
            attrs, v = {}, 1
            for a in s['attributes']:
                v = a.get('value', v)
                attrs[a['name']] = dict(a, value=v)
                v += 1
            self.sets[s['name']] = attrs
        for s in y['attribute-sets']:
            if 'subset-of' in s:
                base = self.sets[s['subset-of']]
                self.sets[s['name']] = {a['name']: base[a['name']]
                                        for a in s['attributes']}
        self.ops, self.requests = {}, []
        v = 1
        for o in y['operations']['list']:
            v = o.get('value', v)
            self.ops[o['name']] = dict(o, value=v)
            for mode in ('do', 'dump'):
                if mode in o:
                    req = o[mode].get('request', {}).get('attributes', [])
                    self.requests.append((o['name'], mode, req))
            v += 1
        self.maxcmd = v

    def num(self, x):
        return self.consts.get(x, x) if isinstance(x, str) else x


class Genl:
    def __init__(self, rcvbuf=None):
        self.sk = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_GENERIC)
        self.sk.setsockopt(SOL_NETLINK, NETLINK_EXT_ACK, 1)
        self.sk.setsockopt(SOL_NETLINK, NETLINK_CAP_ACK, 1)
        if rcvbuf:
            self.sk.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        self.sk.bind((0, 0))
        self.sk.settimeout(10)
        self.seq = random.randrange(1 << 30)
        self.fam = None

    def close(self):
        self.sk.close()

    def send(self, cmd, payload, flags=NLM_F_REQUEST | NLM_F_ACK, version=1,
             family=None):
        self.seq += 1
        body = struct.pack('BBH', cmd & 0xff, version & 0xff, 0) + payload
        self.sk.send(struct.pack('IHHII', 16 + len(body),
                                 self.fam if family is None else family,
                                 flags, self.seq, 0) + body)
        return self.seq

    def recv_msgs(self):
        data = self.sk.recv(1 << 17)
        off, out = 0, []
        while off + 16 <= len(data):
            ln, typ, flags, seq, _ = struct.unpack_from('IHHII', data, off)
            if ln < 16:
                break
            out.append((typ, flags, seq, data[off:off + ln]))
            off += (ln + 3) & ~3
        return out

    def answer(self, seq):
        """Messages up to the ACK/error or DONE of request seq: (errno or
        None for DONE, number of data messages, flags seen)."""
        n, fl = 0, 0
        while True:
            for typ, flags, s, msg in self.recv_msgs():
                if s != seq:
                    continue
                fl |= flags
                if typ == NLMSG_ERROR:
                    return -struct.unpack_from('i', msg, 16)[0], n, fl
                if typ == NLMSG_DONE:
                    return None, n, fl
                n += 1

    def request(self, cmd, payload, flags=NLM_F_REQUEST | NLM_F_ACK, version=1):
        seq = self.send(cmd, payload, flags, version)
        if flags & NLM_F_ACK or (flags & NLM_F_DUMP) == NLM_F_DUMP:
            return self.answer(seq)
        # No ACK asked: an error or a reply comes, or nothing. A NOOP with
        # ACK behind it bounds the wait (netlink acks it unseen by genl).
        sync = self.send(0, b'', NLM_F_REQUEST | NLM_F_ACK, family=1)
        err, n = 0, 0
        while True:
            for typ, _, s, msg in self.recv_msgs():
                if s == seq and typ == NLMSG_ERROR:
                    err = -struct.unpack_from('i', msg, 16)[0]
                elif s == seq:
                    n += 1
                elif s == sync:
                    return err, n, 0

    def resolve(self, name='nipsec'):
        seq = self.send(CTRL_CMD_GETFAMILY, nla(CTRL_ATTR_FAMILY_NAME, name.encode() + b'\0'),
                        family=GENL_ID_CTRL)
        fid = None
        while True:
            for typ, _, s, msg in self.recv_msgs():
                if s != seq:
                    continue
                if typ == NLMSG_ERROR:
                    err = -struct.unpack_from('i', msg, 16)[0]
                    if err:
                        raise OSError(err, 'family ' + name)
                    self.fam = fid
                    if fid is None:
                        raise OSError(errno.ENOENT, 'family ' + name)
                    return fid
                off = 20
                while off + 4 <= len(msg):
                    ln, at = struct.unpack_from('HH', msg, off)
                    if ln < 4:
                        break
                    if at == CTRL_ATTR_FAMILY_ID:
                        fid = struct.unpack_from('H', msg, off + 4)[0]
                    off += (ln + 3) & ~3


def alive(spec, within=60):
    """The family answers a stats-get on a fresh socket within WITHIN s
    (it may be briefly absent while the caller runs rmmod/insmod)."""
    end = time.monotonic() + within
    while time.monotonic() < end:
        g = None
        try:
            g = Genl()
            g.sk.settimeout(max(1, end - time.monotonic()))
            g.resolve()
            err, _, _ = g.request(spec.ops['stats-get']['value'], b'')
            if not err:
                return True
        except (OSError, socket.timeout):
            time.sleep(0.5)
        finally:
            if g:
                g.close()
    return False


class Gen:
    """Attribute values and messages from the spec."""

    def __init__(self, spec, rnd):
        self.spec, self.r = spec, rnd

    def int_vals(self, a, bits):
        r = self.r
        top = (1 << bits) - 1
        vals = [0, 1, 2, top, top - 1, 1 << (bits - 1), r.randrange(top + 1)]
        c = a.get('checks', {})
        for k in ('min', 'max'):
            if k in c:
                v = self.spec.num(c[k])
                vals += [v, v - 1, v + 1]
        if 'enum' in a:
            ev = self.spec.enums.get(a['enum'], [])
            vals += ev * 3 + [max(ev) + 1 if ev else 1]
        if a['name'] in ('spi',):
            vals += [0x100, 0x101, 0x1000, 0xffffffff]
        if a['name'].endswith('prefix'):
            vals += [0, 8, 24, 32, 33, 64, 128, 129]
        if a['name'].endswith('bits'):
            vals += [0, 64, 96, 128, 256]
        if a['name'] in ('replay-window',):
            vals += [0, 32, 64, 16384, 16385]
        return [v & top for v in vals]

    def scalar(self, a, valid=True):
        r = self.r
        t = a['type']
        bits = {'u8': 8, 'u16': 16, 'u32': 32, 'u64': 64}[t]
        fmt = {'u8': 'B', 'u16': 'H', 'u32': 'I', 'u64': 'Q'}[t]
        if a.get('byte-order') == 'big-endian':
            fmt = '>' + fmt
        v = r.choice(self.int_vals(a, bits))
        if a.get('display-hint') == 'ipv4' and r.random() < 0.7:
            v = r.choice([0xc0000201, 0xc0000202, 0x0a000001, 0, 0xffffffff, 0x7f000001])
        p = struct.pack(fmt, v)
        if not valid:
            p = self.bad_len(p)
        return p

    def bad_len(self, p):
        r = self.r
        return r.choice([b'', p[:1], p[:len(p) - 1] if len(p) > 1 else b'\0\0',
                         p + b'\0', p + b'\xff' * 4, p * 2,
                         bytes(r.randrange(256) for _ in range(r.randrange(1, 12)))])

    def string(self, a, valid=True):
        r = self.r
        n = self.spec.num(a.get('checks', {}).get('max-len', 64))
        name = a['name']
        if name.startswith('aead'):
            s = r.choice(ALGS_AEAD)
        elif name.startswith('enc'):
            s = r.choice(ALGS_ENC)
        elif name.startswith('auth'):
            s = r.choice(ALGS_AUTH)
        else:
            s = 'x'
        s = s.encode()
        choices = [s + b'\0', s + b'\0', s + b'\0', s, b'\0', b'',
                   b'a' * (n - 1) + b'\0', b'a' * n + b'\0', b'a' * n, b'a' * (n + 40) + b'\0',
                   s + b'\0garbage\0', bytes(r.randrange(1, 256) for _ in range(20)) + b'\0',
                   b'(' * 30 + b'\0', b'authenc(' * 8 + b'\0']
        return r.choice(choices[:4] if valid and r.random() < 0.8 else choices)

    def binary(self, a, valid=True):
        r = self.r
        c = a.get('checks', {})
        if 'exact-len' in c:
            n = self.spec.num(c['exact-len'])
            lens = [n] * 4 + [0, n - 1, n + 1, 4]
        else:
            lens = KEYLEN
            n = self.spec.num(c.get('max-len', 128))
            lens = lens + [n, n + 1]
        ln = r.choice(lens if not valid else lens[:4] if 'exact-len' in c else lens)
        return bytes(r.randrange(256) for _ in range(ln))

    def attr(self, setname, a, valid, depth):
        r = self.r
        t = a['type']
        typ = a['value']
        if t in ('u8', 'u16', 'u32', 'u64'):
            p = self.scalar(a, valid or r.random() < 0.6)
        elif t == 'string':
            p = self.string(a, valid)
        elif t == 'binary':
            p = self.binary(a, valid)
        elif t == 'flag':
            p = b'' if valid or r.random() < 0.5 else self.bad_len(b'\0')
        elif t == 'nest':
            sub = a['nested-attributes']
            if depth > 3 or (not valid and r.random() < 0.25):
                p = self.garbage()
            else:
                p = self.attrs(sub, valid, depth + 1)
            if valid or r.random() < 0.8:
                typ |= NLA_F_NESTED
        elif t == 'pad':
            p = b'\0' * r.choice([0, 4, 8])
        else:
            p = self.garbage()
        if not valid and r.random() < 0.1:
            typ ^= r.choice([NLA_F_NESTED, NLA_F_NET_BYTEORDER])
        return nla(typ, p)

    def attrs(self, setname, valid, depth=0, names=None):
        r = self.r
        aset = self.spec.sets[setname]
        if names is None:
            names = list(aset)
        pick = [n for n in names if r.random() < (0.6 if valid else 0.35)]
        out = [self.attr(setname, aset[n], valid, depth) for n in pick]
        if not valid:
            for _ in range(r.randrange(3)):
                m = r.randrange(6)
                if m == 0 and out:           # repeated attribute
                    out.append(r.choice(out))
                elif m == 1:                 # unknown attribute type
                    out.append(nla(r.choice([0, len(aset) + 1, len(aset) + 7, 0x3fff]),
                                   self.garbage()))
                elif m == 2 and out:         # drop one
                    out.pop(r.randrange(len(out)))
                elif m == 3:                 # any attribute of the set
                    a = aset[r.choice(list(aset))]
                    out.append(self.attr(setname, a, False, depth))
                elif m == 4 and out:         # shuffle
                    r.shuffle(out)
                elif m == 5:
                    out.append(nla(r.randrange(1, len(aset) + 1) | NLA_F_NESTED,
                                   self.garbage()))
        return b''.join(out)

    def garbage(self):
        r = self.r
        k = r.randrange(5)
        if k == 0:
            return bytes(r.randrange(256) for _ in range(r.randrange(0, 64)))
        if k == 1:   # TLVs with random types/lengths
            return b''.join(nla(r.randrange(0, 40) | (NLA_F_NESTED if r.random() < 0.3 else 0),
                                bytes(r.randrange(256) for _ in range(r.randrange(0, 24))))
                            for _ in range(r.randrange(1, 6)))
        if k == 2:   # nla_len past the end
            return struct.pack('HH', r.randrange(5, 2000), r.randrange(1, 30)) + b'\0' * 4
        if k == 3:   # nla_len < 4
            return struct.pack('HH', r.randrange(0, 4), r.randrange(1, 30)) + b'\0' * 8
        # deep nesting
        p = b''
        for _ in range(r.randrange(1, 40)):
            p = nla(r.randrange(1, 20) | NLA_F_NESTED, p)
        return p

    def valid_sa(self, spi=None, dst=0xc0000202, proto=50):
        r = self.r
        spi = r.randrange(0x100, 0x140) if spi is None else spi
        s = self.spec.sets['sa']
        p = nla(s['spi']['value'], struct.pack('I', spi))
        p += nla(s['proto']['value'], struct.pack('B', proto))
        p += nla(s['src-v4']['value'], struct.pack('>I', 0xc0000201))
        p += nla(s['dst-v4']['value'], struct.pack('>I', dst))
        if proto == 50 and r.random() < 0.6:
            p += nla(s['aead-name']['value'], b'rfc4106(gcm(aes))\0')
            p += nla(s['aead-key']['value'], bytes(20))
            p += nla(s['icv-bits']['value'], struct.pack('I', 128))
        elif proto == 50:
            p += nla(s['enc-name']['value'], b'cbc(aes)\0')
            p += nla(s['enc-key']['value'], bytes(16))
            p += nla(s['auth-name']['value'], b'hmac(sha256)\0')
            p += nla(s['auth-key']['value'], bytes(32))
        else:
            p += nla(s['auth-name']['value'], b'hmac(sha256)\0')
            p += nla(s['auth-key']['value'], bytes(32))
        if r.random() < 0.3:
            p += nla(s['replay-window']['value'], struct.pack('I', r.choice([0, 32, 64, 4096])))
        if r.random() < 0.2:
            p += nla(s['mode']['value'], struct.pack('B', 1))
        return p

    def sa_key(self, spi, dst=0xc0000202, proto=50):
        s = self.spec.sets['sa']
        return (nla(s['spi']['value'], struct.pack('I', spi)) +
                nla(s['proto']['value'], struct.pack('B', proto)) +
                nla(s['dst-v4']['value'], struct.pack('>I', dst)))

    def message(self):
        """(cmd, payload, flags, version, kind) of one fuzzed request."""
        r = self.r
        sp = self.spec
        name, mode, req = r.choice(sp.requests)
        op = sp.ops[name]
        flags = NLM_F_REQUEST | NLM_F_ACK | (NLM_F_DUMP if mode == 'dump' else 0)
        version = 1
        k = r.random()
        if k < 0.125:
            kind = 'valid'
            if name in ('sa-new', 'sa-update'):
                payload = self.valid_sa()
            else:
                payload = self.attrs(op['attribute-set'], True, names=req)
        elif k < 0.55:
            kind = 'request-attrs'
            payload = self.attrs(op['attribute-set'], False, names=req)
        elif k < 0.85:
            kind = 'set-attrs'
            payload = self.attrs(op['attribute-set'], r.random() < 0.3)
        elif k < 0.93:
            kind = 'garbage'
            payload = self.garbage()
        else:
            kind = 'header'
            payload = self.attrs(op['attribute-set'], True, names=req)
            m = r.randrange(4)
            if m == 0:
                name = None
                cmd = r.choice([0, sp.maxcmd, sp.maxcmd + 1, 255] +
                               [o['value'] for o in sp.ops.values() if 'event' in o])
                return cmd, payload, flags, version, kind
            if m == 1:
                version = r.choice([0, 2, 255])
            elif m == 2:
                flags ^= r.choice([NLM_F_DUMP, NLM_F_ECHO, NLM_F_ACK, 0x20, 0x800])
            else:
                payload = payload[:r.randrange(len(payload) + 1)]
        return op['value'], payload, flags, version, kind


def run_msgs(spec, n, seed, netns_flush_every=64):
    rnd = random.Random(seed)
    gen = Gen(spec, rnd)
    g = Genl()
    g.resolve()
    sa_flush = spec.ops['sa-flush']['value']
    pol_flush = spec.ops['policy-flush']['value']
    counts = {}
    t0 = time.monotonic()
    sent = 0
    for i in range(n):
        cmd, payload, flags, version, kind = gen.message()
        try:
            err, _, _ = g.request(cmd, payload, flags, version)
        except socket.timeout:
            print('no answer in 10 s to message %d (seed %d): cmd %d flags %#x version %d '
                  'payload %s' % (i, seed, cmd, flags, version, payload.hex()), flush=True)
            if not alive(spec):
                print('the kernel stopped answering')
                return 1
            err = 'timeout'
            g.close()
            g = Genl()
            g.resolve()
        except OSError as e:
            # the socket itself failed (e.g. ENOBUFS): count it, carry on
            err = e.errno
            g.close()
            g = Genl()
            g.resolve()
        sent += 1
        key = '%s %s' % (kind, 'done' if err is None else err if isinstance(err, str) else
                         errno.errorcode.get(err, str(err)) if err else 'ok')
        counts[key] = counts.get(key, 0) + 1
        if i % 5000 == 4999:
            print('progress %d messages, %.0f/s' % (sent, sent / (time.monotonic() - t0)),
                  flush=True)
        if i % netns_flush_every == netns_flush_every - 1:
            g.request(sa_flush, b'')
            g.request(pol_flush, b'')
            sent += 2
    g.request(sa_flush, b'')
    g.request(pol_flush, b'')
    dt = time.monotonic() - t0
    if not alive(spec):
        print('the kernel stopped answering')
        return 1
    print('rate msgs %d messages in %.1f s: %.0f/s (seed %d)' % (sent, dt, sent / dt, seed))
    for k in sorted(counts):
        print('  %-28s %d' % (k, counts[k]))
    return 0


class Seq:
    """One worker of the sequence mode."""

    def __init__(self, spec, rnd, stats, lock):
        self.spec, self.r, self.stats, self.lock = spec, rnd, stats, lock
        self.gen = Gen(spec, rnd)
        self.g = None
        self.last = None

    def count(self, key, n=1):
        with self.lock:
            self.stats[key] = self.stats.get(key, 0) + n

    def connect(self, deadline):
        while time.monotonic() < deadline:
            try:
                if self.g:
                    self.g.close()
                self.g = Genl(rcvbuf=self.r.choice([None, None, 4096]))
                self.g.resolve()
                return True
            except OSError:
                self.count('family absent (rmmod)')
                time.sleep(0.2)
        return False

    def op(self, name, payload, dump=False):
        flags = NLM_F_REQUEST | NLM_F_ACK | (NLM_F_DUMP if dump else 0)
        self.last = name + (' dump' if dump else '')
        err, n, _ = self.g.request(self.spec.ops[name]['value'], payload, flags)
        self.count('msgs')
        self.count('%s %s' % (name, 'ok' if not err else errno.errorcode.get(err, err)))
        if err == errno.ENOENT and self.r.random() < 0.3:
            # after rmmod/insmod the family may have a new id: the old one
            # answers ENOENT to everything
            try:
                old = self.g.fam
                self.g.resolve()
                if self.g.fam != old:
                    self.count('family id changed (insmod)')
            except OSError:
                self.count('family absent (rmmod)')
                time.sleep(0.2)
        return err, n

    def partial_dump(self, name):
        """Read part of a dump; then abandon it, or poke the socket, or
        change the table, then read the rest."""
        r = self.r
        self.last = 'partial ' + name + ' dump'
        seq = self.g.send(self.spec.ops[name]['value'], b'',
                          NLM_F_REQUEST | NLM_F_ACK | NLM_F_DUMP)
        self.count('msgs')
        first = self.g.recv_msgs()
        if any(x[2] == seq and x[0] in (NLMSG_DONE, NLMSG_ERROR) for x in first):
            self.count('dump in one part')
            return
        m = r.randrange(3)
        if m == 0:
            self.count('dump abandoned')
            self.g.close()
            self.g = None
            return
        if m == 1:
            # a second request on the socket while its dump runs
            self.g.send(self.spec.ops['sa-get']['value'], self.gen.sa_key(0x100))
            self.count('msgs')
        else:
            # the table changes between the parts of the dump
            s2 = Genl()
            s2.fam = self.g.fam
            for spi in r.sample(range(0x100, 0x140), 4):
                s2.request(self.spec.ops['sa-del']['value'], self.gen.sa_key(spi))
            s2.close()
            self.count('msgs', 4)
        fl = 0
        end = time.monotonic() + 10
        while time.monotonic() < end:
            msgs = self.g.recv_msgs()
            for x in msgs:
                if x[2] == seq:
                    fl |= x[1]
            if any(x[2] == seq and x[0] in (NLMSG_DONE, NLMSG_ERROR) for x in msgs):
                break
        self.count('dump resumed' + (' (interrupted flag)' if fl & NLM_F_DUMP_INTR else ''))
        # whatever else is queued (the poke's answer) goes with the socket
        self.g.close()
        self.g = None

    def step(self):
        r, gen = self.r, self.gen
        spi = r.randrange(0x100, 0x140)
        proto = r.choice([50, 50, 50, 51])
        k = r.randrange(100)
        sp = self.spec.sets
        if k < 30:
            self.op('sa-new', gen.valid_sa(spi, proto=proto))
        elif k < 38:
            self.op('sa-update', gen.valid_sa(spi, proto=proto))
        elif k < 55:
            self.op('sa-del', gen.sa_key(spi, proto=proto))
        elif k < 65:
            self.op('sa-get', gen.sa_key(spi, proto=proto))
        elif k < 70:
            s = sp['sa']
            p = (nla(s['proto']['value'], struct.pack('B', proto)) +
                 nla(s['src-v4']['value'], struct.pack('>I', 0xc0000201)) +
                 nla(s['dst-v4']['value'], struct.pack('>I', 0xc0000202)) +
                 nla(s['spi-min']['value'], struct.pack('I', 0x100)) +
                 nla(s['spi-max']['value'], struct.pack('I', 0x13f)))
            if 'larval-timeout' in s:
                p += nla(s['larval-timeout']['value'], struct.pack('I', r.choice([1, 2, 30])))
            self.op('spi-alloc', p)
        elif k < 78:
            self.op('policy-new', gen.attrs('policy', True,
                                            names=['dir', 'priority', 'action', 'sel', 'tmpl']))
        elif k < 82:
            self.op('policy-del', nla(sp['policy']['id']['value'],
                                      struct.pack('I', r.randrange(1, 200))))
        elif k < 86:
            self.op('sa-get', b'', dump=True)
        elif k < 89:
            self.op('policy-get', b'', dump=True)
        elif k < 92:
            self.op('stats-get', b'')
        elif k < 95:
            self.partial_dump(r.choice(['sa-get', 'policy-get']))
        elif k < 97:
            self.op('sa-flush', b'')
        elif k < 98:
            self.op('policy-flush', b'')
        else:
            # a message from the spec fuzzer now and then
            cmd, payload, flags, version, _ = gen.message()
            self.last = 'spec message'
            self.g.request(cmd, payload, flags, version)
            self.count('msgs')

    def run(self, deadline, netns):
        if netns:
            setns(netns)
        while time.monotonic() < deadline:
            if self.g is None and not self.connect(deadline):
                return
            try:
                self.step()
            except socket.timeout:
                # lost to a full receive buffer, or slow during rmmod: the
                # kernel must still answer a fresh socket
                self.count('timeout in %s (then alive)' % self.last)
                if not alive(self.spec):
                    with self.lock:
                        self.stats['hung'] = True
                    return
                if self.g:
                    self.g.close()
                self.g = None
            except OSError as e:
                # family gone (rmmod), ENOBUFS on a small buffer, or the
                # namespace went away: reconnect
                self.count('socket error ' + errno.errorcode.get(e.errno, str(e.errno)))
                if self.g:
                    self.g.close()
                self.g = None


def run_seq(spec, secs, seed, workers, namespaces):
    stats = {}
    lock = threading.Lock()
    deadline = time.monotonic() + secs
    threads = []
    t0 = time.monotonic()
    for i in range(workers):
        w = Seq(spec, random.Random(seed * 1000 + i), stats, lock)
        ns = namespaces[i % len(namespaces)] if namespaces else None
        t = threading.Thread(target=w.run, args=(deadline, ns), daemon=True)
        t.start()
        threads.append(t)
    for t in threads:
        t.join(secs + 30)
    dt = time.monotonic() - t0
    n = stats.get('msgs', 0)
    print('rate seq %d messages in %.1f s: %.0f/s (seed %d, %d workers)'
          % (n, dt, n / dt, seed, workers))
    for k in sorted(k for k in stats if k not in ('msgs', 'hung')):
        print('  %-36s %d' % (k, stats[k]))
    if stats.get('hung') or any(t.is_alive() for t in threads):
        print('the kernel stopped answering')
        return 1
    return 0


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser()
    ap.add_argument('--spec', default=os.path.join(here, '../../../uapi/nipsec.yaml'))
    ap.add_argument('--seed', type=int, default=int(time.time()) % 100000)
    ap.add_argument('--workers', type=int, default=4)
    ap.add_argument('--netns', action='append', default=[],
                    help='namespaces of the seq workers (round robin)')
    ap.add_argument('what', choices=['msgs', 'seq'])
    ap.add_argument('count', type=float)
    a = ap.parse_args()
    spec = Spec(a.spec)
    if a.what == 'msgs':
        return run_msgs(spec, int(a.count), a.seed)
    return run_seq(spec, a.count, a.seed, a.workers, a.netns)


if __name__ == '__main__':
    sys.exit(main())
