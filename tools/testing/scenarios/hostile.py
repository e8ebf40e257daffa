#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Hostile but authentic packets for the hardening scenario, built with
scapy (an ESP/AH implementation independent of nipsec) and sent through a
packet socket, past the sender's own IPsec.

  nest IF --src A --dst B --spi S --key K --depth N [--seq Q] [--v6]
       [--tunnel] [--ah-spi S --ah-key K]
      ICMP echo request inside N layers of ESP (AES-GCM) for one SA, each
      layer with its own sequence number (the outermost Q) and a valid
      ICV; with --ah-spi every second layer is AH (HMAC-SHA1-96, IPv4
      transport; the AH here is written from RFC 4302, see ah4()).
  esp IF --src A --dst B --spi S --key K --seq Q [--sport P --dport P]
      [--destopt] [--atomic-frag]
      one ESP (AES-GCM) packet, transport mode, ICMP echo request inside;
      with --sport/--dport it goes in UDP (RFC 3948); IPv6 only: with
      --destopt a destination options header stands before ESP or UDP,
      with --atomic-frag a fragment header (offset 0, no more fragments,
      RFC 8200 4.5) behind that.

  serve
      read such commands (without the program name) from standard input,
      one per line, and answer each with a line "ok LENGTHS" or "error ...".

Keys are hex (AES-GCM: key and 4-byte salt). Frames go to --dmac (the
broadcast MAC by default).
"""
import argparse
import hashlib
import hmac
import shlex
import struct
import sys

from scapy.all import (Ether, IP, IPv6, ICMP, ICMPv6EchoRequest, IPv6ExtHdrDestOpt,
                       IPv6ExtHdrFragment, PadN, UDP, Raw, sendp)
from scapy.layers.ipsec import ESP, SecurityAssociation


def gcm_sa(spi, key, tunnel=None):
    return SecurityAssociation(ESP, spi=spi, crypt_algo='AES-GCM',
                               crypt_key=bytes.fromhex(key),
                               auth_algo='NULL', tunnel_header=tunnel)


def echo(src, dst, v6, payload=b'nipsec-hardening'):
    if v6:
        return IPv6(src=src, dst=dst) / ICMPv6EchoRequest(id=0x4242, data=payload)
    return IP(src=src, dst=dst) / ICMP(id=0x4242) / Raw(payload)


def reparse(pkt, v6):
    """The packet as bytes on the wire, its payload opaque: scapy's AH
    leaves the ICV zero over a payload it parsed as ESP."""
    ip = IPv6(bytes(pkt)) if v6 else IP(bytes(pkt))
    body = bytes(ip.payload)
    ip.remove_payload()
    return ip / Raw(body)


def ah4(spi, key, pkt, seq):
    """IPv4 transport AH with HMAC-SHA1-96, written from RFC 4302 3.3.3:
    scapy's own AH signs a packet whose payload is ESP as if it were ESP
    (its sign() tests for an ESP layer first) and leaves the ICV zero."""
    ip = IP(bytes(pkt))
    body = bytes(ip.payload)
    ahdr = struct.pack('!BBHII', ip.proto, 4, 0, spi, seq)   # 24 bytes: len 4
    hdr = IP(src=ip.src, dst=ip.dst, id=ip.id, tos=ip.tos, ttl=ip.ttl,
             flags=ip.flags, proto=51, len=20 + 24 + len(body))
    raw = bytearray(bytes(hdr))
    m = bytearray(raw)
    m[1] = 0                    # TOS
    m[6:8] = b'\0\0'            # flags, fragment offset
    m[8] = 0                    # TTL
    m[10:12] = b'\0\0'          # header checksum
    icv = hmac.new(bytes.fromhex(key), bytes(m) + ahdr + b'\0' * 12 + body,
                   hashlib.sha1).digest()[:12]
    return IP(bytes(raw) + ahdr + icv + body)


def cmd_nest(a):
    v6 = a.v6
    tunnel = None
    if a.tunnel:
        tunnel = IPv6(src=a.src, dst=a.dst) if v6 else IP(src=a.src, dst=a.dst)
    esp = gcm_sa(a.spi, a.key, tunnel)
    if a.ah_spi and (v6 or a.tunnel):
        sys.exit('--ah-spi: IPv4 transport mode only')
    pkt = echo(a.src, a.dst, v6)
    # innermost first: the receiver meets the outermost (lowest) number
    for i in range(a.depth):
        seq = a.seq + a.depth - 1 - i
        if a.ah_spi and i % 2:
            pkt = ah4(a.ah_spi, a.ah_key, pkt, seq)
        else:
            pkt = reparse(esp.encrypt(pkt, seq_num=seq), v6)
    return [pkt]


def cmd_esp(a):
    v6 = ':' in a.src
    pkt = gcm_sa(a.spi, a.key).encrypt(echo(a.src, a.dst, v6), seq_num=a.seq)
    pkt = reparse(pkt, v6)
    if a.sport:
        ip = pkt.copy()
        ip.remove_payload()
        if v6:
            ip.nh = 17
            ip.plen = None
        else:
            ip.proto = 17
            ip.len = None
            ip.chksum = None
        pkt = ip / UDP(sport=a.sport, dport=a.dport) / Raw(bytes(pkt.payload))
    if a.destopt or a.atomic_frag:
        if not v6:
            sys.exit('--destopt, --atomic-frag: IPv6 only')
        ip = pkt.copy()
        ip.remove_payload()
        body, nh = pkt.payload, ip.nh
        if a.atomic_frag:
            body = IPv6ExtHdrFragment(nh=nh, offset=0, m=0, id=0x5eed) / body
            nh = 44
        if a.destopt:
            body = IPv6ExtHdrDestOpt(nh=nh, options=[PadN(optdata=b'\0' * 4)]) / body
            nh = 60
        ip.nh, ip.plen = nh, None
        pkt = IPv6(bytes(ip / body))
    return [pkt]


def cmd_frag6(a):
    """A plain ICMPv6 echo's first fragment that holds only a destination
    options header, not the ICMPv6 header behind it: RFC 8200 4.5 makes
    it invalid, and nf_defrag_ipv6 passes it on unreassembled."""
    ip = IPv6(src=a.src, dst=a.dst)
    return [ip / IPv6ExtHdrFragment(nh=60, offset=0, m=1, id=0x5eed) /
            IPv6ExtHdrDestOpt(nh=58, options=[PadN(optdata=b'\0' * 4)])]


def parser():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest='cmd', required=True)
    for name in ('nest', 'esp', 'frag6'):
        p = sub.add_parser(name)
        p.add_argument('ifname')
        p.add_argument('--src', required=True)
        p.add_argument('--dst', required=True)
        p.add_argument('--spi', type=lambda s: int(s, 0), required=True)
        p.add_argument('--key', required=True)
        p.add_argument('--seq', type=int, default=1)
        p.add_argument('--dmac', default='ff:ff:ff:ff:ff:ff')
    n = sub.choices['nest']
    n.add_argument('--depth', type=int, required=True)
    n.add_argument('--v6', action='store_true')
    n.add_argument('--tunnel', action='store_true')
    n.add_argument('--ah-spi', type=lambda s: int(s, 0), default=0)
    n.add_argument('--ah-key', default='')
    e = sub.choices['esp']
    e.add_argument('--sport', type=int, default=0)
    e.add_argument('--dport', type=int, default=4500)
    e.add_argument('--destopt', action='store_true')
    e.add_argument('--atomic-frag', action='store_true')
    return ap


def run(argv):
    a = parser().parse_args(argv)
    pkts = {'nest': cmd_nest, 'esp': cmd_esp, 'frag6': cmd_frag6}[a.cmd](a)
    for p in pkts:
        sendp(Ether(dst=a.dmac) / p, iface=a.ifname, verbose=False)
    return ' '.join(str(len(bytes(p))) for p in pkts)


def main():
    # serve: one command per line on stdin, one answer line each, so that
    # a scenario pays scapy's start (seconds under TCG) once
    if sys.argv[1:] == ['serve']:
        for line in sys.stdin:
            try:
                print('ok', run(shlex.split(line)), flush=True)
            except (SystemExit, Exception) as e:    # pylint: disable=broad-except
                print('error', e, flush=True)
        return 0
    print(run(sys.argv[1:]))
    return 0


if __name__ == '__main__':
    sys.exit(main())
