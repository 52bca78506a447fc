import {
  type FieldProblem,
  type TrainingConfigWire,
  type TrainingFormBootstrap,
  type TrainingPreset,
  trainingLimits,
  trainingProtocol,
} from '../../src/shared/protocol/training';
import { type Debounced, debounce } from '../shared/debounce';
import type { HostClient } from '../shared/hostConnection';
import { type FieldSpec, type FormField, fieldSpec, formFields } from './formFields';
import { formatCount, formatDecimal, parseDecimal, parseWholeNumber } from './numbers';

/** A pause in typing before the host checks the form. */
const validateDelayMs = 300;

export interface FormModelDeps {
  readonly host: HostClient;
  /** The values as typed, to keep across a hide (the webview is torn down). */
  readonly saveDraft: (draft: Record<string, string>) => void;
  /** How validation waits for a pause; a test runs it by hand. */
  readonly schedule?: (run: () => void) => Debounced;
}

export interface ShownProblem {
  readonly message: string;
  readonly severity: FieldProblem['severity'];
}

type RawValue = string | boolean;

/**
 * The new-run form: the values as typed, the config they parse to, and what is wrong with it.
 * A value that does not parse is this model's own error; everything else (ranges, the hardware
 * limit, a missing base model) is the host's, asked after each pause in typing. Errors block
 * Start; warnings are shown and do not.
 */
export class FormModel {
  readonly datasetId: string;
  readonly character: TrainingFormBootstrap['character'];
  readonly presets: readonly TrainingPreset[];
  readonly hardware: string;
  readonly trusted: boolean;
  /** The last value of each field that parsed: what is validated and started. */
  config: TrainingConfigWire;
  /** Fields whose text does not parse, with why. */
  readonly localProblems = new Map<FormField, string>();
  serverProblems: readonly FieldProblem[] = [];
  validating = false;
  starting = false;
  /** Why the host refused to start (another run active, the dataset has errors). */
  startError: string | null = null;
  private readonly raw = new Map<FormField, RawValue>();
  private readonly validator: Debounced;
  /** Answers to an older config are dropped. */
  private version = 0;
  private readonly listeners = new Set<() => void>();

  constructor(
    bootstrap: TrainingFormBootstrap,
    private readonly deps: FormModelDeps,
    draft: Readonly<Record<string, string>> | null = null,
  ) {
    this.datasetId = bootstrap.datasetId;
    this.character = bootstrap.character;
    this.presets = bootstrap.presets;
    this.hardware = bootstrap.hardware;
    this.trusted = bootstrap.trusted;
    this.config = bootstrap.config;
    for (const spec of formFields) this.raw.set(spec.key, rawOf(spec, bootstrap.config[spec.key]));
    if (draft) this.restore(draft);
    this.validator = (deps.schedule ?? ((run) => debounce(run, validateDelayMs)))(() => void this.validateNow());
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The text (or checkbox state) a field shows. */
  value(field: FormField): RawValue {
    return this.raw.get(field) ?? '';
  }

  get preset(): string {
    return this.config.preset;
  }

  /** Takes what the user typed into a field; the host checks it after a pause. */
  set(field: FormField, value: RawValue): void {
    this.raw.set(field, value);
    this.parse(field);
    this.afterEdit();
  }

  /** Sets the preset's parameters; the dataset, base model and output name stay as they are. */
  applyPreset(id: string): void {
    const preset = this.presets.find((p) => p.id === id);
    if (!preset || !preset.fits) return;
    for (const [key, value] of Object.entries(preset.values)) {
      const spec = fieldSpec(key);
      if (spec && value !== undefined) this.raw.set(spec.key, rawOf(spec, value));
    }
    this.config = { ...this.config, preset: id };
    for (const spec of formFields) this.parse(spec.key);
    this.afterEdit();
  }

  /** What to show under a field: its parse error, else what the host said about it. */
  problemsFor(field: FormField): ShownProblem[] {
    const local = this.localProblems.get(field);
    if (local !== undefined) return [{ message: local, severity: 'error' }];
    return this.serverProblems.filter((p) => p.field === field).map(({ message, severity }) => ({ message, severity }));
  }

  /** What the host said about the config as a whole, or about a field the form does not show. */
  get generalProblems(): FieldProblem[] {
    return this.serverProblems.filter((p) => fieldSpec(p.field) === undefined);
  }

  get errorCount(): number {
    return this.localProblems.size + this.serverProblems.filter((p) => p.severity === 'error' && !this.localProblems.has(p.field as FormField)).length;
  }

  get canStart(): boolean {
    return this.trusted && !this.starting && this.errorCount === 0;
  }

  /** `1,000 steps · checkpoint every 200 · batch 1 on Apple M1, 16 GB` */
  get summary(): string {
    const { maxTrainSteps, saveEveryNSteps, batchSize } = this.config;
    const checkpoints = saveEveryNSteps > 0 ? `checkpoint every ${formatCount(saveEveryNSteps)}` : 'final checkpoint only';
    return `${formatCount(maxTrainSteps)} steps · ${checkpoints} · batch ${formatCount(batchSize)} on ${this.hardware}`;
  }

  /** Asks the host what is wrong with the current config. */
  async validateNow(): Promise<void> {
    this.validator.cancel();
    const version = ++this.version;
    this.validating = true;
    this.changed();
    try {
      const { problems } = await this.deps.host.request(trainingProtocol.validate, { config: this.config });
      if (version !== this.version) return;
      this.serverProblems = problems;
    } catch (error) {
      if (version !== this.version) return;
      this.serverProblems = [{ field: '', message: `The form could not be checked: ${messageOf(error)}`, severity: 'warning' }];
    } finally {
      if (version === this.version) {
        this.validating = false;
        this.changed();
      }
    }
  }

  /** Starts the run; the host then shows it in this panel, or answers with what stops it. */
  async start(): Promise<void> {
    if (!this.canStart) return;
    this.validator.cancel();
    const version = ++this.version;
    this.starting = true;
    this.startError = null;
    this.changed();
    try {
      const { runId, problems } = await this.deps.host.request(trainingProtocol.start, { config: this.config });
      if (runId === null && version === this.version) this.serverProblems = problems;
      // With a run id, the host loads the run into this panel; the form stays disabled until it does.
      if (runId !== null) return;
    } catch (error) {
      this.startError = messageOf(error);
    }
    this.starting = false;
    this.changed();
  }

  private changed(): void {
    for (const listener of [...this.listeners]) listener();
  }

  private parse(field: FormField): void {
    const spec = fieldSpec(field)!;
    const raw = this.raw.get(field) ?? '';
    const parsed = parseValue(spec, raw);
    if (parsed.ok) {
      this.localProblems.delete(field);
      this.config = { ...this.config, [field]: parsed.value };
    } else {
      this.localProblems.set(field, parsed.message);
    }
  }

  private afterEdit(): void {
    this.startError = null;
    this.changed();
    this.deps.saveDraft(this.draft());
    this.validator.schedule();
  }

  private draft(): Record<string, string> {
    const draft: Record<string, string> = { preset: this.config.preset };
    for (const [field, value] of this.raw) draft[field] = String(value);
    return draft;
  }

  private restore(draft: Readonly<Record<string, string>>): void {
    if (typeof draft['preset'] === 'string') this.config = { ...this.config, preset: draft['preset'] };
    for (const spec of formFields) {
      const text = draft[spec.key];
      if (text === undefined) continue;
      this.raw.set(spec.key, spec.kind === 'toggle' ? text === 'true' : text);
      this.parse(spec.key);
    }
  }
}

/** A config value as its field shows it. */
function rawOf(spec: FieldSpec, value: unknown): RawValue {
  switch (spec.kind) {
    case 'toggle':
      return value === true;
    case 'lines':
      return Array.isArray(value) ? value.join('\n') : '';
    case 'decimal':
      return typeof value === 'number' ? formatDecimal(value) : '';
    default:
      return value === undefined || value === null ? '' : String(value);
  }
}

type ParsedValue = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly message: string };

function parseValue(spec: FieldSpec, raw: RawValue): ParsedValue {
  const text = typeof raw === 'string' ? raw : '';
  switch (spec.kind) {
    case 'toggle':
      return { ok: true, value: raw === true };
    case 'whole':
      return parseWholeNumber(text);
    case 'decimal':
      return parseDecimal(text);
    case 'choice':
      return spec.choices?.some((choice) => choice.value === text) ? { ok: true, value: text } : { ok: false, message: 'Choose one of the options.' };
    case 'lines': {
      const lines = text
        .split(/\r?\n/)
        .map((line) => line.trim())
        .filter((line) => line !== '');
      if (lines.length > trainingLimits.samplePrompts) return { ok: false, message: `At most ${trainingLimits.samplePrompts} prompts.` };
      const long = lines.findIndex((line) => line.length > trainingLimits.prompt);
      if (long >= 0) return { ok: false, message: `Prompt ${long + 1} is longer than ${formatCount(trainingLimits.prompt)} characters.` };
      return { ok: true, value: lines };
    }
    case 'text': {
      const max = spec.key === 'baseModel' ? trainingLimits.path : trainingLimits.name;
      return text.length > max ? { ok: false, message: `At most ${formatCount(max)} characters.` } : { ok: true, value: text.trim() };
    }
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
