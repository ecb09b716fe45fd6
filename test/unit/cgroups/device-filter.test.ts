import test from 'ava'
import { EbpfAssembler } from '../../../src/bpf/ebpf-asm'
import { disassembleEbpf } from '../../../src/bpf/ebpf-disasm'
import { decodeEbpf, encodeEbpf } from '../../../src/bpf/ebpf-insn'
import { EbpfRuntimeError, runEbpf } from '../../../src/bpf/ebpf-interp'
import {
  ACC_ALL, ACC_MKNOD, ACC_READ, ACC_WRITE, devicePolicy, policyAllows, type DevicePolicy,
} from '../../../src/cgroups/devices/policy'
import { deviceContext, deviceProgram } from '../../../src/cgroups/devices/program'
import type { LinuxDeviceCgroup } from '../../../src/spec/types-resources'
import { resourcesOf } from './client-resources'

const R = ACC_READ
const W = ACC_WRITE
const M = ACC_MKNOD

function allowed(policy: DevicePolicy, type: 'c' | 'b', major: number, minor: number, access: number): boolean {
  const insns = deviceProgram(policy)
  const r0 = runEbpf(insns, deviceContext(type, major, minor, access))
  return r0 === 1n
}

/** Every combination of these devices and access masks, through the program and the reference. */
function agree(t: { is: (a: unknown, b: unknown, m?: string) => void }, rules: LinuxDeviceCgroup[]): void {
  const policy = devicePolicy(rules)
  const insns = deviceProgram(policy)
  const devices: Array<['c' | 'b', number, number]> = [
    ['c', 1, 3], ['c', 1, 5], ['c', 1, 9], ['c', 5, 0], ['c', 5, 1], ['c', 5, 2], ['c', 10, 229], ['c', 136, 0],
    ['c', 136, 7], ['c', 4, 1], ['b', 8, 0], ['b', 8, 16], ['b', 1, 3], ['c', 0xfff, 0xfffff],
  ]
  for (const [type, major, minor] of devices) {
    for (let access = 1; access <= ACC_ALL; access++) {
      const got = runEbpf(insns, deviceContext(type, major, minor, access)) === 1n
      t.is(got, policyAllows(policy, type, major, minor, access), `${type} ${major}:${minor} access ${access}\n${disassembleEbpf(insns)}`)
    }
  }
}

test('policy: rules apply in order like the v1 controller', (t) => {
  t.deepEqual(devicePolicy([]), { defaultAllow: false, exceptions: [] })
  t.deepEqual(devicePolicy([{ allow: true }]), { defaultAllow: true, exceptions: [] })
  t.deepEqual(devicePolicy([{ allow: true, type: 'c', major: 1, minor: 3, access: 'rw' }, { allow: false, access: 'rwm' }]), {
    defaultAllow: false, exceptions: [],
  })
  t.deepEqual(
    devicePolicy([
      { allow: false, access: 'rwm' },
      { allow: true, type: 'c', major: 1, minor: 3, access: 'r' },
      { allow: true, type: 'c', major: 1, minor: 3, access: 'w' },
      { allow: true, type: 'c', major: 136, access: 'rwm' },
      { allow: false, type: 'c', major: 136, access: 'm' },
      { allow: false, type: 'c', major: 10, minor: 229, access: 'rwm' },
    ]),
    {
      defaultAllow: false,
      exceptions: [
        { type: 'c', major: 1, minor: 3, access: R | W },
        { type: 'c', major: 136, minor: undefined, access: R | W },
      ],
    },
  )
})

test('policy: bad rules name the field', (t) => {
  t.throws(() => devicePolicy([{ allow: true, type: 'x' as 'c' }]), { message: /devices\[0\]\.type: "x" is not one of "a", "c", "b"/ })
  t.throws(() => devicePolicy([{ allow: true, type: 'c', access: 'rx' }]), { message: /devices\[0\]\.access: "rx"/ })
  t.throws(() => devicePolicy([{ allow: true }, { allow: true, type: 'c', major: -3 }]), { message: /devices\[1\]\.major: -3/ })
  t.throws(() => devicePolicy([{ allow: 'yes' as unknown as boolean }]), { message: /devices\[0\]\.allow/ })
})

test('program: deny-all with exceptions (subset match)', (t) => {
  const policy = devicePolicy([
    { allow: false, access: 'rwm' },
    { allow: true, type: 'c', major: 1, minor: 3, access: 'rwm' },
    { allow: true, type: 'c', major: 1, minor: 5, access: 'r' },
    { allow: true, type: 'c', major: 136, access: 'rw' },
    { allow: true, type: 'b', major: 8, access: 'm' },
  ])
  t.true(allowed(policy, 'c', 1, 3, R | W))
  t.true(allowed(policy, 'c', 1, 3, M))
  t.true(allowed(policy, 'c', 1, 5, R))
  t.false(allowed(policy, 'c', 1, 5, W))
  t.false(allowed(policy, 'c', 1, 5, R | W))
  t.true(allowed(policy, 'c', 136, 42, R | W))
  t.false(allowed(policy, 'c', 136, 42, M))
  t.true(allowed(policy, 'b', 8, 3, M))
  t.false(allowed(policy, 'b', 8, 3, R))
  t.false(allowed(policy, 'c', 8, 3, M))
  t.false(allowed(policy, 'b', 1, 3, R))
  t.false(allowed(policy, 'c', 10, 229, R))
})

test('program: allow-all with deny exceptions (overlap match, no O_RDWR bypass)', (t) => {
  const policy = devicePolicy([{ allow: true, access: 'rwm' }, { allow: false, type: 'c', major: 1, minor: 3, access: 'w' }])
  t.true(allowed(policy, 'c', 1, 3, R))
  t.false(allowed(policy, 'c', 1, 3, W))
  t.false(allowed(policy, 'c', 1, 3, R | W))
  t.true(allowed(policy, 'c', 1, 5, R | W))
  t.true(allowed(policy, 'b', 1, 3, W))
})

test('program agrees with the reference policy on every access', (t) => {
  agree(t, [])
  agree(t, [{ allow: true }])
  agree(t, [{ allow: true }, { allow: false, type: 'c', major: 1, minor: 3, access: 'w' }, { allow: false, type: 'b', access: 'm' }])
  agree(t, [{ allow: false }, { allow: true, type: 'c', access: 'm' }, { allow: true, type: 'b', access: 'm' }, { allow: true, type: 'c', major: 5, access: 'rw' }])
  agree(t, [{ allow: true, type: 'c', major: 0xfff, minor: 0xfffff, access: 'r' }])
  for (const file of ['ctr-create-config.json', 'docker-create-config.json', 'podman-create-config.json', 'cri-container-config.json']) {
    agree(t, resourcesOf(file).devices ?? [])
  }
})

test('client device rules: the usual devices are allowed, others denied', (t) => {
  const policy = devicePolicy(resourcesOf('ctr-create-config.json').devices ?? [])
  t.true(allowed(policy, 'c', 1, 3, R | W)) // /dev/null
  t.true(allowed(policy, 'c', 136, 0, R | W)) // /dev/pts/0
  t.false(allowed(policy, 'b', 8, 0, R)) // /dev/sda
  t.false(allowed(policy, 'c', 10, 229, R | W)) // /dev/fuse
  const podman = devicePolicy(resourcesOf('podman-create-config.json').devices ?? [])
  t.false(allowed(podman, 'c', 1, 3, R))
})

test('assembler: labels, encoding round trip, disassembly', (t) => {
  const a = new EbpfAssembler()
  a.load(4, 2, 1, 0).jmp32('jne', 2, 7, 'no').alu64('mov', 0, 1).exit().label('no').alu64('mov', 0, 0).exit()
  const insns = a.assemble()
  t.is(insns[1]?.off, 2)
  t.deepEqual(decodeEbpf(encodeEbpf(insns)), insns)
  t.is(
    disassembleEbpf(insns),
    ['  0: r2 = *(u32 *)(r1 + 0)', '  1: if w2 != 7 goto +2 (-> 4)', '  2: r0 = 1', '  3: exit', '  4: r0 = 0', '  5: exit'].join('\n'),
  )
  const ctx = new Uint8Array([7, 0, 0, 0])
  t.is(runEbpf(insns, ctx), 1n)
  t.is(runEbpf(insns, new Uint8Array([8, 0, 0, 0])), 0n)
  t.throws(() => new EbpfAssembler().ja('nowhere').assemble(), { message: /undefined label nowhere/ })
  t.throws(() => new EbpfAssembler().label('x').label('x'), { message: /defined twice/ })
  t.throws(() => new EbpfAssembler().label('back').ja('back').assemble(), { message: /backward jump/ })
})

test('interpreter: ALU widths, signed compares, faults', (t) => {
  const prog = (build: (a: EbpfAssembler) => void): bigint => {
    const a = new EbpfAssembler()
    build(a)
    return runEbpf(a.exit().assemble(), new Uint8Array(12))
  }
  t.is(prog((a) => a.alu64('mov', 0, -1)), 0xffffffffffffffffn)
  t.is(prog((a) => a.alu64('mov', 0, -1).alu32('add', 0, 1)), 0n)
  t.is(prog((a) => a.alu64('mov', 0, -8).alu64('arsh', 0, 1)), BigInt.asUintN(64, -4n))
  t.is(prog((a) => a.alu64('mov', 0, 7).alu64('div', 0, 0)), 0n)
  t.is(prog((a) => a.alu64('mov', 0, 7).alu64('mod', 0, 0)), 7n)
  t.is(prog((a) => a.alu64('mov', 0, -1).jmp('jsgt', 0, 0, 'pos').alu64('mov', 0, 5).label('pos')), 5n)
  t.throws(() => prog((a) => a.alu64Reg('mov', 0, 3)), { instanceOf: EbpfRuntimeError, message: /r3 read before it was written/ })
  t.throws(() => prog((a) => a.load(4, 0, 1, 12)), { message: /outside the context/ })
  t.throws(() => runEbpf(new EbpfAssembler().alu64('mov', 0, 1).assemble(), new Uint8Array(0)), { message: /ran past the end/ })
})
