#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Hand-made generic netlink requests to the nipsec family.

For the malformed-message tests: messages no well-behaved client (the tool,
YNL) would build. Attribute and command numbers come from
uapi/nipsec.yaml, so the tests name them as the spec does.

  nlraw.py [--spec FILE] send CMD ATTR...   one request, print the answer
  nlraw.py [--spec FILE] fuzz N SEED        N random requests, summary
  nlraw.py [--spec FILE] raw HEX            arbitrary bytes after the genl
                                            header of a sa-get request
  nlraw.py [--spec FILE] ops                the spec's requests, one
                                            "NAME do|dump" a line
  nlraw.py [--spec FILE] batch             one "send" per line of stdin:
                                            "[--dump] [--show A] CMD ATTR...",
                                            one answer line each
  nlraw.py [--spec FILE] each              every request of the spec (each
                                            op's do and dump) without
                                            attributes: "NAME do|dump ANSWER"
  nlraw.py [--spec FILE] subscribe GROUP SECS
                                            join a multicast group, then
                                            count the events for SECS

ATTR is TYPE:KIND:VALUE at the top level of the command's attribute set,
with TYPE a spec attribute name or a number and KIND one of u8, u16, u32,
u64, be32, str, strz, hex, nest (VALUE a ';'-separated list of inner
ATTRs in the nested set, use the set name as TYPE prefix: sel/src-prefix).

--show NAME,... appends "NAME=VALUE" for those top-level u32 attributes
of each reply (e.g. --show id for policy-new).

subscribe prints "join=ok" or "join=errno=NAME" (the join is refused with
EPERM without CAP_NET_ADMIN over the namespace's user namespace), then,
having joined or not, one "event CMD-NAME" line per event as it comes and
"events=N" at the end (not when killed: count the event lines).

The answer is one line: "errno=NAME extack=TEXT [offset=N] [missing=ATTR]"
(missing: the attribute the kernel reported missing, named when it is
top-level, else "missing=TYPE missing-nest=OFFSET") or "ok" (and
for a reply, "reply CMD LEN"). Exit status 0 unless the socket failed.
"""
import argparse
import errno
import os
import random
import shlex
import socket
import struct
import sys
import time

NETLINK_GENERIC = 16
GENL_ID_CTRL = 0x10
CTRL_CMD_GETFAMILY = 3
CTRL_ATTR_FAMILY_ID = 1
CTRL_ATTR_FAMILY_NAME = 2
NLM_F_REQUEST = 0x1
NLM_F_ACK = 0x4
NLM_F_DUMP = 0x300
NLMSG_ERROR = 2
NLMSG_DONE = 3
SOL_NETLINK = 270
NETLINK_CAP_ACK = 10
NETLINK_EXT_ACK = 11
NLM_F_ACK_TLVS = 0x200
NLMSGERR_ATTR_MSG = 1
NLMSGERR_ATTR_OFFS = 2
NLMSGERR_ATTR_MISS_TYPE = 5
NLMSGERR_ATTR_MISS_NEST = 6
# the request's attribute set, to name a missing attribute: {value: name}
MISSING_NAMES = {}
NLA_F_NESTED = 0x8000
CTRL_ATTR_MCAST_GROUPS = 7
CTRL_ATTR_MCAST_GRP_NAME = 1
CTRL_ATTR_MCAST_GRP_ID = 2
NETLINK_ADD_MEMBERSHIP = 1
OPDEFS = {}
MCGRPS = []
SHOW = {}


def load_spec(path):
    import yaml
    with open(path) as f:
        # libyaml's loader: the pure-Python one costs seconds under TCG
        spec = yaml.load(f, Loader=getattr(yaml, 'CSafeLoader', yaml.SafeLoader))
    sets = {}
    for s in spec['attribute-sets']:
        if 'subset-of' in s:
            continue
        sets[s['name']] = {}
        val = 1
        for a in s['attributes']:
            val = a.get('value', val)
            sets[s['name']][a['name']] = (val, a)
            val += 1
    for s in spec['attribute-sets']:
        if 'subset-of' in s:
            sets[s['name']] = sets[s['subset-of']]
    ops = {}
    val = 1
    for o in spec['operations']['list']:
        val = o.get('value', val)
        ops[o['name']] = (val, o.get('attribute-set'))
        OPDEFS[o['name']] = o
        val += 1
    MCGRPS[:] = [g['name'] for g in spec.get('mcast-groups', {}).get('list', [])]
    return sets, ops


def nla(atype, payload):
    ln = 4 + len(payload)
    return struct.pack('HH', ln, atype) + payload + b'\0' * ((4 - ln % 4) % 4)


class Genl:
    def __init__(self):
        self.sk = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_GENERIC)
        self.sk.setsockopt(SOL_NETLINK, NETLINK_EXT_ACK, 1)
        self.sk.setsockopt(SOL_NETLINK, NETLINK_CAP_ACK, 1)
        self.sk.bind((0, 0))
        self.sk.settimeout(10)
        self.seq = 0
        self.mcast = {}

    def send(self, family, cmd, payload, flags=NLM_F_REQUEST | NLM_F_ACK,
             version=1):
        self.seq += 1
        body = struct.pack('BBH', cmd, version, 0) + payload
        self.sk.send(struct.pack('IHHII', 16 + len(body), family, flags,
                                 self.seq, 0) + body)
        return self.seq

    def send_bytes(self, data):
        self.sk.send(data)

    def answers(self):
        """Messages up to the ACK/error or DONE of the last request."""
        out = []
        while True:
            data = self.sk.recv(1 << 16)
            off = 0
            while off + 16 <= len(data):
                ln, typ, flags, seq, _ = struct.unpack_from('IHHII', data, off)
                if ln < 16:
                    return out
                msg = data[off:off + ln]
                out.append((typ, flags, msg))
                off += (ln + 3) & ~3
                if typ in (NLMSG_ERROR, NLMSG_DONE):
                    return out

    def family(self, name):
        self.send(GENL_ID_CTRL, CTRL_CMD_GETFAMILY,
                  nla(CTRL_ATTR_FAMILY_NAME, name.encode() + b'\0'))
        fid = None
        for typ, _, msg in self.answers():
            if typ == NLMSG_ERROR:
                err = struct.unpack_from('i', msg, 16)[0]
                if err:
                    raise OSError(-err, 'family ' + name)
                continue
            off = 20
            while off + 4 <= len(msg):
                ln, at = struct.unpack_from('HH', msg, off)
                if ln < 4:
                    break
                if at == CTRL_ATTR_FAMILY_ID:
                    fid = struct.unpack_from('H', msg, off + 4)[0]
                elif at & 0x7fff == CTRL_ATTR_MCAST_GROUPS:
                    self.mcast.update(parse_groups(msg[off + 4:off + ln]))
                off += (ln + 3) & ~3
        if fid is None:
            raise OSError(errno.ENOENT, 'family ' + name)
        return fid


def attrs(data):
    """(type, payload) of the attributes in data."""
    off = 0
    while off + 4 <= len(data):
        ln, at = struct.unpack_from('HH', data, off)
        if ln < 4:
            break
        yield at & 0x3fff, data[off + 4:off + ln]
        off += (ln + 3) & ~3


def parse_groups(data):
    groups = {}
    for _, grp in attrs(data):
        name = gid = None
        for at, val in attrs(grp):
            if at == CTRL_ATTR_MCAST_GRP_NAME:
                name = val.rstrip(b'\0').decode()
            elif at == CTRL_ATTR_MCAST_GRP_ID:
                gid = struct.unpack('I', val[:4])[0]
        if name is not None:
            groups[name] = gid
    return groups


def describe(answers):
    """One line for the answer to a request."""
    parts = []
    for typ, flags, msg in answers:
        if typ == NLMSG_ERROR:
            err = struct.unpack_from('i', msg, 16)[0]
            if err == 0:
                parts.append('ok')
                continue
            text = 'errno=' + errno.errorcode.get(-err, str(-err))
            miss = nest = None
            if flags & NLM_F_ACK_TLVS:
                off = 20 + 16  # nlmsgerr: error, then the capped request header
                while off + 4 <= len(msg):
                    ln, at = struct.unpack_from('HH', msg, off)
                    if ln < 4:
                        break
                    val = msg[off + 4:off + ln]
                    if at == NLMSGERR_ATTR_MSG:
                        text += ' extack=' + val.rstrip(b'\0').decode(errors='replace')
                    elif at == NLMSGERR_ATTR_OFFS:
                        text += ' offset=%d' % struct.unpack('I', val[:4])[0]
                    elif at == NLMSGERR_ATTR_MISS_TYPE:
                        miss = struct.unpack('I', val[:4])[0]
                    elif at == NLMSGERR_ATTR_MISS_NEST:
                        nest = struct.unpack('I', val[:4])[0]
                    off += (ln + 3) & ~3
                if miss is not None:
                    # a top-level attribute is named; one in a nest is
                    # given by number and the nest's offset
                    if nest is None and miss in MISSING_NAMES:
                        text += ' missing=' + MISSING_NAMES[miss]
                    else:
                        text += ' missing=%d' % miss
                        if nest is not None:
                            text += ' missing-nest=%d' % nest
            parts.append(text)
        elif typ == NLMSG_DONE:
            parts.append('done')
        else:
            text = 'reply %d %d' % (msg[16], len(msg))
            for at, val in attrs(msg[20:]):
                if at in SHOW and len(val) >= 4:
                    text += ' %s=%d' % (SHOW[at], struct.unpack('I', val[:4])[0])
            parts.append(text)
    return ' | '.join(parts)


def encode_attr(sets, setname, spec_):
    name, kind, value = (spec_.split(':', 2) + ['', ''])[:3]
    if name.isdigit():
        atype = int(name)
        sub = None
    else:
        atype, adef = sets[setname][name]
        sub = adef.get('nested-attributes')
    if kind == 'u8':
        p = struct.pack('B', int(value, 0))
    elif kind == 'u16':
        p = struct.pack('H', int(value, 0))
    elif kind == 'u32':
        p = struct.pack('I', int(value, 0))
    elif kind == 'u64':
        p = struct.pack('Q', int(value, 0))
    elif kind == 'be32':
        p = struct.pack('>I', int(value, 0))
    elif kind == 'str':
        p = value.encode()
    elif kind == 'strz':
        p = value.encode() + b'\0'
    elif kind == 'hex':
        p = bytes.fromhex(value)
    elif kind == 'flag':
        p = b''
    elif kind == 'nest':
        p = b''.join(encode_attr(sets, sub, a) for a in value.split(';') if a)
        atype |= NLA_F_NESTED
    else:
        raise SystemExit('unknown kind ' + kind)
    return nla(atype, p)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser()
    ap.add_argument('--spec', default=os.path.join(here, '../../../uapi/nipsec.yaml'))
    ap.add_argument('--dump', action='store_true', help='send as a dump request')
    ap.add_argument('--version', type=int, default=1)
    ap.add_argument('--show', default='', help='u32 reply attributes to print')
    ap.add_argument('what')
    ap.add_argument('args', nargs='*')
    a = ap.parse_args()
    sets, ops = load_spec(a.spec)
    if a.what == 'ops':
        for name, o in OPDEFS.items():
            for mode in ('do', 'dump'):
                if mode in o:
                    print(name, mode)
        return
    g = Genl()
    fam = g.family('nipsec')
    flags = NLM_F_REQUEST | NLM_F_ACK | (NLM_F_DUMP if a.dump else 0)

    if a.what == 'batch':
        bp = argparse.ArgumentParser()
        bp.add_argument('--dump', action='store_true')
        bp.add_argument('--show', default='')
        bp.add_argument('args', nargs='+')
        for line in sys.stdin:
            if not line.strip():
                continue
            b = bp.parse_args(shlex.split(line))
            cmd, aset = ops[b.args[0]]
            SHOW.clear()
            for name in filter(None, b.show.split(',')):
                SHOW[sets[aset][name][0]] = name
            payload = b''.join(encode_attr(sets, aset, x) for x in b.args[1:])
            g.send(fam, cmd, payload,
                   NLM_F_REQUEST | NLM_F_ACK | (NLM_F_DUMP if b.dump else 0), a.version)
            print(describe(g.answers()), flush=True)
    elif a.what == 'send':
        cmdname = a.args[0]
        if cmdname.isdigit():
            cmd, aset = int(cmdname), 'sa'
        else:
            cmd, aset = ops[cmdname]
        for name in filter(None, a.show.split(',')):
            SHOW[sets[aset][name][0]] = name
        MISSING_NAMES.update({v[0]: n for n, v in sets[aset].items()})
        payload = b''.join(encode_attr(sets, aset, x) for x in a.args[1:])
        g.send(fam, cmd, payload, flags, a.version)
        print(describe(g.answers()))
    elif a.what == 'each':
        for name, o in OPDEFS.items():
            for mode in ('do', 'dump'):
                if mode in o:
                    fl = NLM_F_REQUEST | NLM_F_ACK | (NLM_F_DUMP if mode == 'dump' else 0)
                    g.send(fam, ops[name][0], b'', fl, a.version)
                    print(name, mode, describe(g.answers()), flush=True)
    elif a.what == 'subscribe':
        grp, secs = a.args[0], float(a.args[1])
        try:
            g.sk.setsockopt(SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, g.mcast[grp])
            print('join=ok', flush=True)
        except OSError as e:
            print('join=errno=' + errno.errorcode.get(e.errno, str(e.errno)),
                  flush=True)
        names = {v[0]: k for k, v in ops.items()}
        seen = []
        end = time.monotonic() + secs
        while time.monotonic() < end:
            g.sk.settimeout(max(0.01, end - time.monotonic()))
            try:
                data = g.sk.recv(1 << 16)
            except socket.timeout:
                break
            off = 0
            while off + 20 <= len(data):
                ln, typ = struct.unpack_from('IH', data, off)
                if ln < 16:
                    break
                if typ == fam:
                    seen.append(names.get(data[off + 16], str(data[off + 16])))
                    print('event', seen[-1], flush=True)
                off += (ln + 3) & ~3
        print('events=%d' % len(seen))
    elif a.what == 'raw':
        g.send(fam, ops['sa-get'][0], bytes.fromhex(a.args[0]), flags)
        print(describe(g.answers()))
    elif a.what == 'fuzz':
        n, seed = int(a.args[0]), int(a.args[1])
        rnd = random.Random(seed)
        counts = {}
        for i in range(n):
            cmd = rnd.randrange(0, 20)
            if rnd.random() < 0.5:
                # random bytes
                payload = bytes(rnd.randrange(256) for _ in range(rnd.randrange(0, 200)))
            else:
                # well-formed TLVs with random types, lengths and contents
                payload = b''
                for _ in range(rnd.randrange(1, 8)):
                    t = rnd.randrange(0, 40) | (NLA_F_NESTED if rnd.random() < 0.2 else 0)
                    payload += nla(t, bytes(rnd.randrange(256)
                                            for _ in range(rnd.randrange(0, 40))))
            fl = NLM_F_REQUEST | NLM_F_ACK | (NLM_F_DUMP if rnd.random() < 0.2 else 0)
            g.send(fam, cmd, payload, fl, rnd.randrange(0, 3))
            ans = g.answers()
            last = describe(ans[-1:]).split(' extack=')[0].split(' offset=')[0]
            counts[last] = counts.get(last, 0) + 1
        for k in sorted(counts):
            print('%s %d' % (k, counts[k]))
    else:
        raise SystemExit('unknown command ' + a.what)


if __name__ == '__main__':
    main()
