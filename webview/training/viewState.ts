import { type TrainingBootstrap, type TrainingViewState, trainingViewStateSchema } from '../../src/shared/protocol/training';
import { clampSmoothing, defaultSmoothing } from './smoothing';

export const defaultViewState: TrainingViewState = { runId: null, datasetId: null, draft: null, smoothing: defaultSmoothing, open: {}, scrollTop: 0 };

/**
 * The state to start from: what this webview saved before it was hidden, when it is valid. What
 * belongs to one run or one form (the scroll position, a draft) is kept only for that run or
 * dataset; the smoothing and which sections are open carry over.
 */
export function restoreViewState(saved: unknown, bootstrap: TrainingBootstrap): TrainingViewState {
  const parsed = trainingViewStateSchema.safeParse(saved);
  const state = parsed.success ? parsed.data : defaultViewState;
  const kept = { smoothing: clampSmoothing(state.smoothing), open: state.open };
  if (bootstrap.mode === 'run') {
    const same = state.runId === bootstrap.record.id;
    return { ...kept, runId: bootstrap.record.id, datasetId: null, draft: null, scrollTop: same ? state.scrollTop : 0 };
  }
  const same = state.runId === null && state.datasetId === bootstrap.datasetId;
  return { ...kept, runId: null, datasetId: bootstrap.datasetId, draft: same ? state.draft : null, scrollTop: same ? state.scrollTop : 0 };
}

/** Whether a section is open: as the user left it, else its default. */
export function isOpen(state: TrainingViewState, section: string, byDefault: boolean): boolean {
  return state.open[section] ?? byDefault;
}

/** The view state and its saving: changes are kept at once here, and given to VS Code after a pause. */
export class ViewStateStore {
  constructor(
    private current: TrainingViewState,
    private readonly save: (state: TrainingViewState) => void,
  ) {}

  get state(): TrainingViewState {
    return this.current;
  }

  update(change: Partial<TrainingViewState>): void {
    this.current = { ...this.current, ...change };
    this.save(this.current);
  }

  setOpen(section: string, open: boolean): void {
    this.update({ open: { ...this.current.open, [section]: open } });
  }
}
