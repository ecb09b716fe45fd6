// OCI runtime-spec v1.3.0: the state document (runtime.md), the seccomp listener's message
// (config-linux.md, listenerPath) and the `features` document (features.md, features-linux.md).

import type { ContainerStatus } from './enums'

/**
 * What `tsrun state` prints. The spec also has `creating`; tsrun never reports it because a create that
 * has not finished holds the lock, and podman rejects the value.
 */
export interface State {
  ociVersion: string
  id: string
  status: ContainerStatus
  /** Present while the container's init exists (created, running, paused). */
  pid?: number
  /** Absolute path to the bundle. */
  bundle: string
  annotations?: Record<string, string>
}

/** Sent over `linux.seccomp.listenerPath` together with the notify fds (SCM_RIGHTS). */
export interface ContainerProcessState {
  ociVersion: string
  /** Names of the fds passed along, in order, e.g. ["seccompFd"]. */
  fds: string[]
  pid: number
  metadata?: string
  state: State
}

export interface Features {
  ociVersionMin: string
  ociVersionMax: string
  hooks?: string[]
  mountOptions?: string[]
  annotations?: Record<string, string>
  potentiallyUnsafeConfigAnnotations?: string[]
  linux?: LinuxFeatures
}

export interface LinuxFeatures {
  namespaces?: string[]
  capabilities?: string[]
  cgroup?: {
    v1?: boolean
    v2?: boolean
    systemd?: boolean
    systemdUser?: boolean
    rdma?: boolean
  }
  seccomp?: {
    enabled?: boolean
    actions?: string[]
    operators?: string[]
    archs?: string[]
    knownFlags?: string[]
    supportedFlags?: string[]
  }
  apparmor?: { enabled?: boolean }
  selinux?: { enabled?: boolean }
  intelRdt?: { enabled?: boolean; schemata?: boolean }
  mountExtensions?: { idmap?: { enabled?: boolean } }
  netDevices?: { enabled?: boolean }
  memoryPolicy?: { modes?: string[]; flags?: string[] }
}
