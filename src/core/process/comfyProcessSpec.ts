import { InvalidInputError } from '../util/errors';
import type { SupervisorSpec } from './supervisor';

export interface ComfyProcessInputs {
  /** The Python that runs ComfyUI; empty or absent: `python3` (`python` on Windows). */
  readonly python?: string;
  /** ComfyUI's folder, the one with main.py. */
  readonly folder: string;
  readonly port: number;
  /** More flags for main.py (the user's setting). */
  readonly extraArgs?: readonly string[];
  /** Usually `httpProbe('http://127.0.0.1:<port>/system_stats')`. */
  readonly probe?: (signal: AbortSignal) => Promise<boolean>;
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly platform?: NodeJS.Platform;
}

/** The first start of ComfyUI imports torch and every custom node, and can take minutes. */
const comfyStartTimeoutMs = 5 * 60_000;
/** ComfyUI installs no SIGTERM handler, so it either dies at once or is stuck. */
const comfyStopTimeoutMs = 5000;

/** Printed after the socket is bound, once per address (`--dont-print-server` suppresses it). */
const readyLine = /To see the GUI go to:/;

/** ComfyUI's start-up lines, in the order it prints them, and the phase each one begins. */
const phases: ReadonlyArray<readonly [RegExp, string]> = [
  [/^Total VRAM /, 'loading PyTorch'],
  [/^pytorch version:/i, 'loading PyTorch'],
  [/^ComfyUI version:/, 'loading nodes'],
  [/^Import times for custom nodes/, 'loading custom nodes'],
  [/^Starting server/, 'starting server'],
];

/**
 * The supervisor spec for a managed ComfyUI: `python main.py --listen 127.0.0.1 --port N …`
 * in its folder, ready once it printed its GUI line and the probe answers, restarted with
 * backoff if it dies. Throws `InvalidInputError` when the extra arguments set the port: the
 * probe and the client would be looking at the wrong one.
 */
export function comfyProcessSpec(inputs: ComfyProcessInputs): SupervisorSpec {
  const extraArgs = inputs.extraArgs ?? [];
  if (extraArgs.some((arg) => arg === '--port' || arg.startsWith('--port='))) {
    throw new InvalidInputError('Remove --port from the ComfyUI extra arguments: StudioNOVA chooses the port of the ComfyUI it manages.');
  }
  const platform = inputs.platform ?? process.platform;
  const python = inputs.python?.trim() || (platform === 'win32' ? 'python' : 'python3');
  // Without the GUI line the probe alone decides.
  const printsReadyLine = !extraArgs.includes('--dont-print-server');
  return {
    id: 'comfyui',
    name: 'ComfyUI',
    command: python,
    args: ['main.py', '--listen', '127.0.0.1', '--port', String(inputs.port), ...extraArgs],
    cwd: inputs.folder,
    env: inputs.env ?? {},
    readiness: {
      ...(printsReadyLine ? { logLine: readyLine } : {}),
      ...(inputs.probe ? { probe: inputs.probe } : {}),
      probeIntervalMs: 1000,
    },
    startTimeoutMs: comfyStartTimeoutMs,
    stopTimeoutMs: comfyStopTimeoutMs,
    restart: {},
    phaseOf: comfyPhaseOf,
    hint: 'Check the ComfyUI folder, Python and extra arguments in the StudioNOVA settings; Show Logs has the full output.',
    diagnose: (tail) => diagnoseComfyFailure(tail, { python, folder: inputs.folder, port: inputs.port }),
  };
}

/** The start-up phase a ComfyUI log line begins, if it begins one. */
export function comfyPhaseOf(line: string): string | undefined {
  const text = line.trim();
  for (const [pattern, phase] of phases) if (pattern.test(text)) return phase;
  return undefined;
}

/** What to do about the failures people hit most, recognised in ComfyUI's stderr. */
export function diagnoseComfyFailure(
  stderrTail: readonly string[],
  context: { readonly python: string; readonly folder: string; readonly port: number },
): string | undefined {
  const text = stderrTail.join('\n');
  if (/address already in use|error while attempting to bind|only one usage of each socket address/i.test(text)) {
    return `Port ${context.port} is already in use, probably by another ComfyUI. Quit that one, or set the ComfyUI mode to "connected" with its URL.`;
  }
  const missing = /ModuleNotFoundError: No module named '([^']+)'/.exec(text);
  if (missing) {
    return `${context.python} has no Python module "${missing[1]}". Set the ComfyUI Python setting (studionova.comfyui.python) to the Python of ComfyUI's virtual environment, or install ComfyUI's requirements into it.`;
  }
  if (/can't open file .*main\.py/.test(text)) {
    return `There is no main.py in ${context.folder}. Set the ComfyUI folder setting (studionova.comfyui.folder) to the folder that contains main.py.`;
  }
  const usage = /^main\.py: error: (.*)$/m.exec(text);
  if (usage) {
    return `ComfyUI rejected its arguments (${usage[1]}). Check the ComfyUI extra arguments setting (studionova.comfyui.extraArgs).`;
  }
  if (/Torch not compiled with CUDA enabled/.test(text)) {
    return `This PyTorch was built without CUDA. Install a CUDA build of PyTorch in ComfyUI's environment, or add --cpu to the ComfyUI extra arguments.`;
  }
  return undefined;
}
