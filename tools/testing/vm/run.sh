#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot one kernel in QEMU with the host's / read-only over 9p and DIR as the
# writable results share (DIR/run.env says what the guest does; see guest.sh).
#
# Usage: run.sh BZIMAGE INITRD DIR [TIMEOUT_S]
#   DIR/run.env must set SRC (the checkout, shared again on its own so that a
#   clone under /tmp or /root stays visible under the guest's tmpfs mounts).
# Env:   NIPSEC_ACCEL=kvm|tcg (default tcg; bench.sh probes KVM)
#        NIPSEC_CONSOLE=live  serial console on stdout too (make demo)
#        NIPSEC_QEMU_MEM (2G), NIPSEC_QEMU_SMP (2), NIPSEC_QEMU_ARGS (extra)
#        NIPSEC_TCG_THREAD=single|multi (default single: QEMU 7.2's
#        multi-threaded TCG races with the guest's own code patching, see
#        below)
# Exit:  QEMU's status; 124 when the VM overran TIMEOUT_S (default 1800).
# QEMU's own messages (its stderr: e.g. "RSA with raw padding is not
# supported" from the virtio-crypto backend) go to DIR/qemu.log, never to the
# terminal.
set -euo pipefail

kernel=$1
initrd=$2
dir=$(cd "$3" && pwd)
tmo=${4:-1800}
src=$(sed -n 's/^SRC=//p' "$dir/run.env")
[[ -d $src ]] || { echo "run.sh: SRC not set in $dir/run.env" >&2; exit 2; }

# One thread for all vCPUs by default.  With thread=multi, QEMU before 8.1
# can translate a page of guest code while another vCPU patches it (static
# keys, alternatives: text_poke_bp()), and the guest dies at random in
# "Oops: int3" on a half-patched NOP (RIP at "66 <90>"): seen in a make
# demo boot at 2.4 s and a CI boot in esp_xfrm.  QEMU 8.1 fixed it
# ("accel/tcg: Always lock pages before translation"); Debian 12 has 7.2.
# The guest still has two CPUs; they take turns on one host thread.
# shellcheck disable=SC2054 # commas are QEMU's option syntax
case ${NIPSEC_ACCEL:-tcg} in
kvm) accel=(-accel kvm) ;;
*) accel=(-accel "tcg,thread=${NIPSEC_TCG_THREAD:-single}" -cpu max) ;;
esac

# Without -nic none QEMU adds a user-mode NIC that reaches outside.
# shellcheck disable=SC2054
args=(
	-nodefaults -nic none -no-reboot -display none -monitor none
	"${accel[@]}" -m "${NIPSEC_QEMU_MEM:-2G}" -smp "${NIPSEC_QEMU_SMP:-2}"
	-kernel "$kernel" -initrd "$initrd"
	-append "console=ttyS0,115200 panic=-1 oops=panic log_buf_len=8M quiet rdinit=/init ${NIPSEC_CMDLINE:-}"
	-fsdev "local,id=root,path=/,readonly=on,security_model=none,multidevs=remap"
	-device virtio-9p-pci,fsdev=root,mount_tag=root
	-fsdev "local,id=res,path=$dir,security_model=none,multidevs=remap"
	-device virtio-9p-pci,fsdev=res,mount_tag=results
	-fsdev "local,id=src,path=$src,readonly=on,security_model=none,multidevs=remap"
	-device virtio-9p-pci,fsdev=src,mount_tag=src
	-object cryptodev-backend-builtin,id=cd0
	-device virtio-crypto-pci,cryptodev=cd0
	-device virtio-rng-pci
)
if [[ ${NIPSEC_CONSOLE:-} == live ]]; then
	args+=(-chardev "stdio,id=con,logfile=$dir/console.log,signal=off" -serial chardev:con)
else
	args+=(-serial "file:$dir/console.log")
fi
# shellcheck disable=SC2206 # extra args are meant to split
args+=(${NIPSEC_QEMU_ARGS:-})

rc=0
timeout -k 10 "$tmo" qemu-system-x86_64 "${args[@]}" </dev/null 2>"$dir/qemu.log" || rc=$?
exit "$rc"
