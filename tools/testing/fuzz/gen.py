#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Generate the nipsec packet-fuzzer corpus (runs on the host).

  gen.py --seed S --packets N --out DIR [--nest-max D] [--classes a,b,...]

Writes DIR/meta.json (the SAs the guest must install: SPIs, keys, modes,
addresses; the classes in send order with their packet counts) and one
pcap per class, DIR/NN-CLASS.pcap.  Everything is derived from the seed:
the same arguments give the same bytes.

The packets are built with scapy (Debian's python3-scapy) and, for GMAC
(which scapy lacks), with python3-cryptography directly: an implementation
independent of nipsec's.  The generator knows the keys, so most packets
carry a valid ICV over hostile contents; the rest are meant to fail it.

The Ethernet addresses in the pcaps are placeholders: the guest's sender
(send.c) writes the real ones over them.  Sequence numbers are assigned in
send order per SA, so replay protection sees the order it would on a wire;
classes meant to be fresh are fresh, "replay" resends old ones on purpose.

Each class is "exact" or not: for an exact class, the guest checks that
every packet was counted exactly once (a nipsec drop reason, or delivered
to the stack, or a counted kernel drop).
"""
import argparse
import json
import multiprocessing
import os
import random
import struct
import sys

from scapy.config import conf
conf.ipv6_enabled = True
from scapy.layers.inet import IP, UDP, ICMP  # noqa: E402
from scapy.layers.inet6 import (IPv6, IPv6ExtHdrHopByHop,  # noqa: E402
                                IPv6ExtHdrDestOpt, IPv6ExtHdrRouting,
                                IPv6ExtHdrFragment, ICMPv6EchoRequest,
                                ICMPv6DestUnreach, ICMPv6PacketTooBig,
                                ICMPv6TimeExceeded, ICMPv6ParamProblem,
                                PadN)
from scapy.layers.ipsec import (SecurityAssociation, ESP, AH,  # noqa: E402
                                AuthAlgo, _ESPPlain)
from scapy.utils import wrpcap  # noqa: E402
from scapy.layers.l2 import Ether  # noqa: E402
from scapy.packet import Raw  # noqa: E402
from cryptography.hazmat.primitives.ciphers.aead import AESGCM  # noqa: E402

_scapy_sign = AuthAlgo.sign


def _sign_ah_first(self, pkt, key, esn_en=False, esn=0):
    """scapy's signer looks for ESP before AH anywhere in the packet, so
    an AH packet whose payload dissects as ESP (next header 50, or a tunnel
    packet carrying ESP) got the ICV added to that ESP's data and failed.
    What AH protects is opaque to it: keep it raw."""
    ah = pkt.getlayer(AH)
    if ah is not None and ah.payload.haslayer(ESP):
        body = bytes(ah.payload)
        ah.remove_payload()
        ah.add_payload(Raw(body))
    return _scapy_sign(self, pkt, key, esn_en=esn_en, esn=esn)


AuthAlgo.sign = _sign_ah_first

A4, A6 = '192.0.2.1', '2001:db8::1'
IA4, IA6 = '10.1.0.1', 'fd00:1::1'
SMAC, DMAC = '02:00:00:00:00:02', '02:00:00:00:00:01'

# name: (scapy crypt, crypt key bytes incl. salt, scapy auth, auth key
#        bytes, nipsec/ip-xfrm algorithm words with {K} {A} for the keys)
# (nipsec has no CCM: rfc4309 is not among them)
ESP_ALGS = {
    'gcm128': ('AES-GCM', 20, 'NULL', 0, ['aead', 'rfc4106(gcm(aes))', '{K}', '128']),
    'gcm256': ('AES-GCM', 36, 'NULL', 0, ['aead', 'rfc4106(gcm(aes))', '{K}', '128']),
    'chacha': ('CHACHA20-POLY1305', 36, 'NULL', 0,
               ['aead', 'rfc7539esp(chacha20,poly1305)', '{K}', '128']),
    'gmac': ('GMAC', 20, 'NULL', 0, ['aead', 'rfc4543(gcm(aes))', '{K}', '128']),
    'cbc-sha1': ('AES-CBC', 16, 'HMAC-SHA1-96', 20,
                 ['enc', 'cbc(aes)', '{K}', 'auth', 'hmac(sha1)', '{A}']),
    'cbc-sha256': ('AES-CBC', 32, 'SHA2-256-128', 32,
                   ['enc', 'cbc(aes)', '{K}', 'auth-trunc', 'hmac(sha256)', '{A}', '128']),
    'cbc-sha512': ('AES-CBC', 32, 'SHA2-512-256', 64,
                   ['enc', 'cbc(aes)', '{K}', 'auth-trunc', 'hmac(sha512)', '{A}', '256']),
    'null-sha256': ('NULL', 0, 'SHA2-256-128', 32,
                    ['enc', 'ecb(cipher_null)', '', 'auth-trunc', 'hmac(sha256)', '{A}', '128']),
}
AH_ALGS = {
    'ah-sha256': ('SHA2-256-128', 32, ['auth-trunc', 'hmac(sha256)', '{A}', '128']),
    'ah-sha1': ('HMAC-SHA1-96', 20, ['auth', 'hmac(sha1)', '{A}']),
}


class SA:
    """One inbound SA (peer B_idx -> A) and its outbound twin (A -> B_idx)."""

    def __init__(self, rng, idx, proto, mode, fam, alg, encap=False, ifam=None):
        self.idx, self.proto, self.mode, self.fam, self.alg = idx, proto, mode, fam, alg
        self.encap = encap
        self.ifam = ifam or fam
        self.spi_in = 0x10000 + idx
        self.spi_out = 0x20000 + idx
        self.reqid = 100 + idx
        self.seq = 0
        self.b = '192.0.2.%d' % (20 + idx) if fam == 4 else '2001:db8::%x' % (0x100 + idx)
        self.a = A4 if fam == 4 else A6
        self.ib = ('10.9.%d.2' % idx) if self.ifam == 4 else ('fd00:9:%x::2' % idx)
        self.ia = IA4 if self.ifam == 4 else IA6
        if proto == 'esp':
            crypt, klen, auth, alen, words = ESP_ALGS[alg]
        else:
            auth, alen, words = AH_ALGS[alg]
            crypt, klen = None, 0
        self.key = bytes(rng.getrandbits(8) for _ in range(klen))
        self.akey = bytes(rng.getrandbits(8) for _ in range(alen))
        self.words = [w.replace('{K}', '0x' + self.key.hex())
                      .replace('{A}', '0x' + self.akey.hex()) for w in words]
        self.gmac = crypt == 'GMAC'
        nat = UDP(sport=4500, dport=4500) if encap else None
        if proto == 'ah':
            self.sa = SecurityAssociation(AH, spi=self.spi_in, auth_algo=auth,
                                          auth_key=self.akey)
        elif not self.gmac:
            self.sa = SecurityAssociation(ESP, spi=self.spi_in, crypt_algo=crypt,
                                          crypt_key=self.key, auth_algo=auth,
                                          auth_key=self.akey or None, nat_t_header=nat)
        self.block = 16 if crypt == 'AES-CBC' else 4
        self.ivlen = {'AES-CBC': 16, 'NULL': 0}.get(crypt, 8)

    def meta(self):
        return {'idx': self.idx, 'proto': self.proto, 'mode': self.mode,
                'fam': self.fam, 'ifam': self.ifam, 'alg': self.alg,
                'encap': self.encap, 'spi_in': self.spi_in, 'spi_out': self.spi_out,
                'reqid': self.reqid, 'a': self.a, 'b': self.b, 'ia': self.ia,
                'ib': self.ib, 'words': self.words}

    def name(self):
        return '%s%s-%s-%d%s' % ('udp-' if self.encap else '', self.proto, self.mode,
                                 self.fam, '' if self.ifam == self.fam else 'in%d' % self.ifam)

    def next_seq(self):
        self.seq += 1
        return self.seq

    # -- ESP -------------------------------------------------------------
    def esp_seal(self, rng, nh, data, seq, pad=None, padlen=None):
        """ESP bytes (from the SPI) over DATA with next header NH; PAD and
        PADLEN override the trailer (then the caller keeps CBC aligned)."""
        if pad is None:
            plen = (-(len(data) + 2)) % self.block
            pad = bytes(range(1, plen + 1))
        if padlen is None:
            padlen = len(pad)
        iv = bytes(rng.getrandbits(8) for _ in range(self.ivlen))
        if self.gmac:
            clear = data + pad + bytes([padlen & 0xff, nh & 0xff])
            hdr = struct.pack('!II', self.spi_in, seq)
            tag = AESGCM(self.key[:16]).encrypt(self.key[16:] + iv, b'', hdr + iv + clear)
            return hdr + iv + clear + tag
        if self.block == 16 and (len(data) + len(pad) + 2) % 16:
            raise ValueError('unaligned CBC')
        esp = _ESPPlain(spi=self.spi_in, seq=seq, iv=iv)
        esp.data = Raw(data)
        esp.padding = pad
        esp.padlen = padlen & 0xff
        esp.nh = nh & 0xff
        s = self.sa
        esp = s.crypt_algo.encrypt(s, esp, s.crypt_key, s.crypt_icv_size)
        s.auth_algo.sign(esp, s.auth_key)
        return bytes(esp)

    def outer(self, proto, body, src=None, dst=None):
        """The outer IP packet (bytes) carrying BODY as PROTO, in UDP 4500
        for ESP-in-UDP SAs."""
        src, dst = src or self.b, dst or self.a
        if self.encap and proto == 50:
            l4 = UDP(sport=4500, dport=4500) / Raw(body)
            proto = 17
        else:
            l4 = Raw(body)
        if self.fam == 4:
            return bytes(IP(src=src, dst=dst, proto=proto, ttl=64, id=ipid()) / l4)
        return bytes(IPv6(src=src, dst=dst, nh=proto, hlim=64) / l4)

    # -- what goes inside --------------------------------------------------
    def inner(self, rng, size=None, l4=None):
        """(next header, bytes) of a well-formed inner packet: transport
        mode an upper-layer segment A <- B, tunnel mode an IP packet."""
        size = rng.randrange(0, 600) if size is None else size
        payload = bytes(rng.getrandbits(8) for _ in range(size))
        l4 = l4 or rng.choice(['udp', 'udp', 'icmp'])
        src, dst, fam = (self.ib, self.ia, self.ifam) if self.mode == 'tunnel' \
            else (self.b, self.a, self.fam)
        if l4 == 'udp':
            up = UDP(sport=rng.randrange(1024, 65535), dport=rng.choice([9, 7, 5353, 33434]))
        elif fam == 4:
            up = ICMP(type=8, id=rng.getrandbits(16), seq=rng.getrandbits(16))
        else:
            up = ICMPv6EchoRequest(id=rng.getrandbits(16), seq=rng.getrandbits(16))
        ip = IP(src=src, dst=dst, ttl=64) if fam == 4 else IPv6(src=src, dst=dst, hlim=64)
        pkt = bytes(ip / up / Raw(payload))
        if self.mode == 'tunnel':
            return (4 if fam == 4 else 41), pkt
        hl = (pkt[0] & 15) * 4 if fam == 4 else 40
        return (pkt[9] if fam == 4 else pkt[6]), pkt[hl:]

    def ip_of(self, nh, seg):
        """Transport mode: the plain IP packet B -> A carrying SEG."""
        if self.fam == 4:
            return IP(src=self.b, dst=self.a, proto=nh, ttl=64, id=ipid()) / Raw(seg)
        return IPv6(src=self.b, dst=self.a, nh=nh, hlim=64) / Raw(seg)

    def seal(self, rng, nh, data, seq=None, **kw):
        """The complete outer IP packet protecting (NH, DATA)."""
        seq = self.next_seq() if seq is None else seq
        if self.proto == 'esp':
            return self.outer(50, self.esp_seal(rng, nh, data, seq, **kw))
        # AH: authenticate the whole packet
        if self.mode == 'tunnel':
            hdr = IP(src=self.b, dst=self.a, ttl=64, id=ipid()) if self.fam == 4 \
                else IPv6(src=self.b, dst=self.a, hlim=64)
            pkt = hdr / Raw(data)
            if self.fam == 4:
                pkt[IP].proto = nh
            else:
                pkt[IPv6].nh = nh
            pkt = pkt.__class__(bytes(pkt))
        else:
            pkt = self.ip_of(nh, data)
            pkt = pkt.__class__(bytes(pkt))
        return bytes(self.sa.encrypt(pkt, seq_num=seq))

    def valid(self, rng, size=None):
        nh, data = self.inner(rng, size)
        return self.seal(rng, nh, data)


_IPID = [0]


def ipid():
    """IPv4 identification: a new one per packet (deterministic).  AH's
    ICV covers it, so fragments() keeps the packet's own."""
    _IPID[0] = (_IPID[0] + 1) & 0xffff
    return _IPID[0]


def frame(ippkt):
    v6 = (ippkt[0] >> 4) == 6
    return Ether(src=SMAC, dst=DMAC, type=0x86dd if v6 else 0x0800) / Raw(ippkt)


def rbytes(rng, n):
    return bytes(rng.getrandbits(8) for _ in range(n))


def fix_len(p, extra=0):
    """Set an IPv4/IPv6 header's length fields to what P holds (+EXTRA)."""
    p = bytearray(p)
    if p[0] >> 4 == 4:
        struct.pack_into('!H', p, 2, len(p) + extra)
        struct.pack_into('!H', p, 10, 0)
        s = sum(struct.unpack('!10H', bytes(p[:20])))
        while s >> 16:
            s = (s & 0xffff) + (s >> 16)
        struct.pack_into('!H', p, 10, ~s & 0xffff)
    else:
        struct.pack_into('!H', p, 4, len(p) - 40 + extra)
    return bytes(p)


def set_len(p, value):
    p = bytearray(p)
    if p[0] >> 4 == 4:
        struct.pack_into('!H', p, 2, value & 0xffff)
        struct.pack_into('!H', p, 10, 0)
        s = sum(struct.unpack('!10H', bytes(p[:20])))
        while s >> 16:
            s = (s & 0xffff) + (s >> 16)
        struct.pack_into('!H', p, 10, ~s & 0xffff)
    else:
        struct.pack_into('!H', p, 4, value & 0xffff)
    return bytes(p)


# ---------------------------------------------------------------- classes
# Each takes (rng, sas, n) and returns a list of (frames, datagrams): the
# frames to send and how many IP datagrams they make once reassembled.

def c_valid(rng, sas, n):
    return [([s.valid(rng)], 1) for s in (rng.choice(sas) for _ in range(n))]


def mutate_inner_ip(rng, pkt):
    p = bytearray(pkt)
    v6 = p[0] >> 4 == 6
    what = rng.randrange(8)
    if v6:
        if what == 0:
            struct.pack_into('!H', p, 4, rng.choice([0, 1, 0xffff, len(p), len(p) - 39]))
        elif what == 1:
            p[6] = rng.randrange(256)
        elif what == 2:
            p[0] = (rng.randrange(16) << 4) | (p[0] & 15)
        elif what == 3:
            p = p[:rng.randrange(0, len(p))]
        else:
            for _ in range(rng.randrange(1, 8)):
                i = rng.randrange(len(p))
                p[i] = rng.randrange(256)
            p[24:40] = bytes(pkt[24:40])    # keep the destination local
    else:
        if what == 0:
            struct.pack_into('!H', p, 2, rng.choice([0, 1, 19, 20, 0xffff, len(p) + 1]))
        elif what == 1:
            p[0] = (p[0] & 0xf0) | rng.randrange(16)
        elif what == 2:
            p[0] = (rng.randrange(16) << 4) | (p[0] & 15)
        elif what == 3:
            p = p[:rng.randrange(0, len(p))]
        elif what == 4:
            p[9] = rng.randrange(256)
        elif what == 5:                     # fragment bits inside
            struct.pack_into('!H', p, 6, rng.getrandbits(16))
        else:
            for _ in range(rng.randrange(1, 8)):
                i = rng.randrange(len(p))
                p[i] = rng.randrange(256)
            p[16:20] = bytes(pkt[16:20])
    return bytes(p)


def mutate_segment(rng, seg):
    p = bytearray(seg)
    if not p:
        return bytes(p)
    what = rng.randrange(5)
    if what == 0 and len(p) >= 8:          # UDP length / ICMP fields
        struct.pack_into('!H', p, 4, rng.choice([0, 1, 7, 8, 0xffff, len(p) + 1]))
    elif what == 1:
        p = p[:rng.randrange(0, len(p))]
    elif what == 2:
        p[0] = rng.randrange(256)
        if len(p) > 1:
            p[1] = rng.randrange(256)
    else:
        for _ in range(rng.randrange(1, 6)):
            i = rng.randrange(len(p))
            p[i] = rng.randrange(256)
    return bytes(p)


def c_inner(rng, sas, n):
    out = []
    for _ in range(n):
        s = rng.choice(sas)
        nh, data = s.inner(rng, rng.randrange(0, 200))
        data = mutate_inner_ip(rng, data) if s.mode == 'tunnel' else mutate_segment(rng, data)
        if rng.randrange(4) == 0:
            nh = rng.randrange(256)
        out.append(([s.seal(rng, nh, data)], 1))
    return out


def c_trailer(rng, sas, n):
    """Valid ICV, bad trailer: padding bytes, pad length, next header."""
    out = []
    esps = [s for s in sas if s.proto == 'esp']
    for _ in range(n):
        s = rng.choice(esps)
        nh, data = s.inner(rng, rng.randrange(0, 100))
        what = rng.randrange(6)
        pad, padlen = None, None
        if what == 0:                       # wrong padding bytes
            k = rng.randrange(1, 16)
            pad = rbytes(rng, k)
        elif what == 1:                     # pad length beyond the payload
            padlen = rng.choice([len(data) + 1, 255, 254, len(data) + 200])
        elif what == 2:                     # nothing but the trailer
            data = b''
            if rng.randrange(2):
                padlen = rng.randrange(256)
        elif what == 3:                     # any next header
            nh = rng.choice([0, 1, 4, 6, 17, 41, 43, 44, 50, 51, 58, 59, 60, 97, 135, 255,
                             rng.randrange(256)])
        elif what == 4:                     # padding eats exactly all
            padlen = len(data)
            pad = b''
        else:                               # long padding (255) + data
            pad = bytes(range(1, 256))
            padlen = 255
        if s.block == 16:
            # keep the encrypted part CBC-aligned: the ICV must stay valid
            plen = len(pad) if pad is not None else (-(len(data) + 2)) % 16
            r = (len(data) + plen + 2) % 16
            if r:
                data += bytes(16 - r)
            if pad is None:
                pad = bytes(range(1, ((-(len(data) + 2)) % 16) + 1))
                padlen = len(pad) if padlen is None else padlen
        out.append(([s.seal(rng, nh, data, pad=pad, padlen=padlen)], 1))
    return out


def c_nest(rng, sas, n, dmin, dmax):
    """ESP in ESP (and AH in AH, ESP in UDP ESP) of one transport SA, each
    level with a fresh sequence number and a valid ICV; and mixed nesting
    across SAs of one family (counted as whatever nipsec decides)."""
    out = []
    tsas = [s for s in sas if s.mode == 'transport']
    for _ in range(n):
        s = rng.choice(tsas)
        depth = rng.randrange(dmin, dmax + 1)
        if s.proto == 'ah':
            depth = min(depth, 20)
        mixed = rng.randrange(5) == 0
        chain = [s] * depth
        if mixed:
            same = [t for t in tsas if t.fam == s.fam]
            chain = [rng.choice(same) for _ in range(depth)]
        # the outermost is processed first: it gets the lowest sequence number
        seqs = {}
        for lvl, t in enumerate(chain):
            seqs[lvl] = t.next_seq()
        nh, data = s.inner(rng, rng.randrange(0, 64))
        for lvl in range(depth - 1, -1, -1):
            t = chain[lvl]
            pkt = t.seal(rng, nh, data, seq=seqs[lvl])
            if lvl == 0:
                break
            # strip the outer IP header: the next level protects the rest
            if t.fam == 4:
                hl = (pkt[0] & 15) * 4
                nh, data = pkt[9], pkt[hl:]
            else:
                nh, data = pkt[6], pkt[40:]
        out.append(([pkt], 1))
    return out


def fragments(rng, pkt, cuts, order):
    """Fragment IP packet PKT at byte offsets CUTS (multiples of 8, in the
    part after the IP header); ORDER permutes the fragments."""
    v6 = pkt[0] >> 4 == 6
    hl = 40 if v6 else (pkt[0] & 15) * 4
    hdr, body = pkt[:hl], pkt[hl:]
    bounds = [0] + sorted(cuts) + [len(body)]
    ident = rng.getrandbits(32) if v6 else struct.unpack('!H', pkt[4:6])[0]
    frags = []
    for i in range(len(bounds) - 1):
        a, b = bounds[i], bounds[i + 1]
        more = i < len(bounds) - 2
        if v6:
            fh = struct.pack('!BBHI', pkt[6], 0, (a & ~7) | int(more), ident)
            h = bytearray(hdr)
            h[6] = 44
            frags.append(fix_len(bytes(h) + fh + body[a:b]))
        else:
            h = bytearray(hdr)
            struct.pack_into('!HH', h, 4, ident, (a >> 3) | (0x2000 if more else 0))
            frags.append(fix_len(bytes(h) + body[a:b]))
    if order == 'reverse':
        frags.reverse()
    elif order == 'shuffle':
        rng.shuffle(frags)
    return frags


def first_frag_min(pkt):
    """The least an IPv6 first fragment of PKT must hold after the IPv6
    header: every header through the upper-layer one (RFC 8200 4.5), as
    Linux counts them (ipv6frag_thdr_truncated(): AH is an extension
    header, then TCP, UDP or ICMPv6 whole, or one byte of anything else).
    Linux discards a shorter first fragment; IPv4 has no such rule."""
    if pkt[0] >> 4 != 6:
        return 8
    nh, off = pkt[6], 40
    if nh == 51:
        nh, off = pkt[off], off + (pkt[off + 1] + 2) * 4
    return off - 40 + {6: 20, 17: 8, 58: 8}.get(nh, 1)


def c_frag(rng, sas, n, kind):
    """Valid packets (of the SAs of KIND: esp4, ah6, udp4, ...) fragmented
    at every 8-byte offset (inside the ESP or AH header, the IV, the
    payload, the trailer, the ICV), in order, reversed or shuffled, 2 to 5
    fragments.  An IPv6 first fragment holds the headers RFC 8200 asks
    for (first_frag_min()); shorter ones are frag-bad's."""
    out = []
    sas = [s for s in sas if '%s%d' % ('udp' if s.encap else s.proto, s.fam) == kind]
    while len(out) < n:
        s = rng.choice(sas)
        size = rng.randrange(0, 120)
        pkt = s.valid(rng, size)
        hl = 40 if s.fam == 6 else 20
        blen = len(pkt) - hl
        offs = [o for o in range(8, blen, 8) if o >= first_frag_min(pkt)]
        if rng.randrange(3) == 0:
            # sweep every offset of one packet size (a fresh packet each)
            for o in offs:
                if len(out) >= n:
                    break
                p = s.valid(rng, size)
                if o < len(p) - hl:
                    out.append((fragments(rng, p, [o], 'inorder'), 1))
        else:
            k = rng.randrange(1, min(5, len(offs) + 1)) if offs else 0
            cuts = rng.sample(offs, k) if k else []
            order = rng.choice(['inorder', 'reverse', 'shuffle'])
            out.append((fragments(rng, pkt, cuts, order), 1))
    return out[:n]


def c_frag_bad(rng, sas, n):
    """Hostile fragments: overlaps, duplicates, tiny, odd lengths, offset
    past 64 KiB.  Not exact: reassembly failures are counted per event."""
    out = []
    for _ in range(n):
        s = rng.choice(sas)
        pkt = s.valid(rng, rng.randrange(0, 100))
        hl = 40 if s.fam == 6 else 20
        blen = len(pkt) - hl
        offs = list(range(8, blen, 8)) or [8]
        fr = fragments(rng, pkt, rng.sample(offs, min(len(offs), rng.randrange(1, 4))),
                       'shuffle')
        what = rng.randrange(5)
        if what == 0:
            fr.append(rng.choice(fr))                   # duplicate
        elif what == 1:
            fr = fr[:-1] or fr                          # missing one
        elif what == 2 and len(fr) > 1:                 # overlap: shift one offset
            f = bytearray(fr[1])
            if s.fam == 4:
                off = struct.unpack('!H', f[6:8])[0]
                struct.pack_into('!H', f, 6, (off & 0xe000) | max(0, (off & 0x1fff) - 1))
                f = bytearray(fix_len(bytes(f)))
            else:
                off = struct.unpack('!H', f[42:44])[0]
                struct.pack_into('!H', f, 42, max(0, off - 8) | (off & 7))
            fr[1] = bytes(f)
        elif what == 4 and s.fam == 6 and first_frag_min(pkt) > 8:
            # RFC 8200 4.5: a first fragment without the whole header
            # chain (inside AH or the inner transport header)
            fr = fragments(rng, pkt, [8 * rng.randrange(1, (first_frag_min(pkt) + 7) // 8)],
                           'inorder')
        else:                                           # offset near 64 KiB
            f = bytearray(fr[-1])
            if s.fam == 4:
                struct.pack_into('!H', f, 6, 0x1fff)
                f = bytearray(fix_len(bytes(f)))
            else:
                struct.pack_into('!H', f, 42, 0xfff8)
            fr[-1] = bytes(f)
        out.append((fr, 1))
    return out


def c_ext6(rng, sas, n):
    """IPv6 extension-header chains before ESP/AH: hop-by-hop, destination
    options, routing (segments left 0), atomic fragment, long chains.

    No atomic fragment with AH: nf_defrag_ipv6 (which nipsec enables, as
    conntrack does) removes a fragment header wherever it stands in front
    of the upper layer, AH's payload included, before AH is verified
    (RFC 4302 3.4.1 reassembles first), while scapy's ICV covers it; XFRM
    under conntrack fails those packets the same way."""
    out = []
    six = [s for s in sas if s.fam == 6]
    for _ in range(n):
        s = rng.choice(six)
        chain = []
        for _ in range(rng.randrange(1, 6)):
            k = rng.randrange(5)
            if k == 3 and s.proto == 'ah':
                k = 1
            if k == 0 and not chain:
                chain.append(IPv6ExtHdrHopByHop(options=[PadN(optdata=rbytes(rng, rng.randrange(0, 12)))]))
            elif k in (0, 1):
                chain.append(IPv6ExtHdrDestOpt(options=[PadN(optdata=b'\0' * rng.randrange(0, 30))]))
            elif k == 2:
                chain.append(IPv6ExtHdrRouting(type=rng.choice([0, 2, 4, 253]), segleft=0,
                                               addresses=[]))
            elif k == 3:
                chain.append(IPv6ExtHdrFragment(offset=0, m=0, id=rng.getrandbits(32)))
            else:
                chain.append(IPv6ExtHdrDestOpt(options=[PadN(optdata=rbytes(rng, 4))]))
        nh, data = s.inner(rng, rng.randrange(0, 100))
        if s.proto == 'ah':
            base = IPv6(src=s.b, dst=s.a, hlim=64)
            for h in chain:
                base = base / h
            base = base / Raw(data)
            base.lastlayer().underlayer.nh = nh
            pkt = base.__class__(bytes(base))
            pkt = bytes(s.sa.encrypt(pkt, seq_num=s.next_seq()))
        else:
            body = s.esp_seal(rng, nh, data, s.next_seq())
            base = IPv6(src=s.b, dst=s.a, hlim=64)
            for h in chain:
                base = base / h
            if s.encap:
                base = base / UDP(sport=4500, dport=4500) / Raw(body)
            else:
                base = base / Raw(body)
                base[Raw].underlayer.nh = 50
            pkt = bytes(base)
        out.append(([pkt], 1))
    return out


def c_len(rng, sas, n, what):
    """Valid packets with wrong outer lengths (one class per WHAT): cut at
    every byte (inside the ESP/AH header, the IV, the payload, the ICV)
    with consistent lengths; a length field saying more, less or zero;
    the UDP length of ESP-in-UDP wrong, or junk after the packet."""
    out = []
    for _ in range(n):
        s = rng.choice([t for t in sas if t.encap] if what == 'udp' else sas)
        pkt = s.valid(rng, rng.randrange(0, 80))
        hl = 40 if s.fam == 6 else 20
        if what == 'cut':                   # cut, lengths consistent
            p = fix_len(pkt[:rng.randrange(hl, len(pkt))])
        elif what == 'long':                # length field says more
            v = rng.choice([len(pkt) + 1, 0xffff, len(pkt) + 100])
            p = set_len(pkt, v - 40 if s.fam == 6 else v)
        elif what == 'short':               # length field says less / zero
            v = rng.choice([0, 1, hl - 1, hl, hl + 4, hl + 8, len(pkt) - 1])
            p = set_len(pkt, max(0, v - 40) if s.fam == 6 else v)
        elif what == 'udp':                 # UDP length of ESP-in-UDP wrong
            p = bytearray(pkt)
            struct.pack_into('!H', p, hl + 4, rng.choice([0, 8, 9, 16, 0xffff, len(p) - hl + 1]))
            p = bytes(p)
        else:                               # junk after the packet
            p = fix_len(pkt + rbytes(rng, rng.randrange(1, 40)))
        out.append(([p], 1))
    return out


def c_badicv(rng, sas, n):
    """No valid ICV: bit flips, random SPIs, random sequence numbers,
    garbage behind a known SPI."""
    out = []
    for _ in range(n):
        s = rng.choice(sas)
        pkt = bytearray(s.valid(rng, rng.randrange(0, 200)))
        hl = 40 if s.fam == 6 else 20
        off = hl + (8 if s.encap else 0)
        what = rng.randrange(5)
        if what == 0:                       # flip a bit past the headers
            i = rng.randrange(off, len(pkt))
            pkt[i] ^= 1 << rng.randrange(8)
        elif what == 1:                     # unknown SPI
            spi_at = off + (4 if s.proto == 'ah' else 0)
            struct.pack_into('!I', pkt, spi_at, rng.choice([0, 1, 255, 256, 0xffffffff,
                                                            rng.getrandbits(32)]))
        elif what == 2:                     # another sequence number
            seq_at = off + (8 if s.proto == 'ah' else 4)
            struct.pack_into('!I', pkt, seq_at, rng.getrandbits(32))
        elif what == 3:                     # garbage behind a valid SPI
            keep = off + 8
            pkt = pkt[:keep] + bytearray(rbytes(rng, rng.randrange(0, 300)))
            pkt = bytearray(fix_len(bytes(pkt)))
        else:                               # several flips
            for _ in range(rng.randrange(2, 10)):
                i = rng.randrange(off, len(pkt))
                pkt[i] ^= rng.randrange(1, 256)
        if s.encap:
            struct.pack_into('!H', pkt, hl + 4, len(pkt) - hl)
            struct.pack_into('!H', pkt, hl + 6, 0)
            if s.fam == 6:
                pkt = bytearray(bytes(IPv6(bytes(pkt[:hl])) / UDP(sport=4500, dport=4500) /
                                      Raw(bytes(pkt[hl + 8:]))))
        out.append(([bytes(pkt)], 1))
    return out


def c_replay(rng, sas, n):
    """Valid packets sent twice, and old sequence numbers below the
    window: the second copy must be refused."""
    out = []
    while len(out) < n:
        s = rng.choice(sas)
        pkt = s.valid(rng, rng.randrange(0, 100))
        out.append(([pkt], 1))
        out.append(([pkt], 1))
        base = s.seq & ~((1 << 26) - 1)
        if s.seq - base > 200 and rng.randrange(2):
            nh, data = s.inner(rng, 20)
            old = rng.randrange(base + 1, s.seq - 100)
            out.append(([s.seal(rng, nh, data, seq=old)], 1))
    return out[:n]


def quote(rng, s):
    """An ESP/AH packet A -> B of S's outbound SA, as an ICMP error quotes it."""
    body = struct.pack('!II', s.spi_out, rng.getrandbits(20)) + rbytes(rng, 64)
    if s.proto == 'ah':
        body = bytes([59, 4, 0, 0]) + body
    if s.encap:
        prot = 17
        body = struct.pack('!HHHH', 4500, 4500, len(body) + 8, 0) + body
    else:
        prot = 50 if s.proto == 'esp' else 51
    if s.fam == 4:
        q = bytes(IP(src=s.a, dst=s.b, proto=prot, ttl=64) / Raw(body))
    else:
        q = bytes(IPv6(src=s.a, dst=s.b, nh=prot, hlim=64) / Raw(body))
    return q[:rng.choice([len(q), 28, 48, 24, 20, 8, 1, 0, 60, 40, 44])]


def c_icmp(rng, sas, n):
    """ICMP errors from B quoting protected packets A -> B (in clear, and
    inside the SA), truncated quotes included."""
    out = []
    for _ in range(n):
        s = rng.choice(sas)
        q = quote(rng, s)
        if s.fam == 4:
            t, c = rng.choice([(3, 4), (3, 3), (3, 1), (11, 0), (12, 0), (3, 13), (5, 1)])
            icmp = bytes(ICMP(type=t, code=c, nexthopmtu=rng.choice([0, 68, 500, 1280, 1500])
                              if (t, c) == (3, 4) else 0) / Raw(q))
            nh = 1
        else:
            cls = rng.choice([ICMPv6PacketTooBig, ICMPv6DestUnreach, ICMPv6TimeExceeded,
                              ICMPv6ParamProblem])
            ip6 = IPv6(src=s.b, dst=s.a) / cls() / Raw(q)
            icmp = bytes(ip6)[40:]
            nh = 58
        if rng.randrange(3) == 0 and s.mode == 'transport':
            out.append(([s.seal(rng, nh, icmp)], 1))        # protected
        else:
            # in clear: the ICMP carries the quote from the outer address
            if s.fam == 4:
                p = bytes(IP(src=s.b, dst=s.a, proto=1, ttl=64) / Raw(icmp))
            else:
                p = bytes(IPv6(src=s.b, dst=s.a, nh=58, hlim=64) / Raw(icmp))
            out.append(([p], 1))
    return out


def c_clear(rng, sas, n):
    """Cleartext where an in-policy protects, IKE-like and keepalive UDP
    4500 for ESP-in-UDP SAs (not ESP: passed to the stack)."""
    out = []
    for _ in range(n):
        s = rng.choice(sas)
        if s.encap and rng.randrange(2):
            body = rng.choice([b'\xff', b'\0\0\0\0' + rbytes(rng, 40), b'', rbytes(rng, 3)])
            if s.fam == 4:
                p = bytes(IP(src=s.b, dst=s.a) / UDP(sport=4500, dport=4500) / Raw(body))
            else:
                p = bytes(IPv6(src=s.b, dst=s.a) / UDP(sport=4500, dport=4500) / Raw(body))
        elif s.mode == 'transport':
            p = bytes(s.ip_of(*s.inner(rng, 32)))
        else:
            p = s.inner(rng, 32)[1]
            if s.ifam != s.fam:
                continue
        out.append(([p], 1))
    return out


CLASSES = [
    # name, share of the packets, exact accounting?
    ('valid', 10, True),
    ('inner', 14, True),
    ('trailer', 12, True),
    ('len-cut', 3, True),
    ('len-long', 2, True),
    ('len-short', 2, True),
    ('len-udp', 1, True),
    ('len-junk', 2, True),
    ('badicv', 16, True),
    ('replay', 8, True),
    ('icmp', 6, True),
    ('clear', 4, True),
    ('ext6', 5, True),
    ('frag-esp4', 2, True),
    ('frag-esp6', 2, True),
    ('frag-ah4', 1, True),
    ('frag-ah6', 1, True),
    ('frag-udp4', 1, True),
    ('frag-udp6', 1, True),
    ('frag-bad', 3, False),
    ('nest', 3, True),
    ('nest-deep', 1, True),
]


def make_sas(rng):
    sas = []
    i = 1
    for fam in (4, 6):
        specs = [('esp', 'transport', a, False, None) for a in ESP_ALGS]
        specs += [('esp', 'tunnel', a, False, None) for a in
                  ('gcm128', 'cbc-sha256', 'chacha', 'null-sha256', 'gmac')]
        specs += [('ah', 'transport', 'ah-sha256', False, None),
                  ('ah', 'transport', 'ah-sha1', False, None),
                  ('ah', 'tunnel', 'ah-sha256', False, None),
                  ('esp', 'transport', 'gcm128', True, None),
                  ('esp', 'tunnel', 'cbc-sha256', True, None),
                  ('esp', 'tunnel', 'gcm128', False, 10 - fam)]
        for proto, mode, alg, encap, ifam in specs:
            sas.append(SA(rng, i, proto, mode, fam, alg, encap, ifam))
            i += 1
    return sas


def gen_class(job):
    """One class into its pcap.  Each class starts every SA's sequence
    numbers at its own base (class number << 26), so classes can be built
    in parallel and still arrive in increasing order."""
    seed, packets, nest_max, out, k, (name, share, exact), total = job
    sas = make_sas(random.Random(seed))
    for s in sas:
        s.seq = k << 26
    _IPID[0] = (k * 4099) & 0xffff
    n = max(1, packets * share // total)
    crng = random.Random('%d/%s' % (seed, name))
    if name == 'nest':
        items = c_nest(crng, sas, n, 2, min(4, nest_max))
    elif name == 'nest-deep':
        items = c_nest(crng, sas, n, min(5, nest_max), nest_max)
    elif name.startswith('frag-') and name != 'frag-bad':
        items = c_frag(crng, sas, n, name[5:])
    elif name.startswith('len-'):
        items = c_len(crng, sas, n, name[4:])
    else:
        items = globals()['c_' + name.replace('-', '_')](crng, sas, n)
    frames = [frame(f) for fr, _ in items for f in fr]
    fn = '%02d-%s.pcap' % (k, name)
    wrpcap(os.path.join(out, fn), frames)
    print('gen: %-10s %7d frames' % (name, len(frames)), file=sys.stderr)
    return {'name': name, 'file': fn, 'frames': len(frames),
            'datagrams': sum(d for _, d in items), 'exact': exact}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--packets', type=int, default=20000)
    ap.add_argument('--out', required=True)
    ap.add_argument('--nest-max', type=int, default=60)
    ap.add_argument('--classes', default='', help='only these (comma-separated)')
    a = ap.parse_args()
    rng = random.Random(a.seed)
    sas = make_sas(rng)
    os.makedirs(a.out, exist_ok=True)
    only = set(filter(None, a.classes.split(',')))
    classes = [c for c in CLASSES if not only or c[0] in only]
    total = sum(c[1] for c in classes)
    meta = {'seed': a.seed, 'packets': a.packets, 'nest_max': a.nest_max,
            'a4': A4, 'a6': A6, 'ia4': IA4, 'ia6': IA6,
            'sas': [s.meta() for s in sas], 'classes': []}
    jobs = [(a.seed, a.packets, a.nest_max, a.out, k, c, total)
            for k, c in enumerate(classes)]
    with multiprocessing.Pool(int(os.environ.get('FUZZ_JOBS', '2'))) as pool:
        meta['classes'] = pool.map(gen_class, jobs, chunksize=1)
    with open(os.path.join(a.out, 'meta.json.tmp'), 'w') as f:
        json.dump(meta, f, indent=1)
    os.rename(os.path.join(a.out, 'meta.json.tmp'), os.path.join(a.out, 'meta.json'))


if __name__ == '__main__':
    main()
