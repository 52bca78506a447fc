// Caption texts of a large character dataset, shared by the caption benchmarks: each ~200
// characters, the trigger first, then framing, pose, background and detail tags, all distinct.

const framings: readonly string[] = ['full body', 'cowboy shot', 'close-up', 'upper body', 'portrait'];
const poses: readonly string[] = ['running through a neon alley', 'standing on a rooftop', 'sitting at a cafe table', 'jumping over a fence', 'looking back over the shoulder'];
const backgrounds: readonly string[] = ['night, rain, reflections on the wet ground', 'sunset, city skyline, warm light', 'forest, morning mist, soft light'];

/** The caption of image `index`: what a tagger and a person leave, ~200 characters. */
export function captionText(trigger: string, index: number): string {
  const tags = [trigger, framings[index % framings.length]!, poses[index % poses.length]!, backgrounds[index % backgrounds.length]!];
  tags.push('red hair', 'blue eyes', 'black jacket', 'white shirt', `detail ${index}`, 'dramatic lighting', 'looking at viewer', 'outdoors');
  return tags.join(', ');
}

/** The image stem of `index`, `big_0042`: sorted by name they keep their order. */
export function imageStem(prefix: string, index: number): string {
  return `${prefix}_${String(index).padStart(4, '0')}`;
}
