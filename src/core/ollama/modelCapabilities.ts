import type { ShowReply } from './protocol';

/**
 * What a model can do, from its /api/show reply. Servers since v0.6.4 list `capabilities`;
 * older ones do not, and before v0.6.8 llava-style models left `vision` out of it. So when
 * `vision` is missing, the signs of an image encoder still count: a `clip` family, a
 * `projector_info` block, or `*.vision.*` keys in `model_info` (reference §5).
 */
export function capabilitiesFromShow(show: ShowReply): readonly string[] {
  const listed = show.capabilities ?? ['completion'];
  if (listed.includes('vision') || !hasImageEncoder(show)) return listed;
  return [...listed, 'vision'];
}

function hasImageEncoder(show: ShowReply): boolean {
  if (show.details?.families?.includes('clip')) return true;
  if (show.projector_info && Object.keys(show.projector_info).length > 0) return true;
  return Object.keys(show.model_info ?? {}).some((key) => key.includes('.vision.'));
}
