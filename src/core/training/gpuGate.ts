import type { HardwareLimits } from '../settings/hardware';
import { AppError, CancelledError } from '../util/errors';
import type { EventLike } from '../util/emitter';
import type { RunRecord } from './model';

/** What the gate needs of the trainer: the running training, and when one ends. */
export interface TrainingActivity {
  readonly active: { record(): RunRecord } | undefined;
  readonly onDidEnd: EventLike<RunRecord>;
}

export interface GpuGatePolicy {
  readonly limits: HardwareLimits;
  readonly label: string;
  readonly generationDuringTraining: 'refuse' | 'hold';
}

/** A generation asked for while a training holds an exclusive GPU, refused by the setting. */
export class GpuBusyError extends AppError {
  constructor(run: RunRecord, label: string) {
    super(
      'gpu_busy',
      `The GPU is training ${run.id} (step ${run.step} of ${run.totalSteps ?? '?'}), and on ${label} training and generation cannot share it. ` +
        'Generate when the training ends, or set studionova.hardware.generationDuringTraining to "hold" to have generations wait for it.',
    );
  }
}

/**
 * The hardware profile's "no generation while training on the same GPU", enforced before a job is
 * queued: on an exclusive GPU, a generation during a training is refused, or waits until the
 * training ends. `onWait` is told once when it has to wait, so a notification can say why.
 */
export async function admitGeneration(
  training: TrainingActivity,
  policy: GpuGatePolicy,
  signal?: AbortSignal,
  onWait?: (run: RunRecord) => void,
): Promise<void> {
  const active = training.active;
  if (!active || !policy.limits.exclusiveGpu) return;
  const run = active.record();
  if (policy.generationDuringTraining === 'refuse') throw new GpuBusyError(run, policy.label);
  onWait?.(run);
  await new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(new CancelledError());
    const ended = training.onDidEnd(() => {
      // Another training may have started in the same tick; the next call checks again.
      if (training.active) return;
      signal?.removeEventListener('abort', onAbort);
      ended.dispose();
      resolve();
    });
    const onAbort = (): void => {
      ended.dispose();
      reject(new CancelledError());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
