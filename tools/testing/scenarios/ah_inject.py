#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""AH (RFC 4302) packets for ah_xfrm.sh: resend captured ones changed, and
check the ICV of every captured one with the keys, independently of both
kernels.

Run inside the sending namespace. Frames go out through an AF_PACKET
socket, so nothing of the sender's own IPsec stack touches them.

  replay IF PCAP SPI             resend the last captured frame of SPI
  mutate IF PCAP SPI [--seq N] [--resign SAFILE] [--spi X] [--flip-icv]
         [--flip-payload]
         [--truncate N] [--hdrlen N] [--ttl N] [--tos N] [--df]
         [--ident N] [--tclass N] [--flow N] [--hlim N]
                                 that frame, changed (IP length and header
                                 checksum fixed; --truncate N keeps N bytes
                                 of AH; --resign: the ICV computed again
                                 with the SA's key for the new --seq,
                                 before the other changes, so that only
                                 they are wrong)
  opts6 IF SMAC DMAC SRC DST SPI SEQ ALG KEY BITS [--enroute HEX]
        [--break-immutable]      an ICMPv6 echo request in transport AH,
                                 behind hop-by-hop and destination options
                                 with a mutable option each and an
                                 immutable one, ICV computed here; then the
                                 mutable options' data changed to HEX, or
                                 the immutable one's, as on the way
  verify PCAP SAFILE             recompute the ICV of every AH frame of the
                                 SAs in SAFILE (lines: SPI ALG KEY BITS ESN)
                                 and print "SPI good bad" per SA
"""
import argparse
import hashlib
import hmac
import struct
import sys

from cryptography.hazmat.primitives import cmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes


def csum(data):
    if len(data) % 2:
        data += b'\0'
    s = sum(struct.unpack('!%dH' % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def read_pcap(path):
    with open(path, 'rb') as f:
        data = f.read()
    magic = struct.unpack('<I', data[:4])[0]
    endian = '<' if magic in (0xa1b2c3d4, 0xa1b23c4d) else '>'
    off = 24
    while off + 16 <= len(data):
        _, _, incl, _ = struct.unpack(endian + 'IIII', data[off:off + 16])
        yield data[off + 16:off + 16 + incl]
        off += 16 + incl


def ah_offset(frame):
    """(l3 offset, is_v6, AH offset) of an Ethernet frame carrying AH."""
    if len(frame) < 14 + 40:
        return None
    et = struct.unpack('!H', frame[12:14])[0]
    if et == 0x0800 and frame[14 + 9] == 51:
        return 14, False, 14 + (frame[14] & 15) * 4
    if et != 0x86dd:
        return None
    nh, off = frame[14 + 6], 14 + 40
    while nh in (0, 60) and off + 8 <= len(frame):
        nh, off = frame[off], off + (frame[off + 1] + 1) * 8
    return (14, True, off) if nh == 51 else None


def opts6(a, p):
    """IPv6 | HBH | DEST | AH | ICMPv6 echo request, with a valid ICV."""
    import socket
    ifname, smac, dmac, src, dst = p[:5]
    spi, seq, alg = int(p[5], 0), int(p[6], 0), p[7]
    key, bits = bytes.fromhex(p[8].removeprefix('0x')), int(p[9])
    val = b'\x11\x22\x33\x44'
    s6 = socket.inet_pton(socket.AF_INET6, src)
    d6 = socket.inet_pton(socket.AF_INET6, dst)
    data = bytes(range(32))
    msg = struct.pack('!BBHHH', 128, 0, 0, 0x4141, seq & 0xffff) + data
    pseudo = s6 + d6 + struct.pack('!I3xB', len(msg), 58)
    msg = msg[:2] + struct.pack('!H', csum(pseudo + msg)) + msg[4:]
    # option types 0x3e/0x1e: "skip if unknown", with and without 0x20
    hbh = bytes([60, 1, 0x3e, 4]) + val + bytes([0x1e, 2, 0xaa, 0xbb, 1, 2, 0, 0])
    dest = bytes([51, 0, 0x3e, 4]) + val
    n = bits // 8
    alen = (12 + n + 7) // 8 * 8
    ah = struct.pack('!BBHII', 58, alen // 4 - 2, 0, spi, seq) + b'\0' * (alen - 12)
    payload = hbh + dest + ah + msg
    hdr = struct.pack('!IHBB16s16s', 0x6a012345, len(payload), 0, 61, s6, d6)
    pkt = bytearray(hdr + payload)
    z, ao = zero_mutable6(pkt)
    icv = mac(alg, key, bytes(z))[:n]
    pkt[ao + 12:ao + 12 + n] = icv
    if a.enroute:
        v = bytes.fromhex(a.enroute)[:4].ljust(4, b'\0')
        pkt[40 + 4:40 + 8] = v          # hop-by-hop option 0x3e
        pkt[56 + 4:56 + 8] = v          # destination option 0x3e
    if a.break_immutable:
        pkt[40 + 10] ^= 0xff            # hop-by-hop option 0x1e
    if a.bad_opt:
        pkt[56 + 3] = 5                 # destination option 0x3e overruns its header
    eth = (bytes.fromhex(dmac.replace(':', '')) + bytes.fromhex(smac.replace(':', '')) +
           struct.pack('!H', 0x86dd))
    send(ifname, [eth + bytes(pkt)])


def ip_packet(frame, l3, v6):
    """The IP packet without Ethernet padding."""
    if v6:
        n = 40 + struct.unpack('!H', frame[l3 + 4:l3 + 6])[0]
    else:
        n = struct.unpack('!H', frame[l3 + 2:l3 + 4])[0]
    return frame[l3:l3 + n]


def fix_len(frame, l3, v6):
    f = bytearray(frame)
    if v6:
        struct.pack_into('!H', f, l3 + 4, len(f) - l3 - 40)
    else:
        struct.pack_into('!H', f, l3 + 2, len(f) - l3)
        ihl = (f[l3] & 15) * 4
        struct.pack_into('!H', f, l3 + 10, 0)
        struct.pack_into('!H', f, l3 + 10, csum(bytes(f[l3:l3 + ihl])))
    return bytes(f)


def last_frame(pcap, spi):
    found = None
    for fr in read_pcap(pcap):
        o = ah_offset(fr)
        if o and struct.unpack('!I', fr[o[2] + 4:o[2] + 8])[0] == spi:
            found = (fr, o)
    if not found:
        sys.exit('no AH frame with SPI 0x%08x in %s' % (spi, pcap))
    return found


def send(ifname, frames):
    import socket
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((ifname, 0))
    for fr in frames:
        s.send(fr)


# ---- ICV, written from RFC 4302 3.3.3 and the algorithms' RFCs

def xcbc_mac(key, msg):
    """AES-XCBC-MAC (RFC 3566), full 128 bits."""
    def ecb(k, b):
        e = Cipher(algorithms.AES(k), modes.ECB()).encryptor()
        return e.update(b) + e.finalize()
    k1 = ecb(key, b'\x01' * 16)
    k2 = ecb(key, b'\x02' * 16)
    k3 = ecb(key, b'\x03' * 16)
    blocks = [msg[i:i + 16] for i in range(0, len(msg), 16)] or [b'']
    e = b'\0' * 16
    for b in blocks[:-1]:
        e = ecb(k1, bytes(x ^ y for x, y in zip(e, b)))
    last = blocks[-1]
    if len(last) == 16:
        last = bytes(x ^ y for x, y in zip(last, k2))
    else:
        last = last + b'\x80' + b'\0' * (15 - len(last))
        last = bytes(x ^ y for x, y in zip(last, k3))
    return ecb(k1, bytes(x ^ y for x, y in zip(e, last)))


def mac(alg, key, msg):
    if alg.startswith('hmac('):
        return hmac.new(key, msg, getattr(hashlib, alg[5:-1])).digest()
    if alg == 'cmac(aes)':
        c = cmac.CMAC(algorithms.AES(key))
        c.update(msg)
        return c.finalize()
    if alg == 'xcbc(aes)':
        return xcbc_mac(key, msg)
    sys.exit('unknown algorithm ' + alg)


# IPv4 options that stay in the ICV (RFC 4302 A.1); EOL and NOP too
IMMUTABLE4 = (130, 133, 134, 148, 149)


def zero_mutable4(p):
    p = bytearray(p)
    ihl = (p[0] & 15) * 4
    p[1] = 0                    # DSCP, ECN
    p[6:8] = b'\0\0'            # flags, fragment offset
    p[8] = 0                    # TTL
    p[10:12] = b'\0\0'          # checksum
    i = 20
    while i < ihl:
        t = p[i]
        if t == 0:
            break
        if t == 1:
            i += 1
            continue
        n = p[i + 1]
        if t not in IMMUTABLE4:
            p[i:i + n] = b'\0' * n
        i += n
    return p, ihl


def zero_opts6(p, off, n):
    """Zero the data of options with the "may change en route" bit."""
    i = off + 2
    while i < off + n:
        if p[i] == 0:
            i += 1
            continue
        ln = p[i + 1]
        if p[i] & 0x20:
            p[i + 2:i + 2 + ln] = b'\0' * ln
        i += 2 + ln


def zero_mutable6(p):
    p = bytearray(p)
    p[0] &= 0xf0                # traffic class, flow label
    p[1:4] = b'\0\0\0'
    p[7] = 0                    # hop limit
    nh, off = p[6], 40
    while nh in (0, 60):        # hop-by-hop, destination options
        n = (p[off + 1] + 1) * 8
        zero_opts6(p, off, n)
        nh, off = p[off], off + n
    return p, off


def icv_ok(pkt, v6, alg, key, bits, seqhi):
    p, ah = zero_mutable6(pkt) if v6 else zero_mutable4(pkt)
    n = bits // 8
    got = bytes(p[ah + 12:ah + 12 + n])
    p[ah + 12:ah + 12 + n] = b'\0' * n
    msg = bytes(p) + (struct.pack('!I', seqhi) if seqhi is not None else b'')
    return hmac.compare_digest(mac(alg, key, msg)[:n], got)


def read_sas(safile):
    sas = {}
    with open(safile) as f:
        for line in f:
            spi, alg, key, bits, esn = line.split()
            sas[int(spi, 0)] = (alg, bytes.fromhex(key.removeprefix('0x')),
                                int(bits), esn == '1', [0, 0, 0])
    return sas


def sign(pkt, v6, alg, key, bits):
    """The packet with the ICV its SA gives it (no ESN)."""
    p, ah = zero_mutable6(pkt) if v6 else zero_mutable4(pkt)
    n = bits // 8
    p[ah + 12:ah + 12 + n] = b'\0' * n
    out = bytearray(pkt)
    out[ah + 12:ah + 12 + n] = mac(alg, key, bytes(p))[:n]
    return bytes(out)


def verify(pcap, safile):
    sas = read_sas(safile)
    for fr in read_pcap(pcap):
        o = ah_offset(fr)
        if not o:
            continue
        l3, v6, ao = o
        spi, seq = struct.unpack('!II', fr[ao + 4:ao + 12])
        if spi not in sas:
            continue
        alg, key, bits, esn, cnt = sas[spi]
        pkt = ip_packet(fr, l3, v6)
        if not v6 and struct.unpack('!H', pkt[6:8])[0] & 0x3fff:
            cnt[2] += 1         # a fragment: the ICV covers the whole
            continue
        # ESN cases start 128 below 2^32: the high half is 0 above 2^31
        seqhi = (0 if seq >= 0x80000000 else 1) if esn else None
        cnt[0 if icv_ok(pkt, v6, alg, key, bits, seqhi) else 1] += 1
    bad = 0
    for spi, (alg, _, bits, esn, cnt) in sorted(sas.items()):
        print('0x%08x %s-%d%s good %d bad %d fragments %d' %
              (spi, alg, bits, ' esn' if esn else '', cnt[0], cnt[1], cnt[2]))
        bad += cnt[1]
    return 1 if bad else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('cmd', choices=['replay', 'mutate', 'opts6', 'verify'])
    ap.add_argument('args', nargs='*')
    num = lambda x: int(x, 0)
    ap.add_argument('--seq', type=num)
    ap.add_argument('--spi', type=num)
    ap.add_argument('--resign')
    ap.add_argument('--flip-icv', action='store_true')
    ap.add_argument('--flip-payload', action='store_true')
    ap.add_argument('--truncate', type=int)
    ap.add_argument('--hdrlen', type=int)
    ap.add_argument('--ttl', type=num)
    ap.add_argument('--tos', type=num)
    ap.add_argument('--df', action='store_true')
    ap.add_argument('--ident', type=num)
    ap.add_argument('--tclass', type=num)
    ap.add_argument('--flow', type=num)
    ap.add_argument('--hlim', type=num)
    ap.add_argument('--enroute')
    ap.add_argument('--break-immutable', action='store_true')
    ap.add_argument('--bad-opt', action='store_true')
    a = ap.parse_args()
    p = a.args

    if a.cmd == 'verify':
        sys.exit(verify(p[0], p[1]))
    if a.cmd == 'opts6':
        opts6(a, p)
        return

    ifname, pcap, spi = p[0], p[1], int(p[2], 0)
    fr, (l3, v6, ao) = last_frame(pcap, spi)
    f = bytearray(fr[:l3] + ip_packet(fr, l3, v6))
    if a.cmd == 'mutate':
        if a.seq is not None:
            struct.pack_into('!I', f, ao + 8, a.seq)
            if a.resign:
                alg, key, bits, esn, _ = read_sas(a.resign)[spi]
                if esn:
                    sys.exit('--resign: ESN SAs are not supported')
                f = bytearray(f[:l3] + sign(bytes(f[l3:]), v6, alg, key, bits))
        if a.spi is not None:
            struct.pack_into('!I', f, ao + 4, a.spi)
        if a.flip_icv:
            f[ao + 12] ^= 0x5a
        if a.flip_payload:
            f[-1] ^= 0x5a
        if a.hdrlen is not None:
            f[ao + 1] = a.hdrlen
        if v6:
            if a.tclass is not None or a.flow is not None:
                w = struct.unpack('!I', f[l3:l3 + 4])[0]
                if a.tclass is not None:
                    w = (w & ~0x0ff00000) | (a.tclass << 20)
                if a.flow is not None:
                    w = (w & ~0xfffff) | a.flow
                struct.pack_into('!I', f, l3, w)
            if a.hlim is not None:
                f[l3 + 7] = a.hlim
        else:
            if a.tos is not None:
                f[l3 + 1] = a.tos
            if a.ttl is not None:
                f[l3 + 8] = a.ttl
            if a.df:
                f[l3 + 6] ^= 0x40
            if a.ident is not None:
                struct.pack_into('!H', f, l3 + 4, a.ident)
        if a.truncate is not None:
            del f[ao + a.truncate:]
        f = bytearray(fix_len(bytes(f), l3, v6))
    send(ifname, [bytes(f)])


if __name__ == '__main__':
    main()
