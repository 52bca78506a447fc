import { randomUUID } from 'node:crypto';
import type { ApiWorkflow, ComfyClient } from '../comfy/comfyClient';
import { ComfySocket, type PromptEvent } from '../comfy/comfySocket';
import { ComfyExecutionError, MissingInComfyError } from '../comfy/errors';
import type { HistoryEntry, ObjectInfo } from '../comfy/protocol';
import { fillWorkflow } from '../comfy/workflow/fill';
import { checkAgainstObjectInfo } from '../comfy/workflow/validate';
import type { DisposableLike } from '../util/disposable';
import { Emitter, type EventLike } from '../util/emitter';
import { AppError, errorMessage } from '../util/errors';
import type { Logger } from '../util/logger';
import { finishedStatuses, type GenerationJob, type JobStore, toRecord } from './generationJob';
import { appendManifest, promptHash } from './manifest';
import { outputExtension, outputStem, type SavedOutput, saveOutput } from './outputWriter';
import type { GenerationRequest } from './request';
import { loadTemplate, type TemplateSource } from './templates';

export interface GenerationQueueOptions {
  readonly client: ComfyClient;
  readonly studioRoot: string;
  readonly templates: TemplateSource;
  readonly logger: Logger;
  /** Prompts handed to ComfyUI at once: one running and one waiting keeps its GPU busy between jobs. */
  readonly maxInFlight?: number;
  readonly store?: JobStore;
  /** What went wrong on ComfyUI's side when it vanishes mid-job (the managed process's log tail). */
  readonly diagnose?: () => string | undefined;
  readonly openSocket?: (url: string, signal?: AbortSignal) => Promise<ComfySocket>;
}

/** A job ComfyUI no longer knows and that its history cannot explain: it was restarted or died. */
export class ComfyLostJobError extends AppError {
  constructor(detail: string | undefined) {
    super('comfy_lost_job', `ComfyUI stopped while running this job${detail ? `. Its last words:\n${detail}` : '.'}`);
  }
}

/**
 * StudioNOVA's own queue in front of ComfyUI's. Each image is a job with its own seed. Jobs are
 * handed to ComfyUI so that the next one already waits in its queue while one runs, and the
 * download and saving of a finished job overlap with the next one running: the GPU never idles
 * because of us. Everything a job goes through is announced on `onDidChangeJob`.
 */
export class GenerationQueue implements DisposableLike {
  private readonly changed = new Emitter<GenerationJob>();
  private readonly saved = new Emitter<{ job: GenerationJob; output: SavedOutput }>();
  readonly onDidChangeJob: EventLike<GenerationJob> = this.changed.event;
  readonly onDidSaveOutput: EventLike<{ job: GenerationJob; output: SavedOutput }> = this.saved.event;

  private readonly all: GenerationJob[] = [];
  private readonly waiting: GenerationJob[] = [];
  private readonly byPrompt = new Map<string, GenerationJob>();
  private socket: Promise<{ socket: ComfySocket; clientId: string }> | undefined;
  private objectInfo: { info: ObjectInfo; at: number } | undefined;
  private comfyuiVersion: string | undefined;
  private disposed = false;
  private pumping = false;

  private client: ComfyClient;

  constructor(private readonly options: GenerationQueueOptions) {
    this.client = options.client;
  }

  /** ComfyUI moved (a managed restart picks a new port): later requests go to the new address. */
  setClient(client: ComfyClient): void {
    if (client.url === this.client.url) return;
    this.client = client;
    this.objectInfo = undefined;
    this.comfyuiVersion = undefined;
    void this.socket?.then(({ socket }) => socket.dispose()).catch(() => undefined);
    this.socket = undefined;
  }

  get jobs(): readonly GenerationJob[] {
    return this.all;
  }

  /**
   * Checks and queues a request: the template is loaded and filled, and the result checked
   * against the running ComfyUI's nodes and models, before any job exists. One job per seed.
   */
  async generate(request: GenerationRequest, signal?: AbortSignal): Promise<GenerationJob[]> {
    const template = await loadTemplate(request.template, this.options.templates);
    const workflows = request.seeds.map((seed) =>
      fillWorkflow(
        template.workflow,
        template.slots,
        {
          positive: request.prompt,
          negative: request.negative,
          seed,
          steps: request.steps,
          cfg: request.cfg,
          sampler: request.sampler,
          scheduler: request.scheduler,
          checkpoint: request.checkpoint,
          lora: request.lora?.name,
          loraStrength: request.lora?.strength,
          width: request.width,
          height: request.height,
          batchSize: template.slots.batchSize ? 1 : undefined,
          filenamePrefix: template.slots.filenamePrefix ? `StudioNOVA/${outputStem(request.target).stem}` : undefined,
        },
        template.name,
      ),
    );
    return this.generateWorkflows(request, workflows, signal);
  }

  /**
   * Queues workflows already filled, as they are: one job per workflow, the request's seeds in
   * the same order. A re-run sends the workflow saved beside an image, not the template as it
   * is today, so the new image is made exactly as the old one was.
   */
  async generateWorkflows(request: GenerationRequest, workflows: readonly ApiWorkflow[], signal?: AbortSignal): Promise<GenerationJob[]> {
    if (workflows.length === 0 || workflows.length !== request.seeds.length) {
      throw new AppError('generation_mismatch', `${workflows.length} workflows for ${request.seeds.length} seeds: each workflow needs its own seed.`);
    }
    for (const workflow of workflows) await this.checkWithComfy(workflow, signal);
    const requestId = randomUUID();
    const jobs = workflows.map((workflow, index): GenerationJob => ({
      id: randomUUID(),
      requestId,
      request,
      seed: request.seeds[index]!,
      workflow,
      status: 'queued',
      promptId: undefined,
      progress: undefined,
      node: undefined,
      preview: undefined,
      outputs: [],
      error: undefined,
      times: { enqueued: Date.now() },
    }));
    for (const job of jobs) {
      this.all.push(job);
      this.waiting.push(job);
      this.update(job);
    }
    void this.pump();
    return jobs;
  }

  /** Cancels a job wherever it is: our queue, ComfyUI's queue, or running. */
  async cancel(jobId: string): Promise<void> {
    const job = this.all.find((j) => j.id === jobId);
    if (!job || finishedStatuses.has(job.status)) return;
    const waitingIndex = this.waiting.indexOf(job);
    if (waitingIndex >= 0) {
      this.waiting.splice(waitingIndex, 1);
      this.finish(job, 'cancelled');
      return;
    }
    if (!job.promptId) return;
    if (job.status === 'submitted') {
      await this.client.deleteFromQueue([job.promptId]);
      // A prompt deleted from ComfyUI's queue sends no event: it is done here.
      const queue = await this.client.queue().catch(() => undefined);
      if (!queue || !queue.running.includes(job.promptId)) {
        this.finish(job, 'cancelled');
        return;
      }
    }
    await this.client.interrupt(job.promptId);
  }

  /** Resolves when every given job has finished, whichever way. */
  waitFor(jobs: readonly GenerationJob[]): Promise<GenerationJob[]> {
    return new Promise((resolve) => {
      const check = (): boolean => {
        if (!jobs.every((job) => finishedStatuses.has(job.status))) return false;
        resolve([...jobs]);
        return true;
      };
      if (check()) return;
      const subscription = this.onDidChangeJob(() => {
        if (check()) subscription.dispose();
      });
    });
  }

  /** Forget the cached /object_info (ComfyUI restarted, or models were added). */
  invalidateObjectInfo(): void {
    this.objectInfo = undefined;
  }

  /**
   * Picks up jobs the last session left with ComfyUI: saves what ComfyUI finished meanwhile,
   * goes on following what it still runs, and fails what it no longer knows.
   */
  async recover(): Promise<void> {
    for (const record of this.options.store?.unfinished() ?? []) {
      if (!record.promptId) {
        // Never sent: starting it now, unasked, would surprise; it is marked as not done.
        this.options.store?.save({ ...record, status: 'cancelled', error: 'The window closed before this job was sent to ComfyUI.' });
        continue;
      }
      const job: GenerationJob = {
        ...record,
        status: record.status,
        progress: undefined,
        node: undefined,
        preview: undefined,
        outputs: [...record.outputs],
        error: undefined,
        times: { enqueued: record.enqueuedAt },
      };
      this.all.push(job);
      this.byPrompt.set(record.promptId, job);
      await this.settleFromServer(job);
    }
  }

  dispose(): void {
    this.disposed = true;
    void this.socket?.then(({ socket }) => socket.dispose()).catch(() => undefined);
    this.changed.dispose();
    this.saved.dispose();
  }

  private async checkWithComfy(workflow: GenerationJob['workflow'], signal?: AbortSignal): Promise<void> {
    const fresh = async (): Promise<ObjectInfo> => {
      const info = await this.client.objectInfo(signal);
      this.objectInfo = { info, at: Date.now() };
      return info;
    };
    let problems = checkAgainstObjectInfo(workflow, this.objectInfo?.info ?? (await fresh()));
    // A model added since the last look shows only in a fresh /object_info.
    if (problems.length > 0 && this.objectInfo && Date.now() - this.objectInfo.at > 1000) problems = checkAgainstObjectInfo(workflow, await fresh());
    if (problems.length > 0) throw new MissingInComfyError(problems);
  }

  private inFlight(): number {
    return this.all.filter((job) => job.status === 'submitted' || job.status === 'running').length;
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (!this.disposed && this.waiting.length > 0 && this.inFlight() < (this.options.maxInFlight ?? 2)) {
        const job = this.waiting.shift()!;
        await this.submit(job);
      }
    } finally {
      this.pumping = false;
    }
  }

  private async submit(job: GenerationJob): Promise<void> {
    try {
      const { clientId } = await this.ensureSocket();
      const promptId = randomUUID();
      job.promptId = promptId;
      this.byPrompt.set(promptId, job);
      job.status = 'submitted';
      job.times.submitted = Date.now();
      await this.client.submit({ workflow: job.workflow, clientId, promptId });
      this.update(job);
    } catch (error) {
      this.fail(job, error);
    }
  }

  /** One socket for the queue; a fresh client id per connection, as ComfyUI mishandles a reused one. */
  private ensureSocket(): Promise<{ socket: ComfySocket; clientId: string }> {
    if (this.socket) return this.socket;
    const clientId = `studionova-${randomUUID()}`;
    const open = this.options.openSocket ?? ((url: string, signal?: AbortSignal) => ComfySocket.open(url, signal));
    const opening = open(this.client.socketUrl(clientId)).then((socket) => {
      socket.onEvent((event) => this.onEvent(event));
      socket.onClose(() => {
        this.socket = undefined;
        void this.onConnectionLost();
      });
      return { socket, clientId };
    });
    this.socket = opening;
    opening.catch(() => (this.socket = undefined));
    return opening;
  }

  private onEvent(event: PromptEvent): void {
    if (event.kind === 'preview') {
      const job = event.promptId ? this.byPrompt.get(event.promptId) : this.all.find((j) => j.status === 'running');
      if (job) {
        job.preview = { image: event.image, mime: event.mime };
        this.update(job);
      }
      return;
    }
    const job = this.byPrompt.get(event.promptId);
    if (!job || finishedStatuses.has(job.status)) return;
    switch (event.kind) {
      case 'started':
        job.status = 'running';
        job.times.started = Date.now();
        break;
      case 'node':
        job.status = 'running';
        job.node = event.node;
        break;
      case 'progress':
        job.progress = { value: event.value, max: event.max };
        break;
      case 'output':
        return;
      case 'succeeded':
        job.times.executed = Date.now();
        job.status = 'saving';
        // The next job is already waiting in ComfyUI; hand over one more now, not after saving.
        void this.pump();
        break;
      case 'failed':
        this.fail(job, new ComfyExecutionError(event.error));
        return;
      case 'interrupted':
        this.finish(job, 'cancelled');
        return;
      case 'finished':
        if (job.status === 'saving' || job.status === 'running') void this.settleFromServer(job);
        return;
    }
    this.update(job);
  }

  /** Reads the prompt's history and saves its images; without history, asks the queue; else the job is lost. */
  private async settleFromServer(job: GenerationJob): Promise<void> {
    const promptId = job.promptId!;
    try {
      const entry = await this.client.history(promptId);
      if (entry) {
        await this.completeFromHistory(job, entry);
        return;
      }
      const queue = await this.client.queue();
      if (queue.running.includes(promptId) || queue.pending.includes(promptId)) {
        // Still ComfyUI's: its events go to a client id that is gone, so follow it by polling.
        setTimeout(() => void this.settleFromServer(job), 1000).unref?.();
        return;
      }
      this.fail(job, new ComfyLostJobError(this.options.diagnose?.()));
    } catch (error) {
      this.fail(job, error instanceof AppError && error.code === 'comfy_unavailable' ? new ComfyLostJobError(this.options.diagnose?.()) : error);
    }
  }

  private async completeFromHistory(job: GenerationJob, entry: HistoryEntry): Promise<void> {
    const failure = entry.status.messages.find(([type]) => type === 'execution_error' || type === 'execution_interrupted');
    if (failure?.[0] === 'execution_interrupted') return this.finish(job, 'cancelled');
    if (failure) return this.fail(job, new ComfyExecutionError({ prompt_id: job.promptId!, ...(failure[1] as object) }));
    job.status = 'saving';
    job.times.executed ??= Date.now();
    this.update(job);
    const images = Object.values(entry.outputs).flatMap((output) => output.images ?? []);
    const saved = images.filter((image) => image.type === 'output');
    const workflowJson = `${JSON.stringify(job.workflow, null, 2)}\n`;
    for (const image of saved.length > 0 ? saved : images) {
      const bytes = await this.client.view(image);
      const output = await saveOutput(this.options.studioRoot, job.request.target, bytes, workflowJson, outputExtension(image.filename));
      job.outputs.push(output);
      job.times.saved = Date.now();
      await appendManifest(this.options.studioRoot, this.manifestEntry(job, output, await this.version()));
      this.saved.fire({ job, output });
    }
    if (job.outputs.length === 0) return this.fail(job, new AppError('comfy_no_output', 'ComfyUI finished but saved no image: does the workflow end in a SaveImage node?'));
    this.finish(job, 'completed');
  }

  private manifestEntry(job: GenerationJob, output: SavedOutput, comfyuiVersion: string | undefined): Parameters<typeof appendManifest>[1] {
    const r = job.request;
    const { enqueued, submitted = enqueued, started = submitted, executed = started, saved = executed } = job.times;
    return {
      image: output.image,
      workflow: output.sidecar,
      jobId: job.id,
      promptId: job.promptId!,
      createdAt: new Date(saved).toISOString(),
      seed: job.seed,
      sampler: r.sampler,
      scheduler: r.scheduler,
      steps: r.steps,
      cfg: r.cfg,
      width: r.width,
      height: r.height,
      checkpoint: r.checkpoint,
      lora: r.lora ?? null,
      template: r.template,
      character: r.characterId ?? null,
      target: r.target,
      promptFile: r.promptFile ?? null,
      prompt: r.prompt,
      negative: r.negative,
      promptHash: promptHash(r),
      comfyuiVersion: comfyuiVersion ?? null,
      timings: { queueWaitMs: started - submitted, runMs: executed - started, downloadMs: saved - executed },
    };
  }

  private async version(): Promise<string | undefined> {
    this.comfyuiVersion ??= await this.options.client
      .systemStats()
      .then((stats) => stats.system.comfyui_version)
      .catch(() => undefined);
    return this.comfyuiVersion;
  }

  /** The socket closed: every job ComfyUI had is settled from its history, or failed as lost. */
  private async onConnectionLost(): Promise<void> {
    if (this.disposed) return;
    const affected = this.all.filter((job) => job.promptId && (job.status === 'submitted' || job.status === 'running' || job.status === 'saving'));
    await Promise.all(affected.map((job) => this.settleFromServer(job)));
  }

  private fail(job: GenerationJob, error: unknown): void {
    job.error = { code: error instanceof AppError ? error.code : 'error', message: errorMessage(error) };
    this.options.logger.warn(`Job ${job.id} (seed ${job.seed}) failed: ${job.error.message}`);
    this.finish(job, 'failed');
  }

  private finish(job: GenerationJob, status: 'completed' | 'failed' | 'cancelled'): void {
    if (finishedStatuses.has(job.status)) return;
    job.status = status;
    job.progress = undefined;
    job.node = undefined;
    this.update(job);
    void this.pump();
  }

  private update(job: GenerationJob): void {
    this.options.store?.save(toRecord(job));
    this.changed.fire(job);
  }
}

