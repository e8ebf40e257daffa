#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""An IV oracle for ESP captures, written from RFC 4303 2.3, not from esp.c.

  esp_iv.py PCAP [--skip SPI,...] [--sender IP]

Reads a tcpdump capture (Ethernet), takes every ESP packet (IPv4 or IPv6,
no extension headers in front of ESP) and, per SPI, the 8 bytes after the
sequence number: the whole IV of a counter-mode AEAD (RFC 4106, 4543,
7634: it must never repeat under one key), the first half of a CBC IV
(random: a repeat is a 2^-64 event). SPIs without an IV (null
encryption) are skipped with --skip; --sender keeps the packets of one
source address only (the implementation under test).

Prints "spi=0x... packets=N repeats=R" per SPI and exits 1 if any IV
repeats, 2 if the capture holds no ESP packet at all.
"""
import argparse
import socket
import struct
import sys


def packets(path):
    with open(path, 'rb') as f:
        hdr = f.read(24)
        if len(hdr) < 24:
            return
        magic = struct.unpack('<I', hdr[:4])[0]
        endian = '<' if magic in (0xa1b2c3d4, 0xa1b23c4d) else '>'
        linktype = struct.unpack(endian + 'I', hdr[20:24])[0]
        if linktype != 1:
            sys.exit(f'esp_iv: link type {linktype}, not Ethernet')
        while True:
            rec = f.read(16)
            if len(rec) < 16:
                return
            incl = struct.unpack(endian + 'IIII', rec)[2]
            yield f.read(incl)


def esp_of(frame):
    """(source address, ESP bytes) of a frame, or None."""
    if len(frame) < 14:
        return None
    etype = struct.unpack('!H', frame[12:14])[0]
    ip = frame[14:]
    if etype == 0x0800 and len(ip) >= 20 and ip[9] == 50:
        if struct.unpack('!H', ip[6:8])[0] & 0x3fff:
            return None		# a fragment: ESP is in the reassembly
        return socket.inet_ntop(socket.AF_INET, ip[12:16]), ip[(ip[0] & 15) * 4:]
    if etype == 0x86dd and len(ip) >= 40 and ip[6] == 50:
        return socket.inet_ntop(socket.AF_INET6, ip[8:24]), ip[40:]
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('pcap')
    ap.add_argument('--skip', default='')
    ap.add_argument('--sender', default='')
    a = ap.parse_args()
    skip = {int(s, 0) for s in a.skip.replace(' ', ',').split(',') if s}
    seen, count, rep = {}, {}, {}
    for frame in packets(a.pcap):
        got = esp_of(frame)
        if not got:
            continue
        src, esp = got
        if len(esp) < 16 or (a.sender and src != a.sender):
            continue
        spi = struct.unpack('!I', esp[:4])[0]
        if spi in skip:
            continue
        iv = esp[8:16]
        s = seen.setdefault(spi, set())
        count[spi] = count.get(spi, 0) + 1
        if iv in s:
            rep[spi] = rep.get(spi, 0) + 1
        s.add(iv)
    for spi in sorted(count):
        print(f'spi=0x{spi:08x} packets={count[spi]} repeats={rep.get(spi, 0)}')
    if not count:
        return 2
    return 1 if rep else 0


if __name__ == '__main__':
    sys.exit(main())
