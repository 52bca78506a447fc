import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { GenerationJob, GenerationStatus } from '../../../../src/core/generation/generationJob';
import { panelJobState } from '../../../../src/core/generation/panelJobState';
import type { GenerationRequest } from '../../../../src/core/generation/request';

function job(requestId: string, panel: number, status: GenerationStatus, progress?: { value: number; max: number }): GenerationJob {
  const request = { target: { kind: 'page', chapter: 1, page: 1, panel } } as unknown as GenerationRequest;
  return { id: `${requestId}-${Math.random()}`, requestId, request, seed: 1, workflow: {}, status, promptId: undefined, progress, node: undefined, preview: undefined, outputs: [], error: undefined, times: { enqueued: 0 } };
}

describe('panelJobState', () => {
  it('follows only the latest request of the panel', () => {
    const jobs = [job('a', 1, 'failed'), job('b', 2, 'running'), job('c', 1, 'queued')];
    const state = panelJobState(jobs, 1, 1, 1);
    assert.equal(state?.kind, 'queued');
    assert.equal(state?.total, 1);
    assert.equal(panelJobState(jobs, 1, 1, 3), undefined);
    assert.equal(panelJobState(jobs, 1, 2, 1), undefined);
  });

  it('reads running with a percentage over all images, then done, failed or cancelled', () => {
    const running = panelJobState([job('r', 1, 'running', { value: 12, max: 24 }), job('r', 1, 'completed')], 1, 1, 1)!;
    assert.equal(running.kind, 'running');
    assert.equal(running.percent, Math.round(((0.5 * 0.95 + 1) / 2) * 100));
    assert.deepEqual([running.finished, running.total], [1, 2]);
    // One image done and the next still waiting in ComfyUI's queue is running, not queued.
    assert.equal(panelJobState([job('w', 1, 'completed'), job('w', 1, 'submitted')], 1, 1, 1)!.kind, 'running');
    assert.equal(panelJobState([job('d', 1, 'completed'), job('d', 1, 'completed')], 1, 1, 1)!.kind, 'done');
    const failed = panelJobState([job('f', 1, 'completed'), job('f', 1, 'failed')], 1, 1, 1)!;
    assert.deepEqual([failed.kind, failed.failed], ['failed', 1]);
    assert.equal(panelJobState([job('x', 1, 'cancelled')], 1, 1, 1)!.kind, 'cancelled');
  });
});
