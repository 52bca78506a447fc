import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { httpProbe, type ProbeFetch } from '../../../../src/core/process/httpProbe';

describe('httpProbe', () => {
  it('is true on 2xx, false on other statuses and on network errors', async () => {
    const urls: string[] = [];
    let answer: 'ok' | 'error' | 'throw' = 'error';
    const fetchFn: ProbeFetch = async (url) => {
      urls.push(url);
      if (answer === 'throw') throw new TypeError('fetch failed');
      return { ok: answer === 'ok', body: null };
    };
    const probe = httpProbe('http://127.0.0.1:8188/system_stats', fetchFn);
    const signal = new AbortController().signal;
    assert.equal(await probe(signal), false);
    answer = 'throw';
    assert.equal(await probe(signal), false);
    answer = 'ok';
    assert.equal(await probe(signal), true);
    assert.deepEqual(urls, Array(3).fill('http://127.0.0.1:8188/system_stats'));
  });
});
