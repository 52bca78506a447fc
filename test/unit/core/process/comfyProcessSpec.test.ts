import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { comfyPhaseOf, comfyProcessSpec, diagnoseComfyFailure } from '../../../../src/core/process/comfyProcessSpec';
import { InvalidInputError } from '../../../../src/core/util/errors';

describe('comfyProcessSpec', () => {
  const probe = async (): Promise<boolean> => true;

  it('runs main.py on loopback at the given port from the folder, with restarts and generous timeouts', () => {
    const spec = comfyProcessSpec({ python: '/venv/bin/python', folder: '/opt/ComfyUI', port: 8190, extraArgs: ['--force-fp16'], probe, platform: 'linux' });
    assert.equal(spec.id, 'comfyui');
    assert.equal(spec.command, '/venv/bin/python');
    assert.deepEqual(spec.args, ['main.py', '--listen', '127.0.0.1', '--port', '8190', '--force-fp16']);
    assert.equal(spec.cwd, '/opt/ComfyUI');
    assert.equal(spec.readiness.logLine?.test('To see the GUI go to: http://127.0.0.1:8190'), true);
    assert.equal(spec.readiness.probe, probe);
    assert.equal(spec.startTimeoutMs, 5 * 60_000);
    assert.equal(spec.stopTimeoutMs, 5000);
    assert.ok(spec.restart);
  });

  it('defaults to python3, or python on Windows', () => {
    assert.equal(comfyProcessSpec({ folder: '/c', port: 1, platform: 'linux' }).command, 'python3');
    assert.equal(comfyProcessSpec({ python: '  ', folder: '/c', port: 1, platform: 'darwin' }).command, 'python3');
    assert.equal(comfyProcessSpec({ folder: 'C:\\c', port: 1, platform: 'win32' }).command, 'python');
  });

  it('refuses a --port in the extra arguments, and relies on the probe alone with --dont-print-server', () => {
    assert.throws(() => comfyProcessSpec({ folder: '/c', port: 1, extraArgs: ['--port', '9000'] }), InvalidInputError);
    assert.throws(() => comfyProcessSpec({ folder: '/c', port: 1, extraArgs: ['--port=9000'] }), InvalidInputError);
    const spec = comfyProcessSpec({ folder: '/c', port: 1, extraArgs: ['--dont-print-server'], probe });
    assert.equal(spec.readiness.logLine, undefined);
    assert.equal(spec.readiness.probe, probe);
  });

  it('names the start-up phases from ComfyUI’s lines', () => {
    assert.equal(comfyPhaseOf('Total VRAM 8192 MB, total RAM 16384 MB'), 'loading PyTorch');
    assert.equal(comfyPhaseOf('pytorch version: 2.3.0+cu121'), 'loading PyTorch');
    assert.equal(comfyPhaseOf('ComfyUI version: 0.3.64'), 'loading nodes');
    assert.equal(comfyPhaseOf('Import times for custom nodes:'), 'loading custom nodes');
    assert.equal(comfyPhaseOf('Starting server'), 'starting server');
    assert.equal(comfyPhaseOf('Set vram state to: NORMAL_VRAM'), undefined);
  });

  it('says what to do about common start failures', () => {
    const context = { python: '/usr/bin/python3', folder: '/opt/ComfyUI', port: 8188 };
    assert.match(diagnoseComfyFailure(['OSError: [Errno 98] error while attempting to bind on address: address already in use'], context)!, /^Port 8188 is already in use/);
    assert.match(diagnoseComfyFailure(["ModuleNotFoundError: No module named 'torch'"], context)!, /^\/usr\/bin\/python3 has no Python module "torch"/);
    assert.match(diagnoseComfyFailure(["/usr/bin/python3: can't open file '/opt/ComfyUI/main.py': [Errno 2] No such file or directory"], context)!, /^There is no main.py in \/opt\/ComfyUI/);
    assert.match(diagnoseComfyFailure(['usage: main.py [-h]', 'main.py: error: unrecognized arguments: --bogus'], context)!, /rejected its arguments \(unrecognized arguments: --bogus\)/);
    assert.match(diagnoseComfyFailure(['AssertionError: Torch not compiled with CUDA enabled'], context)!, /--cpu/);
    assert.equal(diagnoseComfyFailure(['something else'], context), undefined);
  });
});
