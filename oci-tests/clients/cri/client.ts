// A small CRI client (the kubelet's side of the Container Runtime Interface) over gRPC on a unix
// socket, for driving containerd's CRI plugin in tests (Debian has no crictl). The API subset is
// oci-tests/clients/cri/api.proto, loaded at run time. Calls are promises; a failed call rejects
// with a CriError that carries the gRPC status code.
import * as grpc from '@grpc/grpc-js'
import * as protoLoader from '@grpc/proto-loader'
import { join } from 'node:path'

export const protoPath = join(__dirname, 'api.proto')

/** The CRI versions containerd 1.6 serves: runtime.v1 (preferred) and the older v1alpha2 (same field numbers). */
export type CriApiVersion = 'v1' | 'v1alpha2'

// ---- the message shapes we use (proto-loader: camelCase fields, enums as names, int64 as strings)

export type NamespaceMode = 'POD' | 'CONTAINER' | 'NODE' | 'TARGET'
export interface NamespaceOption { network?: NamespaceMode; pid?: NamespaceMode; ipc?: NamespaceMode; targetId?: string }
export interface PodSandboxMetadata { name: string; uid: string; namespace: string; attempt?: number }
export interface PodSandboxConfig {
  metadata: PodSandboxMetadata
  hostname?: string
  logDirectory?: string
  labels?: Record<string, string>
  annotations?: Record<string, string>
  linux?: {
    cgroupParent?: string
    securityContext?: { namespaceOptions?: NamespaceOption; privileged?: boolean; readonlyRootfs?: boolean }
    sysctls?: Record<string, string>
  }
}
export type PodSandboxState = 'SANDBOX_READY' | 'SANDBOX_NOTREADY'
export interface PodSandboxStatus {
  id: string
  metadata: PodSandboxMetadata | null
  state: PodSandboxState
  createdAt: string
  labels: Record<string, string>
  annotations: Record<string, string>
  runtimeHandler: string
  linux: { namespaces: { options: NamespaceOption | null } | null } | null
}
export interface PodSandbox { id: string; metadata: PodSandboxMetadata | null; state: PodSandboxState; runtimeHandler: string; labels: Record<string, string> }

export interface ContainerConfig {
  metadata: { name: string; attempt?: number }
  image: { image: string }
  command?: string[]
  args?: string[]
  workingDir?: string
  envs?: Array<{ key: string; value: string }>
  labels?: Record<string, string>
  annotations?: Record<string, string>
  logPath?: string
  tty?: boolean
  linux?: {
    resources?: { cpuShares?: number; memoryLimitInBytes?: number; cpuPeriod?: number; cpuQuota?: number }
    securityContext?: { namespaceOptions?: NamespaceOption; privileged?: boolean; readonlyRootfs?: boolean }
  }
}
export type ContainerState = 'CONTAINER_CREATED' | 'CONTAINER_RUNNING' | 'CONTAINER_EXITED' | 'CONTAINER_UNKNOWN'
export interface ContainerStatus {
  id: string
  metadata: { name: string; attempt: number } | null
  state: ContainerState
  createdAt: string
  startedAt: string
  finishedAt: string
  exitCode: number
  image: { image: string } | null
  imageRef: string
  reason: string
  message: string
  labels: Record<string, string>
  annotations: Record<string, string>
  logPath: string
}
export interface Container { id: string; podSandboxId: string; state: ContainerState; labels: Record<string, string> }
export interface ExecSyncResult { stdout: Buffer; stderr: Buffer; exitCode: number }
export interface Image { id: string; repoTags: string[]; repoDigests: string[]; size: string }
export interface RuntimeCondition { type: string; status: boolean; reason: string; message: string }
export interface VersionResponse { version: string; runtimeName: string; runtimeVersion: string; runtimeApiVersion: string }

/** A rejected CRI call: `code` is the gRPC status (grpc.status.NOT_FOUND...). */
export class CriError extends Error {
  constructor(readonly method: string, readonly code: grpc.status, readonly details: string) {
    super(`CRI ${method}: ${grpc.status[code] ?? code}: ${details}`)
  }
}

export interface CriClient {
  apiVersion: CriApiVersion
  version(): Promise<VersionResponse>
  status(): Promise<{ conditions: RuntimeCondition[] }>
  runPodSandbox(config: PodSandboxConfig, runtimeHandler: string): Promise<string>
  podSandboxStatus(id: string, verbose?: boolean): Promise<{ status: PodSandboxStatus; info: Record<string, string> }>
  listPodSandbox(): Promise<PodSandbox[]>
  stopPodSandbox(id: string): Promise<void>
  removePodSandbox(id: string): Promise<void>
  createContainer(podSandboxId: string, config: ContainerConfig, sandboxConfig: PodSandboxConfig): Promise<string>
  startContainer(id: string): Promise<void>
  /** `timeout`: grace period in seconds before SIGKILL */
  stopContainer(id: string, timeout: number): Promise<void>
  removeContainer(id: string): Promise<void>
  containerStatus(id: string, verbose?: boolean): Promise<{ status: ContainerStatus; info: Record<string, string> }>
  listContainers(podSandboxId?: string): Promise<Container[]>
  /** `timeout` in seconds (0: none) */
  execSync(id: string, cmd: string[], timeout?: number): Promise<ExecSyncResult>
  imageStatus(ref: string): Promise<Image | null>
  listImages(): Promise<Image[]>
  close(): void
}

type Callback = (err: grpc.ServiceError | null, res: unknown) => void
type Unary = (req: unknown, meta: grpc.Metadata, opts: grpc.CallOptions, cb: Callback) => void

let cachedDefinition: protoLoader.PackageDefinition | undefined
function packageDefinition(): protoLoader.PackageDefinition {
  cachedDefinition ??= protoLoader.loadSync(protoPath, { keepCase: false, longs: String, enums: String, defaults: true, oneofs: true })
  return cachedDefinition
}

/** The service's constructor, with method paths under `runtime.<version>`. */
function serviceClient(service: 'RuntimeService' | 'ImageService', version: CriApiVersion): grpc.ServiceClientConstructor {
  const def = packageDefinition()[`runtime.v1.${service}`] as grpc.ServiceDefinition
  const renamed = Object.fromEntries(Object.entries(def).map(([name, method]) => [name, { ...method, path: `/runtime.${version}.${service}/${name}` }]))
  return grpc.makeGenericClientConstructor(renamed as grpc.ServiceDefinition, service)
}

/**
 * Connects to the CRI endpoint at unix socket `socketPath`; asks for runtime.v1 and falls back to
 * v1alpha2 when the server does not implement v1. Every call has a deadline of `callTimeoutMs`.
 */
export async function connectCri(socketPath: string, callTimeoutMs = 60_000): Promise<CriClient> {
  const open = (version: CriApiVersion) => {
    const Runtime = serviceClient('RuntimeService', version)
    const Images = serviceClient('ImageService', version)
    const address = `unix://${socketPath}`
    const creds = grpc.credentials.createInsecure()
    const runtime = new Runtime(address, creds)
    const images = new Images(address, creds)
    return { version, runtime, images }
  }
  let c = open('v1')
  const call = <T>(which: 'runtime' | 'images', method: string, req: unknown): Promise<T> =>
    new Promise((resolve, reject) => {
      const fn = (c[which] as unknown as Record<string, Unary>)[method]
      if (!fn) return reject(new Error(`no CRI method ${method}`))
      fn.call(c[which], req, new grpc.Metadata(), { deadline: Date.now() + callTimeoutMs }, (err, res) => {
        if (err) reject(new CriError(method, err.code, err.details))
        else resolve(res as T)
      })
    })
  try {
    await call('runtime', 'Version', { version: '0.1.0' })
  } catch (e) {
    if (!(e instanceof CriError) || e.code !== grpc.status.UNIMPLEMENTED) {
      c.runtime.close()
      throw e
    }
    c.runtime.close()
    c = open('v1alpha2')
    await call('runtime', 'Version', { version: '0.1.0' })
  }
  return {
    get apiVersion() {
      return c.version
    },
    version: () => call('runtime', 'Version', { version: '0.1.0' }),
    status: async () => {
      const r = await call<{ status: { conditions: RuntimeCondition[] } | null }>('runtime', 'Status', {})
      return { conditions: r.status?.conditions ?? [] }
    },
    runPodSandbox: async (config, runtimeHandler) =>
      (await call<{ podSandboxId: string }>('runtime', 'RunPodSandbox', { config, runtimeHandler })).podSandboxId,
    podSandboxStatus: (id, verbose = false) => call('runtime', 'PodSandboxStatus', { podSandboxId: id, verbose }),
    listPodSandbox: async () => (await call<{ items: PodSandbox[] }>('runtime', 'ListPodSandbox', {})).items,
    stopPodSandbox: async (id) => void (await call('runtime', 'StopPodSandbox', { podSandboxId: id })),
    removePodSandbox: async (id) => void (await call('runtime', 'RemovePodSandbox', { podSandboxId: id })),
    createContainer: async (podSandboxId, config, sandboxConfig) =>
      (await call<{ containerId: string }>('runtime', 'CreateContainer', { podSandboxId, config, sandboxConfig })).containerId,
    startContainer: async (id) => void (await call('runtime', 'StartContainer', { containerId: id })),
    stopContainer: async (id, timeout) => void (await call('runtime', 'StopContainer', { containerId: id, timeout })),
    removeContainer: async (id) => void (await call('runtime', 'RemoveContainer', { containerId: id })),
    containerStatus: (id, verbose = false) => call('runtime', 'ContainerStatus', { containerId: id, verbose }),
    listContainers: async (podSandboxId) =>
      (await call<{ containers: Container[] }>('runtime', 'ListContainers', { filter: podSandboxId ? { podSandboxId } : {} })).containers,
    execSync: (id, cmd, timeout = 0) => call('runtime', 'ExecSync', { containerId: id, cmd, timeout }),
    imageStatus: async (ref) => (await call<{ image: Image | null }>('images', 'ImageStatus', { image: { image: ref } })).image,
    listImages: async () => (await call<{ images: Image[] }>('images', 'ListImages', {})).images,
    close: () => {
      c.images.close()
      c.runtime.close()
    },
  }
}
