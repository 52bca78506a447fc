import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { readDatasetSettings } from '../datasets/datasetSettings';
import { validateDataset } from '../datasets/validateDataset';
import { childEnv } from '../process/childEnv';
import type { Clock } from '../process/clock';
import type { KillTree } from '../process/killTree';
import { nodeSpawn, type Spawn } from '../process/spawn';
import type { Settings } from '../settings/settings';
import { characterFile, datasetFolder } from '../studio/layout';
import { parseFrontMatter } from '../text/frontMatter';
import type { DisposableLike } from '../util/disposable';
import { Emitter } from '../util/emitter';
import { AppError, InvalidInputError } from '../util/errors';
import type { Logger } from '../util/logger';
import type { RunRecord, TrainingConfig } from './model';
import { createRunFolder, newRunRecord, readRun, runPaths, type RunPaths } from './runFolder';
import { RunningTraining } from './runningTraining';
import { type ClassTokens, datasetToml, launchCommand, samplePromptsFile, trainerArguments, trainerEnvironment } from './trainingArgs';
import { type TrainingHardware, validateTrainingConfig } from './trainingConfig';

/** A second training while one runs: refused, naming the one running. */
export class TrainingBusyError extends AppError {
  constructor(readonly running: RunRecord) {
    super('training_busy', `A training is already running: ${running.id} (step ${running.step} of ${running.totalSteps ?? '?'}). Wait for it, or cancel it, before starting another.`);
  }
}

export interface TrainingRunnerOptions {
  readonly logger: Logger;
  readonly spawn?: Spawn;
  readonly killTree?: KillTree;
  readonly clock?: Clock;
  readonly pollMs?: number;
  /** The environment the trainer inherits (ours by default). */
  readonly env?: NodeJS.ProcessEnv;
}

export interface TrainingStart {
  readonly studioRoot: string;
  readonly config: TrainingConfig;
  readonly sdScripts: Settings['sdScripts'];
  readonly hardware: TrainingHardware;
}

/**
 * Starts trainings, one at a time on this machine: the GPU can hold one. Everything that can be
 * checked before launching is (the form's fields against the hardware profile, the base model
 * file, the dataset's report), so a mistake costs a message, not a minute of model loading.
 */
export class TrainingRunner implements DisposableLike {
  private current: RunningTraining | undefined;
  private readonly started = new Emitter<RunningTraining>();
  private readonly ended = new Emitter<RunRecord>();
  /** A training began; its job reports the rest. */
  readonly onDidStart = this.started.event;
  readonly onDidEnd = this.ended.event;

  constructor(private readonly options: TrainingRunnerOptions) {}

  /** The running training, if any. */
  get active(): RunningTraining | undefined {
    return this.current;
  }

  async start(start: TrainingStart): Promise<RunningTraining> {
    this.refuseIfBusy();
    const { config, studioRoot } = start;
    const errors = validateTrainingConfig(config, start.hardware).filter((p) => p.severity === 'error');
    if (errors.length > 0) throw new InvalidInputError(`The training settings need fixing: ${errors.map((e) => `${e.field}: ${e.message}`).join(' ')}`);
    return this.launchNewRun(studioRoot, config, start.sdScripts, null);
  }

  /**
   * Goes on with a failed or cancelled run from the state sd-scripts saved. It becomes a new run
   * folder that names the one it resumes: after `--resume` sd-scripts counts steps from zero
   * again, so its checkpoint names would collide with the first run's in the same folder.
   */
  async resume(studioRoot: string, runId: string, sdScripts: Settings['sdScripts']): Promise<RunningTraining> {
    this.refuseIfBusy();
    const read = await readRun(studioRoot, runId);
    if (!read) throw new InvalidInputError(`There is no training run "${runId}" in this studio.`);
    if (!read.record) throw new InvalidInputError(`The run ${runId} cannot be read: ${read.problem}`);
    const previous = read.record;
    if (previous.status !== 'failed' && previous.status !== 'cancelled') throw new InvalidInputError(`${runId} is ${previous.status}: only a failed or cancelled run can be resumed.`);
    if (!previous.resumeFrom) throw new InvalidInputError(`${runId} saved no training state before it stopped, so it cannot be resumed; start a new training instead.`);
    const state = path.resolve(runPaths(studioRoot, runId).root, previous.resumeFrom);
    if (!(await stat(state).then((s) => s.isDirectory(), () => false))) throw new InvalidInputError(`The saved state ${previous.resumeFrom} of ${runId} is gone; start a new training instead.`);
    return this.launchNewRun(studioRoot, previous.config, sdScripts, { runId, state });
  }

  /** Cancels the running training, if any, and waits for it to end. */
  async dispose(): Promise<void> {
    await this.current?.cancel();
    this.started.dispose();
    this.ended.dispose();
  }

  /**
   * Checks what can be checked before launching (the sd-scripts folder setting, the base model,
   * the datasets' reports), then makes the run folder with its inputs and launches into it.
   */
  private async launchNewRun(
    studioRoot: string,
    config: TrainingConfig,
    sdScripts: Settings['sdScripts'],
    resuming: { readonly runId: string; readonly state: string } | null,
  ): Promise<RunningTraining> {
    // A missing folder setting is reported before anything is written.
    launchCommand(sdScripts, [], { baseModelVersion: config.baseModelVersion });
    await checkBaseModel(config.baseModel);
    const dirs = await checkDatasets(studioRoot, config);
    this.refuseIfBusy();
    const { id, paths } = await createRunFolder(studioRoot, config, new Date());
    const record: RunRecord = { ...newRunRecord(id, config, new Date()), resumes: resuming?.runId ?? null };
    await writeInputs(paths, config, dirs);
    return this.launch(studioRoot, paths, record, sdScripts, resuming?.state ?? null);
  }

  private launch(studioRoot: string, paths: RunPaths, record: RunRecord, sdScripts: Settings['sdScripts'], resumeFrom: string | null): RunningTraining {
    const args = trainerArguments(record.config, paths, resumeFrom ? { resumeFrom } : {});
    const command = launchCommand(sdScripts, args, { baseModelVersion: record.config.baseModelVersion });
    const spawn = this.options.spawn ?? nodeSpawn;
    const env = childEnv(this.options.env ?? process.env, trainerEnvironment());
    const child = spawn(command.program, command.args, { cwd: command.cwd, env });
    const job = new RunningTraining({
      studioRoot,
      paths,
      record: { ...record, command: { program: command.program, args: command.args, cwd: command.cwd } },
      child,
      logger: this.options.logger,
      ...(this.options.clock ? { clock: this.options.clock } : {}),
      ...(this.options.killTree ? { killTree: this.options.killTree } : {}),
      ...(this.options.pollMs ? { pollMs: this.options.pollMs } : {}),
    });
    this.current = job;
    this.options.logger.info(`Training ${record.id} started: ${command.program} ${command.args.join(' ')}`);
    this.started.fire(job);
    void job.finished.then((final) => {
      if (this.current === job) this.current = undefined;
      job.dispose();
      this.options.logger.info(`Training ${final.id} ${final.status}${final.failure ? `: ${final.failure.message}` : ''}`);
      this.ended.fire(final);
    });
    return job;
  }

  private refuseIfBusy(): void {
    if (this.current) throw new TrainingBusyError(this.current.record());
  }
}

/** sd-scripts takes a path that is not a file for a Hugging Face id and fails minutes later: check it here. */
async function checkBaseModel(file: string): Promise<void> {
  const isFile = await stat(file).then((s) => s.isFile(), () => false);
  if (!isFile) throw new InvalidInputError(`The base model ${file} is not a file. Choose a .safetensors or .ckpt checkpoint (for SD 1.5, e.g. v1-5-pruned-emaonly.safetensors).`);
}

/** The dataset's report before training: its errors block the launch, as the user would fix them anyway. */
async function checkDatasets(studioRoot: string, config: TrainingConfig): Promise<{ train: string; reg: string | null; tokens: ClassTokens }> {
  const folderOf = (id: string): string => path.resolve(studioRoot, datasetFolder(id));
  const train = folderOf(config.datasetId);
  const reg = config.regDatasetId ? folderOf(config.regDatasetId) : null;
  for (const folder of reg ? [train, reg] : [train]) {
    const exists = await stat(folder).then((s) => s.isDirectory(), () => false);
    if (!exists) throw new InvalidInputError(`The dataset folder ${path.relative(studioRoot, folder)} does not exist.`);
    const check = await validateDataset(folder, { studioRoot, findDuplicates: false });
    const errors = check.problems.filter((p) => p.severity === 'error');
    if (errors.length > 0) {
      throw new InvalidInputError(
        `The dataset ${path.basename(folder)} has ${errors.length} error${errors.length === 1 ? '' : 's'} (first: ${errors[0]!.message}). Run Check Dataset, fix them, and start again.`,
      );
    }
  }
  const settings = await readDatasetSettings(train, { file: `${datasetFolder(config.datasetId)}/dataset.json`, studioRoot });
  const character = settings.characterId ? await readCharacterClass(studioRoot, settings.characterId) : undefined;
  return { train, reg, tokens: { ...(settings.trigger ? { trigger: settings.trigger } : {}), ...(character ? { class: character } : {}) } };
}

/** The character's class word (`woman`), which regularization images are captioned with. */
async function readCharacterClass(studioRoot: string, characterId: string): Promise<string | undefined> {
  const file = path.join(studioRoot, characterFile(characterId));
  const text = await readFile(file, 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  const value = parseFrontMatter(characterFile(characterId), text).data?.['class'];
  return typeof value === 'string' && value.trim() ? value.trim() : undefined;
}

async function writeInputs(paths: RunPaths, config: TrainingConfig, dirs: { train: string; reg: string | null; tokens: ClassTokens }): Promise<void> {
  await mkdir(paths.out, { recursive: true });
  await writeFile(paths.datasetToml, datasetToml(config, { train: dirs.train, reg: dirs.reg }, dirs.tokens));
  if (config.sampleEveryNSteps > 0 && config.samplePrompts.length > 0) await writeFile(paths.samplePrompts, samplePromptsFile(config));
}
