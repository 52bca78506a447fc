// Find and replace over a large dataset's captions: what the caption panel does on one click of
// "Replace all", on the editor's thread, so it must not be felt.
//
//   BENCH caption_replace_2000_ms   a plain replace over 2,000 captions of ~200 characters,
//                                   applied and recorded for undo (median). Goal < 50.
//   BENCH caption_regex_2000_ms     the same with a regular expression and a group reference.
//   BENCH caption_undo_2000_ms      undoing that replace.
import { applyCaptionEdits, applyChanges, type CaptionEdit } from '../src/shared/captions/captionEdits';
import { CaptionHistory } from '../src/shared/captions/captionHistory';
import { report } from './support/measure';

const captionCount = 2000;
const runs = 15;
const warmUpRuns = 3;

const framings = ['full body', 'cowboy shot', 'close-up', 'upper body', 'portrait'];
const poses = ['running through a neon alley', 'standing on a rooftop', 'sitting at a cafe table', 'jumping over a fence', 'looking back over the shoulder'];
const backgrounds = ['night, rain, reflections on the wet ground', 'sunset, city skyline, warm light', 'forest, morning mist, soft light'];

/** Captions as a tagger and a person leave them: the trigger, framing, pose, background and some detail tags. */
function makeCaptions(): Map<string, string> {
  const captions = new Map<string, string>();
  for (let i = 0; i < captionCount; i++) {
    const tags = ['spyke_plasma_v1', framings[i % framings.length]!, poses[i % poses.length]!, backgrounds[i % backgrounds.length]!];
    tags.push('red hair', 'blue eyes', 'black jacket', 'white shirt', `detail ${i}`, 'dramatic lighting', 'looking at viewer', 'outdoors');
    captions.set(`spyke_${String(i).padStart(4, '0')}`, tags.join(', '));
  }
  return captions;
}

function measure(name: string, edit: CaptionEdit): void {
  let changed = 0;
  const once = (): number => {
    const captions = makeCaptions();
    const history = new CaptionHistory();
    const started = performance.now();
    const result = applyCaptionEdits(captions, [edit], 'all');
    if (!result.ok) throw new Error(result.error);
    applyChanges(captions, result.changes);
    history.record(result.changes);
    const elapsed = performance.now() - started;
    changed = result.changes.size;
    return elapsed;
  };
  const coldMs = once();
  for (let i = 1; i < warmUpRuns; i++) once();
  const samples = Array.from({ length: runs }, once);
  console.log(`  ${changed} of ${captionCount} captions changed; first run (cold, not counted): ${coldMs.toFixed(1)} ms`);
  report(name, samples, 'ms', 50);
}

function measureUndo(): void {
  const once = (): number => {
    const captions = makeCaptions();
    const history = new CaptionHistory();
    const result = applyCaptionEdits(captions, [{ kind: 'replace', find: 'red hair', replace: 'silver hair', regex: false, caseSensitive: true }], 'all');
    if (!result.ok) throw new Error(result.error);
    applyChanges(captions, result.changes);
    history.record(result.changes);
    const started = performance.now();
    const move = history.undo(captions);
    if (move) applyChanges(captions, move.changes);
    return performance.now() - started;
  };
  for (let i = 0; i < warmUpRuns; i++) once();
  report('caption_undo_2000_ms', Array.from({ length: runs }, once), 'ms', 50);
}

const average = [...makeCaptions().values()].reduce((sum, caption) => sum + caption.length, 0) / captionCount;
console.log(`  ${captionCount} captions of ${average.toFixed(0)} characters on average`);
measure('caption_replace_2000_ms', { kind: 'replace', find: 'red hair', replace: 'silver hair', regex: false, caseSensitive: false });
measure('caption_regex_2000_ms', { kind: 'replace', find: '(\\w+) (hair|eyes)', replace: '$2 of $1', regex: true, caseSensitive: true });
measureUndo();
