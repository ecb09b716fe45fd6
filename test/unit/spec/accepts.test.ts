// What the validator must let through: unknown fields, edge values real clients send, the whole v1.3 surface.
import test from 'ava'
import { validateProcess, validateResources, validateSpec } from '../../../src/spec'

test('unknown fields are ignored at every level', (t) => {
  const config: unknown = {
    ociVersion: '1.0.2-dev',
    someFutureField: { x: 1 },
    root: { path: '/rootfs', future: true },
    process: { user: { uid: 0, gid: 0, future: 1 }, args: ['sh'], cwd: '/', future: [] },
    linux: { future: 'yes', namespaces: [{ type: 'pid', future: 1 }], resources: { future: {}, memory: { future: 1 } } },
  }
  t.is<unknown, unknown>(validateSpec(config), config)
})

test('returns the very object it was given', (t) => {
  const proc = { user: { uid: 0, gid: 0 }, args: ['sh'], cwd: '/' }
  t.is(validateProcess(proc), proc)
  const resources = { memory: { limit: -1 } }
  t.is(validateResources(resources), resources)
})

test('values at the edges of their ranges', (t) => {
  // RLIM_INFINITY and a 64-bit seccomp mask arrive as doubles past 2^53.
  const raw = JSON.parse(`{
    "ociVersion": "1.3.0",
    "root": {"path": "rootfs"},
    "process": {
      "user": {"uid": 4294967295, "gid": 0, "umask": 18, "additionalGids": [0, 4294967295]},
      "args": ["sh"], "cwd": "/", "oomScoreAdj": -1000,
      "rlimits": [{"type": "RLIMIT_CORE", "soft": 18446744073709551615, "hard": 18446744073709551615}],
      "ioPriority": {"class": "IOPRIO_CLASS_IDLE", "priority": 7}
    },
    "linux": {
      "resources": {
        "memory": {"limit": -1, "swap": -1, "reservation": 0, "swappiness": 0},
        "cpu": {"shares": 0, "quota": -1, "cpus": "", "mems": "0"},
        "pids": {"limit": -1},
        "blockIO": {"weight": 0},
        "devices": [{"allow": true, "type": "c", "major": 136, "access": "rwm"}, {"allow": false}]
      },
      "seccomp": {
        "defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 38,
        "syscalls": [{"names": ["clone"], "action": "SCMP_ACT_ALLOW",
          "args": [{"index": 5, "value": 18446744073709551615, "valueTwo": 0, "op": "SCMP_CMP_MASKED_EQ"}]}]
      }
    }
  }`)
  t.is(validateSpec(raw), raw)
})

test('the v1.3 additions validate', (t) => {
  const config: unknown = {
    ociVersion: '1.3.0',
    root: { path: 'rootfs', readonly: true },
    hostname: 'h',
    domainname: 'd',
    annotations: { 'org.example.key': 'value' },
    mounts: [
      {
        destination: '/data',
        type: 'bind',
        source: '/srv/data',
        options: ['rbind', 'idmap'],
        uidMappings: [{ containerID: 0, hostID: 100000, size: 65536 }],
        gidMappings: [{ containerID: 0, hostID: 100000, size: 65536 }],
      },
    ],
    hooks: {
      prestart: [{ path: '/bin/true' }],
      createRuntime: [{ path: '/bin/true', args: ['true'], env: ['A=1'], timeout: 5 }],
      createContainer: [{ path: '/bin/true' }],
      startContainer: [{ path: '/bin/true' }],
      poststart: [{ path: '/bin/true' }],
      poststop: [{ path: '/bin/true' }],
    },
    process: {
      terminal: true,
      consoleSize: { height: 24, width: 80 },
      user: { uid: 1000, gid: 1000, umask: 0o22, additionalGids: [10] },
      args: ['sh'],
      env: ['PATH=/bin'],
      cwd: '/home',
      capabilities: { bounding: ['CAP_KILL'], effective: [], inheritable: [], permitted: ['CAP_KILL'], ambient: [] },
      rlimits: [{ type: 'RLIMIT_NOFILE', soft: 1024, hard: 4096 }, { type: 'RLIMIT_NPROC', soft: 10, hard: 10 }],
      noNewPrivileges: true,
      apparmorProfile: 'p',
      selinuxLabel: 'l',
      oomScoreAdj: 100,
      scheduler: { policy: 'SCHED_DEADLINE', flags: ['SCHED_FLAG_RESET_ON_FORK'], runtime: 1, deadline: 2, period: 3 },
      ioPriority: { class: 'IOPRIO_CLASS_RT', priority: 0 },
      execCPUAffinity: { initial: '0', final: '0-3,7' },
    },
    linux: {
      namespaces: [{ type: 'pid' }, { type: 'user' }, { type: 'time' }, { type: 'cgroup' }, { type: 'network', path: '/run/netns/x' }],
      uidMappings: [{ containerID: 0, hostID: 1000, size: 1 }],
      gidMappings: [{ containerID: 0, hostID: 1000, size: 1 }],
      timeOffsets: { boottime: { secs: -5, nanosecs: 0 }, monotonic: { secs: 10 } },
      devices: [
        { path: '/dev/fuse', type: 'c', major: 10, minor: 229, fileMode: 0o666, uid: 0, gid: 0 },
        { path: '/dev/myfifo', type: 'p' },
      ],
      netDevices: { eth1: { name: 'net0' }, eth2: {} },
      cgroupsPath: 'system.slice:tsrun:abc',
      resources: {
        hugepageLimits: [{ pageSize: '2MB', limit: 0 }],
        network: { classID: 1, priorities: [{ name: 'eth0', priority: 5 }] },
        rdma: { mlx5_1: { hcaHandles: 3, hcaObjects: 10000 } },
        unified: { 'memory.high': 'max' },
        blockIO: {
          weight: 500,
          leafWeight: 300,
          weightDevice: [{ major: 8, minor: 0, weight: 500 }],
          throttleReadBpsDevice: [{ major: 8, minor: 0, rate: 600 }],
          throttleWriteIOPSDevice: [{ major: 8, minor: 16, rate: 300 }],
        },
        cpu: { burst: 1000, period: 100000, realtimeRuntime: 950000, realtimePeriod: 1000000, idle: 1 },
        memory: { limit: 1 << 30, swap: 2 << 30, kernelTCP: -1, disableOOMKiller: false, useHierarchy: true, checkBeforeUpdate: true },
      },
      rootfsPropagation: 'rslave',
      seccomp: {
        defaultAction: 'SCMP_ACT_KILL_PROCESS',
        architectures: ['SCMP_ARCH_RISCV64', 'SCMP_ARCH_LOONGARCH64'],
        flags: ['SECCOMP_FILTER_FLAG_LOG', 'SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV'],
        listenerPath: '/run/seccomp.sock',
        listenerMetadata: 'meta',
        syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_NOTIFY' }, { names: ['ptrace'], action: 'SCMP_ACT_TRACE', errnoRet: 1 }],
      },
      sysctl: { 'net.ipv4.ip_forward': '1' },
      maskedPaths: ['/proc/kcore'],
      readonlyPaths: ['/proc/sys'],
      mountLabel: 'system_u:object_r:container_file_t:s0',
      intelRdt: { closID: 'guaranteed', schemata: ['L3:0=7ff'], l3CacheSchema: 'L3:0=7ff', memBwSchema: 'MB:0=20', enableMonitoring: true },
      personality: { domain: 'LINUX32', flags: [] },
      memoryPolicy: { mode: 'MPOL_INTERLEAVE', nodes: '0-1', flags: ['MPOL_F_STATIC_NODES'] },
    },
    solaris: { anything: true },
    vm: { hypervisor: { path: '/bin/qemu' } },
  }
  t.is<unknown, unknown>(validateSpec(config), config)
})

test('process without args fails only when the process is present', (t) => {
  const config = { ociVersion: '1.3.0', root: { path: 'rootfs' } }
  t.is<unknown, unknown>(validateSpec(config), config)
})
