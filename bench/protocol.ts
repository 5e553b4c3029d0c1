// What the bench and its worker processes say to each other over IPC, and the parent's side of it.
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { WorkerOptions } from '@temporalio/worker';

export interface WorkerSpec {
  kind: 'kyc' | 'floor';
  address: string;
  taskQueue: string;
  /** Prebuilt workflow bundle (the floor's; the KYC worker reads KYC_WORKFLOW_BUNDLE from env). */
  bundlePath: string;
  /** The KYC worker's environment, parsed by parseWorkerConfig exactly as `npm run worker` does. */
  env: Record<string, string>;
  /** Serializable worker options only (numbers, strings). */
  overrides?: Partial<
    Pick<
      WorkerOptions,
      'maxCachedWorkflows' | 'maxConcurrentWorkflowTaskExecutions' | 'maxConcurrentActivityTaskExecutions'
    >
  >;
}

export interface MemorySample {
  rss: number;
  /** Highest RSS sampled (every 20 ms) since the last reset. */
  peakRss: number;
  /** The kernel's high-water mark for the whole process life (VmHWM). */
  hwm: number;
  heapUsed: number;
}

export type ChildRequest =
  | { type: 'start'; spec: WorkerSpec }
  /** `collect`: a full garbage collection first, so the sample is what the process retains, not what awaits GC. */
  | { type: 'memory'; resetPeak?: boolean; collect?: boolean }
  /** How many floor runs sent their verdict event (figure 4's floor drain counts them). */
  | { type: 'counters' }
  | {
      type: 'put';
      source: string;
      intent: { fileId: string; uploadUrl: string; expiresAt: string; requiredHeaders: Record<string, string> };
      partnerUrl: string;
      maxFileBytes: number;
    }
  | { type: 'stop' };

export type ChildReply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: string };

export interface PutResult {
  ms: number;
  bytes: number;
  sha256: string;
  rssBefore: number;
  rssPeak: number;
}

/** A worker process; `call` sends one request and resolves with its answer. */
export class WorkerChild {
  private next = 0;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  readonly process: ChildProcess;
  private output = '';

  private constructor(
    readonly name: string,
    execArgv: string[] = [],
  ) {
    this.process = fork(join(__dirname, 'worker-child.ts'), [], {
      // --expose-gc: `memory` with `collect` reads what the process retains (figure 4's checkpoints).
      execArgv: ['--expose-gc', '--import', 'tsx', ...execArgv],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    const keep = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString()).slice(-20_000);
    };
    this.process.stdout!.on('data', keep);
    this.process.stderr!.on('data', keep);
    this.process.on('message', (reply: ChildReply) => {
      const waiter = this.pending.get(reply.id);
      if (!waiter) return;
      this.pending.delete(reply.id);
      if (reply.ok) waiter.resolve(reply.value);
      else waiter.reject(new Error(`${this.name} worker: ${reply.error}`));
    });
    this.process.once('exit', (code) => {
      for (const waiter of this.pending.values()) {
        waiter.reject(new Error(`${this.name} worker exited (${code}):\n${this.output}`));
      }
      this.pending.clear();
    });
  }

  /** `execArgv`: extra Node flags for the child, e.g. `--cpu-prof` (bench `--cpu-prof=DIR`). */
  static async start(name: string, spec: WorkerSpec, execArgv?: string[]): Promise<WorkerChild> {
    const child = new WorkerChild(name, execArgv);
    await child.call({ type: 'start', spec });
    return child;
  }

  get pid(): number {
    return this.process.pid!;
  }

  call<T = unknown>(req: ChildRequest): Promise<T> {
    const id = ++this.next;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.process.send({ id, req });
    });
  }

  memory(resetPeak = false, collect = false): Promise<MemorySample> {
    return this.call<MemorySample>({ type: 'memory', resetPeak, collect });
  }

  async stop(): Promise<void> {
    if (this.process.exitCode !== null) return;
    const exited = new Promise<void>((r) => this.process.once('exit', () => r()));
    await this.call({ type: 'stop' }).catch(() => undefined);
    const timer = setTimeout(() => this.process.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
}
