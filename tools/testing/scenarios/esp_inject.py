#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Craft ESP packets for the ESP scenarios and send them on an interface.

Run inside the sending namespace. Frames go out through an AF_PACKET
socket, so nothing of the sender's own IPsec stack touches them.

  replay IF PCAP SPI                  resend the last captured frame of SPI
  mutate IF PCAP SPI [--seq N] [--reseal KEY] [--spi X] [--flip-icv]
         [--truncate N]               that frame, changed (IP length fixed);
                                      --reseal: an rfc4106 frame's ICV made
                                      valid again for the new --seq with the
                                      SA's key+salt, before the other changes,
                                      so that only they are wrong
  null IF SMAC DMAC SRC DST SPI SEQ [--nexthdr N] [--pad HEX] [--padlen N]
       [--inner plain|ip] [--bad-inner-csum]
                                      ESP with ecb(cipher_null), no ICV
  gcm IF SMAC DMAC SRC DST SPI SEQ KEY --size N [--frag MTU]
                                      ICMP echo request in rfc4106 ESP
                                      (transport), IP-fragmented to MTU
  plain IF SMAC DMAC SRC DST          a cleartext ICMP echo request
"""
import argparse
import ipaddress
import socket
import struct
import sys


def csum(data):
    if len(data) % 2:
        data += b'\0'
    s = sum(struct.unpack('!%dH' % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def mac(s):
    return bytes.fromhex(s.replace(':', ''))


def eth(smac, dmac, v6):
    return mac(dmac) + mac(smac) + struct.pack('!H', 0x86dd if v6 else 0x0800)


def ip4(src, dst, proto, payload, ident=1, frag=0):
    h = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(payload), ident, frag,
                    64, proto, 0, socket.inet_aton(src), socket.inet_aton(dst))
    h = h[:10] + struct.pack('!H', csum(h)) + h[12:]
    return h + payload


def ip6(src, dst, nexthdr, payload):
    return struct.pack('!IHBB16s16s', 0x60000000, len(payload), nexthdr, 64,
                       socket.inet_pton(socket.AF_INET6, src),
                       socket.inet_pton(socket.AF_INET6, dst)) + payload


def icmp_echo(src, dst, v6, size, ident=0x4242, seq=1):
    data = bytes(i & 0xff for i in range(max(size - 8, 0)))
    if not v6:
        msg = struct.pack('!BBHHH', 8, 0, 0, ident, seq) + data
        return msg[:2] + struct.pack('!H', csum(msg)) + msg[4:]
    msg = struct.pack('!BBHHH', 128, 0, 0, ident, seq) + data
    pseudo = (socket.inet_pton(socket.AF_INET6, src) +
              socket.inet_pton(socket.AF_INET6, dst) +
              struct.pack('!I3xB', len(msg), 58))
    return msg[:2] + struct.pack('!H', csum(pseudo + msg)) + msg[4:]


def trailer(plen, blk, nexthdr, pad=None, padlen=None):
    if pad is None:
        n = (-(plen + 2)) % blk
        pad = bytes(range(1, n + 1))
    return pad + bytes([len(pad) if padlen is None else padlen, nexthdr])


def fragments(src, dst, v6, proto, payload, mtu):
    """The IP packets that carry payload, each at most mtu bytes."""
    out = []
    if not v6:
        step = (mtu - 20) & ~7
        for off in range(0, len(payload), step):
            more = off + step < len(payload)
            out.append(ip4(src, dst, proto, payload[off:off + step], ident=0x77,
                           frag=(0x2000 if more else 0) | (off >> 3)))
        return out
    step = (mtu - 48) & ~7
    for off in range(0, len(payload), step):
        more = off + step < len(payload)
        fh = struct.pack('!BBHI', proto, 0, off | (1 if more else 0), 0x77)
        out.append(ip6(src, dst, 44, fh + payload[off:off + step]))
    return out


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


def esp_offset(frame):
    """(l3 offset, is_v6, esp offset) of an Ethernet frame carrying ESP."""
    et = struct.unpack('!H', frame[12:14])[0]
    if et == 0x0800 and frame[14 + 9] == 50:
        return 14, False, 14 + (frame[14] & 15) * 4
    if et == 0x86dd and frame[14 + 6] == 50:
        return 14, True, 14 + 40
    return None


def fix_len(frame, l3, v6):
    f = bytearray(frame)
    if v6:
        struct.pack_into('!H', f, l3 + 4, len(f) - l3 - 40)
    else:
        struct.pack_into('!H', f, l3 + 2, len(f) - l3)
        struct.pack_into('!H', f, l3 + 10, 0)
        struct.pack_into('!H', f, l3 + 10, csum(bytes(f[l3:l3 + 20])))
    return bytes(f)


def last_frame(pcap, spi):
    found = None
    for fr in read_pcap(pcap):
        o = esp_offset(fr)
        if o and struct.unpack('!I', fr[o[2]:o[2] + 4])[0] == spi:
            found = (fr, o)
    if not found:
        sys.exit('no ESP frame with SPI 0x%08x in %s' % (spi, pcap))
    return found


def send(ifname, frames):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((ifname, 0))
    for fr in frames:
        s.send(fr)


def reseal(f, eo, seq, keyhex):
    """rfc4106 (RFC 4106 5): decrypt with the frame's own AAD, then seal
    the same plaintext again under SPI | seq; the IV stays."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    key = bytes.fromhex(keyhex.removeprefix('0x'))
    aead = AESGCM(key[:-4])
    nonce = key[-4:] + bytes(f[eo + 8:eo + 16])
    pt = aead.decrypt(nonce, bytes(f[eo + 16:]), bytes(f[eo:eo + 8]))
    hdr = bytes(f[eo:eo + 4]) + struct.pack('!I', seq)
    f[eo + 16:] = aead.encrypt(nonce, pt, hdr)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('cmd', choices=['replay', 'mutate', 'null', 'gcm', 'plain'])
    ap.add_argument('args', nargs='*')
    ap.add_argument('--seq', type=lambda x: int(x, 0))
    ap.add_argument('--spi', type=lambda x: int(x, 0))
    ap.add_argument('--reseal')
    ap.add_argument('--flip-icv', action='store_true')
    ap.add_argument('--truncate', type=int)
    ap.add_argument('--nexthdr', type=int)
    ap.add_argument('--pad')
    ap.add_argument('--padlen', type=int)
    ap.add_argument('--inner', default='plain')
    ap.add_argument('--bad-inner-csum', action='store_true')
    ap.add_argument('--size', type=int, default=64)
    ap.add_argument('--frag', type=int)
    a = ap.parse_args()
    p = a.args

    if a.cmd in ('replay', 'mutate'):
        ifname, pcap, spi = p[0], p[1], int(p[2], 0)
        fr, (l3, v6, eo) = last_frame(pcap, spi)
        f = bytearray(fr)
        if a.cmd == 'mutate':
            if a.seq is not None:
                if a.reseal:
                    reseal(f, eo, a.seq, a.reseal)
                struct.pack_into('!I', f, eo + 4, a.seq)
            if a.spi is not None:
                struct.pack_into('!I', f, eo, a.spi)
            if a.flip_icv:
                f[-1] ^= 0x5a
            if a.truncate is not None:
                del f[eo + 8 + a.truncate:]
            f = bytearray(fix_len(bytes(f), l3, v6))
        send(ifname, [bytes(f)])
        return

    ifname, smac, dmac, src, dst = p[:5]
    v6 = ipaddress.ip_address(src).version == 6
    if a.cmd == 'plain':
        msg = icmp_echo(src, dst, v6, a.size)
        pkt = ip6(src, dst, 58, msg) if v6 else ip4(src, dst, 1, msg)
        send(ifname, [eth(smac, dmac, v6) + pkt])
        return

    spi, seq = int(p[5], 0), int(p[6], 0)
    if a.inner == 'ip':
        inner = ip4(dst, src, 1, icmp_echo(dst, src, False, a.size))
        if a.bad_inner_csum:
            inner = inner[:10] + bytes([inner[10] ^ 0x5a]) + inner[11:]
    else:
        inner = icmp_echo(src, dst, v6, a.size)
    nexthdr = a.nexthdr if a.nexthdr is not None else (58 if v6 else 1)

    if a.cmd == 'null':
        pad = bytes.fromhex(a.pad) if a.pad is not None else None
        esp = struct.pack('!II', spi, seq) + inner + trailer(len(inner), 4, nexthdr, pad, a.padlen)
    else:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM
        key = bytes.fromhex(p[7].removeprefix('0x'))
        iv = struct.pack('!Q', seq)
        hdr = struct.pack('!II', spi, seq)
        pt = inner + trailer(len(inner), 4, nexthdr)
        ct = AESGCM(key[:-4]).encrypt(key[-4:] + iv, pt, hdr)
        esp = hdr + iv + ct

    if a.frag:
        pkts = fragments(src, dst, v6, 50, esp, a.frag)
    else:
        pkts = [ip6(src, dst, 50, esp) if v6 else ip4(src, dst, 50, esp)]
    send(ifname, [eth(smac, dmac, v6) + x for x in pkts])


if __name__ == '__main__':
    main()
