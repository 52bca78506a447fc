import type { CropRect } from './trainingImage';

/**
 * Which largest square of a picture that is not square a training image keeps: its middle, or
 * the square against one end (the top or left end: `start`; the bottom or right end: `end`).
 */
export type CropAnchor = 'start' | 'centre' | 'end';

/** One way to crop a picture, as a person is offered it. */
export interface CropChoice {
  readonly anchor: CropAnchor;
  /** `Top`, `Centre`, `Bottom` for a tall picture; `Left`, `Centre`, `Right` for a wide one. */
  readonly label: string;
  /** Which pixels it keeps, in words. */
  readonly description: string;
  /** The rectangle for `importImages`; undefined for the centre, which is what an import does without one. */
  readonly crop: CropRect | undefined;
}

/** The largest square of a `width`×`height` picture, against `anchor`; the middle one rounds down. */
export function anchoredSquare(width: number, height: number, anchor: CropAnchor): CropRect {
  const side = Math.min(width, height);
  const spare = Math.max(width, height) - side;
  const offset = anchor === 'start' ? 0 : anchor === 'end' ? spare : Math.floor(spare / 2);
  return width >= height ? { left: offset, top: 0, width: side, height: side } : { left: 0, top: offset, width: side, height: side };
}

/** The choices for a picture that is not square, the centre first (the default); none for a square one. */
export function cropChoices(width: number, height: number): CropChoice[] {
  if (width === height) return [];
  const tall = height > width;
  const side = Math.min(width, height);
  const names: Record<CropAnchor, string> = tall ? { start: 'Top', centre: 'Centre', end: 'Bottom' } : { start: 'Left', centre: 'Centre', end: 'Right' };
  return (['centre', 'start', 'end'] as const).map((anchor) => {
    const crop = anchoredSquare(width, height, anchor);
    const from = tall ? crop.top : crop.left;
    const span = `${tall ? 'rows' : 'columns'} ${from}–${from + side - 1} of ${tall ? height : width}`;
    return {
      anchor,
      label: names[anchor],
      description: `keeps the ${side}×${side} square at the ${anchor === 'centre' ? 'middle' : names[anchor].toLowerCase()}: ${span}`,
      crop: anchor === 'centre' ? undefined : crop,
    };
  });
}
